"""The reading-room desk: a Textual app an archive keeper runs a day's work from by scanning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from hudang.settings import Settings
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.i18n import set_language, t
from hudang.store.services.dto import UserInfo
from hudang.tui.deskinfo import DeskStatus
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.services import DeskServices

Clock = Callable[[], dt.datetime]


class DeskApp(App):
    """The desk: login, the scan screen, customer files, search, shelving, stocktake."""

    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, settings: Settings, services: DeskServices, clock: Clock,
                 user: UserInfo | None = None, cursor_blink: bool = True,
                 login_note: str = "") -> None:
        super().__init__()
        self.login_note = login_note  # e.g. the demo accounts, shown on the login screen
        bind_labelled(self, [("f1", "help", "help"), ("ctrl+l", "lock", "lock")])
        bind_labelled(self, [("ctrl+o", "sign_out", "sign_out")], priority=True)
        bind_labelled(self, [("ctrl+q", "quit", "quit")], priority=True)
        self.settings = settings
        self.services = services
        self.clock = clock
        self.user = user
        self.cursor_blink_enabled = cursor_blink
        self.title = L("title")
        self.last_activity = clock()
        self.locked = False
        # The rules (watched live when the directory exists) and the attention count.
        self.desk_status = DeskStatus(self, getattr(settings, "rules_dir", None))

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
        self.desk_status.start()

    def on_unmount(self) -> None:
        self.desk_status.stop()

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

    # --- idle lock -------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.last_activity = self.clock()
        await super().on_event(event)

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

    # --- help and the command palette ------------------------------------------------------
    def action_help(self) -> None:
        from hudang.tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen) and not self.locked:
            self.push_screen(HelpScreen())

    def _main(self):
        from hudang.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def open_mode(self, mode: str) -> None:
        """Open search, shelving, stocktake, loans or attention on top of the main screen."""
        main = self._main()
        if main is None or self.locked:
            return
        while self.screen is not main:
            self.pop_screen()
        getattr(main, f"action_{mode}")()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.user is None or self.locked:
            yield from super().get_system_commands(screen)
            return
        yield SystemCommand(L("search"), L("keyword_search"), lambda: self.open_mode("search"))
        yield SystemCommand(L("shelving"), L("shelving_hint"), lambda: self.open_mode("shelving"))
        yield SystemCommand(L("stocktake"), L("stocktake_hint"),
                            lambda: self.open_mode("stocktake"))
        yield SystemCommand(L("loans"), L("loans"), lambda: self.open_mode("loans"))
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
        yield SystemCommand(t("工作台", "Work board"), t("提醒、合同到期与考核",
                            "Reminders, contract expiry and scores"),
                            lambda: self.open_mode("workboard"))  # issue 14
        yield SystemCommand(L("help"), L("help"), self.action_help)
        yield SystemCommand(L("lock"), L("locked"), self.action_lock)
        yield SystemCommand(L("sign_out"), L("sign_out_hint"), self.action_sign_out)
        if self.user.role == "admin":
            yield SystemCommand(L("users"), L("users_hint"), self.action_users)
        yield from super().get_system_commands(screen)


def make_app(settings: Settings, *, services: DeskServices | None = None,
             clock: Clock | None = None, user: UserInfo | None = None,
             cursor_blink: bool = True, login_note: str = "") -> DeskApp:
    """Build the desk for `settings`; tests pass a user, a frozen clock and no cursor blink."""
    set_language(settings.language)
    if dbmod.database.obj is None:
        from hudang.store.archive import open_archive

        open_archive(settings.database_url, audit_key_file=Path(settings.home) / "audit.key",
                     statement_timeout_ms=getattr(settings, "statement_timeout_ms", None))
    output_dir = Path(settings.home)
    app = DeskApp(settings, services or DeskServices(output_dir), clock or dt.datetime.now,
                  user=user, cursor_blink=cursor_blink, login_note=login_note)
    _sign_in_setup(app)
    return app


def _sign_in_setup(app: DeskApp) -> None:
    """The desk's sign-in policy and terminal, and who views customers' files (issue 12)."""
    from hudang.store.services.users import policy_from

    services = app.services
    services.signin_policy = policy_from(app.settings)
    services.terminal = app.settings.terminal
    services.viewer = lambda: app.actor
