"""Entering a borrowing request (档案资料出借单) at the desk: borrower, items by scanning, use."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Select, Static

from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.loan_dto import LoanInfo
from hudang.store.services.loan_policy import USE_KINDS
from hudang.tui.loans_i18n import LL, bind_loan_keys
from hudang.tui.screens.loan_messages import LoanChanged
from hudang.tui.screens.loan_services import loan_services
from hudang.tui.widgets import StatusLine

ITEM_KINDS = ("customer", "volume", "document", "box")
FIELDS = ("requester", "department", "use", "items", "purpose", "days", "reader-type")


class LoanRequestScreen(ModalScreen[LoanInfo | None]):
    """The request form; Ctrl+S registers it, F6 lets an approver lift a borrower block."""

    DEFAULT_CSS = """
    LoanRequestScreen { align: center middle; }
    LoanRequestScreen .dialog { width: 100; max-height: 90%; }
    LoanRequestScreen Input, LoanRequestScreen Select { margin: 0 0 0 0; }
    LoanRequestScreen #items-list { height: auto; margin: 0 1 1 1; }
    LoanRequestScreen #form-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.blocked = False
        bind_loan_keys(self, [("ctrl+s", "submit", "submit"), ("f6", "override", "lift_block"),
                              ("escape", "close", "back")])

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(LL("form_title")), id="form-title")
            yield Input(placeholder=LL("requester"), id="requester")
            yield Input(placeholder=LL("department_opt"), id="department")
            yield Select([(t(zh, en), kind) for kind, (zh, en) in USE_KINDS.items()],
                         value="reading", allow_blank=False, id="use")
            yield Input(placeholder=LL("items_scan"), id="items")
            yield Static(Text(LL("items_none")), id="items-list")
            yield Input(placeholder=LL("purpose_in"), id="purpose")
            yield Input(placeholder=LL("days_in"), id="days")
            yield Input(placeholder=LL("reader_type"), id="reader-type")
            yield StatusLine(Text(LL("form_hint")), id="form-status")
        yield Footer()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)
        self.query_one("#requester", Input).focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#form-status", StatusLine)

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    # --- typing and scanning ------------------------------------------------------------------
    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if event.input.id == "items" and event.value.strip():
            self.add_item(event.value)
            event.input.value = ""
            return
        self.focus_next()

    def add_item(self, raw: str) -> None:
        """Add a scanned customer number or volume / document / box code to the slip."""
        try:
            scan = default_scheme().parse(raw)
        except ArchiveError as exc:
            self.status.show(str(exc), "error")
            return
        if scan.kind not in ITEM_KINDS:
            self.status.show(LL("item_kind_bad", c=scan.code), "error")
            return
        if scan.code in self.codes:
            self.status.show(LL("item_dup", c=scan.code), "warn")
            return
        self.codes.append(scan.code)
        self.query_one("#items-list", Static).update(
            Text(LL("items_list", n=len(self.codes), c="  ".join(self.codes))))
        self.status.show(LL("item_added", c=scan.code), "ok")

    # --- submitting ---------------------------------------------------------------------------
    def action_submit(self, override_reason: str = "") -> None:
        requester = self._value("requester")
        if not requester:
            self.status.show(LL("need_requester"), "error")
            self.query_one("#requester", Input).focus()
            return
        days_text = self._value("days")
        if days_text and not days_text.isdigit():
            self.status.show(LL("days_bad"), "error")
            return
        use = self.query_one("#use", Select).value
        self.register(requester, dict(
            codes=list(self.codes), purpose=self._value("purpose"), use_kind=str(use),
            wanted_days=int(days_text) if days_text else None,
            reader_type=self._value("reader-type") or None,
            department=self._value("department") or None),
            override_reason)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-request")
    def register(self, requester: str, fields: dict, override_reason: str) -> None:
        app = self.app
        svc = loan_services(app)
        override = dict(override_by=app.user.username if app.user else None,
                        override_reason=override_reason) if override_reason else {}
        try:
            username = svc.requester_of(requester)
            loan = svc.request(username, actor=app.actor, today=app.clock().date(), **fields,
                               **override)
        except ArchiveError as exc:
            self.post_message(LoanChanged("request", error=str(exc), error_code=exc.code))
            return
        self.post_message(LoanChanged("request", loan))

    @on(LoanChanged)
    def _registered(self, message: LoanChanged) -> None:
        message.stop()
        if message.error:
            self.blocked = message.error_code == "borrower_blocked"
            text = message.error + ("  " + LL("blocked_hint") if self.blocked else "")
            self.status.show(text, "error")
            return
        self.dismiss(message.loan)

    def action_override(self) -> None:
        """An approver (the signed-in user) lifts an overdue / open-loan block, with a reason."""
        from hudang.tui.screens.loan_dialogs import ReasonScreen

        user = self.app.user
        question = LL("override_ask", b=self._value("requester"),
                      u=user.display_name if user else "")
        self.app.push_screen(ReasonScreen(question, required=True), callback=self._override)

    def _override(self, reason: str | None) -> None:
        if reason:
            self.action_submit(reason)

    def action_close(self) -> None:
        self.dismiss(None)
