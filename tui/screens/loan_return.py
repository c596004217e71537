"""Returns: one key takes a scanned item back; its home position shows large until reshelved."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Static

from hudang.store.errors import ArchiveError
from hudang.store.services.loan_dto import LoanInfo, LoanItemInfo
from hudang.tui.loans_i18n import LL, bind_loan_keys
from hudang.tui.render import position_line
from hudang.tui.scanning import take_scan
from hudang.tui.screens.loan_messages import BoxReshelved, ItemReturned, ReturnOffered
from hudang.tui.screens.loan_services import loan_services
from hudang.tui.screens.main import top_bar_text
from hudang.tui.widgets import PositionBig, ScanField, StatusLine

ITEM_KINDS = ("box", "volume", "document")


class ReturnScreen(Screen):
    """Confirm the return (Enter: complete and undamaged), then guide the box home."""

    DEFAULT_CSS = """
    ReturnScreen #return-question { height: auto; margin: 1 1; text-style: bold; }
    ReturnScreen #confirm { height: auto; margin: 0 1; }
    ReturnScreen #reshelve { height: auto; margin: 0 1; }
    ReturnScreen #awaiting { height: auto; padding: 1 2; margin-bottom: 1; }
    """

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.item: LoanItemInfo | None = None
        self.box: str | None = None  # the box waiting to be reshelved
        bind_loan_keys(self, [("escape", "back", "back"), ("f6", "damaged", "damaged_key")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, LL("return_title")), id="topbar")
        yield Static("", id="return-question")
        with Vertical(id="confirm"):
            yield Input(placeholder=LL("missing_in"), id="missing")
            yield Input(placeholder=LL("note_in"), id="note")
            yield Checkbox(LL("damaged"), id="damaged")
        yield StatusLine(Text(LL("return_hint")), id="status")
        with Vertical(id="reshelve"):
            yield PositionBig(LL("home_big"), id="home-big")
            yield Static("", id="awaiting")
            yield ScanField(LL("reshelve_scan"), id="scan")
        yield Footer()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)
        self.query_one("#reshelve").display = False
        self.query_one("#confirm").display = False
        self.offer(self.code)

    def on_screen_resume(self) -> None:
        self._focus()

    def _phase(self, confirming: bool) -> None:
        """Show the return question, or the scan field (with the box's home while it waits)."""
        self.query_one("#confirm").display = confirming
        self.query_one("#reshelve").display = True
        waiting = self.box is not None
        self.query_one("#home-big").display = waiting
        self.query_one("#awaiting").display = waiting or not confirming
        self._focus()

    def _focus(self) -> None:
        confirming = self.query_one("#confirm").display
        self.query_one("#missing" if confirming else "#scan").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- phase 1: confirm the return ------------------------------------------------------------
    def _ask(self, code: str, item: LoanItemInfo, loan: LoanInfo) -> None:
        self.code, self.item = code, item
        self.query_one("#return-question", Static).update(Text(LL(
            "return_ask", c=code, s=item.slip_no, b=loan.requester_name, u=loan.requester,
            box=item.box_barcode, d=loan.due_on or "—")))
        for field_id in ("#missing", "#note"):
            self.query_one(field_id, Input).value = ""
        self.query_one("#damaged", Checkbox).value = False
        self.status.show(LL("return_hint"))
        self._phase(confirming=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="return-offer")
    def offer(self, code: str) -> None:
        svc = loan_services(self.app)
        try:
            item = svc.item_on_loan(code)
            if item is not None:
                self.post_message(ReturnOffered(code, item, svc.get_loan(item.slip_no)))
                return
            found = svc.lookup(code)
        except ArchiveError as exc:
            self.post_message(ReturnOffered(code, error=str(exc)))
            return
        box = found.box
        if box is not None and box.status == "awaiting_reshelve":
            self.post_message(BoxReshelved(box.barcode, waiting=True, home=box.home))
            return
        self.post_message(ReturnOffered(code, error=LL("not_on_loan_any", c=code)))

    @on(ReturnOffered)
    def _offered(self, message: ReturnOffered) -> None:
        if message.error:
            self.status.show(message.error, "error")
            self._phase(confirming=False)
            return
        self._ask(message.code, message.item, message.loan)

    def action_damaged(self) -> None:
        box = self.query_one("#damaged", Checkbox)
        box.value = not box.value

    @on(Input.Submitted, "#missing, #note")
    def _confirmed(self, event: Input.Submitted) -> None:
        if self.item is None or not self.query_one("#confirm").display:
            return
        self.query_one("#confirm").display = False  # one return per confirmation
        self.take_back(self.code, self.query_one("#damaged", Checkbox).value,
                       self.query_one("#missing", Input).value.strip(),
                       self.query_one("#note", Input).value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="return")
    def take_back(self, code: str, damaged: bool, missing: str, note: str) -> None:
        app = self.app
        try:
            out = loan_services(app).return_item(code, app.actor, damaged, missing, note)
        except ArchiveError as exc:
            self.post_message(ItemReturned(code, error=str(exc)))
            return
        self.post_message(ItemReturned(code, out))

    @on(ItemReturned)
    def _returned(self, message: ItemReturned) -> None:
        self.item = None
        if message.error:
            self.status.show(message.error, "error")
            self._phase(confirming=False)
            return
        out = message.outcome
        extra = (LL("with_damage") if out.item.damaged else "") + (
            LL("with_missing", m=out.item.missing) if out.item.missing else "")
        key = "returned" if out.still_out else "returned_all"
        self.status.show(LL(key, b=out.item.box_barcode, x=extra, s=out.loan.slip_no,
                            n=out.still_out), "warn" if extra else "ok")
        who = f"{out.item.customer_number or ''} {out.item.customer_name or ''}".strip()
        self.query_one("#return-question", Static).update(
            Text(f"{out.item.box_barcode} · {who} · {out.item.title}"))
        self._await_reshelve(out.item.box_barcode, out.home)

    # --- phase 2: the box goes home -------------------------------------------------------------
    def _await_reshelve(self, box: str, home) -> None:
        self.box = box
        self.query_one("#home-big", PositionBig).show(home)
        self.query_one("#awaiting", Static).update(Text.assemble(
            (f" {box} ", "bold reverse yellow"), "  ", (LL("awaiting"), "bold yellow"), "\n",
            position_line(home)))
        self._phase(confirming=False)

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        scan = take_scan(event, self.status)
        if scan is None:
            return
        if scan.kind == "position" and self.box:
            self.reshelve(self.box, scan.code)
        elif scan.kind in ITEM_KINDS:
            self.offer(scan.code)
        else:
            self.status.show(LL("reshelve_scan"), "error")

    @work(thread=True, exclusive=True, exit_on_error=False, group="reshelve")
    def reshelve(self, box: str, position: str) -> None:
        app = self.app
        try:
            out = loan_services(app).reshelve(box, position, app.actor)
        except ArchiveError as exc:
            self.post_message(BoxReshelved(box, error=str(exc)))
            return
        self.post_message(BoxReshelved(box, out))

    @on(BoxReshelved)
    def _reshelved(self, message: BoxReshelved) -> None:
        if message.waiting:  # a scanned box that still waits to go home
            self.status.show(LL("awaiting_here", c=message.box,
                                h=message.home.code if message.home else "—"), "warn")
            self._await_reshelve(message.box, message.home)
            return
        if message.error:
            self.status.show(message.error, "error")
            return
        out = message.outcome
        self.box = None
        text = LL("reshelved", b=out.box.barcode, p=out.position.code)
        self.query_one("#awaiting", Static).update(Text(text, style="bold green"))
        self.status.show(text, "ok")

    def action_back(self) -> None:
        self.app.pop_screen()
