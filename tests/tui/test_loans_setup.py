"""Shared builders for the loan desk tests: staff of every role and slips made by the services."""

from __future__ import annotations

import datetime as dt

from hudang.store.audit import Actor
from hudang.store.services import loan_desk, loans, users
from tests.tui.conftest import NOW, settings_for, settle
from hudang.tui.screens.loans import LoansScreen, open_loans

KEEPER = Actor("keeper", "desk-test", "keeper")
APPROVER = Actor("li", "desk-test", "approver")


def add_staff() -> dict:
    """A borrower (zhang, 营销部) and an approver (li) besides the fixture's keeper and admin."""
    return {"zhang": users.add_user("zhang", "张三丰", "keeper", "password-123",
                                    department="营销部"),
            "li": users.add_user("li", "李审批", "approver", "password-123", department="档案室")}


def request(requester: str, codes: list[str], use_kind: str, **kw):
    """A slip registered by the keeper through the service, dated the desk's frozen day."""
    kw.setdefault("today", NOW.date())
    return loans.request_loan(requester, codes, purpose=kw.pop("purpose", "查阅"),
                              use_kind=use_kind, actor=KEEPER, **kw)


def approved(requester: str, codes: list[str], use_kind: str = "take_out", **kw):
    """A slip approved by li when it needs approval."""
    loan = request(requester, codes, use_kind, **kw)
    if loan.status == "pending":
        loan = loans.approve(loan.slip_no, APPROVER)
    return loan


def checked_out(requester: str, codes: list[str], use_kind: str = "take_out",
                days_ago: int = 0):
    """A slip with every item scanned out `days_ago` days before the desk's frozen day."""
    day = NOW.date() - dt.timedelta(days=days_ago)
    loan = approved(requester, codes, use_kind, today=day)
    for code in codes:
        loan_desk.checkout_item(loan.slip_no, code, KEEPER, today=day)
    return loans.get_loan(loan.slip_no)


def overdue_slip(requester: str, codes: list[str]):
    """Taken out ten days ago: due after seven, so three days overdue on the desk's day."""
    return checked_out(requester, codes, "take_out", days_ago=10)


def desk(arc, user, **settings_overrides):
    """The desk app signed in as `user` (frozen clock, no cursor blink)."""
    from hudang.tui.app import make_app
    from hudang.wiring import load_loan_policy

    settings = settings_for(arc, **settings_overrides)
    return make_app(settings, clock=lambda: NOW, user=user, cursor_blink=False,
                    loan_policy=lambda: load_loan_policy(settings))


async def open_loans_screen(pilot) -> LoansScreen:
    """Open the loans screen the way the desk's key binding does, and wait for its list."""
    await settle(pilot)
    open_loans(pilot.app)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LoansScreen)
    return screen
