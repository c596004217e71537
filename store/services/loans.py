"""The loan lifecycle (出借): request, approve or reject, cancel, renew, overdues.

A request (档案资料出借单) names a requester, the items (a customer's whole file, volumes,
documents or boxes), purpose, kind of use and the period wanted. Each item resolves to
the box that will leave the shelf; checkout and return live in loan_desk.py. Every
number comes from the `policy` argument (see loan_policy.py), never from this module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from hudang.common.domain import LoanItemStatus, LoanStatus
from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import NotFound, PermissionDenied, UnknownBarcode, ValidationError
from hudang.store.i18n import t
from hudang.store.models import (
    Box, ChangeLog, Customer, Document, LoanItem, LoanRequest, User, Volume, utcnow,
)
from hudang.store.services import serials
from hudang.store.services.loan_dto import LoanInfo, OverdueRow, item_info, loan_info
from hudang.store.services.loan_errors import (
    BorrowerBlocked, LoanNotAllowed, LoanStateError, RenewalRefused, SelfApproval,
)
from hudang.store.services.loan_policy import (
    DEFAULT_POLICY, USE_KINDS, LoanPolicy, LoanPolicyLike,
)

__all__ = [
    "DEFAULT_POLICY", "LoanPolicy", "LoanPolicyLike", "ResolvedItem",
    "request_loan", "approve", "reject", "cancel", "renew", "get_loan", "list_loans",
    "overdue_list", "borrower_overdues", "resolve_items", "latest_due", "categories_of",
    "OPEN_STATUSES",
]

OPEN_STATUSES = (LoanStatus.PENDING, LoanStatus.APPROVED, LoanStatus.ACTIVE)
# The floor DOMAIN.md sets whatever the policy says: these always need approval.
ALWAYS_APPROVE = ("important", "take_out")


@dataclass(frozen=True)
class ResolvedItem:
    """One box a requested code stands for."""

    item_kind: str
    code: str
    box: Box
    customer: Customer | None
    volume: Volume | None
    document: Document | None
    category: str | None


def _boxed(box_id: int | None, what: str) -> Box:
    if box_id is None:
        raise ValidationError(t("{w} 尚未装盒，无法出借", "{w} is not in a box and cannot be lent",
                                w=what))
    return Box.get_by_id(box_id)


def _resolve_one(raw: str) -> list[ResolvedItem]:
    scan = default_scheme().parse(raw)
    code = scan.code
    if scan.kind == "customer":
        c = Customer.get_or_none(Customer.number == code)
        if c is None:
            raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}", n=code))
        boxes = (Box.select().join(Volume, on=(Volume.box == Box.id))
                 .where(Volume.customer == c).distinct().order_by(Box.barcode))
        found = [ResolvedItem("customer", code, b, c, None, None, None) for b in boxes]
        if not found:
            raise ValidationError(t("客户 {n} 的档案尚未装盒，无法出借",
                                    "customer {n}'s file is not boxed and cannot be lent", n=code))
        return found
    if scan.kind == "volume":
        v = Volume.get_or_none(Volume.barcode == code)
        if v is not None:
            return [ResolvedItem("volume", code, _boxed(v.box_id, code), v.customer, v, None,
                                 v.category)]
    elif scan.kind == "document":
        d = Document.get_or_none(Document.barcode == code)
        if d is not None:
            box_id = d.volume.box_id if d.volume_id else None
            return [ResolvedItem("document", code, _boxed(box_id, code), d.customer,
                                 d.volume if d.volume_id else None, d, d.category)]
    elif scan.kind == "box":
        b = Box.get_or_none(Box.barcode == code)
        if b is not None:
            owners = list(Customer.select().join(Volume).where(Volume.box == b).distinct())
            return [ResolvedItem("box", code, b, owners[0] if len(owners) == 1 else None,
                                 None, None, None)]
    raise UnknownBarcode(t("{c} 不是已登记的客户、案卷、文件或档案盒",
                           "{c} is not a registered customer, volume, document or box", c=code))


def resolve_items(codes: Iterable[str]) -> list[ResolvedItem]:
    """Resolve scanned codes to the boxes that would leave the shelf (one item per box)."""
    seen: set[int] = set()
    out: list[ResolvedItem] = []
    for raw in codes:
        if not str(raw).strip():
            continue
        for item in _resolve_one(str(raw)):
            if item.box.id not in seen:
                seen.add(item.box.id)
                out.append(item)
    if not out:
        raise ValidationError(t("出借单至少要有一项档案", "a loan request needs at least one item"))
    return out


def _touches_important(items: list[ResolvedItem]) -> bool:
    """True when any box on the slip holds an important customer's file (重要客户)."""
    box_ids = [i.box.id for i in items]
    return (Customer.select().join(Volume)
            .where(Volume.box.in_(box_ids) & (Customer.important == True))  # noqa: E712
            .exists())


