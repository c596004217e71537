"""Disposal (销毁): propose a batch, appraise each item, two approvals, witnesses, execute.

DA/T 42 §7.7: an appraisal group reviews what is due, the archive department approves,
destruction happens under at least two witnesses (监销人) and the register is kept
permanently. Execution works in chunks, each one transaction: a crash leaves every item
destroyed or untouched, and running `execute` again finishes the batch.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection
from dataclasses import dataclass, field

import peewee as pw
from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError, NotFound, PermissionDenied, ValidationError
from hudang.store.i18n import t
from hudang.store.models import ChangeLog, ScanFile, User, utcnow
from hudang.store.models_disposal import (
    DisposalBatch,
    DisposalItem,
    DisposalRegister,
    DisposalSignoff,
)
from hudang.store.services import rawsql
from hudang.store.services import fixity

APPROVER_ROLES = ("approver", "admin")
APPROVALS_NEEDED = 2
WITNESSES_NEEDED = 2
DECISIONS = ("destroy", "keep", "transfer")
CHUNK = 200
FAULT_ENV = "HUDANG_FAULT_DISPOSAL_KILL_AFTER_CHUNKS"  # tests: SIGKILL after N chunks commit


FixityFailed = fixity.FixityFailed  # a stored scan of the batch is missing or altered


class DocumentDestroyed(ArchiveError):
    """A looked-up document was destroyed; the message says when and in which batch."""

    code = "destroyed"


@dataclass(frozen=True)
class ItemInfo:
    id: int
    document_id: int
    list_kind: str
    decision: str
    keep_until: dt.date | None
    reason: str
    decided_by: str
    state: str
    customer_number: str
    customer_name: str
    barcode: str
    category: str
    doc_type: str
    title: str
    pages: int
    retention_class: str
    eligible_on: dt.date | None
    retention_note: str


@dataclass(frozen=True)
class SignoffInfo:
    kind: str
    username: str
    display_name: str
    role: str
    at: dt.datetime
    note: str


@dataclass
class BatchInfo:
    number: str
    status: str
    as_of: dt.date
    proposed_by: str
    proposed_at: dt.datetime
    approved_at: dt.datetime | None
    executed_at: dt.datetime | None
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # "destroy/pending" -> n, "state:open"
    approvals: list[SignoffInfo] = field(default_factory=list)
    witnesses: list[SignoffInfo] = field(default_factory=list)
    registers: list[str] = field(default_factory=list)  # sha256 of each printed register

    @property
    def pending_decisions(self) -> int:
        return sum(n for k, n in self.counts.items() if k.endswith("/pending"))


@dataclass
class ExecuteReport:
    number: str
    destroyed: int = 0
    kept: int = 0
    transferred: int = 0
    held: int = 0
    blobs_removed: int = 0
    already_done: int = 0
    fixity_checked: int = 0


def _batch(number: str) -> DisposalBatch:
    batch = DisposalBatch.get_or_none(DisposalBatch.number == number.strip().upper())
    if batch is None:
        raise NotFound(t("没有销毁批次 {b}", "no disposal batch {b}", b=number))
    return batch


def _signed_user(actor: Actor) -> User:
    user = User.get_or_none((User.username == actor.username) & (User.active == True))
    if user is None:
        raise PermissionDenied(t("{u} 不是已登记的在职用户，不能签署", "{u} is not a registered, "
                                 "active user and cannot sign", u=actor.username))
    return user


# --- propose ---------------------------------------------------------------------------------
_PROPOSE = (
    "INSERT INTO disposal_item (batch_id, document_id, list_kind, decision, reason, decided_by, "
    "state, customer_number, customer_name, barcode, category, doc_type, title, pages, "
    "retention_class, eligible_on, retention_note, removed_blobs) "
    "SELECT {p}, d.id, {kind}, 'pending', '', '', 'open', c.number, c.name, "
    "COALESCE(d.barcode, ''), d.category, d.doc_type, d.title, d.page_count, d.retention_class, "
    "d.retention_eligible_on, d.retention_note, '[]' "
    "FROM document d {join} customer c ON c.id = d.customer_id "
    "WHERE d.retention_eligible_on <= {p} AND d.legal_hold = {p} AND c.legal_hold = {p} "
    "AND c.status = 'cancelled' AND NOT EXISTS (SELECT 1 FROM disposal_item i "
    "WHERE i.document_id = d.id AND i.state IN ('open', 'destroyed', 'transferred'))")


def _join() -> str:
    """Walk the due index first (SQLite's planner would start from 2 M customers otherwise).

    The covering index of migration 3 holds eligibility, hold, customer and class, so only
    documents of cancelled, unheld customers are read; measured 12x faster at 10 M.
    """
    return "INDEXED BY document_retention_due CROSS JOIN" if dbmod.is_sqlite() else "JOIN"


def propose(as_of: dt.date, actor: Actor, destroy_classes: Collection[str]) -> BatchInfo:
    """A batch of everything due by `as_of`: destroy list and review list, never held/active.

    `destroy_classes` are the retention classes whose disposition is destruction after
    review (the rules know them); any other due class goes to the review list.
    """
    classes = sorted(set(destroy_classes))
    with dbmod.write_tx() as db:
        p = db.param
        batch = DisposalBatch.create(number=f"TMP-{os.getpid()}-{utcnow().timestamp()}",
                                     as_of=as_of, proposed_by=actor.username)
        number = f"XH{as_of.year}-{batch.id:04d}"
        DisposalBatch.update(number=number).where(DisposalBatch.id == batch.id).execute()
        kind = (f"CASE WHEN d.retention_class IN ({', '.join([p] * len(classes))}) "
                f"THEN 'destroy' ELSE 'review' END" if classes else "'review'")
        db.execute_sql(_PROPOSE.format(p=p, kind=kind, join=_join()),
                       (batch.id, *classes, as_of, False, False))
        n = DisposalItem.select().where(DisposalItem.batch == batch.id).count()
        if n == 0:
            raise ValidationError(t("截至 {d} 没有可处置的文件（已冻结、未到期、在用客户除外）",
                                    "nothing is due by {d} (held, not yet due and active "
                                    "customers' files are never proposed)", d=as_of))
        info = _batch_info(DisposalBatch.get_by_id(batch.id))
        audit.record(actor, "disposal.proposed", "disposal_batch", number, None,
                     {"as_of": as_of.isoformat(), "items": n, "counts": info.counts,
                      "destroy_classes": classes})
        ChangeLog.create(topic="disposal", ref=number)
    return info


# --- appraisal -------------------------------------------------------------------------------
def _item(batch: DisposalBatch, ref: str) -> DisposalItem:
    ref = ref.strip()
    cond = DisposalItem.batch == batch.id
    if ref.isdigit():
        item = DisposalItem.get_or_none(cond & (DisposalItem.document == int(ref)))
    else:
        item = DisposalItem.get_or_none(cond & (DisposalItem.barcode == default_scheme()
                                                .parse(ref).code))
    if item is None:
        raise NotFound(t("批次 {b} 中没有文件 {d}", "batch {b} has no document {d}",
                         b=batch.number, d=ref))
    return item


def decide(number: str, refs: list[str] | None, decision: str, reason: str, actor: Actor, *,
           keep_until: dt.date | None = None, list_kind: str | None = None) -> int:
    """Record the appraisal of items (document ids or barcodes; None: every pending item).

    destroy / keep (longer, with a new date) / transfer, always with a reason.
    """
    if decision not in DECISIONS:
        raise ValidationError(t("鉴定结论须为 {d} 之一", "decision must be one of {d}",
                                d=", ".join(DECISIONS)))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(t("请写明鉴定理由", "an appraisal reason is required"))
    if decision == "keep" and keep_until is None:
        raise ValidationError(t("延长保管须给出新的到期日期（--until）",
                                "keeping longer needs a new date (--until)"))
    with dbmod.write_tx():
        batch = _batch(number)
        if batch.status != "proposed":
            raise ValidationError(t("批次 {b} 已{s}，鉴定结论不能再改", "batch {b} is {s}; its "
                                    "appraisal is closed", b=batch.number, s=_status(batch.status)))
        if keep_until is not None and keep_until <= batch.as_of:
            raise ValidationError(t("新的到期日期须晚于 {d}", "the new date must be after {d}",
                                    d=batch.as_of))
        if refs:
            ids = [_item(batch, r).id for r in refs]
            cond = DisposalItem.id.in_(ids)
        else:
            cond = (DisposalItem.batch == batch.id) & (DisposalItem.decision == "pending")
            if list_kind:
                cond &= DisposalItem.list_kind == list_kind
        docs = [d for (d,) in DisposalItem.select(DisposalItem.document).where(cond).tuples()]
        n = (DisposalItem.update(decision=decision, reason=reason, decided_by=actor.username,
                                 decided_at=utcnow(),
                                 keep_until=keep_until if decision == "keep" else None)
             .where(cond).execute())
        audit.record(actor, "disposal.appraised", "disposal_batch", batch.number, None,
                     {"decision": decision, "reason": reason, "documents": docs[:1000],
                      "count": n, "keep_until": keep_until.isoformat() if keep_until else None})
    return n


# --- approval and witnessing -----------------------------------------------------------------
def approve(number: str, actor: Actor, note: str = "") -> BatchInfo:
    """An approver signs the batch; the second different approver makes it approved."""
    with dbmod.write_tx():
        batch = _batch(number)
        user = _signed_user(actor)
        if user.role not in APPROVER_ROLES:
            raise PermissionDenied(t("{u} 没有审批权限", "{u} may not approve", u=user.username))
        if user.username == batch.proposed_by:
            raise PermissionDenied(t("提出批次的人不能审批它", "the proposer cannot approve the batch"))
        if batch.status != "proposed":
            raise ValidationError(t("批次 {b} 已{s}", "batch {b} is already {s}", b=batch.number,
                                    s=_status(batch.status)))
        pending = (DisposalItem.select().where((DisposalItem.batch == batch.id)
                                               & (DisposalItem.decision == "pending")).count())
        if pending:
            raise ValidationError(t("还有 {n} 份文件未鉴定", "{n} items still need an appraisal "
                                    "decision", n=pending))
        _sign(batch, user, "approve", note)
        approvals = _signoffs(batch, "approve")
        if len(approvals) >= APPROVALS_NEEDED:
            DisposalBatch.update(status="approved", approved_at=utcnow(),
                                 version=DisposalBatch.version + 1).where(
                DisposalBatch.id == batch.id).execute()
        audit.record(actor, "disposal.approved", "disposal_batch", batch.number, None,
                     {"approver": user.username, "approvals": len(approvals), "note": note})
        ChangeLog.create(topic="disposal", ref=batch.number)
        return _batch_info(DisposalBatch.get_by_id(batch.id))


def witness(number: str, actor: Actor, note: str = "") -> BatchInfo:
    """A witness (监销人) signs an approved batch by their signed-in identity."""
    with dbmod.write_tx():
        batch = _batch(number)
        user = _signed_user(actor)
        if batch.status not in ("approved", "executing"):
            raise ValidationError(t("批次 {b} 须先经两人审批才能监销", "batch {b} must be approved "
                                    "by two approvers before it is witnessed", b=batch.number))
        _sign(batch, user, "witness", note)
        audit.record(actor, "disposal.witnessed", "disposal_batch", batch.number, None,
                     {"witness": user.username, "note": note,
                      "witnesses": len(_signoffs(batch, "witness"))})
        ChangeLog.create(topic="disposal", ref=batch.number)
        return _batch_info(DisposalBatch.get_by_id(batch.id))


def _sign(batch: DisposalBatch, user: User, kind: str, note: str) -> None:
    exists = DisposalSignoff.select().where(
        (DisposalSignoff.batch == batch.id) & (DisposalSignoff.kind == kind)
        & (DisposalSignoff.username == user.username)).exists()
    if exists:
        raise ValidationError(t("{u} 已签署过此批次", "{u} has already signed this batch",
                                u=user.username))
    DisposalSignoff.create(batch=batch, kind=kind, username=user.username,
                           display_name=user.display_name, role=user.role, note=note or "")


def _signoffs(batch: DisposalBatch, kind: str) -> list[SignoffInfo]:
    rows = (DisposalSignoff.select().where((DisposalSignoff.batch == batch.id)
                                           & (DisposalSignoff.kind == kind))
            .order_by(DisposalSignoff.at, DisposalSignoff.id))
    return [SignoffInfo(s.kind, s.username, s.display_name, s.role, s.at, s.note) for s in rows]


def _status(status: str) -> str:
    names = {"proposed": ("待鉴定审批", "proposed"), "approved": ("已审批", "approved"),
             "executing": ("销毁中", "executing"), "executed": ("已销毁", "executed")}
    zh, en = names.get(status, (status, status))
    return t(zh, en)


status_name = _status


# --- reading ---------------------------------------------------------------------------------
def _batch_info(batch: DisposalBatch) -> BatchInfo:
    info = BatchInfo(batch.number, batch.status, batch.as_of, batch.proposed_by,
                     batch.proposed_at, batch.approved_at, batch.executed_at)
    rows = (DisposalItem.select(DisposalItem.list_kind, DisposalItem.decision, DisposalItem.state,
                                pw.fn.COUNT(DisposalItem.id))
            .where(DisposalItem.batch == batch.id)
            .group_by(DisposalItem.list_kind, DisposalItem.decision, DisposalItem.state).tuples())
    for kind, decision, state, n in rows:
        info.items += n
        info.counts[f"{kind}/{decision}"] = info.counts.get(f"{kind}/{decision}", 0) + n
        info.counts[f"state:{state}"] = info.counts.get(f"state:{state}", 0) + n
    info.approvals = _signoffs(batch, "approve")
    info.witnesses = _signoffs(batch, "witness")
    info.registers = [sha for (sha,) in DisposalRegister.select(ScanFile.sha256).join(ScanFile)
                      .where(DisposalRegister.batch == batch.id)
                      .order_by(DisposalRegister.id).tuples()]
    return info


def batch_info(number: str) -> BatchInfo:
    with dbmod.read_tx():
        return _batch_info(_batch(number))


def list_batches() -> list[BatchInfo]:
    """Every batch, newest first."""
    with dbmod.read_tx():
        return [_batch_info(b) for b in DisposalBatch.select().order_by(DisposalBatch.id.desc())]


def batch_items(number: str, list_kind: str | None = None, limit: int | None = None,
                after_id: int = 0) -> list[ItemInfo]:
    """A batch's items in document order (keyset paging by item id)."""
    with dbmod.read_tx():
        batch = _batch(number)
        query = DisposalItem.select().where((DisposalItem.batch == batch.id)
                                            & (DisposalItem.id > after_id))
        if list_kind:
            query = query.where(DisposalItem.list_kind == list_kind)
        query = query.order_by(DisposalItem.id)
        if limit:
            query = query.limit(limit)
        return [_item_info(i) for i in query]


def _item_info(i: DisposalItem) -> ItemInfo:
    return ItemInfo(i.id, i.document_id, i.list_kind, i.decision, i.keep_until, i.reason,
                    i.decided_by, i.state, i.customer_number, i.customer_name, i.barcode,
                    i.category, i.doc_type, i.title, i.pages, i.retention_class, i.eligible_on,
                    i.retention_note)


_TOMBSTONE = ("SELECT t.destroyed_at, b.number FROM tombstone t "
              "JOIN disposal_batch b ON b.id = t.batch_id WHERE t.document_id = ?")


def destroyed_message(document_id: int) -> str | None:
    """'destroyed on … in batch …' for a tombstoned document, else None (lookup uses it).

    Asked on every document scan, so it is SQL written once (rawsql), not a query built per
    call: building the Peewee join cost more than the rest of the lookup.
    """
    row = rawsql.one(_TOMBSTONE, (document_id,))
    if row is None:
        return None
    when = row[0]
    day = when.date() if isinstance(when, dt.datetime) else str(when)[:10]
    return t("该文件已于 {d} 在销毁批次 {b} 中销毁（仅保留目录信息）",
             "this document was destroyed on {d} in disposal batch {b} (catalogue entry kept)",
             d=day, b=row[1])