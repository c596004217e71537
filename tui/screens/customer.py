"""The customer's file (一户一档): header, contracts by days to expiry, five category tabs."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tab, Tabs

from hudang.store.domain import CATEGORIES
from hudang.store.errors import ArchiveError
from hudang.store.services.customers import mask_id_number, mask_phone
from hudang.store.services.dto import CustomerFile
from hudang.tui import render
from hudang.tui.business_view import contract_style
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import CustomerFileLoaded, CustomerFileShown
from hudang.tui.screens.main import top_bar_text
from hudang.tui.widgets import StatusLine


class CustomerFileScreen(Screen):
    """One customer's whole file; Esc returns to the scan field."""

    def __init__(self, number: str, file: CustomerFile | None = None) -> None:
        """`file`, when the caller already read it, is shown without another database trip."""
        super().__init__()
        self.number = number
        self.file: CustomerFile | None = None
        self.preloaded = file
        bind_labelled(self, [("escape", "back", "back"),
                             ("right_square_bracket", "next_tab", "next_tab"),
                             ("left_square_bracket", "prev_tab", "prev_tab")])
        bind_labelled(self, [(str(i + 1), f"show_tab('{code}')", None)
                             for i, code in enumerate(CATEGORIES)])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("customer_file")), id="topbar")
        yield StatusLine(Text(f"… {self.number}"), id="status")
        yield Static("", id="cf-header")
        yield Static("", id="cf-contracts")
        # One Tabs bar over one table, refilled per category: five tables cost five times the
        # mounting and painting for no gain.
        yield Tabs(*[Tab(self._tab_label(code, None), id=f"tab-{code}") for code in CATEGORIES],
                   id="cf-tabs")
        yield DataTable(id="docs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @staticmethod
    def _tab_label(code: str, count: int | None) -> str:
        n = list(CATEGORIES).index(code) + 1
        return f"{n} {render.category_name(code)}" + ("" if count is None else f" ({count})")

    @property
    def active(self) -> str:
        """The category code of the tab on show."""
        return (self.query_one("#cf-tabs", Tabs).active or "tab-YK").removeprefix("tab-")

    def on_mount(self) -> None:
        table = self.query_one("#docs", DataTable)
        widths = {"doc_type": 16, "doc_title": 26}  # long CJK text is cut
        for key in ("code", "doc_type", "doc_title", "pages", "filed_on", "position",
                    "scanned"):
            table.add_column(L(key), key=key, width=widths.get(key))
        table.focus()  # now, not after loading: every focus change rebuilds the footer
        if self.preloaded is not None:
            self.post_message(CustomerFileLoaded(self.preloaded))
        else:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="customer")
    def load(self) -> None:
        try:
            file = self.app.services.customer_file(self.number)
        except ArchiveError as exc:
            self.post_message(CustomerFileLoaded(None, str(exc)))
            return
        self.post_message(CustomerFileLoaded(file))

    @on(CustomerFileLoaded)
    def _loaded(self, message: CustomerFileLoaded) -> None:
        status = self.query_one("#status", StatusLine)
        if message.error:
            status.show(message.error, "error")
            return
        self.file = file = message.file
        c = file.customer
        status.show(f"{L('customer_file')} {c.number}", "ok")
        self.query_one("#cf-header", Static).update(self._header(file))
        self.query_one("#cf-contracts", Static).update(self._contracts(file))
        tabs = self.query_one("#cf-tabs", Tabs)
        for code in CATEGORIES:
            tabs.query_one(f"#tab-{code}", Tab).label = self._tab_label(
                code, len(file.documents.get(code, [])))
        self._fill(self.active)
        self.call_after_refresh(self.post_message, CustomerFileShown(c.number))

    def _fill(self, code: str) -> None:
        """Show the documents of category `code` in filing-date order."""
        table = self.query_one("#docs", DataTable)
        table.clear()
        if self.file is None:
            return
        # The box's position code (K1-A-01-L-01-2-2) says it in a few cells; the full name
        # of the place is in the header's box list and on the box's own screen.
        homes = {b.barcode: b.home.code for b in self.file.boxes if b.home is not None}
        for d in self.file.documents.get(code, []):
            where = homes.get(d.box_barcode or "") or d.position or "—"
            table.add_row(Text(d.barcode or "—", style="bold"), render.plain(d.doc_type),
                          render.plain(d.title), Text(str(d.page_count)),
                          Text(str(d.filed_on or "—")), render.plain(where),
                          Text(L("yes"), style="green") if d.scanned_pages
                          else Text(L("no"), style="dim"))

    @on(Tabs.TabActivated, "#cf-tabs")
    def _tab_changed(self, event: Tabs.TabActivated) -> None:
        self._fill(self.active)

    def _header(self, file: CustomerFile) -> Group:
        c = file.customer
        personal = self.app.can_see_personal
        grid = Table.grid(padding=(0, 2))
        for _ in range(2):
            grid.add_column(no_wrap=True, min_width=8)
            grid.add_column(min_width=24)
        marks = []
        if c.status == "cancelled":
            marks.append((f"{L('cancelled')} {c.cancelled_on or ''}".strip(), "bold white on red"))
        if c.important:
            marks.append((f"★ {L('important')}", "bold black on yellow"))
        name = Text.assemble((c.number, "bold"), "  ", (c.name, "bold"), "  ",
                             *[m for pair in marks for m in (pair, " ")])
        lab = lambda k: Text(L(k), style="cyan")
        grid.add_row(lab("class"), Text(f"{render.voltage_name(c.voltage_class)} "
                                        f"{c.supply_voltage}"),
                     lab("tariff"), render.plain(c.tariff))
        grid.add_row(lab("line"), render.plain(c.line), lab("area"), render.plain(c.area or "—"))
        grid.add_row(lab("id_number"), Text(c.id_number if personal else
                                            mask_id_number(c.id_number)),
                     lab("phone"), Text(c.phone if personal else mask_phone(c.phone)))
        grid.add_row(lab("address"), render.plain(c.address), lab("boxes"),
                     Text(", ".join(b.barcode for b in file.boxes) or "—"))
        return Group(name, grid)

    def _contracts(self, file: CustomerFile) -> Table | Text:
        if not file.contracts:
            return Text(f"{L('contracts')}: —", style="dim")
        today = self.app.clock().date()
        table = Table(title=L("contracts"), title_justify="left", expand=False,
                      show_edge=False, pad_edge=False)
        for key in ("contract_no", "kind", "signed", "expires", "days_left", "auto_renew"):
            table.add_column(L(key))
        for k in file.contracts:
            days = k.days_to_expiry(today)
            table.add_row(render.plain(k.number or "—"), render.plain(k.kind),
                          Text(str(k.signed_on or "—")), Text(str(k.expires_on or "—")),
                          Text("—" if days is None else str(days),
                               style=contract_style(self.app.desk_status.ruleset, k.expires_on,
                                                    today)),
                          Text(L("yes") if k.auto_renew else L("no")))
        return table

    def action_show_tab(self, code: str) -> None:
        self.query_one("#cf-tabs", Tabs).active = f"tab-{code}"
        self._fill(code)
        self.query_one("#docs", DataTable).focus()

    def _step(self, delta: int) -> None:
        codes = list(CATEGORIES)
        self.action_show_tab(codes[(codes.index(self.active) + delta) % len(codes)])

    def action_next_tab(self) -> None:
        self._step(1)

    def action_prev_tab(self) -> None:
        self._step(-1)

    def action_back(self) -> None:
        self.app.pop_screen()
