"""Electronic reading of important customers' scanned pages: approved, time-limited grants.

Anyone may see that an important customer's file exists; its pages are shown only to a
user holding an approved grant that has not expired or been revoked. Ordinary customers'
pages need no grant.
"""

from __future__ import annotations

import datetime as dt

from hudang.common.domain import GrantStatus
from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import ChangeLog, Customer, ReadingGrant, utcnow
from hudang.store.services.loan_dto import ReadingGrantInfo, grant_info
from hudang.store.services.loan_errors import LoanStateError
from hudang.store.services.loan_policy import DEFAULT_POLICY, LoanPolicyLike
from hudang.store.services.loans import _approver, _user


def _customer(number: str) -> Customer:
    c = Customer.get_or_none(Customer.number == number.strip())
    if c is None:
        raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}", n=number))
    return c


def _grant(grant_id: int) -> ReadingGrant:
    g = ReadingGrant.get_or_none(ReadingGrant.id == grant_id)
    if g is None:
        raise NotFound(t("没有电子阅览授权 #{i}", "no reading grant #{i}", i=grant_id))
    return g


def _check_days(days: int, policy: LoanPolicyLike) -> None:
    limit = policy.grant_max_days()
    if days < 1 or days > limit:
        raise ValidationError(t("授权天数应在 1 到 {m} 天之间", "a grant lasts 1 to {m} days",
                                m=limit))


def request_reading(username: str, customer_number: str, reason: str, days: int,
                    actor: Actor, policy: LoanPolicyLike = DEFAULT_POLICY) -> ReadingGrantInfo:
    """Ask to read an important customer's scanned pages for `days` days."""
    if not reason.strip():
        raise ValidationError(t("请填写申请理由", "a reason is required"))
    _check_days(days, policy)
    with write_tx():
        user, customer = _user(username), _customer(customer_number)
        g = ReadingGrant.create(user=user, customer=customer, status=GrantStatus.PENDING,
                                reason=reason.strip(), days=days, requested_by=actor.username)
        ChangeLog.create(topic="reading_grant", ref=str(g.id))
        audit.record(actor, "reading_grant.request", "reading_grant", g.id, None,
                     {"user": user.username, "customer": customer.number, "days": days,
                      "reason": g.reason})
        return grant_info(g)


def approve_reading(grant_id: int, actor: Actor, note: str = "",
                    policy: LoanPolicyLike = DEFAULT_POLICY,
                    now: dt.datetime | None = None) -> ReadingGrantInfo:
    """An approver (not the reader) approves; the grant runs from now for its days."""
    now = now or utcnow()
    with write_tx():
        g = _grant(grant_id)
        if g.status != GrantStatus.PENDING:
            raise LoanStateError(t("授权 #{i} 状态为 {s}，不能审批", "grant #{i} is {s}",
                                   i=g.id, s=g.status))
        who = _approver(actor.username, g.user_id, ["reading_grant"], policy)
        until = now + dt.timedelta(days=g.days)
        n = (ReadingGrant.update(status=GrantStatus.APPROVED, approver=who.id, decided_at=now,
                                 decision_note=note.strip(), valid_from=now, valid_until=until)
             .where((ReadingGrant.id == g.id)
                    & (ReadingGrant.status == GrantStatus.PENDING)).execute())
        if n != 1:
            raise LoanStateError(t("授权 #{i} 刚被其他终端处理", "grant #{i} was just decided "
                                   "at another terminal", i=g.id))
        ChangeLog.create(topic="reading_grant", ref=str(g.id))
        audit.record(actor, "reading_grant.approve", "reading_grant", g.id,
                     {"status": GrantStatus.PENDING},
                     {"status": GrantStatus.APPROVED, "valid_until": until})
        return grant_info(ReadingGrant.get_by_id(g.id))


def reject_reading(grant_id: int, actor: Actor, reason: str,
                   policy: LoanPolicyLike = DEFAULT_POLICY) -> ReadingGrantInfo:
    """An approver refuses a pending grant, with a reason."""
    if not reason.strip():
        raise ValidationError(t("驳回必须填写理由", "a rejection needs a reason"))
    with write_tx():
        g = _grant(grant_id)
        if g.status != GrantStatus.PENDING:
            raise LoanStateError(t("授权 #{i} 状态为 {s}", "grant #{i} is {s}", i=g.id,
                                   s=g.status))
        who = _approver(actor.username, g.user_id, ["reading_grant"], policy)
        (ReadingGrant.update(status=GrantStatus.REJECTED, approver=who.id, decided_at=utcnow(),
                             decision_note=reason.strip())
         .where(ReadingGrant.id == g.id).execute())
        ChangeLog.create(topic="reading_grant", ref=str(g.id))
        audit.record(actor, "reading_grant.reject", "reading_grant", g.id,
                     {"status": GrantStatus.PENDING},
                     {"status": GrantStatus.REJECTED, "reason": reason.strip()})
        return grant_info(ReadingGrant.get_by_id(g.id))


def revoke_reading(grant_id: int, actor: Actor, reason: str = "",
                   now: dt.datetime | None = None) -> ReadingGrantInfo:
    """End an approved grant now."""
    now = now or utcnow()
    with write_tx():
        g = _grant(grant_id)
        if g.status != GrantStatus.APPROVED:
            raise LoanStateError(t("授权 #{i} 状态为 {s}，不能撤销", "grant #{i} is {s}; "
                                   "it cannot be revoked", i=g.id, s=g.status))
        (ReadingGrant.update(status=GrantStatus.REVOKED, valid_until=min(now, g.valid_until),
                             decision_note=(reason.strip() or g.decision_note))
         .where(ReadingGrant.id == g.id).execute())
        ChangeLog.create(topic="reading_grant", ref=str(g.id))
        audit.record(actor, "reading_grant.revoke", "reading_grant", g.id,
                     {"status": GrantStatus.APPROVED},
                     {"status": GrantStatus.REVOKED, "reason": reason.strip()})
        return grant_info(ReadingGrant.get_by_id(g.id))


def can_view_pages(username: str, customer_number: str, at: dt.datetime | None = None) -> bool:
    """Whether `username` may see this customer's scanned pages now."""
    at = at or utcnow()
    with read_tx():
        customer = _customer(customer_number)
        if not customer.important:
            return True
        user = _user(username)
        return (ReadingGrant.select()
                .where((ReadingGrant.user == user) & (ReadingGrant.customer == customer)
                       & (ReadingGrant.status == GrantStatus.APPROVED)
                       & (ReadingGrant.valid_from <= at)
                       & (ReadingGrant.valid_until > at)).exists())


def list_grants(status: str | None = None, username: str | None = None) -> list[ReadingGrantInfo]:
    """Grants, newest first."""
    with read_tx():
        q = ReadingGrant.select().order_by(ReadingGrant.id.desc())
        if status:
            q = q.where(ReadingGrant.status == status)
        if username:
            q = q.where(ReadingGrant.user == _user(username))
        return [grant_info(g) for g in q]
