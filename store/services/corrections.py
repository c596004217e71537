"""The correction list: customers whose imported values failed a check, until fixed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hudang.store import audit
from hudang.store.bulk import bulk_insert, db_timestamp
from hudang.store.db import read_tx
from hudang.store.models import Customer, utcnow
from hudang.store.models_corrections import CustomerCorrection


@dataclass(frozen=True)
class CorrectionInfo:
    """One open (or resolved) correction, ready to print."""

    id: int
    customer_number: str
    customer_name: str
    field: str
    value: str
    problem: str
    source: str
    created_at: str
    resolved_at: str | None
    resolved_by: str = ""


def record_corrections(rows: Iterable[tuple[int, str, str, str, str]]) -> int:
    """Add (customer id, field, value, problem, source) rows inside the caller's transaction."""
    # One prepared statement: a legacy list can put every row on the correction list, and
    # Peewee's insert_many builds SQL per value (half of a 100,000-row import's time).
    now = db_timestamp(utcnow())
    batch = [(c, f, v[:64], p, s[:256], now, "") for c, f, v, p, s in rows]
    return bulk_insert(CustomerCorrection._meta.table_name,
                       ("customer_id", "field", "value", "problem", "source", "created_at",
                        "resolved_by"), batch)


def list_corrections(include_resolved: bool = False, limit: int = 1000) -> list[CorrectionInfo]:
    """Open corrections (oldest first), for the administrator to print and work through."""
    with read_tx():
        q = (CustomerCorrection.select(CustomerCorrection, Customer.number, Customer.name)
             .join(Customer).order_by(CustomerCorrection.id).limit(limit))
        if not include_resolved:
            q = q.where(CustomerCorrection.resolved_at.is_null())
        return [CorrectionInfo(r.id, r.customer.number, r.customer.name, r.field, r.value,
                               r.problem, r.source, str(r.created_at)[:19],
                               str(r.resolved_at)[:19] if r.resolved_at else None,
                               r.resolved_by)
                for r in q]


def resolve_for(customer_id: int, field: str, actor: audit.Actor) -> int:
    """Close the open corrections of one field (its value was fixed) inside a write tx."""
    n = (CustomerCorrection.update(resolved_at=utcnow(), resolved_by=actor.username)
         .where((CustomerCorrection.customer == customer_id)
                & (CustomerCorrection.field == field)
                & CustomerCorrection.resolved_at.is_null()).execute())
    return n


def count_open() -> int:
    with read_tx():
        return CustomerCorrection.select().where(
            CustomerCorrection.resolved_at.is_null()).count()
