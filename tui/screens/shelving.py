"""Shelving mode: scan a shelf position, then boxes one after another; each is placed or refused."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker

from hudang.store.errors import AlreadyShelved, ArchiveError, PositionFull, WrongZone
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import BoxRegistered, ScanLookedUp, ShelvingFinished
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.screens.dialogs import BoxClassScreen, ConfirmScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import PositionBig, ScanField, StatusLine


class ShelvingScreen(DeskScreen):
    """Position first, then boxes; 'already elsewhere' asks before moving the box."""

    def __init__(self) -> None:
        super().__init__()
        self.target: str | None = None
        self.target_info = None  # LocationInfo of the target, refreshed after each placement
        self.last_box: str | None = None
        bind_labelled(self, [("escape", "back", "back"), ("f5", "new_box", "new_box"),
                             ("f6", "suggest", "suggest_key")])
        self.log_rows: list[tuple[str, str, str, str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("shelving")), id="topbar")
        yield ScanField(L("shelving_hint"), id="scan")
        yield StatusLine(Text(L("shelving_hint")), id="status")
        yield PositionBig(L("target"), id="target-big")
        yield DataTable(id="shelved", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#shelved", DataTable)
        table.can_focus = False
        for key in ("time", "box", "result", "position"):
            table.add_column(L(key), key=key)
        self.query_one("#target-big", PositionBig).show(None)
        self.query_one("#scan").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def handle_scan(self, scan: DeskScan) -> bool:
        """A position becomes the target; a box is shelved there; anything else is aside."""
        if scan.kind == "position":
            self.target = scan.code
            self.check_position(scan)
        elif scan.kind == "box":
            self.last_box = scan.code
            if self.target is None:
                self.status.show(L("need_position"), "error")
                self.suggest(scan.code)
            else:
                self.shelve(scan.code, self.target)
        else:
            return False
        return True

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        if worker.group == "shelving-position":  # not a position we know: no target
            self.target = None
            self.query_one("#target-big", PositionBig).show(None)
        return False

    @work(thread=True, exclusive=True, exit_on_error=False, group="shelving-position")
    def check_position(self, scan: DeskScan) -> None:
        result = self.app.services.answer(scan.scan, with_file=False).result
        self.post_message(ScanLookedUp(scan.seq, scan.raw, "position", scan.code, result=result))

    @on(ScanLookedUp)
    def _position_checked(self, message: ScanLookedUp) -> None:
        big = self.query_one("#target-big", PositionBig)
        loc = message.result.position.location
        self.target_info = loc
        big.show(loc)
        self.status.show(f"{L('target')}: {loc.code} · {L('free', f=loc.free, c=loc.capacity)}",
                         "ok" if loc.free else "error")

    @work(thread=True, exit_on_error=False, group="shelving")
    def shelve(self, box: str, position: str, move: bool = False) -> None:
        services, actor = self.app.services, self.app.actor
        try:
            outcome = (services.move_box(box, position, actor) if move
                       else services.place_box(box, position, actor))
        except AlreadyShelved as exc:
            self.post_message(ShelvingFinished(box, position, error=str(exc),
                                               error_code=exc.code, current=exc.current_code))
            return
        except (PositionFull, WrongZone) as exc:
            suggestion = self._safe_suggest(box)
            self.post_message(ShelvingFinished(box, position, error=str(exc),
                                               error_code=exc.code, suggestion=suggestion))
            return
        self.post_message(ShelvingFinished(box, position, outcome=outcome))

    def _safe_suggest(self, box: str):
        try:
            return self.app.services.suggest_position(box)
        except ArchiveError:
            return None

    @on(ShelvingFinished)
    def _finished(self, message: ShelvingFinished) -> None:
        full = self.target_info is not None and self.target_info.free == 0
        if message.error_code == "already_shelved" and full:
            text = f"{message.error}  {L('target_full', p=self.target_info.code)}"
            self.status.show(text, "error")
            self._log(message.box, text, message.current or "", error=True)
            return
        if message.error_code == "already_shelved":
            self._log(message.box, message.error, message.current or "", error=True)
            self.status.show(message.error, "warn")
            self.app.push_screen(ConfirmScreen(message.error),
                                 callback=lambda yes: self._answer(yes, message))
            return
        if message.error:
            text = message.error
            if message.suggestion is not None:
                text += "  " + L("suggest", p=message.suggestion.code)
            elif message.error_code in ("position_full", "wrong_zone"):
                text += "  " + L("no_suggestion")
            self.status.show(text, "error")
            self._log(message.box, message.error, message.position or "", error=True)
            return
        if message.suggestion is not None or message.outcome is None:
            loc = message.suggestion
            self.status.show(L("suggest", p=loc.code) if loc else L("no_suggestion"), "ok")
            return
        out = message.outcome
        text = L(out.action, b=out.box.barcode, p=out.position.code)
        self.status.show(text, "ok")
        self._log(out.box.barcode, text, out.position.code)
        self.target_info = out.position
        self.query_one("#target-big", PositionBig).show(out.position)

    def _answer(self, yes: bool | None, message: ShelvingFinished) -> None:
        if yes:
            self.shelve(message.box, message.position, move=True)
        else:
            self.status.show(L("move_cancelled", b=message.box))
        self.query_one("#scan").focus()

    def _log(self, box: str, text: str, position: str, error: bool = False) -> None:
        when = f"{self.app.clock():%H:%M:%S}"
        self.log_rows.append((when, box, text, position, "error" if error else "ok"))
        table = self.query_one("#shelved", DataTable)
        table.clear()
        for when, b, t_, p, level in reversed(self.log_rows[-200:]):
            table.add_row(Text(when), Text(b, style="bold"),
                          Text(t_, style="red" if level == "error" else "green"), Text(p))

    # --- suggestions and new boxes -----------------------------------------------------------
    def action_suggest(self) -> None:
        if self.last_box:
            self.suggest(self.last_box)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest")
    def suggest(self, box: str) -> None:
        loc = self.app.services.suggest_position(box)
        self.post_message(ShelvingFinished(box, None, suggestion=loc))

    def action_new_box(self) -> None:
        self.app.push_screen(BoxClassScreen(), callback=self._box_class)

    def _box_class(self, voltage_class: str | None) -> None:
        self.query_one("#scan").focus()
        if voltage_class:
            self.register(voltage_class)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register")
    def register(self, voltage_class: str) -> None:
        services = self.app.services
        code, path = services.register_box(voltage_class, self.app.actor)
        suggestion = services.suggest_position(code)
        self.post_message(BoxRegistered(code, str(path), suggestion))

    @on(BoxRegistered)
    def _registered(self, message: BoxRegistered) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        self.last_box = message.code
        text = L("box_registered", b=message.code, f=message.label_path)
        text += "  " + (L("suggest", p=message.suggestion.code) if message.suggestion
                        else L("no_suggestion"))
        self.status.show(text, "ok")
        self._log(message.code, L("new_box"), message.suggestion.code if message.suggestion
                  else "")

    def action_back(self) -> None:
        self.app.pop_screen()


def ConfirmMove(question: str) -> ConfirmScreen:
    """The 'box already elsewhere: move it here?' question (old name)."""
    return ConfirmScreen(question)
