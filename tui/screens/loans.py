"""The loans screen (出借): slips by status, approvals, new requests, checkout, returns, overdues.

Open it with `app.open_loans()`. A slip scanned here opens its checkout; an item on loan is
shown as on loan with F11 to take it back (check-in mode); nothing returns by itself.
"""

from __future__ import annotations

from functools import partial

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.dto import LookupResult
from hudang.store.services.loan_dto import LoanInfo
from hudang.tui.loans_i18n import LL, bind_loan_keys, status_name
from hudang.tui.render import status_text
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.screens.loan_checkout import CheckoutScreen, item_cells, slip_head, use_name
from hudang.tui.screens.loan_dialogs import ExportFormatScreen, ReasonScreen
from hudang.tui.screens.loan_lists import OverdueScreen, ReadingRoomScreen
from hudang.tui.screens.loan_messages import LoanBoardLoaded, LoanChanged, LoanFileWritten, LoanScanned
from hudang.tui.screens.loan_request import LoanRequestScreen
from hudang.tui.services import LoanBoard
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import ScanField, StatusLine

REFRESH_SECONDS = 30
ITEM_KINDS = ("box", "volume", "document")
OUT_STATUSES = ("on_loan", "reading_room")
# (label, statuses shown); the first is the default: everything not yet closed.
FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("f_open", ("pending", "approved", "active")), ("pending", ("pending",)),
    ("approved", ("approved",)), ("active", ("active",)), ("returned", ("returned",)),
    ("rejected", ("rejected",)), ("cancelled", ("cancelled",)), ("f_all", None)]
SLIP_STYLE = {"pending": "bold yellow", "approved": "cyan", "active": "green",
              "returned": "dim", "rejected": "red", "cancelled": "dim"}


def _filter_name(label: str) -> str:
    return LL(label) if label.startswith("f_") else status_name(label)


