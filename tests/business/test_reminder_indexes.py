"""A user's reminders are found through an index, not by walking every reminder."""

from __future__ import annotations

from hudang.store import db as dbmod
from hudang.store import schema
from hudang.store.models import SchemaVersion


def _indexes(db) -> set[str]:
    if dbmod.is_postgres():
        rows = db.execute_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'reminder'")
    else:
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' "
                              "AND tbl_name = 'reminder'")
    return {r[0] for r in rows.fetchall()}


def test_reminders_by_recipient_and_escalation_have_indexes_and_older_archives_get_them(db):
    assert {"reminder_recipient", "reminder_escalated_to"} <= _indexes(db)
    for name in ("reminder_recipient", "reminder_escalated_to"):
        db.execute_sql(f"DROP INDEX {name}")  # as archives before migration 11 were
    SchemaVersion.delete().where(SchemaVersion.version == 11).execute()
    assert schema.upgrade() == [11]
    assert {"reminder_recipient", "reminder_escalated_to"} <= _indexes(db)
    if not dbmod.is_postgres():
        plan = " ".join(str(r) for r in db.execute_sql(
            "EXPLAIN QUERY PLAN SELECT r.id FROM reminder r WHERE (r.recipient = ? OR "
            "r.escalated_to = ?) ORDER BY r.created_at DESC LIMIT 200", ("a", "a")).fetchall())
        assert "reminder_recipient" in plan and "reminder_escalated_to" in plan
