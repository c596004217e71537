"""Every schema migration, in order, in one place.

Append only: never edit a migration that has shipped; add the next one at the end. Each
migration's `apply` runs inside its own write transaction (see `schema.upgrade`). New
tables are created by the migration that introduces them (`db.create_tables([...],
safe=True)`), never by editing migration 1's list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from hudang.store import models_intake, search, security_schema
from hudang.store.models import ALL_MODELS
from hudang.store.models_business import create_business_tables
from hudang.store.models_corrections import CORRECTION_MODELS
from hudang.store.models_disposal import create_disposal_tables


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[pw.Database], None]


def _create_base_tables(db: pw.Database) -> None:
    db.create_tables(ALL_MODELS, safe=True)


def _retention_due_indexes(db: pw.Database) -> None:
    """Let `due` read only an index: eligibility, hold, customer and class side by side."""
    db.execute_sql("CREATE INDEX IF NOT EXISTS document_retention_due ON document "
                   "(retention_eligible_on, legal_hold, customer_id, retention_class)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS customer_legal_hold ON customer (legal_hold)")


def _reminder_people_indexes(db: pw.Database) -> None:
    """A user's reminders (received or escalated to them), newest first, read from an index.

    Without these the work board's "my reminders" walked the whole reminder table, newest
    first, for someone who had none (a year of reminders at a site is millions of rows).
    """
    db.execute_sql("CREATE INDEX IF NOT EXISTS reminder_recipient ON reminder "
                   "(recipient, created_at)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS reminder_escalated_to ON reminder "
                   "(escalated_to, created_at)")


def _customer_corrections(db: pw.Database) -> None:
    db.create_tables(CORRECTION_MODELS, safe=True)


def _drop_covered_document_indexes(db: pw.Database) -> None:
    """Drop the document indexes that a wider one already starts with.

    `document_customer_id` is the head of (customer_id, category, filed_on) and of
    (customer_id, doc_type, scanned_at); `document_retention_eligible_on` is the head of
    `document_retention_due`. Either wider index answers what the narrow one did (a
    customer's documents, the parent-key check when a customer is deleted, the documents
    due by a day), and every document written kept all of them: at ten million documents,
    each narrow index was another random page per new row (benchmarks/store_bench.py).
    """
    for name in ("document_customer_id", "document_retention_eligible_on"):
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "base tables: customers, locations, boxes, volumes, documents, audit",
              _create_base_tables),
    Migration(2, "keyword search index: customer bigrams (FTS5 / GIN)", search.create_index),
    Migration(3, "retention: covering index for due lists, index of legal holds",
              _retention_due_indexes),
    Migration(4, "keyword search index: re-index archives built with base-36 tokens",
              search.upgrade_token_format),
    Migration(5, "sign-in security (PIN, lockout, CLI sessions, audit keying); append-only audit",
              security_schema.apply),
    Migration(6, "intake: handover batches and items, box move tasks (issue 13)",
              models_intake.create_tables),
    Migration(7, "business events, tasks, reminders, quality checks (issue 14)",
              create_business_tables),
    Migration(8, "end of life: holds, scan fixity (SHA-256 + SM3), disposal batches, tombstones",
              create_disposal_tables),
    Migration(10, "customer corrections: imported values that failed a check",
              _customer_corrections),
    Migration(11, "reminders: indexes by recipient and by team lead escalated to",
              _reminder_people_indexes),
    Migration(12, "keyword search index (PostgreSQL): bigrams compared byte-wise (COLLATE C)",
              search.compare_grams_bytewise),
    Migration(13, "keyword search index (PostgreSQL): bigrams as bigint codes, re-indexed",
              search.code_grams),
    Migration(14, "documents: drop the customer and eligibility indexes wider ones start with",
              _drop_covered_document_indexes),
)


def _check_order() -> None:
    versions = [m.version for m in MIGRATIONS]
    if versions != sorted(set(versions)):
        raise RuntimeError(f"migrations out of order or repeated: {versions}")


_check_order()