def _user(username: str, what: str = "") -> User:
    u = User.get_or_none(User.username == username)
    if u is None or not u.active:
        raise NotFound(t("没有在职用户 {u}", "no active user {u}", u=username))
    return u


def _lock_borrower(user: User) -> None:
    """Serialise one borrower's requests so limit checks cannot race (SQLite: BEGIN IMMEDIATE)."""
    if dbmod.is_postgres():
        list(User.select(User.id).where(User.id == user.id).for_update())


def _approver(username: str, requester_id: int, reasons: Iterable[str],
              policy: LoanPolicyLike) -> User:
    """The deciding user: holds every role the reasons need and is not the requester."""
    u = _user(username)
    if u.id == requester_id:
        raise SelfApproval(t("申请人不能审批自己的申请", "a requester cannot approve their own request"))
    for reason in list(reasons) or ["default"]:
        roles = policy.approver_roles(reason)
        if u.role not in roles:
            raise PermissionDenied(t("{u}（{r}）无权审批：{why} 需要 {roles}",
                                     "{u} ({r}) may not approve: {why} needs {roles}",
                                     u=u.username, r=u.role, why=policy.reason_text(reason),
                                     roles="/".join(roles)))
    return u


def _slip(slip_no: str) -> LoanRequest:
    code = default_scheme().parse(slip_no).code
    req = LoanRequest.get_or_none(LoanRequest.slip_no == code)
    if req is None:
        raise NotFound(t("没有出借单 {s}", "no loan slip {s}", s=code))
    return req


def _open_count(requester_id: int) -> int:
    return (LoanRequest.select().where((LoanRequest.requester == requester_id)
                                       & LoanRequest.status.in_(OPEN_STATUSES)).count())


def _overdue_slips(requester_id: int, today: dt.date) -> list[str]:
    out_items = LoanItem.select(LoanItem.request).where(LoanItem.status == LoanItemStatus.OUT)
    rows = (LoanRequest.select(LoanRequest.slip_no)
            .where((LoanRequest.requester == requester_id)
                   & (LoanRequest.status == LoanStatus.ACTIVE)
                   & (LoanRequest.due_on < today) & LoanRequest.id.in_(out_items))
            .order_by(LoanRequest.due_on))
    return [r.slip_no for r in rows]


def borrower_overdues(username: str, today: dt.date | None = None) -> list[str]:
    """Slip numbers of a borrower's loans with items past their due date."""
    with read_tx():
        return _overdue_slips(_user(username).id, today or dt.date.today())


def _check_blocks(requester: User, reader_type: str, policy: LoanPolicyLike, today: dt.date,
                  override_by: str | None, override_reason: str) -> User | None:
    """Refuse a borrower with overdues or too many open loans, unless an approver overrides."""
    overdue = _overdue_slips(requester.id, today)
    open_now = _open_count(requester.id)
    limit = policy.max_open_loans(reader_type)
    if not overdue and open_now < limit:
        return None
    if override_by:
        if not override_reason.strip():
            raise ValidationError(t("解除限制必须填写理由", "an override needs a reason"))
        return _approver(override_by, requester.id, ["override"], policy)
    if overdue:
        raise BorrowerBlocked(t("{u} 有逾期未还的档案（出借单 {s}），需审批人解除限制",
                                "{u} has overdue items (slip {s}); an approver must override",
                                u=requester.display_name, s=", ".join(overdue)),
                              overdue, open_now)
    raise BorrowerBlocked(t("{u} 已有 {n} 张未结出借单（上限 {m}），需审批人解除限制",
                            "{u} already has {n} open loans (limit {m}); an approver must override",
                            u=requester.display_name, n=open_now, m=limit), [], open_now)


