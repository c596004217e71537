"""The customer's file (一户一档): header, contracts by days to expiry, five category tabs.

The app keeps one `CustomerFileScreen` and shows each customer on it (`open_customer_file`):
building the screen's widgets cost more than reading the file, so it is built once.
Enter on a document opens its scanned pages (`pages.PageViewerScreen`).
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static, Tab, Tabs

from hudang.store.domain import CATEGORIES
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.customers import mask_id_number, mask_phone
from hudang.store.services.dto import CustomerFile
from hudang.tui import render
from hudang.tui.footer import SteadyFooter
from hudang.tui.reuse import ReusableScreen, show_reused
from hudang.tui.business_view import contract_style
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import CustomerFileLoaded, CustomerFileShown
from hudang.tui.page_services import desk_pages
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import StatusLine


@dataclass
class PagesOpened(Message):
    """A document's pages were opened for reading (with page 1's image), or refused."""

    document_id: int
    doc: Any
    first_image: Any = None
    error: str | None = None


class CustomerFileScreen(ReusableScreen):
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
        self._bindings.bind("enter", "read_pages", t("阅览扫描页", "Read pages"))
        self.pending = True  # a file to show when the screen is (re)shown
        self.live_reload = False  # the file being read is a re-read after a change elsewhere

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
        yield SteadyFooter()

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
        self.run_worker(_warm_up_pages, thread=True, group="warm-up", exit_on_error=False)

    def show_customer(self, number: str, file: CustomerFile | None = None) -> None:
        """Show `number` next time this screen is shown (now, if it is on top)."""
        self.number, self.preloaded, self.pending = number, file, True
        if self.is_current:
            self._show_pending()

    def on_screen_resume(self) -> None:
        self.query_one("#topbar", Static).update(top_bar_text(self.app, L("customer_file")))
        if self.pending:
            self._show_pending()

    def _show_pending(self) -> None:
        self.pending = self.live_reload = False
        if self.file is not None and self.file.customer.number != self.number:
            self._clear()
        if self.preloaded is not None:
            file, self.preloaded = self.preloaded, None
            self._loaded(CustomerFileLoaded(file))
        else:
            self.load()

    def _clear(self) -> None:
        """Forget the customer shown before, so nothing of theirs shows with the next one."""
        self.file = None
        self.query_one("#status", StatusLine).show(f"… {self.number}")
        self.query_one("#cf-header", Static).update("")
        self.query_one("#cf-contracts", Static).update("")
        self.query_one("#docs", DataTable).clear()
        self.query_one("#cf-tabs", Tabs).active = f"tab-{next(iter(CATEGORIES))}"

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
        if message.file.customer.number != self.number:
            return  # read for a customer shown before this one
        live, self.live_reload = self.live_reload, False
        self.file = file = message.file
        c = file.customer
        if not live:  # a re-read after another desk's change keeps the keeper's message
            status.show(f"{L('customer_file')} {c.number}  ·  "
                        + t("回车：阅览扫描页", "Enter: read the scanned pages"), "ok")
        self.query_one("#cf-header", Static).update(self._header(file))
        self.query_one("#cf-contracts", Static).update(self._contracts(file))
        tabs = self.query_one("#cf-tabs", Tabs)
        for code in CATEGORIES:
            tab = tabs.query_one(f"#tab-{code}", Tab)
            label = self._tab_label(code, len(file.documents.get(code, [])))
            if tab.label.plain != label:  # relabelling re-lays the tab bar out
                tab.label = label
        self._fill(self.active)
        self.call_after_refresh(self.post_message, CustomerFileShown(c.number))

    def _fill(self, code: str) -> None:
        """Show the documents of category `code` in filing-date order."""
        table = self.query_one("#docs", DataTable)
        keep = table.cursor_row
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
                          else Text(L("no"), style="dim"), key=str(d.id))
        if keep and keep < table.row_count:
            table.move_cursor(row=keep, animate=False)

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
        if c.legal_hold:  # issue 15: a hold blocks disposal (`hudang hold list`)
            marks.append((t("⚖ 法律冻结", "⚖ legal hold"), "bold white on magenta"))
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

    # --- scanned pages --------------------------------------------------------------------
    @on(DataTable.RowSelected, "#docs")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_read_pages()

    def action_read_pages(self) -> None:
        """Open the scanned pages of the document under the cursor (gated, audited)."""
        table = self.query_one("#docs", DataTable)
        if self.file is None or not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        self.query_one("#status", StatusLine).show(t("正在打开扫描页…", "Opening the pages…"))
        self.open_pages(int(row_key.value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="pages")
    def open_pages(self, document_id: int) -> None:
        """Check the grant, audit the opening and read the first page, in one worker trip."""
        pages = desk_pages(self.app)
        try:
            doc = pages.open(document_id, self.app.actor)
            first = pages.image(doc.pages[0]) if doc.pages else None
        except ArchiveError as exc:
            self.post_message(PagesOpened(document_id, None, None, str(exc)))
            return
        self.post_message(PagesOpened(document_id, doc, first))

    @on(PagesOpened)
    def _pages_opened(self, message: PagesOpened) -> None:
        if message.error:
            self.query_one("#status", StatusLine).show(message.error, "error")
            return
        from hudang.tui.screens.pages import open_viewer

        self.query_one("#status", StatusLine).show(f"{L('customer_file')} {self.number}", "ok")
        open_viewer(self.app, message.doc, message.first_image)

    # --- live: another desk or the daemon changed the archive ------------------------------
    def archive_changed(self, changes) -> None:
        """Re-read the file on show (keeping tab and cursor) when the archive changed."""
        if self.file is not None and not self.pending:
            self.live_reload = True
            self.load()


def _warm_up_pages() -> None:
    """Import the PDF renderer now, so the first document opened does not wait for it."""
    import pypdfium2  # noqa: F401


def open_customer_file(app, number: str, file: CustomerFile | None = None) -> None:
    """Show `number`'s file on the app's one customer-file screen, built on first use."""
    show_reused(app, "customer-file", lambda: CustomerFileScreen(number, file),
                lambda screen: screen.show_customer(number, file))
