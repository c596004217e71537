"""Retention of filed documents: recompute from the rules, and list what is due, in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.models import Contract, Customer, Document
from hudang.store.progress import Progress, no_progress
from hudang.store.services.retention_policy import RetentionFacts, RetentionRules
from hudang.store.models_disposal import Tombstone

NOTE_LEN = 256
PENDING_LIST = 50  # how many pending-shortening document ids a report carries


@dataclass
class RecomputeReport:
    """What `recompute` did; `pending_shortening` waits for an administrator's confirmation."""

    ruleset_version: str
    examined: int = 0
    changed: int = 0
    dated: int = 0
    waiting_for_trigger: int = 0
    permanent: int = 0
    no_schedule: int = 0
    pending_shortening: int = 0
    shortened: int = 0
    pending_ids: list[int] = field(default_factory=list)
    unfiled: int = 0  # documents without a filing date: not evaluated, reported
    unfiled_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DueRow:
    document_id: int
    barcode: str | None
    customer_number: str
    customer_name: str
    category: str
    doc_type: str
    retention_class: str
    eligible_on: dt.date
    ruleset: str


def _status_of(note: str) -> str:
    """The status recorded at the front of a retention note: '[dated] ...'."""
    return note[1:note.index("]")] if note.startswith("[") and "]" in note else ""


def _is_shortening(old: tuple, new: tuple) -> bool:
    """Whether the new outcome allows disposal earlier than the stored one."""
    old_date, old_status = old[1], _status_of(old[2])
    new_date, new_status = new[1], _status_of(new[2])
    if old_status == "permanent" and new_status != "permanent":
        return True
    return old_date is not None and new_date is not None and new_date < old_date


def _key(row: dict, contract: tuple | None) -> tuple:
    """Everything retention reads about one document (documents alike share a decision)."""
    step = row["business_step_at"]
    return (row["category"], row["doc_type"] or "", row["voltage_class"], row["status"],
            row["filed_on"], step.date() if step else None, row["cancelled_on"],
            contract[0] if contract else None, contract[1] if contract else None,
            bool(row["legal_hold"] or row["customer_hold"]))


# Where each date a rule may read sits in a facts key (`RetentionFacts` field order).
_DATE_SLOTS = {"document.filed_on": 4, "document.business_step_at": 5,
               "customer.cancelled_on": 6, "contract.signed_on": 7, "contract.expires_on": 8}
_ALL_DATES = ((4, False), (5, False), (6, False), (7, False), (8, False))


def decide_memoised(ruleset: RetentionRules, key: tuple,
                    cache: dict) -> tuple[str, str, dt.date | None, str]:
    """(status, schedule id, eligible_on, note) for a document's facts, memoised per run.

    `key` holds the facts in `RetentionFacts` field order (`_key` builds it from a row).
    Documents with the same facts share one decision; when the rules say which dates a
    decision reads (`ReadsDateFields`), documents that agree in those share it too (an
    active customer's documents mostly wait for 销户, whatever their filing date).
    """
    kind = key[:4] + key[9:]  # category, type, class, status, hold: what selects schedules
    slots = cache.get(kind)
    if slots is None:
        slots = cache[kind] = _date_slots(ruleset, kind)
    short = (kind, *[key[i] if not year or key[i] is None else key[i].year
                     for i, year in slots])
    hit = cache.get(short)
    if hit is None:
        d = ruleset.decide(RetentionFacts(*key))
        hit = cache[short] = (d.status, d.schedule_id, d.eligible_on,
                              f"[{d.status}] {d.note}"[:NOTE_LEN])
    return hit


def _date_slots(ruleset: RetentionRules, kind: tuple) -> tuple[tuple[int, bool], ...]:
    """(key position, year only?) of each date a decision for documents of this kind reads."""
    reads = getattr(ruleset, "date_fields_read", None)
    if reads is None:
        return _ALL_DATES
    fields = reads(RetentionFacts(*kind[:4], None, None, None, None, None, kind[4]))
    if any(name not in _DATE_SLOTS or precision not in ("year", "day")
           for name, precision in fields):
        return _ALL_DATES
    return tuple(sorted((_DATE_SLOTS[name], precision == "year") for name, precision in fields))


