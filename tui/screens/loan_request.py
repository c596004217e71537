"""Entering a borrowing request (档案资料出借单) at the desk: borrower, items by scanning, use."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Select, Static
from textual.worker import Worker

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.loan_dto import LoanInfo
from hudang.store.services.loan_policy import USE_KINDS
from hudang.tui.loans_i18n import LL, bind_loan_keys
from hudang.tui.render import result_summary
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskModal
from hudang.tui.screens.dialogs import ConfirmScreen
from hudang.tui.screens.loan_dialogs import ReasonScreen
from hudang.tui.screens.loan_messages import LoanChanged
from hudang.tui.widgets import ScanField, StatusLine, TextField

ITEM_KINDS = ("customer", "volume", "document", "box")
FIELDS = ("requester", "department", "use", "items", "purpose", "days", "reader-type")


class ItemChecked(Message):
    """A scanned item was found registered (`label` names it) and may join the slip."""

    def __init__(self, code: str, label: str, ok: bool = True) -> None:
        super().__init__()
        self.code, self.label, self.ok = code, label, ok


class LoanRequestScreen(DeskModal[LoanInfo | None]):
    """The request form; Ctrl+S registers it, F6 lets an approver lift a borrower block.

    Items come from the scan stream: a registered customer / volume / document / box joins
    the slip (an unknown code is refused), F7 drops the last one, a staff card fills the
    borrower. Esc asks before throwing away a form that has anything in it.
    """

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
        self.checking: set[str] = set()  # scanned codes being looked up
        bind_loan_keys(self, [("ctrl+s", "submit", "submit"), ("f6", "override", "lift_block"),
                              ("escape", "close", "back")])
        self._bindings.bind("f7", "drop_item", t("移除末项", "Drop last item"))

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(LL("form_title")), id="form-title")
            yield TextField(placeholder=LL("requester"), id="requester", keep=("staff_card",))
            yield TextField(placeholder=LL("department_opt"), id="department")
            yield Select([(t(zh, en), kind) for kind, (zh, en) in USE_KINDS.items()],
                         value="reading", allow_blank=False, id="use")
            yield ScanField(LL("items_scan"), id="items")
            yield Static(Text(LL("items_none")), id="items-list")
            yield TextField(placeholder=LL("purpose_in"), id="purpose")
            yield TextField(placeholder=LL("days_in"), id="days")
            yield TextField(placeholder=LL("reader_type"), id="reader-type")
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
        """Enter moves on (a code scanned into a text field was already taken as a scan)."""
        self.focus_next()

    def handle_scan(self, scan: DeskScan) -> bool:
        """An item is checked and joins the slip; a staff card names the borrower."""
        if scan.kind == "staff_card":
            self.query_one("#requester", Input).value = scan.code
            return True
        if scan.kind not in ITEM_KINDS:
            self.status.show(LL("item_kind_bad", c=scan.code), "error")
            return False
        if scan.code in self.codes or scan.code in self.checking:
            self.status.show(LL("item_dup", c=scan.code), "warn")
            return True
        self.checking.add(scan.code)
        self.check_item(scan)
        return True

    @work(thread=True, exit_on_error=False, group="loan-request-item")
    def check_item(self, scan: DeskScan) -> None:
        """Only registered items join a slip: the lookup raises for an unknown code."""
        try:
            result = self.app.services.answer(scan.scan, with_file=False).result
        except ArchiveError:
            self.post_message(ItemChecked(scan.code, "", ok=False))
            raise  # shown by the app's one handler
        self.post_message(ItemChecked(scan.code, result_summary(result)))

    @on(ItemChecked)
    def _item_checked(self, message: ItemChecked) -> None:
        self.checking.discard(message.code)
        if not message.ok:
            return
        self.add_item(message.code)
        if message.label:
            self.status.show(f"{LL('item_added', c=message.code)} · {message.label}", "ok")

    def add_item(self, raw: str) -> None:
        """Add a (checked) customer number or volume / document / box code to the slip."""
        code = raw.strip()
        if code in self.codes:
            self.status.show(LL("item_dup", c=code), "warn")
            return
        self.codes.append(code)
        self._show_items()
        self.status.show(LL("item_added", c=code), "ok")

    def _show_items(self) -> None:
        self.query_one("#items-list", Static).update(
            Text(LL("items_list", n=len(self.codes), c="  ".join(self.codes)) if self.codes
                 else LL("items_none")))

    def action_drop_item(self) -> None:
        """Take the last scanned item off the slip."""
        if self.codes:
            code = self.codes.pop()
            self._show_items()
            self.status.show(t("已移除 {c}", "Dropped {c}", c=code), "warn")

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        if worker.group == "loan-request":
            self.blocked = error.code == "borrower_blocked"
            self.status.show(str(error) + ("  " + LL("blocked_hint") if self.blocked else ""),
                             "error")
            return True
        return False

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
        svc = app.services
        override = dict(override_by=app.user.username if app.user else None,
                        override_reason=override_reason) if override_reason else {}
        username = svc.requester_of(requester)
        loan = svc.request(username, actor=app.actor, today=app.clock().date(), **fields,
                           **override)
        self.post_message(LoanChanged("request", loan))

    @on(LoanChanged)
    def _registered(self, message: LoanChanged) -> None:
        message.stop()
        self.dismiss(message.loan)

    def action_override(self) -> None:
        """An approver (the signed-in user) lifts an overdue / open-loan block, with a reason."""
        user = self.app.user
        question = LL("override_ask", b=self._value("requester"),
                      u=user.display_name if user else "")
        self.app.push_screen(ReasonScreen(question, required=True), callback=self._override)

    def _override(self, reason: str | None) -> None:
        if reason:
            self.action_submit(reason)

    def action_close(self) -> None:
        """Esc: close an empty form; ask before throwing away one with anything in it."""
        filled = self.codes or any(f.value.strip() for f in self.query(Input))
        if not filled:
            self.dismiss(None)
            return
        self.app.push_screen(ConfirmScreen(t("放弃这张出借申请？（已填内容将丢失）",
                                             "Discard this request? (what was entered is lost)")),
                             callback=self._discard)

    def _discard(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)
