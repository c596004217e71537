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
        yield SystemCommand(t("工作台", "Work board"), t("提醒、合同到期与考核",
                            "Reminders, contract expiry and scores"),
                            lambda: self.open_mode("workboard"))  # issue 14
        yield SystemCommand(L("help"), L("help"), self.action_help)
        yield SystemCommand(L("lock"), L("locked"), self.action_lock)
        yield from super().get_system_commands(screen)


def make_app(settings: Settings, *, services: DeskServices | None = None,
             clock: Clock | None = None, user: UserInfo | None = None,
             cursor_blink: bool = True, login_note: str = "") -> DeskApp:
    """Build the desk for `settings`; tests pass a user, a frozen clock and no cursor blink."""
    set_language(settings.language)
    if dbmod.database.obj is None:
        from hudang.store.archive import open_archive

        open_archive(settings.database_url)
    output_dir = Path(settings.home)
    return DeskApp(settings, services or DeskServices(output_dir), clock or dt.datetime.now,
                   user=user, cursor_blink=cursor_blink, login_note=login_note)