def categories_of(items: Iterable[ResolvedItem | LoanItem]) -> list[str | None]:
    """The file categories on a slip (None for a whole file or box), each once."""
    return list(dict.fromkeys(i.category for i in items))


def latest_due(policy: LoanPolicyLike, reader_type: str, use_kind: str,
               categories: list[str | None], start: dt.date) -> dt.date:
    """The policy's due date for a slip starting on `start`; reading-room use is same-day."""
    if use_kind == "reading":
        return start
    return min(policy.due_date(reader_type, c, use_kind, start) for c in categories)


def _check_allowed(policy: LoanPolicyLike, reader_type: str, use_kind: str,
                   categories: list[str | None]) -> None:
    for c in categories:
        why = policy.refusal(reader_type, c, use_kind)
        if why:
            raise LoanNotAllowed(why)


def _approval_reasons(policy: LoanPolicyLike, reader_type: str, use_kind: str,
                      categories: list[str | None], important: bool) -> list[str]:
    """The policy's reasons; the DOMAIN.md floor (important, original out) is never skipped."""
    reasons: list[str] = []
    for c in categories:
        reasons += policy.needs_approval(reader_type, c, use_kind, important)
    reasons = list(dict.fromkeys(reasons))
    if not reasons:
        reasons = [r for r in ALWAYS_APPROVE if (r == "important" and important) or r == use_kind]
    return reasons


def _changed(req: LoanRequest, topic_ref: str | None = None) -> None:
    ChangeLog.create(topic="loan", ref=topic_ref or req.slip_no)


def request_loan(requester: str, codes: Iterable[str], *, purpose: str, use_kind: str,
                 actor: Actor, wanted_days: int | None = None, reader_type: str | None = None,
                 department: str | None = None, policy: LoanPolicyLike = DEFAULT_POLICY,
                 override_by: str | None = None, override_reason: str = "",
                 today: dt.date | None = None) -> LoanInfo:
    """Register a borrowing slip; it is approved at once only when nothing needs approval."""
    if use_kind not in USE_KINDS:
        raise ValidationError(t("用途必须是 {k} 之一", "use must be one of {k}",
                                k=", ".join(USE_KINDS)))
    if not purpose.strip():
        raise ValidationError(t("请填写借阅目的", "the purpose is required"))
    reader_type = reader_type or getattr(policy, "default_reader_type", "staff")
    known_types = getattr(policy, "reader_types", None)
    if known_types and reader_type not in known_types:
        raise ValidationError(t("读者类型必须是 {k} 之一", "reader type must be one of {k}",
                                k=", ".join(known_types)))
    today = today or dt.date.today()
    with write_tx():
        user = _user(requester)
        _lock_borrower(user)
        items = resolve_items(codes)
        cats = categories_of(items)
        _check_allowed(policy, reader_type, use_kind, cats)
        allowed = (latest_due(policy, reader_type, use_kind, cats, today) - today).days
        if wanted_days is not None and not 0 <= wanted_days <= allowed:
            raise ValidationError(t("借期 {d} 天超出规定（最长 {m} 天）",
                                    "a period of {d} days is beyond policy (at most {m})",
                                    d=wanted_days, m=allowed))
        overrider = _check_blocks(user, reader_type, policy, today, override_by, override_reason)
        reasons = _approval_reasons(policy, reader_type, use_kind, cats,
                                    _touches_important(items))
        slip_no = serials.new_barcodes("loan_slip")[0]
        now = utcnow()
        req = LoanRequest.create(
            slip_no=slip_no, requester=user, department=department or user.department,
            reader_type=reader_type, purpose=purpose.strip(), use_kind=use_kind,
            wanted_days=wanted_days, status=LoanStatus.PENDING if reasons else LoanStatus.APPROVED,
            approval_reasons=json.dumps(reasons), decided_at=None if reasons else now,
            decision_note="" if reasons else t("无需审批", "no approval needed"),
            override_by=overrider, override_reason=override_reason.strip() if overrider else "",
            created_by=actor.username)
        for it in items:
            LoanItem.create(request=req, item_kind=it.item_kind, code=it.code,
                            customer=it.customer, volume=it.volume, document=it.document,
                            box=it.box, category=it.category)
        info = loan_info(req)
        _changed(req)
        audit.record(actor, "loan.request", "loan", slip_no, None, {
            "requester": user.username, "use_kind": use_kind, "days": wanted_days,
            "status": req.status,
            "reasons": reasons, "items": [f"{i.item_kind}:{i.code}:{i.box.barcode}" for i in items],
            "override_by": overrider.username if overrider else None,
            "override_reason": req.override_reason})
    return info


