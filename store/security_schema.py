"""Migration 5: sign-in security tables, and triggers that make the audit log append-only."""

from __future__ import annotations

import peewee as pw

from hudang.store.models_security import SECURITY_MODELS

APPEND_ONLY_TABLES = ("audit_event", "audit_keying")


def _sqlite_guard(table: str) -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for op in ("UPDATE", "DELETE")]


def _pg_guard(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION hudang_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION hudang_append_only()",
    ]


_PG_FUNCTION = ("CREATE OR REPLACE FUNCTION hudang_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $fn$ BEGIN RAISE EXCEPTION USING MESSAGE = "
                "TG_TABLE_NAME || ' is append-only', ERRCODE = 'insufficient_privilege'; "
                "END $fn$")


def apply(db: pw.Database) -> None:
    """Create the security tables, then forbid UPDATE and DELETE on the audit tables."""
    db.create_tables(SECURITY_MODELS, safe=True)
    if isinstance(db, pw.PostgresqlDatabase):
        statements = [_PG_FUNCTION] + [s for t in APPEND_ONLY_TABLES for s in _pg_guard(t)]
    else:
        statements = [s for t in APPEND_ONLY_TABLES for s in _sqlite_guard(t)]
    for sql in statements:
        db.execute_sql(sql)
