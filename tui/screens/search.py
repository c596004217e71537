"""Type-ahead keyword search with a results table; Enter opens the customer's file."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from hudang.store.errors import ArchiveError
from hudang.tui import render
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import SearchFinished
from hudang.tui.screens.main import top_bar_text
from hudang.tui.widgets import StatusLine


class SearchScreen(Screen):
    """Results follow every keystroke; only the newest query's results are shown."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.hits: list = []
        bind_labelled(self, [("escape", "back", "back"), ("down", "to_table", None)])

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
        query.focus()
        if self.initial:
            self.run_search(self.initial)

    def on_screen_resume(self) -> None:
        self.query_one("#query").focus()

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.run_search(event.value)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.hits:
            self.action_to_table()

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, text: str) -> None:
        try:
            hits = self.app.services.search(text.strip(), 200)
        except ArchiveError as exc:
            self.post_message(SearchFinished(text, [], str(exc)))
            return
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
                          render.plain(hit.address), render.plain(getattr(hit, "matched", "")),
                          key=hit.number)
        if message.hits:
            status.show(L("search_count", n=len(message.hits)), "ok")
        else:
            status.show(L("search_none", q=message.text), "error")

    @on(DataTable.RowSelected, "#hits")
    def _open(self, event: DataTable.RowSelected) -> None:
        from hudang.tui.screens.customer import open_customer_file

        open_customer_file(self.app, str(event.row_key.value))

    def action_to_table(self) -> None:
        table = self.query_one("#hits", DataTable)
        if table.row_count:
            table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