def _set_status(req: LoanRequest, expected: Iterable[str], **changes) -> None:
    """Move a slip on only if nobody else moved it since we read it."""
    n = (LoanRequest.update(version=LoanRequest.version + 1, **changes)
         .where((LoanRequest.id == req.id) & (LoanRequest.version == req.version)
                & LoanRequest.status.in_(list(expected))).execute())
    if n != 1:
        raise LoanStateError(t("出借单 {s} 刚被其他终端改动，请刷新",
                               "slip {s} was just changed at another terminal; reload it",
                               s=req.slip_no))


def _require(req: LoanRequest, *statuses: str) -> None:
    if req.status not in statuses:
        raise LoanStateError(t("出借单 {s} 当前状态为 {st}，不能执行此操作",
                               "slip {s} is {st}; this step is not possible",
                               s=req.slip_no, st=req.status))


def approve(slip_no: str, actor: Actor, note: str = "",
            policy: LoanPolicyLike = DEFAULT_POLICY) -> LoanInfo:
    """An approver (never the requester) approves a pending slip; `actor` is the approver."""
    with write_tx():
        req = _slip(slip_no)
        _require(req, LoanStatus.PENDING)
        reasons = json.loads(req.approval_reasons or "[]")
        who = _approver(actor.username, req.requester_id, reasons, policy)
        _set_status(req, [LoanStatus.PENDING], status=LoanStatus.APPROVED, approver=who.id,
                    decided_at=utcnow(),
                    decision_note=note.strip())
        _changed(req)
        audit.record(actor, "loan.approve", "loan", req.slip_no, {"status": LoanStatus.PENDING},
                     {"status": LoanStatus.APPROVED, "approver": who.username,
                      "note": note.strip()})
        return loan_info(LoanRequest.get_by_id(req.id))


def reject(slip_no: str, actor: Actor, reason: str,
           policy: LoanPolicyLike = DEFAULT_POLICY) -> LoanInfo:
    """An approver rejects a pending slip, with a reason."""
    if not reason.strip():
        raise ValidationError(t("驳回必须填写理由", "a rejection needs a reason"))
    with write_tx():
        req = _slip(slip_no)
        _require(req, LoanStatus.PENDING)
        reasons = json.loads(req.approval_reasons or "[]")
        who = _approver(actor.username, req.requester_id, reasons, policy)
        now = utcnow()
        _set_status(req, [LoanStatus.PENDING], status=LoanStatus.REJECTED, approver=who.id,
                    decided_at=now,
                    decision_note=reason.strip(), closed_at=now)
        LoanItem.update(status=LoanItemStatus.CANCELLED).where(
            (LoanItem.request == req) & (LoanItem.status == LoanItemStatus.REQUESTED)).execute()
        _changed(req)
        audit.record(actor, "loan.reject", "loan", req.slip_no, {"status": LoanStatus.PENDING},
                     {"status": LoanStatus.REJECTED, "approver": who.username,
                      "reason": reason.strip()})
        return loan_info(LoanRequest.get_by_id(req.id))