def _select() -> pw.ModelSelect:
    """The document and customer columns retention reads."""
    return (Document
            .select(Document.id, Document.category, Document.doc_type, Document.filed_on,
                    Document.business_step_at, Document.legal_hold, Document.retention_class,
                    Document.retention_eligible_on, Document.retention_note,
                    Document.retention_ruleset, Customer.voltage_class, Customer.status,
                    Customer.cancelled_on, Customer.legal_hold.alias("customer_hold"))
            .join(Customer))


def _batch(after_id: int, size: int) -> list[dict]:
    query = (_select()
             .where((Document.id > after_id) & Document.filed_on.is_null(False)
                    & Document.id.not_in(Tombstone.select(Tombstone.document)))  # destroyed
             .order_by(Document.id).limit(size).dicts())
    return list(query)


def _contracts(doc_ids: list[int]) -> dict[int, tuple]:
    rows = (Contract.select(Contract.document, Contract.signed_on, Contract.expires_on)
            .where(Contract.document.in_(doc_ids)).order_by(Contract.id).tuples())
    return {doc: (signed, expires) for doc, signed, expires in rows}


def recompute(ruleset: RetentionRules, actor: audit.Actor, confirm_shortening: bool = False,
              batch_size: int = 1000, progress: Progress = no_progress) -> RecomputeReport:
    """Re-evaluate every filed document; shortenings wait unless `confirm_shortening`."""
    report = RecomputeReport(ruleset.version)
    after_id, cache = 0, {}
    total = Document.select().count() if progress is not no_progress else 0
    while True:
        rows = _batch(after_id, batch_size)
        if not rows:
            break
        after_id = rows[-1]["id"]
        contracts = _contracts([r["id"] for r in rows])
        before, after = {}, {}
        for row in rows:
            report.examined += 1
            status, schedule_id, eligible_on, note = decide_memoised(
                ruleset, _key(row, contracts.get(row["id"])), cache)
            setattr(report, status, getattr(report, status) + 1)
            new = (schedule_id, eligible_on, note, ruleset.version)
            old = (row["retention_class"], row["retention_eligible_on"], row["retention_note"],
                   row["retention_ruleset"])
            if new == old:
                continue
            if row["retention_ruleset"] and _is_shortening(old, new):
                if not confirm_shortening:
                    report.pending_shortening += 1
                    if len(report.pending_ids) < PENDING_LIST:
                        report.pending_ids.append(row["id"])
                    continue
                report.shortened += 1
            before[row["id"]], after[row["id"]] = old, new
        if after:
            _write(actor, before, after)
            report.changed += len(after)
        progress("documents", report.examined, total)
    _report_unfiled(report)
    with dbmod.write_tx():
        audit.record(actor, "retention.recompute", "ruleset", ruleset.version,
                     after={k: v for k, v in report.__dict__.items() if k != "pending_ids"}
                     | {"confirm_shortening": confirm_shortening,
                        "pending_ids": report.pending_ids})
    return report


def _report_unfiled(report: RecomputeReport) -> None:
    """Count documents without a filing date (they cannot be evaluated) so nobody misses them."""
    unfiled = Document.select(Document.id).where(Document.filed_on.is_null())
    report.unfiled = unfiled.count()
    report.unfiled_ids = [r.id for r in unfiled.order_by(Document.id).limit(PENDING_LIST)]


@dataclass(frozen=True)
class RetentionStamp:
    """The retention outcome stored on one document, and the rule-set version that decided it."""

    document_id: int
    retention_class: str
    eligible_on: dt.date | None
    note: str
    ruleset: str

    @property
    def status(self) -> str:
        return _status_of(self.note)


