"""Login (password or staff card), idle lock and unlock, help, and the command palette."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tui.conftest import NOW, scan, screen_text, settle
from hudang.tui.screens.dialogs import HelpScreen, LockScreen
from hudang.tui.screens.login import LoginScreen
from hudang.tui.screens.main import MainScreen
from hudang.tui.widgets import StatusLine

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


async def test_login_with_username_and_password(make_desk):
    app = make_desk(user=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await scan(pilot, "keeper", "#username")
        assert app.screen.query_one("#password").has_focus
        await scan(pilot, "keeper-pass-1", "#password")
        assert isinstance(app.screen, MainScreen)
        assert app.user.username == "keeper"
        assert "张敏" in screen_text(app)
        assert app.screen.query_one("#scan").has_focus


async def test_wrong_password_is_refused(make_desk):
    app = make_desk(user=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "keeper", "#username")
        await scan(pilot, "not-the-password", "#password")
        assert isinstance(app.screen, LoginScreen) and app.user is None
        assert "用户名或密码不正确" in app.screen.query_one("#status", StatusLine).message_text


async def test_login_with_staff_card_scan(make_desk, desk_archive):
    app = make_desk(user=None, card_only_signin=True)  # the site lets a keeper's card alone in
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["staff_card"], "#username")
        assert isinstance(app.screen, MainScreen) and app.user.username == "keeper"


async def test_idle_lock_and_unlock(make_desk, desk_archive):
    now = [NOW]
    app = make_desk(idle_lock_minutes=15)
    app.clock = lambda: now[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        now[0] = NOW + dt.timedelta(minutes=14)
        app.check_idle_lock()
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)
        now[0] = NOW + dt.timedelta(minutes=16)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and app.locked
        await scan(pilot, "wrong-password", "#unlock")
        assert isinstance(app.screen, LockScreen)
        await scan(pilot, "keeper-pass-1", "#unlock")
        assert isinstance(app.screen, MainScreen) and not app.locked
        assert app.screen.query_one("#scan").has_focus


async def test_lock_key_and_card_unlock_only_for_same_user(make_desk, desk_archive):
    app = make_desk(card_only_signin=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "终端已锁定" in screen_text(app)
        await scan(pilot, "admin-pass-1", "#unlock")  # another person's password
        assert isinstance(app.screen, LockScreen)
        await scan(pilot, desk_archive.codes["staff_card"], "#unlock")
        assert isinstance(app.screen, MainScreen)


async def test_activity_postpones_the_lock(make_desk):
    now = [NOW]
    app = make_desk(idle_lock_minutes=15)
    app.clock = lambda: now[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        now[0] = NOW + dt.timedelta(minutes=10)
        await pilot.press("a")
        now[0] = NOW + dt.timedelta(minutes=20)
        app.check_idle_lock()
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)


async def test_help_screen_and_focus_returns(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "F3 上架" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#scan").has_focus


async def test_command_palette_opens_shelving(make_desk):
    from hudang.tui.screens.shelving import ShelvingScreen

    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"上架")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShelvingScreen)


async def test_demo_login_note_is_shown_as_text(make_desk):
    app = make_desk(user=None)
    app.login_note = "演示账号：keeper / keeper-demo-1 [bold]"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "keeper-demo-1 [bold]" in screen_text(app)