def cancel(slip_no: str, actor: Actor, reason: str = "") -> LoanInfo:
    """Cancel a pending or approved slip; on an active one, drop the items never taken."""
    with write_tx():
        req = _slip(slip_no)
        _require(req, LoanStatus.PENDING, LoanStatus.APPROVED, LoanStatus.ACTIVE)
        dropped = (LoanItem.update(status=LoanItemStatus.CANCELLED)
                   .where((LoanItem.request == req) & (LoanItem.status == LoanItemStatus.REQUESTED))
                   .execute())
        out = LoanItem.select().where((LoanItem.request == req)
                                      & (LoanItem.status == LoanItemStatus.OUT)).count()
        if req.status == LoanStatus.ACTIVE:
            new = LoanStatus.ACTIVE if out else LoanStatus.RETURNED
        else:
            new = LoanStatus.CANCELLED
        changes = {"status": new}
        if new != LoanStatus.ACTIVE:
            changes["closed_at"] = utcnow()
        _set_status(req, [req.status], **changes)
        _changed(req)
        audit.record(actor, "loan.cancel", "loan", req.slip_no, {"status": req.status},
                     {"status": new, "dropped_items": dropped, "reason": reason.strip()})
        return loan_info(LoanRequest.get_by_id(req.id))


def renew(slip_no: str, actor: Actor, policy: LoanPolicyLike = DEFAULT_POLICY,
          today: dt.date | None = None) -> LoanInfo:
    """Extend the due date of a slip on loan, within the policy's renewals."""
    today = today or dt.date.today()
    with write_tx():
        req = _slip(slip_no)
        _require(req, LoanStatus.ACTIVE)
        cats = categories_of(LoanItem.select().where(LoanItem.request == req))
        allowed = 0 if req.use_kind == "reading" else min(
            policy.max_renewals(req.reader_type, c, req.use_kind) for c in cats)
        if req.renewals >= allowed:
            raise RenewalRefused(t("出借单 {s} 已续借 {n} 次，规定最多 {m} 次",
                                   "slip {s} was renewed {n} time(s); policy allows {m}",
                                   s=req.slip_no, n=req.renewals, m=allowed))
        due = req.due_on if isinstance(req.due_on, dt.date) else dt.date.fromisoformat(
            str(req.due_on)[:10])
        if due < today and not policy.renew_when_overdue():
            raise RenewalRefused(t("出借单 {s} 已逾期（应还 {d}），不能续借，请先归还",
                                   "slip {s} is overdue (due {d}) and cannot be renewed",
                                   s=req.slip_no, d=due))
        new_due = min(policy.renewed_due(req.reader_type, c, req.use_kind, due) for c in cats)
        _set_status(req, [LoanStatus.ACTIVE], due_on=new_due, renewals=req.renewals + 1)
        _changed(req)
        audit.record(actor, "loan.renew", "loan", req.slip_no,
                     {"due_on": due, "renewals": req.renewals},
                     {"due_on": new_due, "renewals": req.renewals + 1})
        return loan_info(LoanRequest.get_by_id(req.id))


def get_loan(slip_no: str) -> LoanInfo:
    """One slip with its items."""
    with read_tx():
        return loan_info(_slip(slip_no))


def list_loans(status: str | Iterable[str] | None = None, requester: str | None = None,
               limit: int = 500) -> list[LoanInfo]:
    """Slips, newest first, optionally by status(es) and requester."""
    with read_tx():
        q = LoanRequest.select().order_by(LoanRequest.id.desc()).limit(limit)
        if status:
            q = q.where(LoanRequest.status.in_([status] if isinstance(status, str)
                                               else list(status)))
        if requester:
            q = q.where(LoanRequest.requester == _user(requester).id)
        return [loan_info(r) for r in q]


def overdue_list(today: dt.date | None = None) -> list[OverdueRow]:
    """Every slip with items still out past its due date, most overdue first."""
    today = today or dt.date.today()
    with read_tx():
        out_items = LoanItem.select(LoanItem.request).where(LoanItem.status == LoanItemStatus.OUT)
        q = (LoanRequest.select().where((LoanRequest.status == LoanStatus.ACTIVE)
                                        & (LoanRequest.due_on < today)
                                        & LoanRequest.id.in_(out_items))
             .order_by(LoanRequest.due_on, LoanRequest.id))
        rows = []
        for req in q:
            info = loan_info(req)
            items = [item_info(i, req.slip_no) for i in
                     LoanItem.select().where((LoanItem.request == req)
                                             & (LoanItem.status == LoanItemStatus.OUT))]
            rows.append(OverdueRow(req.slip_no, info.requester, info.requester_name,
                                   info.department, info.due_on, info.days_overdue(today),
                                   items))
        return rows