def slip_detail(loan: LoanInfo, reason_texts: dict[str, str] | None = None) -> Group:
    """Purpose, approval, override and items of one slip (data as text, never markup)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row(Text(LL("purpose")), Text(loan.purpose))
    if loan.approval_reasons:
        texts = reason_texts or {}
        grid.add_row(Text(LL("reasons")),
                     Text(t("、", "; ").join(texts.get(r, r) for r in loan.approval_reasons)))
    if loan.approver_name or loan.decision_note:
        grid.add_row(Text(LL("decision")),
                     Text(f"{loan.approver_name or ''} {loan.decision_note}".strip()))
    if loan.override_reason:
        grid.add_row(Text(LL("override")), Text(f"{loan.override_by}: {loan.override_reason}"))
    grid.add_row(Text(LL("due")), Text(f"{loan.due_on or '—'}  {LL('renewals')} {loan.renewals}"))
    items = Text("\n").join(Text("  ").join(item_cells("", i)[1:]) for i in loan.items)
    return Group(slip_head(loan), grid, items)


class LoansScreen(DeskScreen):
    """Slips by status with pending approvals first; every action names its key in the footer."""

    DEFAULT_CSS = """
    LoansScreen #board { height: auto; padding: 0 1; }
    LoansScreen #loans-body { height: 1fr; }
    LoansScreen #slips { width: 1fr; margin: 0 1; }
    LoansScreen #slip-detail { width: 50; border: round $primary; padding: 0 1; }
    LoansScreen #to-reshelve { height: auto; max-height: 6; padding: 0 1; color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.board: LoanBoard | None = None
        self.want_slip: str | None = None  # put the cursor here on the next load
        self.offered_return: str | None = None  # the scanned item on loan; F11 takes it back
        bind_loan_keys(self, [
            ("escape", "back", "back"), ("f2", "new_request", "new_request"),
            ("f3", "checkout", "checkout"), ("f4", "next_filter", "filter_key"),
            ("f5", "refresh", None), ("f6", "approve", "approve"),
            ("f7", "reject", "reject"), ("f8", "cancel_slip", "cancel_slip"),
            ("f9", "overdue", "overdue"), ("f10", "reading_room", "reading_room"),
            ("ctrl+r", "renew", "renew"), ("ctrl+t", "export", "export"),
            ("up", "cursor(-1)", None), ("down", "cursor(1)", None)])
        self._bindings.bind("f11", "checkin", t("归还", "Check in"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, LL("loans")), id="topbar")
        yield ScanField(LL("loans_hint"), id="scan")
        yield StatusLine(Text(LL("loans_hint")), id="status")
        yield Static("", id="board")
        with Horizontal(id="loans-body"):
            yield DataTable(id="slips", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="slip-detail"):
                yield Static(Text(LL("none_selected")), id="detail")
        yield Static("", id="to-reshelve")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#slips", DataTable)
        table.can_focus = False
        for key in ("slip", "loan_status", "borrower", "use", "items", "due"):
            table.add_column(LL(key), key=key)
        self.query_one("#scan").focus()
        self.refresh_board()
        self.set_interval(REFRESH_SECONDS, self._poll)

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()
        self.refresh_board()

    def _poll(self) -> None:
        """Re-read now and then, so decisions taken at another terminal show up here."""
        if self.app.screen is self:
            self.refresh_board()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- the list -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-board")
    def refresh_board(self) -> None:
        statuses = FILTERS[self.filter_index][1]
        board = self.app.services.board(statuses, self.app.clock().date())
        self.post_message(LoanBoardLoaded(board))

    @on(LoanBoardLoaded)
    def _board_loaded(self, message: LoanBoardLoaded) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        keep = self.want_slip or self.selected_slip
        self.want_slip = None
        self.board = board = message.board
        c = board.counts
        self.query_one("#board", Static).update(Text.assemble(
            (LL("board", p=c["pending"], a=c["approved"], o=c["active"], d=board.overdue,
                r=board.in_reading_room, s=len(board.to_reshelve)), "bold"), "    ",
            LL("filter", f=_filter_name(FILTERS[self.filter_index][0]))))
        table = self.query_one("#slips", DataTable)
        table.clear()
        for loan in board.rows:
            table.add_row(
                Text(loan.slip_no, style="bold"),
                Text(status_name(loan.status), style=SLIP_STYLE.get(loan.status, "")),
                Text(loan.requester_name), Text(use_name(loan.use_kind)),
                Text(str(len(loan.items))), Text(str(loan.due_on or "—")), key=loan.slip_no)
        rows = [r.slip_no for r in board.rows]
        if keep in rows:
            table.move_cursor(row=rows.index(keep))
        self.query_one("#to-reshelve", Static).update(Text(
            f"{LL('awaiting_title')}: " + "  ".join(
                f"{b} → {h.code if h else '—'}" for b, h in board.to_reshelve))
            if board.to_reshelve else "")
        self._show_detail()

    @property
    def selected_slip(self) -> str | None:
        table = self.query_one("#slips", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @property
    def selected(self) -> LoanInfo | None:
        slip = self.selected_slip
        rows = self.board.rows if self.board else []
        return next((r for r in rows if r.slip_no == slip), None)

    def select_slip(self, slip_no: str) -> bool:
        """Put the cursor on `slip_no` if the list shows it."""
        rows = [r.slip_no for r in self.board.rows] if self.board else []
        if slip_no not in rows:
            return False
        self.query_one("#slips", DataTable).move_cursor(row=rows.index(slip_no))
        self._show_detail()
        return True

    @on(DataTable.RowHighlighted, "#slips")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        loan = self.selected
        texts = self.board.reason_texts if self.board else {}
        self.query_one("#detail", Static).update(slip_detail(loan, texts) if loan
                                                 else Text(LL("none_selected")))

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#slips", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    def action_next_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.refresh_board()

    def action_refresh(self) -> None:
        self.refresh_board()

    # --- scanning: a slip opens its checkout, an item on loan is offered for check-in ------------
    def handle_scan(self, scan: DeskScan) -> bool:
        if scan.kind == "loan_slip":
            self.app.open_checkout(scan.code)
        elif scan.is_item:
            self.look_up(scan)
        else:
            return False
        return True

    @work(thread=True, exit_on_error=False, group="loan-scan")
    def look_up(self, scan: DeskScan) -> None:
        answer = self.app.services.answer(scan.scan, with_file=False)
        self.post_message(LoanScanned(scan.code, answer.result, answer.loan))

    @on(LoanScanned)
    def _looked_up(self, message: LoanScanned) -> None:
        box = message.result.box if message.result else None
        if message.on_loan is not None:
            self.offered_return = message.raw
            self.select_slip(message.on_loan.slip_no)
            self.status.show(LL("on_loan_offer", c=message.raw, s=message.on_loan.slip_no),
                             "warn")
        elif box is not None and box.status == "awaiting_reshelve":
            self.offered_return = message.raw
            self.status.show(LL("awaiting_offer", c=message.raw), "warn")
        else:
            self.offered_return = None
            self.status.show(LL("not_on_loan_here", c=message.raw,
                                st=status_text(box.status).plain if box else "—"), "warn")

    def action_checkin(self) -> None:
        """Check-in mode (归还), taking back the offered item first when there is one."""
        code, self.offered_return = self.offered_return, None
        self.app.open_checkin(code)

    # --- decisions on the selected slip ---------------------------------------------------------
    def _ask(self, key: str, action: str, required: bool) -> None:
        loan = self.selected
        if loan is None:
            self.status.show(LL("none_selected"), "error")
            return
        question = LL(key, s=loan.slip_no, b=loan.requester_name)
        self.app.push_screen(ReasonScreen(question, required=required),
                             callback=partial(self._answered, action, loan.slip_no))

    def _answered(self, action: str, slip_no: str, text: str | None) -> None:
        self.query_one("#scan").focus()
        if text is not None:
            self.decide(action, slip_no, text)

    def action_approve(self) -> None:
        self._ask("approve_ask", "approve", required=False)

    def action_reject(self) -> None:
        self._ask("reject_ask", "reject", required=True)

    def action_cancel_slip(self) -> None:
        self._ask("cancel_ask", "cancel", required=False)

    def action_renew(self) -> None:
        loan = self.selected
        if loan is not None:
            self.decide("renew", loan.slip_no, "")

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-decide")
    def decide(self, action: str, slip_no: str, text: str) -> None:
        app = self.app
        svc = app.services
        if action == "renew":
            loan = svc.renew(slip_no, app.actor, app.clock().date())
        else:
            loan = getattr(svc, action)(slip_no, app.actor, text)
        self.post_message(LoanChanged(action, loan))

    @on(LoanChanged)
    def _changed(self, message: LoanChanged) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        loan = message.loan
        texts = {"approve": LL("approved", s=loan.slip_no),
                 "reject": LL("rejected", s=loan.slip_no),
                 "cancel": LL("cancelled", s=loan.slip_no, st=status_name(loan.status)),
                 "renew": LL("renewed", s=loan.slip_no, d=loan.due_on)}
        self.status.show(texts.get(message.action, loan.slip_no), "ok")
        self.refresh_board()

    # --- other screens --------------------------------------------------------------------------
    def action_new_request(self) -> None:
        self.app.push_screen(LoanRequestScreen(), callback=self._requested)

    def _requested(self, loan: LoanInfo | None) -> None:
        self.query_one("#scan").focus()
        if loan is not None:
            self.status.show(LL("registered", s=loan.slip_no, st=status_name(loan.status)),
                             "ok")
            self.filter_index = 0
            self.want_slip = loan.slip_no
            self.refresh_board()

    def action_checkout(self) -> None:
        loan = self.selected
        if loan is None:
            self.status.show(LL("none_selected"), "error")
            return
        self.app.open_checkout(loan.slip_no)

    def action_overdue(self) -> None:
        self.app.push_screen(OverdueScreen())

    def action_reading_room(self) -> None:
        self.app.push_screen(ReadingRoomScreen())

    def action_export(self) -> None:
        self.app.push_screen(ExportFormatScreen(), callback=self._export_format)

    def _export_format(self, fmt: str | None) -> None:
        self.query_one("#scan").focus()
        if fmt:
            self.export(fmt)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-export")
    def export(self, fmt: str) -> None:
        path, n, note = self.app.services.export_register(fmt, self.app.clock())
        self.post_message(LoanFileWritten("register", str(path), n, note=note))

    @on(LoanFileWritten)
    def _written(self, message: LoanFileWritten) -> None:
        if message.error:
            self.status.show(message.error, "error")
        elif message.note:
            self.status.show(LL("exported", n=message.count, f=message.path) + " " + message.note,
                             "warn")
        else:
            self.status.show(LL("exported", n=message.count, f=message.path), "ok")

    def action_back(self) -> None:
        self.app.pop_screen()


# --- old names, kept for callers: the app opens screens (`app.open_*`) ----------------------------
def open_loans(app: App) -> LoansScreen | None:
    """Show the loans screen (for a key binding or the command palette); None when locked."""
    return app.open_loans()


def open_checkout(app: App, slip_no: str) -> CheckoutScreen | None:
    """Open the checkout of a slip (e.g. when its barcode is scanned on the main screen)."""
    return app.open_checkout(slip_no)


def offer_return_if_on_loan(app: App, scanned: LookupResult | str) -> bool:
    """Open check-in mode for a scanned item on loan (a deliberate choice by the caller).

    Given the LookupResult the caller already has, this decides without the database (the
    box's status says it is out). Given a raw code, it checks in a thread worker and opens
    check-in mode only if the item is on loan; True then means a check started.
    """
    if isinstance(scanned, LookupResult):
        box = scanned.box
        if scanned.kind in ITEM_KINDS and box is not None and box.status in OUT_STATUSES:
            app.open_checkin(scanned.code)
            return True
        return False
    try:
        scan = default_scheme().parse(scanned)
    except ArchiveError:
        return False
    if scan.kind not in ITEM_KINDS:
        return False

    def check() -> None:
        if app.services.item_on_loan(scan.code) is not None:
            app.call_from_thread(app.open_checkin, scan.code)

    app.run_worker(check, thread=True, exit_on_error=False, group="loan-return-offer")
    return True
