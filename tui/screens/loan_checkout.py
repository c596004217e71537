"""Checkout of an approved slip: the pick list in walking order, each item scanned out."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from hudang.store.i18n import t
from hudang.store.services.loan_dto import LoanInfo, LoanItemInfo
from hudang.store.services.loan_errors import ItemOnLoan
from hudang.store.services.loan_policy import USE_KINDS
from hudang.tui.loans_i18n import LL, bind_loan_keys, status_name
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.screens.loan_messages import ItemCheckedOut, LoanFileWritten, SlipLoaded
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import ScanField, StatusLine

ITEM_STYLE = {"requested": "bold yellow", "out": "green", "returned": "dim",
              "cancelled": "dim"}


def use_name(use_kind: str) -> str:
    zh, en = USE_KINDS.get(use_kind, (use_kind, use_kind))
    return t(zh, en)


def slip_head(loan: LoanInfo) -> Text:
    """One line naming the slip, its status, borrower, use and due date (data as text)."""
    return Text(LL("slip_head", s=loan.slip_no, st=status_name(loan.status),
                   b=loan.requester_name, u=loan.requester, d=loan.department,
                   use=use_name(loan.use_kind), due=loan.due_on or "—"), style="bold")


def item_cells(n: str, item: LoanItemInfo) -> list[Text]:
    """A pick-list row: order, home position, box, customer, item, status."""
    who = f"{item.customer_number or ''} {item.customer_name or ''}".strip() or "—"
    return [Text(n), Text(item.home.code if item.home else "—", style="bold"),
            Text(item.box_barcode), Text(who),
            Text(item.title if item.title == item.code else f"{item.title} ({item.code})"),
            Text(status_name(item.status), style=ITEM_STYLE.get(item.status, ""))]


class CheckoutScreen(DeskScreen):
    """Scan each item of the slip out; only its items, only from the shelf; F8 prints it."""

    def __init__(self, slip_no: str) -> None:
        super().__init__()
        self.slip_no = slip_no
        self.loan: LoanInfo | None = None
        bind_loan_keys(self, [("escape", "back", "back"), ("f5", "refresh", "refresh"),
                              ("f8", "print_slip", "print_slip")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, LL("checkout_title", s=self.slip_no)), id="topbar")
        yield ScanField(LL("checkout_hint"), id="scan")
        yield StatusLine(Text(LL("checkout_hint")), id="status")
        yield Static("", id="slip-head")
        yield DataTable(id="picks", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#picks", DataTable)
        table.can_focus = False
        for key in ("pick_order", "home", "box", "customer", "title", "item_status"):
            table.add_column(LL(key), key=key)
        self.query_one("#scan").focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- the slip and its pick list -------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="checkout-load")
    def load(self) -> None:
        loan, picks = self.app.services.slip_with_picks(self.slip_no)
        self.post_message(SlipLoaded(loan, picks))

    @on(SlipLoaded)
    def _loaded(self, message: SlipLoaded) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        self.loan = loan = message.loan
        self.query_one("#slip-head", Static).update(slip_head(loan))
        self.query_one("#topbar", Static).update(
            top_bar_text(self.app, LL("checkout_title", s=loan.slip_no)))
        table = self.query_one("#picks", DataTable)
        table.clear()
        picked = {i.id for i in message.picks}
        for n, item in enumerate(message.picks, 1):
            table.add_row(*item_cells(str(n), item), key=str(item.id))
        for item in loan.items:
            if item.id not in picked:
                table.add_row(*item_cells("", item), key=str(item.id))

    def action_refresh(self) -> None:
        self.load()

    # --- scanning items out ---------------------------------------------------------------------
    def handle_scan(self, scan: DeskScan) -> bool:
        """A slip switches to its pick list; an item is taken out on this slip."""
        if scan.kind == "loan_slip":
            self.slip_no = scan.code
            self.load()
        elif scan.is_item or scan.kind == "customer":
            self.check_out(scan.code)
        else:
            return False
        return True

    @work(thread=True, exit_on_error=False, group="checkout")
    def check_out(self, raw: str) -> None:
        app = self.app
        try:
            out = app.services.checkout(self.slip_no, raw, app.actor, app.clock().date())
        except ItemOnLoan as exc:
            self.post_message(ItemCheckedOut(raw, error=str(exc), error_code=exc.code,
                                             holder=exc.holder))
            return
        self.post_message(ItemCheckedOut(raw, out))

    @on(ItemCheckedOut)
    def _checked_out(self, message: ItemCheckedOut) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        out = message.outcome
        due = out.loan.due_on or "—"
        if out.remaining:
            self.status.show(LL("checked_out", b=out.item.box_barcode, d=due, n=out.remaining),
                             "ok")
        else:
            self.status.show(LL("all_out", d=due), "ok")
        self.load()

    # --- the printed slip ----------------------------------------------------------------------
    def action_print_slip(self) -> None:
        self.write_slip(self.slip_no)

    @work(thread=True, exclusive=True, exit_on_error=False, group="slip-pdf")
    def write_slip(self, slip_no: str) -> None:
        path = self.app.services.write_slip(slip_no)
        self.post_message(LoanFileWritten("slip", str(path)))

    @on(LoanFileWritten)
    def _written(self, message: LoanFileWritten) -> None:
        if message.error:
            self.status.show(message.error, "error")
        else:
            self.status.show(LL("slip_written", f=message.path), "ok")

    def action_back(self) -> None:
        self.app.pop_screen()

