"""Issue 10 items 12-14 and issue 16's user screen: a desk fit for a shared terminal."""

from __future__ import annotations

import pytest

from hudang.store.models import AuditEvent, User
from hudang.store.services import users
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.login import LoginScreen
from hudang.tui.screens.main import MainScreen
from hudang.tui.screens.users import UsersScreen
from hudang.tui.widgets import StatusLine
from tests.tui.conftest import scan, screen_text, settle

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


def _actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


async def test_a_card_alone_signs_in_nobody_unless_the_site_allows_it_for_keepers(
        make_desk, desk_archive):
    users.set_pin("keeper", "2468", users.Actor("setup", "test", "admin"))
    app = make_desk(user=None)  # default: card_only_signin is off
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["staff_card"], "#username")
        assert isinstance(app.screen, LoginScreen) and app.user is None
        assert "PIN" in _status(app) and app.screen.query_one("#password").has_focus
        await scan(pilot, "0000", "#password")
        assert app.user is None and "不正确" in _status(app)
        await scan(pilot, desk_archive.codes["staff_card"], "#username")
        await scan(pilot, "2468", "#password")
        assert isinstance(app.screen, MainScreen) and app.user.username == "keeper"
    assert [e.after for e in _actions("auth.failed")] == [
        '{"method":"card+pin","reason":"wrong PIN"}']


async def test_an_administrators_card_always_needs_the_pin_or_password(make_desk, desk_archive):
    app = make_desk(user=None, card_only_signin=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.admin.staff_card, "#username")
        assert app.user is None and "PIN" in _status(app)
        await scan(pilot, "admin-pass-1", "#password")
        assert app.user.username == "admin"


async def test_failed_sign_ins_are_audited_and_lock_the_account(make_desk):
    app = make_desk(user=None, signin_max_failures=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(2):
            await scan(pilot, "keeper", "#username")
            await scan(pilot, "not-the-password", "#password")
        await scan(pilot, "keeper", "#username")
        await scan(pilot, "keeper-pass-1", "#password")
        assert app.user is None and "锁定" in _status(app)
    assert len(_actions("auth.failed")) == 3 and len(_actions("auth.locked")) == 1
    assert {e.terminal for e in _actions("auth.failed")} == {"desk-test"}


async def test_sign_out_and_the_next_person_signs_in(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")  # a dialog open on top is closed too
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.user is None
        assert len(app.screen_stack) == 2
        await scan(pilot, "admin", "#username")
        await scan(pilot, "admin-pass-1", "#password")
        assert isinstance(app.screen, MainScreen) and app.user.username == "admin"
        assert "王磊" in screen_text(app)
    assert [e.actor for e in _actions("auth.signout")] == ["keeper"]


async def test_an_important_customers_file_needs_a_grant_and_views_are_audited(make_desk):
    users.add_user("keeper2", "新同事", "keeper", "keeper-pass-2")
    app = make_desk(user=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "keeper2", "#username")
        await scan(pilot, "keeper-pass-2", "#password")
        await scan(pilot, "0600000001")  # important; keeper2 holds no grant
        assert getattr(app.screen, "file", None) is None  # the file's contents never load
        assert "需审批人或已批准的阅览授权" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await scan(pilot, "keeper", "#username")  # holds an approved reading grant
        await scan(pilot, "keeper-pass-1", "#password")
        await scan(pilot, "0600000001")
        assert isinstance(app.screen, CustomerFileScreen) and app.screen.file is not None
    refused = _actions("customer.view_refused")
    assert refused and {e.actor for e in refused} == {"keeper2"}
    views = _actions("customer.view")
    assert [(e.actor, e.terminal, e.entity_id) for e in views] == [
        ("keeper", "desk-test", "0600000001")]
    assert '"what":"desk file"' in views[0].after


async def test_keepers_cannot_find_people_by_id_number_fragments(make_desk):
    app = make_desk()
    assert app.services.search("19800105") == []
    assert app.services.search("李四光")
    admin = make_desk(user="admin")
    assert admin.services.search("19800105")


async def test_the_administrator_manages_accounts_at_the_desk(make_desk):
    app = make_desk(user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_users()
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "keeper" in screen_text(app) and "沈审批" in screen_text(app)
        screen = app.screen
        screen.query_one("#new-username").value = "zhou"
        screen.query_one("#new-name").value = "周同事"
        screen.query_one("#new-secret").value = "zhou-pass-1"
        await pilot.press("f2")
        await settle(pilot)
        assert "周同事" in screen_text(app) and "已添加 zhou" in _status(app)
        table = screen.query_one("#accounts")
        table.move_cursor(row=[a.username for a in screen.accounts].index("zhou"))
        await pilot.press("f6")
        await settle(pilot)
        assert "已停用" in screen_text(app)
    assert not User.get(User.username == "zhou").active
    with pytest.raises(users.AuthenticationFailed):
        users.authenticate("zhou", "zhou-pass-1", policy=users.SignInPolicy(
            failure_delay_seconds=0))
    keeper_app = make_desk()
    async with keeper_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keeper_app.action_users()  # only an administrator gets the screen
        await settle(pilot)
        assert not isinstance(keeper_app.screen, UsersScreen)
