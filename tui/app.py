"""The reading-room desk: a Textual app an archive keeper runs a day's work from by scanning.

Three things live here, once for the whole desk:

- the scan stream: every Enter-terminated scan, from the focused scan field or typed while
  no text field has focus, is numbered, parsed once and handed in order to the screen on top
  (`submit_scan`); a scan that screen cannot use is looked up aside and joins the scan list;
- the one handler for worker errors (`worker_state_changed`);
- opening screens (`open_*`): screens never import each other, they ask the app.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from hudang.settings import Settings
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import set_language, t
from hudang.store.services.dto import UserInfo
from hudang.tui import imaging
from hudang.tui.deskinfo import DeskStatus
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.live import LiveUpdates
from hudang.tui.scanstream import DeskScan, parse_scan
from hudang.tui.services import DeskServices, PolicyLoader

Clock = Callable[[], dt.datetime]
log = logging.getLogger("hudang.desk")


def _terminal_alive() -> bool:
    """Whether standard input is still an open terminal (a hung-up one answers EIO)."""
    try:
        return os.isatty(sys.__stdin__.fileno()) if sys.__stdin__ else False
    except (OSError, ValueError):
        return False


class DeskApp(App):
    """The desk: login, the scan screen, customer files, search, shelving, stocktake."""

    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = True
    # Screen classes the stylesheet uses for the compact layout (80×24).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]

    def __init__(self, settings: Settings, services: DeskServices, clock: Clock,
                 user: UserInfo | None = None, cursor_blink: bool = True,
                 login_note: str = "") -> None:
        super().__init__()
        self.login_note = login_note  # e.g. the demo accounts, shown on the login screen
        bind_labelled(self, [("f1", "help", "help"), ("ctrl+l", "lock", "lock")])
        bind_labelled(self, [("ctrl+o", "sign_out", "sign_out")], priority=True)
        bind_labelled(self, [("ctrl+q", "quit", "quit")], priority=True)
        # Textual names its command palette key in English: say it in the desk's language.
        self._bindings.key_to_bindings[self.COMMAND_PALETTE_BINDING] = [Binding(
            self.COMMAND_PALETTE_BINDING, "command_palette", t("命令", "commands"), show=False,
            priority=True, tooltip=t("打开命令面板", "Open the command palette"))]
        self.settings = settings
        self.services = services
        self.loan_services = services  # old name: the loan screens used a second door
        self.clock = clock
        self.user = user
        self.cursor_blink_enabled = cursor_blink
        self.title = L("title")
        self.last_activity = clock()
        self.locked = False
        self.scan_seq = 0  # scans submitted this session
        self._scan_queue: deque[DeskScan] = deque()
        # The session's last scans: (seq, raw, screen, where it went), for tests and support.
        self.scan_log: deque[tuple[int, str, str, str]] = deque(maxlen=1000)
        self._drain_waiting = False
        self._keys: list[str] = []  # a code being typed while no text field has focus
        self._keys_screen: Screen | None = None
        self._keys_tentative = False  # `_keys` holds only a shortcut key that already ran
        # The rules (watched live when the directory exists) and the attention count.
        self.desk_status = DeskStatus(self, getattr(settings, "rules_dir", None))
        self.live = LiveUpdates(self)

    # --- session -------------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        user = self.user
        return Actor(user.username if user else "anonymous", self.settings.terminal,
                     user.role if user else "")

    @property
    def can_see_personal(self) -> bool:
        return self.user is not None and self.services.can_see_personal_data(self.user.role)

    def on_mount(self) -> None:
        from hudang.tui.screens.login import LoginScreen
        from hudang.tui.screens.main import MainScreen

        self.push_screen(MainScreen() if self.user else LoginScreen())
        self.set_interval(5, self.check_idle_lock)
        if not self.is_headless and _terminal_alive():
            self.set_interval(1, self.check_terminal)
        self.desk_status.start()
        self.live.start()  # changes made at other desks or by the daemon show here
        # Once the desk is up, load the page viewer's libraries in the background, so the
        # first document opened today does not wait for them (cold start does not either).
        self.set_timer(2.0, lambda: self.run_worker(_warm_up_page_viewer, thread=True,
                                                    group="warm-up", exit_on_error=False))

    def on_unmount(self) -> None:
        self.desk_status.stop()
        self.live.stop()

    def check_terminal(self) -> None:
        """Close the desk when its terminal has gone (window closed, SSH dropped).

        The hang-up signal does not always reach the desk (under `make demo`, make takes
        it and waits), and then Textual's input thread reads end-of-file forever at full
        CPU. A desk nobody can see only holds a signed-in session open.
        """
        if not _terminal_alive():
            log.warning("the desk's terminal has gone: closing the desk")
            self.exit(return_code=1)

    def signed_in(self, user: UserInfo) -> None:
        """Called by the login screen: the session belongs to `user` from now on."""
        from hudang.tui.screens.main import MainScreen

        self.user = user
        self.last_activity = self.clock()
        self.switch_screen(MainScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sign-out is offered only while someone is signed in."""
        if action == "sign_out":
            return self.user is not None
        return super().check_action(action, parameters)

    def action_sign_out(self) -> None:
        """Sign out (also from a locked desk) so the next person signs in; audited."""
        from hudang.tui.screens.login import LoginScreen

        user = self.user
        if user is None:
            return
        self.user, self.locked = None, False
        self.run_worker(lambda: self.services.sign_out(user), thread=True, exit_on_error=False,
                        group="signout")
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())

    def action_users(self) -> None:
        """The administrator's account screen."""
        from hudang.tui.screens.users import UsersScreen

        if self.user is not None and self.user.role == "admin" and not self.locked:
            self.push_screen(UsersScreen())

    # --- keys: idle time, and codes typed while no text field has focus ---------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.last_activity = self.clock()
        if isinstance(event, events.Key) and not event.is_forwarded and self._collect_key(event):
            return
        await super().on_event(event)

    def _collect_key(self, event: events.Key) -> bool:
        """Collect a scanned code's keys when no text field has focus; True if `event` is taken.

        A scanner types into whatever has focus: into a dialog, a table or the customer file
        its characters would trigger shortcuts (tabs, Y/N). Here they are gathered until
        Enter and become a scan. A shortcut key pressed on its own still works: a key bound
        on the screen runs its action when it is the first key (codes start with a capital
        letter or a digit, which is kept in case more follow).
        """
        if self.user is None or self.locked or isinstance(self.focused, Input):
            self._keys.clear()
            return False
        screen = self.screen
        if self._keys_screen is not screen:
            self._keys, self._keys_screen = [], screen
        char = event.character
        if event.key == "enter":
            if not self._keys:
                return False
            raw, self._keys = "".join(self._keys), []
            if self._keys_tentative:  # one shortcut key, then Enter: not a scan
                self._keys_tentative = False
                return False
            self.submit_scan(raw)
            return True
        if event.key == "backspace" and self._keys:
            self._keys.pop()
            return True
        if char and len(char) == 1 and char.isprintable() and not char.isspace():
            shortcut = event.key in screen.active_bindings
            if shortcut and (not self._keys or self._keys_tentative or not char.isalnum()):
                # A shortcut pressed by hand: it runs. A code's first character is kept.
                self._keys = [char] if char.isdigit() or char.isupper() else []
                self._keys_tentative = True
                return False
            self._keys.append(char)
            self._keys_tentative = False
            return True
        self._keys.clear()
        return False

    def carry_keys(self, text: str) -> None:
        """Keys a scan field had when it lost focus start the code being collected here."""
        if self.screen is not self._keys_screen:
            self._keys, self._keys_screen = [], self.screen
        self._keys = list(text) + self._keys
        self._keys_tentative = False

    # --- the scan stream -------------------------------------------------------------------
    def submit_scan(self, raw: str) -> int:
        """Queue one scan for the screen on top, in order; return its number (0 if empty)."""
        if not raw.strip() or self.user is None:
            return 0
        self.scan_seq += 1
        self._scan_queue.append(parse_scan(self.scan_seq, raw))
        self._drain()
        return self.scan_seq

    def _drain(self) -> None:
        """Hand queued scans to the top screen; wait while a just-opened screen mounts."""
        self._drain_waiting = False
        while self._scan_queue:
            screen = self.screen
            if not screen.is_mounted:
                if not self._drain_waiting:
                    self._drain_waiting = True
                    self.call_after_refresh(self._drain)
                return
            self._dispatch(screen, self._scan_queue.popleft())

    def _dispatch(self, screen: Screen, scan: DeskScan) -> None:
        """Give `scan` to `screen`; a mistyped code is shown; an unused scan is looked up aside."""
        main = self.main_screen
        if main is None:
            return
        self.scan_log.append((scan.seq, scan.raw, type(screen).__name__, self._route(main,
                                                                                  screen, scan)))

    def _route(self, main, screen: Screen, scan: DeskScan) -> str:
        """Where `scan` went: "handled" by `screen`, "error", "desk" or "aside"."""
        if screen is main:
            main.handle_scan(scan)
            return "handled"
        if scan.error:
            main.record_error(scan)
            if not _show(screen, scan.error, "error"):
                self.notify(scan.error, severity="error")
            return "error"
        handler = getattr(screen, "handle_scan", None)
        if handler is not None and handler(scan):
            return "handled"
        if handler is None and not isinstance(screen, ModalScreen):
            self.back_to_desk(scan)  # e.g. the customer file: the scan is the next question
            return "desk"
        main.look_up(scan, aside=True)
        return "aside"

    def back_to_desk(self, scan: DeskScan | None = None) -> None:
        """Close everything above the main screen, then let it handle `scan`."""
        main = self.main_screen
        if main is None:
            return
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        if scan is not None:
            main.handle_scan(scan)

    @property
    def main_screen(self):
        from hudang.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    _main = main_screen.fget  # old name

    # --- the one handler for worker errors ---------------------------------------------------
    def worker_state_changed(self, screen: Screen, event: Worker.StateChanged) -> None:
        """A desk worker failed: show an archive error on its screen; log and show a bug."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, ArchiveError):
            failed = getattr(screen, "worker_failed", None)
            if failed is not None and failed(event.worker, error):
                return
            if not _show(screen, str(error), "error"):
                self.notify(str(error), severity="error")
            return
        log.error("desk worker %s failed", event.worker.name, exc_info=error)
        self.notify(t("内部错误：{e}", "internal error: {e}", e=error), severity="error")

    # --- idle lock -------------------------------------------------------------------------
    def check_idle_lock(self) -> None:
        """Lock the terminal when nobody touched it for `idle_lock_minutes`."""
        minutes = self.settings.idle_lock_minutes
        if self.user is None or self.locked or minutes <= 0:
            return
        if self.clock() - self.last_activity >= dt.timedelta(minutes=minutes):
            self.action_lock()

    def action_lock(self) -> None:
        from hudang.tui.screens.dialogs import LockScreen

        if self.user is None or self.locked:
            return
        self.locked = True
        self.push_screen(LockScreen(), callback=self._unlocked)

    def _unlocked(self, _result: object) -> None:
        self.locked = False
        self.last_activity = self.clock()

    # --- opening screens (screens ask the app; they never import each other) --------------------
    def _may_open(self) -> bool:
        return self.user is not None and not self.locked

    def open_customer(self, number: str, file=None) -> None:
        """The customer file: one screen per app, refilled (cheaper than building a new one)."""
        from hudang.tui.screens.customer import open_customer_file

        if self._may_open():
            open_customer_file(self, number, file)

    def open_search(self, text: str = "", results_first: bool = False) -> None:
        from hudang.tui.screens.search import SearchScreen

        if self._may_open():
            self.push_screen(SearchScreen(text, results_first=results_first))

    def open_shelving(self) -> None:
        from hudang.tui.screens.shelving import ShelvingScreen

        if self._may_open():
            self.push_screen(ShelvingScreen())

    def open_stocktake(self) -> None:
        from hudang.tui.screens.stocktake import StocktakeScreen

        if self._may_open():
            self.push_screen(StocktakeScreen())

    def open_loans(self):
        from hudang.tui.screens.loans import LoansScreen

        if not self._may_open():
            return None
        if isinstance(self.screen, LoansScreen):
            return self.screen
        screen = LoansScreen()
        self.push_screen(screen)
        return screen

    def open_checkout(self, slip_no: str):
        from hudang.tui.screens.loan_checkout import CheckoutScreen

        if not self._may_open():
            return None
        screen = CheckoutScreen(slip_no)
        self.push_screen(screen)
        return screen

    def open_checkin(self, code: str | None = None):
        """The check-in mode (归还): every item scanned there is taken back."""
        from hudang.tui.screens.loan_return import ReturnScreen

        if not self._may_open():
            return None
        screen = ReturnScreen(code)
        self.push_screen(screen)
        return screen

    def open_attention(self) -> None:
        from hudang.tui.screens.attention import AttentionScreen

        if self._may_open():
            self.push_screen(AttentionScreen())

    def open_receiving(self, batch: str | None = None) -> None:
        """Receiving mode (接收, issue 13): a handover batch, then its items."""
        from hudang.tui.screens.receiving import ReceivingScreen

        if self._may_open():
            self.push_screen(ReceivingScreen(batch))

    def open_boxing(self) -> None:
        """Boxing mode (装盒, issue 13): a box, then volumes or documents into it."""
        from hudang.tui.screens.boxing import BoxingScreen

        if self._may_open():
            self.push_screen(BoxingScreen())

    def open_workboard(self) -> None:
        """The work board (工作台, issue 14): reminders, contract expiry, monthly scores."""
        from hudang.tui.screens.workboard import WorkBoardScreen

        if self._may_open():
            self.push_screen(WorkBoardScreen())

    def open_mode(self, mode: str) -> None:
        """Open search, shelving, stocktake, loans or attention on top of the main screen."""
        main = self.main_screen
        if main is None or self.locked:
            return
        while self.screen is not main:
            self.pop_screen()
        getattr(main, f"action_{mode}")()

    # --- help, screenshots and the command palette ---------------------------------------------
    def action_help(self) -> None:
        from hudang.tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen) and not self.locked:
            self.push_screen(HelpScreen())

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Screenshots go to the data directory's screenshots folder (made when missing)."""
        folder = Path(path) if path else Path(self.settings.home) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        saved = self.save_screenshot(filename, str(folder), time_format)
        self.notify(t("截图已保存：{f}", "screenshot saved: {f}", f=saved))
        return saved

    def open_disposal(self) -> None:
        """The disposal desk (issue 15) on top of the current screen."""
        from hudang.tui.screens.disposal import DisposalScreen

        if self.user is not None and not self.locked:
            self.push_screen(DisposalScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.user is None or self.locked:
            yield from super().get_system_commands(screen)
            return
        yield SystemCommand(L("search"), L("keyword_search"), lambda: self.open_mode("search"))
        yield SystemCommand(L("shelving"), L("shelving_hint"), lambda: self.open_mode("shelving"))
        yield SystemCommand(L("stocktake"), L("stocktake_hint"),
                            lambda: self.open_mode("stocktake"))
        yield SystemCommand(L("loans"), L("loans"), lambda: self.open_mode("loans"))
        yield SystemCommand(t("归还", "Check in"), t("逐件扫描归还", "Scan items back in"),
                            lambda: self.open_mode("checkin"))
        yield SystemCommand(t("待处理", "Needs attention"),
                            t("无法自动归档的扫描件：分配户号和类别",
                              "Scans that could not be linked: assign customer and category"),
                            lambda: self.open_mode("attention"))
        yield SystemCommand(t("接收", "Receiving"), t("扫描移交批次，再逐件接收",
                                                   "Scan a handover batch, then its items"),
                            lambda: self.open_mode("receiving"))  # issue 13
        yield SystemCommand(t("装盒", "Boxing"), t("扫描档案盒，再装入案卷或文件",
                                                "Scan a box, then volumes or documents"),
                            lambda: self.open_mode("boxing"))
        yield SystemCommand(t("销毁", "Disposal"),  # issue 15: due list, approve, witness
                            t("到期档案、销毁批次、审批与监销", "Due files, batches, approve, witness"),
                            self.open_disposal)
        yield SystemCommand(t("工作台", "Work board"), t("提醒、合同到期与考核",
                            "Reminders, contract expiry and scores"),
                            lambda: self.open_mode("workboard"))  # issue 14
        yield SystemCommand(L("help"), L("help"), self.action_help)
        yield SystemCommand(L("lock"), L("locked"), self.action_lock)
        yield SystemCommand(L("sign_out"), L("sign_out_hint"), self.action_sign_out)
        if self.user.role == "admin":
            yield SystemCommand(L("users"), L("users_hint"), self.action_users)
        # Textual's own commands are in English; these say the same in the desk's language.
        yield SystemCommand(t("截图", "Screenshot"),
                            t("把当前画面存为 SVG（数据目录 screenshots）",
                              "Save an SVG screenshot (data directory, screenshots)"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))
        yield SystemCommand(t("退出", "Quit"), t("退出程序", "Quit the application"),
                            self.action_quit)


def _show(screen: Screen, text: str, level: str) -> bool:
    """Say `text` on `screen`'s status line when it has one."""
    show = getattr(screen, "show_status", None)
    return bool(show and show(text, level))


def _warm_up_page_viewer() -> None:
    """Import the PDF renderer and the viewer (about 0.1-0.3 s) off the first key press."""
    import pypdfium2  # noqa: F401

    import hudang.store.services.pages  # noqa: F401
    import hudang.tui.screens.pages  # noqa: F401


def make_app(settings: Settings, *, services: DeskServices | None = None,
             clock: Clock | None = None, user: UserInfo | None = None,
             cursor_blink: bool = True, login_note: str = "",
             loan_policy: PolicyLoader | None = None) -> DeskApp:
    """Build the desk for `settings`; tests pass a user, a frozen clock and no cursor blink.

    `loan_policy` reads the rules' loan policy when first needed (the shell passes
    `hudang.wiring.load_loan_policy`); without it the store's built-in defaults apply.
    """
    set_language(settings.language)
    if dbmod.database.obj is None:
        from hudang.store.archive import open_archive

        open_archive(settings.database_url, audit_key_file=Path(settings.home) / "audit.key",
                     statement_timeout_ms=getattr(settings, "statement_timeout_ms", None))
    output_dir = Path(settings.home)
    imaging.prepare_if_terminal()  # ask about graphics now: Textual owns the terminal later
    app = DeskApp(settings, services or DeskServices(output_dir, loan_policy),
                  clock or dt.datetime.now, user=user, cursor_blink=cursor_blink,
                  login_note=login_note)
    _sign_in_setup(app)
    return app


def _sign_in_setup(app: DeskApp) -> None:
    """The desk's sign-in policy and terminal, who views customers' files (issue 12), and the
    label layout its printer takes (issue 13)."""
    from hudang.store.services.users import policy_from

    services = app.services
    services.signin_policy = policy_from(app.settings)
    services.terminal = app.settings.terminal
    services.label_layout = getattr(app.settings, "label_layout", "a4")
    services.label_roll_size = getattr(app.settings, "label_roll_size", "60x40")
    services.csv_encoding = getattr(app.settings, "csv_encoding", "utf-8-sig")
    services.viewer = lambda: app.actor
