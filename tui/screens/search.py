"""Type-ahead keyword search with a results table; Enter opens the customer's file."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from hudang.store.i18n import t
from hudang.tui import render
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import SearchFinished
from hudang.tui.scanstream import DeskScan, trailing_code
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import StatusLine


MATCH_NAMES = {"number": ("户号", "number"), "name": ("户名", "name"), "phone": ("电话", "phone"),
               "id_number": ("证件号", "ID number"), "initials": ("拼音首字母", "initials"),
               "address": ("地址", "address"), "all": ("多项", "several")}


def match_name(key: str) -> str:
    """Which field matched, in the desk's language (the store answers with a key)."""
    zh, en = MATCH_NAMES.get(key, (key, key))
    return t(zh, en)


class SearchScreen(DeskScreen):
    """Results follow every keystroke; only the newest query's results are shown.

    A code scanned here is never search text: scanned while the results have focus it
    comes on the scan stream (`handle_scan`); scanned into the query, it is cut off the
    query's end on Enter. Either way the desk goes back to the main screen and shows it.
    """

    def __init__(self, text: str = "", results_first: bool = False) -> None:
        super().__init__()
        self.initial = text
        self.results_first = results_first  # opened by a scanned word: the next scan is a scan
        self.hits: list = []
        bind_labelled(self, [("escape", "back", "back"), ("down", "to_table", None),
                             ("f2", "to_query", "search")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("search")), id="topbar")
        yield Input(value=self.initial, placeholder=L("search_placeholder"), id="query")
        yield StatusLine(Text(""), id="status")
        yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#hits", DataTable)
        for key in ("number", "name", "class", "status", "address", "matched"):
            table.add_column(L(key), key=key)
        query = self.query_one("#query", Input)
        query.cursor_blink = self.app.cursor_blink_enabled
        if self.results_first:
            table.focus()
        else:
            query.focus()
        if self.initial:
            self.run_search(self.initial)

    def on_screen_resume(self) -> None:
        self.query_one("#hits" if self.results_first else "#query").focus()

    def handle_scan(self, scan: DeskScan) -> bool:
        """A word searches again; a code goes back to the desk, which shows it."""
        if scan.kind == "keyword":
            self.query_one("#query", Input).value = scan.code
            return True
        self.app.back_to_desk(scan)
        return True

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.run_search(event.value)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        split = trailing_code(event.value)
        if split is not None:  # a scanner fired into the query: its code is a scan
            typed, code = split
            event.input.value = typed
            self.app.submit_scan(code)
            return
        if self.hits:
            self.action_to_table()

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, text: str) -> None:
        hits = self.app.services.search(text.strip(), 200)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchFinished(text, hits))

    @on(SearchFinished)
    def _finished(self, message: SearchFinished) -> None:
        if message.text != self.query_one("#query", Input).value:
            return  # an older query; a newer one is on its way
        status = self.query_one("#status", StatusLine)
        table = self.query_one("#hits", DataTable)
        table.clear()
        self.hits = message.hits
        if message.error:
            status.show(message.error, "error")
            return
        for hit in message.hits:
            table.add_row(Text(hit.number, style="bold"), render.plain(hit.name),
                          Text(render.voltage_name(hit.voltage_class)),
                          Text(L("cancelled") if hit.status == "cancelled" else L("active"),
                               style="red" if hit.status == "cancelled" else ""),
                          render.plain(hit.address), Text(match_name(getattr(hit, "matched", ""))),
                          key=hit.number)
        if message.hits:
            status.show(L("search_count", n=len(message.hits)), "ok")
        else:
            status.show(L("search_none", q=message.text), "error")

    @on(DataTable.RowSelected, "#hits")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.open_customer(str(event.row_key.value))

    def action_to_table(self) -> None:
        table = self.query_one("#hits", DataTable)
        if table.row_count:
            table.focus()

    def action_to_query(self) -> None:
        self.results_first = False
        self.query_one("#query", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
