"""Check-in mode (归还), like a library's check-in desk: every item scanned here is taken back.

Opened on purpose (F6 on the main screen, F11 on the loans screen, or the command palette),
never by scanning a lent item elsewhere. An item scanned here is returned at once, complete
and undamaged, unless the keeper first chose otherwise for the next item: F6 marks it
damaged, F7 asks what is missing. No text field waits for the next scan to confirm anything.
After a return the box's home shows large until a position is scanned to reshelve it; a
position other than its home asks, in a real Y/N dialog, whether to keep it there.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Static
from textual.worker import Worker

from hudang.store.errors import AlreadyShelved, ArchiveError
from hudang.store.i18n import t
from hudang.tui.loans_i18n import LL, bind_loan_keys
from hudang.tui.render import position_line
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.screens.dialogs import ConfirmScreen
from hudang.tui.screens.loan_dialogs import ReasonScreen
from hudang.tui.screens.loan_messages import BoxReshelved, ItemReturned
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import PositionBig, ScanField, StatusLine

ITEM_KINDS = ("box", "volume", "document")


class ReturnScreen(DeskScreen):
    """Scan items to take them back; scan a position to put the waiting box home."""

    DEFAULT_CSS = """
    ReturnScreen #return-question { height: auto; margin: 0 1; text-style: bold; }
    ReturnScreen #flags { height: auto; margin: 0 1; }
    ReturnScreen #reshelve { height: auto; margin: 0 1; }
    ReturnScreen #awaiting { height: auto; padding: 0 2; }
    """

    def __init__(self, code: str | None = None) -> None:
        super().__init__()
        self.code = code  # the item offered on another screen: taken back on opening
        self.box: str | None = None  # the box waiting to be reshelved
        self.damaged = False  # recorded with the next return, then cleared
        self.missing = ""
        self.returned: list[str] = []  # items taken back in this visit
        self._moving: tuple[str, str] | None = None  # (box, position) a dialog asks about
        bind_loan_keys(self, [("escape", "back", "back"), ("f6", "damaged", "damaged_key"),
                              ("f7", "missing", "missing_key")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, LL("checkin_title")), id="topbar")
        yield ScanField(LL("checkin_hint"), id="scan")
        yield StatusLine(Text(LL("checkin_hint")), id="status")
        yield Static("", id="flags")
        yield Static("", id="return-question")
        with Vertical(id="reshelve"):
            yield PositionBig(LL("home_big"), id="home-big")
            yield Static("", id="awaiting")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reshelve").display = False
        self._show_flags()
        self.query_one("#scan").focus()
        if self.code:
            self.check_in(self.code, False, "")

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- what the next return records ------------------------------------------------------------
    def _show_flags(self) -> None:
        flags = ([LL("with_damage").strip(" ()（）")] if self.damaged else []) + (
            [LL("with_missing", m=self.missing).strip(" ()（）")] if self.missing else [])
        self.query_one("#flags", Static).update(
            Text(LL("next_flags", f=t("、", ", ").join(flags)), style="bold yellow") if flags
            else Text(LL("next_plain"), style="dim"))

    def action_damaged(self) -> None:
        self.damaged = not self.damaged
        self._show_flags()

    def action_missing(self) -> None:
        if self.missing:
            self.missing = ""
            self._show_flags()
            return
        self.app.push_screen(ReasonScreen(LL("missing_ask"), required=True),
                             callback=self._missing_given)

    def _missing_given(self, text: str | None) -> None:
        self.missing = (text or "").strip()
        self._show_flags()
        self.query_one("#scan").focus()

    # --- scans ------------------------------------------------------------------------------------
    def handle_scan(self, scan: DeskScan) -> bool:
        """An item is taken back (with what F6 / F7 set); a position reshelves the waiting box."""
        if scan.kind in ITEM_KINDS:
            damaged, missing = self.damaged, self.missing
            self.damaged, self.missing = False, ""
            self._show_flags()
            self.check_in(scan.code, damaged, missing)
        elif scan.kind == "position":
            if self.box is None:
                self.status.show(LL("checkin_hint"), "error")
            else:
                self._moving = (self.box, scan.code)
                self.reshelve(self.box, scan.code)
        else:
            return False
        return True

    @work(thread=True, exit_on_error=False, group="return")
    def check_in(self, code: str, damaged: bool, missing: str) -> None:
        svc, app = self.app.services, self.app
        if svc.item_on_loan(code) is not None:
            self.post_message(ItemReturned(code, svc.return_item(code, app.actor, damaged,
                                                                 missing, "")))
            return
        answer = svc.answer(svc.parse(code), with_file=False)
        box = answer.result.box
        if box is not None and box.status == "awaiting_reshelve":
            self.post_message(BoxReshelved(box.barcode, waiting=True, home=box.home))
            return
        self.post_message(ItemReturned(code, error=LL("not_on_loan_any", c=code)))

    @on(ItemReturned)
    def _returned(self, message: ItemReturned) -> None:
        if message.error:
            self.status.show(message.error, "warn")
            return
        out = message.outcome
        self.returned.append(out.item.code)
        extra = (LL("with_damage") if out.item.damaged else "") + (
            LL("with_missing", m=out.item.missing) if out.item.missing else "")
        key = "returned" if out.still_out else "returned_all"
        self.status.show(LL(key, b=out.item.box_barcode, x=extra, s=out.loan.slip_no,
                            n=out.still_out), "warn" if extra else "ok")
        who = f"{out.item.customer_number or ''} {out.item.customer_name or ''}".strip()
        self.query_one("#return-question", Static).update(
            Text(f"{out.item.box_barcode} · {who} · {out.item.title}"))
        self._await_reshelve(out.item.box_barcode, out.home)

    # --- the box goes home ------------------------------------------------------------------------
    def _await_reshelve(self, box: str, home) -> None:
        self.box = box
        self.query_one("#reshelve").display = True
        self.query_one("#home-big").display = True
        self.query_one("#home-big", PositionBig).show(home)
        self.query_one("#awaiting", Static).update(Text.assemble(
            (f" {box} ", "bold reverse yellow"), "  ", (LL("awaiting"), "bold yellow"), "\n",
            position_line(home)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="reshelve")
    def reshelve(self, box: str, position: str, move: bool = False) -> None:
        svc, actor = self.app.services, self.app.actor
        out = svc.move_box(box, position, actor) if move else svc.reshelve(box, position, actor)
        self.post_message(BoxReshelved(box, out))

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        """A position other than the box's home: ask, in a dialog, whether to keep it there."""
        if worker.group == "reshelve" and isinstance(error, AlreadyShelved) and self._moving:
            box, position = self._moving
            self.status.show(str(error), "warn")
            self.app.push_screen(ConfirmScreen(LL("move_home_ask", q=str(error))),
                                 callback=lambda yes: self._move_answer(yes, box, position,
                                                                        error.current_code))
            return True
        return False

    def _move_answer(self, yes: bool | None, box: str, position: str, home: str | None) -> None:
        self.query_one("#scan").focus()
        if yes:
            self.reshelve(box, position, move=True)
        else:
            self.status.show(LL("take_home", b=box, h=home or "—"), "warn")

    @on(BoxReshelved)
    def _reshelved(self, message: BoxReshelved) -> None:
        if message.waiting:  # a scanned box that still waits to go home
            self.status.show(LL("awaiting_here", c=message.box,
                                h=message.home.code if message.home else "—"), "warn")
            self._await_reshelve(message.box, message.home)
            return
        out = message.outcome
        self.box = None
        self._moving = None
        text = LL("reshelved", b=out.box.barcode, p=out.position.code)
        self.query_one("#awaiting", Static).update(Text(text, style="bold green"))
        self.query_one("#home-big").display = False
        self.status.show(text, "ok")

    def action_back(self) -> None:
        self.app.pop_screen()
