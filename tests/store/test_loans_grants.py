"""Electronic reading of important customers' pages needs an approved, time-limited grant."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied, ValidationError
from hudang.store.models import AuditEvent, utcnow
from hudang.store.services import loan_grants
from hudang.store.services.loan_errors import LoanStateError, SelfApproval
from tests.store.test_loans_setup import KEEPER


def test_ordinary_customers_need_no_grant(arch):
    assert loan_grants.can_view_pages("zhang", arch.lv_a)


def test_grant_lifecycle_for_an_important_customer(arch):
    assert not loan_grants.can_view_pages("zhang", arch.hv_customer)
    g = loan_grants.request_reading("zhang", arch.hv_customer, "核对增容资料", 2, KEEPER)
    assert g.status == "pending" and not loan_grants.can_view_pages("zhang", arch.hv_customer)
    with pytest.raises(SelfApproval):
        loan_grants.approve_reading(g.id, Actor("zhang"))
    with pytest.raises(PermissionDenied):
        loan_grants.approve_reading(g.id, Actor("keeper1"))
    now = utcnow()
    ok = loan_grants.approve_reading(g.id, Actor("li"), "限两天", now=now)
    assert ok.valid_until == now + dt.timedelta(days=2)
    assert loan_grants.can_view_pages("zhang", arch.hv_customer)
    assert not loan_grants.can_view_pages("wang", arch.hv_customer)  # a grant is personal
    assert not loan_grants.can_view_pages("zhang", arch.hv_customer,
                                          at=now + dt.timedelta(days=2, seconds=1))
    with pytest.raises(LoanStateError):
        loan_grants.approve_reading(g.id, Actor("wang"))
    gone = loan_grants.revoke_reading(g.id, Actor("li"), "案件已结")
    assert gone.status == "revoked" and not loan_grants.can_view_pages("zhang", arch.hv_customer)
    actions = [a for (a,) in AuditEvent.select(AuditEvent.action)
               .where(AuditEvent.entity == "reading_grant").order_by(AuditEvent.seq).tuples()]
    assert actions == ["reading_grant.request", "reading_grant.approve", "reading_grant.revoke"]


def test_grant_limits_and_rejection(arch):
    with pytest.raises(ValidationError):
        loan_grants.request_reading("zhang", arch.hv_customer, "查阅", 30, KEEPER)
    with pytest.raises(ValidationError):
        loan_grants.request_reading("zhang", arch.hv_customer, " ", 1, KEEPER)
    g = loan_grants.request_reading("zhang", arch.hv_customer, "查阅", 1, KEEPER)
    with pytest.raises(ValidationError):
        loan_grants.reject_reading(g.id, Actor("li"), "")
    assert loan_grants.reject_reading(g.id, Actor("li"), "无业务必要").status == "rejected"
    assert not loan_grants.can_view_pages("zhang", arch.hv_customer)
    assert [x.status for x in loan_grants.list_grants(username="zhang")] == ["rejected"]
