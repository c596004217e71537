"""The overdue list (with reminder slips) and what is still in the reading room at closing."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from hudang.tui.loans_i18n import LL, bind_loan_keys
from hudang.tui.screens.loan_messages import ListLoaded, LoanFileWritten
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import StatusLine


def _items_text(items) -> Text:
    """The boxes and what was asked for, one per line (data as text)."""
    return Text("\n").join(
        Text(f"{i.box_barcode}  {i.customer_number or ''} {i.customer_name or ''}  {i.title}")
        for i in items) if items else Text("—")


class _LoanListScreen(DeskScreen):
    """A read-only table of loan rows, loaded in a worker; Esc goes back, F5 reloads.

    Each list defines `fetch() -> list` (runs in the worker), `cells(row) -> list[Text]`
    and `summary() -> str` (the status line).
    """

    TITLE_KEY = ""
    COLUMNS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []
        bind_loan_keys(self, [("escape", "back", "back"), ("f5", "refresh", "refresh")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, LL(self.TITLE_KEY)), id="topbar")
        yield StatusLine("", id="status")
        yield DataTable(id="loan-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#loan-list", DataTable)
        for key in self.COLUMNS:
            table.add_column(LL(key), key=key)
        table.focus()
        self.load()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-list")
    def load(self) -> None:
        rows = self.fetch()
        self.post_message(ListLoaded(rows))

    @on(ListLoaded)
    def _loaded(self, message: ListLoaded) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        self.rows = message.rows
        table = self.query_one("#loan-list", DataTable)
        table.clear()
        for row in self.rows:
            cells = self.cells(row)
            height = max(len(c.plain.splitlines()) for c in cells) or 1
            table.add_row(*cells, height=height)
        self.status.show(self.summary(), "warn" if self.rows else "ok")

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class OverdueScreen(_LoanListScreen):
    """Slips with items past their due date, most overdue first; F8 writes reminder slips."""

    TITLE_KEY = "overdue_title"
    COLUMNS = ("slip", "borrower", "department", "due", "days_overdue", "title")

    def __init__(self) -> None:
        super().__init__()
        bind_loan_keys(self, [("f8", "reminders", "reminders")])

    def fetch(self) -> list:
        return self.app.services.overdue(self.app.clock().date())

    def cells(self, row) -> list[Text]:
        return [Text(row.slip_no, style="bold"), Text(f"{row.borrower_name}（{row.borrower}）"),
                Text(row.department or "—"), Text(str(row.due_on)),
                Text(str(row.days_overdue), style="bold red"), _items_text(row.items)]

    def summary(self) -> str:
        return LL("overdue_count", n=len(self.rows), d=self.app.clock().date())

    def action_reminders(self) -> None:
        self.write_reminders()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reminders")
    def write_reminders(self) -> None:
        path, n = self.app.services.write_reminders(self.app.clock().date())
        self.post_message(LoanFileWritten("reminders", str(path), n))

    @on(LoanFileWritten)
    def _written(self, message: LoanFileWritten) -> None:
        if message.error:
            self.status.show(message.error, "error")
        else:
            self.status.show(LL("reminders_written", f=message.path), "ok")


class ReadingRoomScreen(_LoanListScreen):
    """Items still out on reading-room slips: the list to check at closing time."""

    TITLE_KEY = "reading_title"
    COLUMNS = ("slip", "borrower", "department", "box", "customer", "title")

    def fetch(self) -> list:
        return self.app.services.reading_room()

    def cells(self, row) -> list[Text]:
        i = row.item
        who = f"{i.customer_number or ''} {i.customer_name or ''}".strip() or "—"
        return [Text(i.slip_no, style="bold"), Text(row.borrower), Text(row.department or "—"),
                Text(i.box_barcode), Text(who), Text(i.title)]

    def summary(self) -> str:
        return LL("reading_count", n=len(self.rows))
