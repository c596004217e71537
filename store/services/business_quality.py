"""The third quality gate: the monthly random audit sample (抽查) and each check's result.

The sample is reproducible: the same month, percentage and seed draw the same documents
(ordered by id, drawn with Python's `random.Random(seed)`). Results feed the monthly KPI.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.errors import AlreadyExists, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Customer, Document, utcnow
from hudang.store.models_business import QualityCheck
from hudang.store.progress import Progress, no_progress
from hudang.store.services.business_kpi import month_bounds, parse_month
from hudang.store.services.business_tasks import db_ts, param_mark

RESULTS = ("pass", "fail")
_CHUNK = 1000  # sampled rows per INSERT


@dataclass(frozen=True)
class SampledDocument:
    check_id: int
    document_id: int
    barcode: str
    customer_number: str
    doc_type: str
    result: str
    note: str
    staff: str


def sample(month: str, percent: float, seed: int, actor: audit.Actor,
           progress: Progress = no_progress) -> list[SampledDocument]:
    """Draw `percent` % of the documents scanned in `month`; refuse to draw a month twice.

    The drawn documents are recorded in chunks of `_CHUNK` rows (`progress` hears
    "sample": rows recorded of those drawn), all in one transaction."""
    first = parse_month(month)
    if not 0 < percent <= 100:
        raise ValidationError(t("抽查比例应在 0 到 100 之间", "percent must be in (0, 100]"))
    m0, m1 = month_bounds(first)
    db = dbmod.require_database()
    p = param_mark()
    with dbmod.write_tx():
        if QualityCheck.select().where(QualityCheck.month == month).exists():
            raise AlreadyExists(t("{m} 已抽查过；用 hudang quality list 查看",
                                  "{m} was already sampled; see hudang quality list", m=month))
        ids = [r[0] for r in db.execute_sql(
            f"SELECT id FROM document WHERE scanned_at >= {p} AND scanned_at < {p} ORDER BY id",
            (db_ts(m0), db_ts(m1))).fetchall()]
        k = min(len(ids), max(1, round(len(ids) * percent / 100))) if ids else 0
        chosen = sorted(random.Random(seed).sample(ids, k))
        now = utcnow()
        progress("sample", 0, len(chosen))
        for start in range(0, len(chosen), _CHUNK):
            part = chosen[start:start + _CHUNK]
            owners = _owners(part)
            QualityCheck.insert_many([
                {"month": month, "document": doc_id, "seed": seed, "staff": staff,
                 "team": team, "unit": unit, "sampled_at": now}
                for doc_id in part
                for staff, team, unit in [owners.get(doc_id, ("", "", ""))]]).execute()
            progress("sample", start + len(part), len(chosen))
        audit.record(actor, "quality.sample", "quality_check", month, None,
                     {"percent": percent, "seed": seed, "population": len(ids),
                      "documents": chosen})
    return list_checks(month)


def _owners(doc_ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """Who answers for each document: the staff of the task its scan satisfied."""
    db = dbmod.require_database()
    out: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start:start + 500]
        marks = ", ".join([param_mark()] * len(chunk))
        for doc, staff, team, unit in db.execute_sql(
                f"SELECT document_id, staff, team, unit FROM business_task WHERE document_id IN "
                f"({marks}) ORDER BY id", chunk).fetchall():
            out.setdefault(doc, (staff, team, unit))
    return out


def record_result(month: str, document_id: int, result: str, note: str,
                  actor: audit.Actor) -> None:
    """Record the check of one sampled document (pass/fail and what was wrong)."""
    if result not in RESULTS:
        raise ValidationError(t("结果应为 pass 或 fail", "result must be pass or fail"))
    if result == "fail" and not note.strip():
        raise ValidationError(t("不合格须写明问题", "a failed check needs a note"))
    with dbmod.write_tx():
        row = QualityCheck.get_or_none((QualityCheck.month == month)
                                       & (QualityCheck.document == document_id))
        if row is None:
            raise NotFound(t("文件 {d} 不在 {m} 的抽查样本中", "document {d} is not in the {m} "
                             "sample", d=document_id, m=month))
        before = {"result": row.result, "note": row.note}
        QualityCheck.update(result=result, note=note.strip()[:1000], checked_by=actor.username,
                            checked_at=utcnow()).where(QualityCheck.id == row.id).execute()
        audit.record(actor, "quality.check", "document", document_id, before,
                     {"month": month, "result": result, "note": note.strip()[:1000]})


def list_checks(month: str) -> list[SampledDocument]:
    parse_month(month)
    q = (QualityCheck.select(QualityCheck, Document.id, Document.barcode, Document.doc_type,
                             Customer.id, Customer.number)
         .join(Document).join(Customer).where(QualityCheck.month == month)
         .order_by(QualityCheck.document))
    return [SampledDocument(r.id, r.document_id, r.document.barcode or "",
                            r.document.customer.number, r.document.doc_type, r.result, r.note,
                            r.staff) for r in q]