def stamp_document(ruleset: RetentionRules, document_id: int,
                   actor: audit.Actor | None = None) -> RetentionStamp:
    """Evaluate one document with `ruleset` and store the outcome on it (at filing time).

    Runs inside the caller's transaction when there is one (filing a scan); with `actor`
    it records its own `retention.update` event, otherwise the caller's event carries it.
    """
    with dbmod.write_tx():
        row = _select().where(Document.id == document_id).dicts().get()
        contracts = _contracts([document_id])
        _status, schedule_id, eligible_on, note = decide_memoised(
            ruleset, _key(row, contracts.get(document_id)), {})
        stamp = RetentionStamp(document_id, schedule_id, eligible_on, note, ruleset.version)
        (Document.update(retention_class=schedule_id, retention_eligible_on=eligible_on,
                         retention_note=note, retention_ruleset=ruleset.version)
         .where(Document.id == document_id).execute())
        if actor is not None:
            old = (row["retention_class"], row["retention_eligible_on"],
                   row["retention_note"])
            audit.record(actor, "retention.update", "document", document_id,
                         before={"class": old[0], "eligible_on": str(old[1]) if old[1] else None,
                                 "status": _status_of(old[2] or "")},
                         after={"class": schedule_id,
                                "eligible_on": eligible_on.isoformat() if eligible_on else None,
                                "status": stamp.status, "ruleset": ruleset.version})
    return stamp


def _write(actor: audit.Actor, before: dict, after: dict) -> None:
    """Store one batch of new outcomes and its audit event in one transaction."""
    with dbmod.write_tx() as db:
        p = db.param
        sql = (f"UPDATE document SET retention_class = {p}, retention_eligible_on = {p}, "
               f"retention_note = {p}, retention_ruleset = {p} WHERE id = {p}")
        rows = [(cls, eligible_on.isoformat() if eligible_on else None, note, version, doc_id)
                for doc_id, (cls, eligible_on, note, version) in after.items()]
        db.cursor().executemany(sql, rows)
        show = lambda v: [v[0], v[1].isoformat() if v[1] else None, _status_of(v[2])]  # noqa: E731
        audit.record(actor, "retention.update", "document",
                     f"{min(after)}..{max(after)}",
                     before={str(k): show(v) for k, v in before.items()},
                     after={str(k): show(v) for k, v in after.items()})


def _due_filter(before: dt.date):
    """Eligible by `before`, no hold on the document or its customer (few customers are held)."""
    held = Customer.select(Customer.id).where(Customer.legal_hold == True)  # noqa: E712
    return ((Document.retention_eligible_on <= before)
            & (Document.legal_hold == False)  # noqa: E712
            & Document.customer.not_in(held))


def due(before: dt.date, limit: int | None = None, offset: int = 0,
        after: tuple[dt.date, int] | None = None) -> list[DueRow]:
    """Documents eligible for disposal on or before `before`, not under legal hold (in SQL).

    Ordered by (eligible_on, id); pass the last row's `(eligible_on, document_id)` as `after`
    for the next page (keyset paging stays fast deep into a long list, unlike `offset`).
    """
    cond = _due_filter(before)
    if after is not None:
        day, doc_id = after
        cond &= (Document.retention_eligible_on >= day) & (
            pw.Tuple(Document.retention_eligible_on, Document.id) > pw.Tuple(day, doc_id))
    query = (Document
             .select(Document.id, Document.barcode, Customer.number, Customer.name,
                     Document.category, Document.doc_type, Document.retention_class,
                     Document.retention_eligible_on, Document.retention_ruleset)
             .join(Customer).where(cond)
             .order_by(Document.retention_eligible_on, Document.id).tuples())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [DueRow(*row) for row in query]


def due_count(before: dt.date) -> int:
    """How many documents `due(before)` would list."""
    from peewee import fn

    return Document.select(fn.COUNT(Document.id)).where(_due_filter(before)).scalar() or 0


def due_summary(before: dt.date) -> list[tuple[str, int]]:
    """(retention class, number due) for the documents eligible by `before`."""
    from peewee import fn

    query = (Document.select(Document.retention_class, fn.COUNT(Document.id))
             .where(_due_filter(before))
             .group_by(Document.retention_class).order_by(Document.retention_class).tuples())
    return list(query)
