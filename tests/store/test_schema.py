"""Migrations: idempotent upgrade; a newer schema than we know is never written to."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store import archive, schema
from hudang.store.errors import SchemaTooNew, SchemaTooOld
from hudang.store.models import SchemaVersion
from hudang.store.services import customers

from .helpers import KEEPER


def test_upgrade_is_idempotent(db):
    assert schema.current_version() == schema.latest_version()
    assert schema.upgrade() == []
    assert SchemaVersion.select().count() == len(schema.MIGRATIONS)


def test_newer_schema_refuses_writes_and_says_why(db, archive_url):
    SchemaVersion.create(version=schema.latest_version() + 1, description="from the future")
    archive.close_archive()
    archive.open_archive(archive_url)
    with pytest.raises(SchemaTooNew, match="更新"):
        customers.create_customer({"number": "3300000001", "name": "张三",
                                   "voltage_class": "LV"}, KEEPER)
    with pytest.raises(SchemaTooNew):
        schema.upgrade()


def test_older_schema_asks_for_upgrade(archive_url):
    from hudang.store import db as dbmod

    db = dbmod.init_database(archive_url)
    db.connect()
    schema.MIGRATIONS[0].apply(db)
    SchemaVersion.create(version=1, description="base")
    assert schema.latest_version() > 1  # the search index arrives as migration 2
    with pytest.raises(SchemaTooOld, match="db upgrade"):
        schema.check_compatible()
    assert schema.upgrade() == [m.version for m in schema.MIGRATIONS[1:]]
    assert schema.check_compatible() == schema.latest_version()


def test_a_migration_numbered_below_the_newest_is_still_applied(db):
    """Branches merge in any order: a lower-numbered migration missing from an archive whose
    newest recorded version is higher must still be applied, and until then the archive
    asks for an upgrade."""
    skipped = schema.MIGRATIONS[-2]
    SchemaVersion.delete().where(SchemaVersion.version == skipped.version).execute()
    with pytest.raises(SchemaTooOld):
        schema.check_compatible()
    assert schema.upgrade() == [skipped.version]
    assert schema.check_compatible() == schema.latest_version()


def test_postgres_bigrams_are_codes_and_older_archives_are_moved(db):
    from hudang.store import db as dbmod
    from hudang.store import search

    if not dbmod.is_postgres():
        pytest.skip("the bigram array is a PostgreSQL column")
    type_sql = ("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = 'customer_search'::regclass AND a.attname = 'grams'")
    assert db.execute_sql(type_sql).fetchone()[0] == "bigint[]"
    customers.create_customer({"number": "3300000001", "name": "张三明",
                               "voltage_class": "HV"}, KEEPER)
    # As archives created before migration 12 have it: bigrams as text, the database's
    # collation (the old values do not matter: migration 13 re-indexes).
    db.execute_sql("DROP INDEX customer_search_grams")
    db.execute_sql("ALTER TABLE customer_search ALTER COLUMN grams TYPE text[] "
                   "USING grams::text[]")
    db.execute_sql("CREATE INDEX customer_search_grams ON customer_search USING gin (grams)")
    SchemaVersion.delete().where(SchemaVersion.version.in_([12, 13])).execute()
    assert schema.upgrade() == [12, 13]
    assert db.execute_sql(type_sql).fetchone()[0] == "bigint[]"
    assert [h.name for h in search.search_customers("三明")] == ["张三明"]
    assert [h.name for h in search.search_customers("00000001")] == ["张三明"]


def _document_indexes(db) -> set[str]:
    from hudang.store import db as dbmod

    if dbmod.is_postgres():
        sql = ("SELECT indexname FROM pg_indexes WHERE tablename = 'document' "
               "AND schemaname = current_schema()")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'document'"
    return {row[0] for row in db.execute_sql(sql).fetchall()}


def _plan(db, sql: str, value: object) -> str:
    from hudang.store import db as dbmod

    if dbmod.is_postgres():  # a small table is read whole unless told otherwise
        db.execute_sql("SET LOCAL enable_seqscan = off")
        return " ".join(r[0] for r in db.execute_sql("EXPLAIN " + sql.replace("?", "%s"),
                                                     (value,)))
    return " ".join(str(r[-1]) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, (value,)))


def test_covered_document_indexes_are_dropped_and_their_queries_still_use_an_index(db):
    narrow = {"document_customer_id", "document_retention_eligible_on"}
    assert not narrow & _document_indexes(db)
    assert {"document_customer_id_category_filed_on", "document_customer_doc_type",
            "document_retention_due"} <= _document_indexes(db)
    with db.atomic():
        by_customer = _plan(db, "SELECT id, title FROM document WHERE customer_id = ?", 1)
        due = _plan(db, "SELECT id FROM document WHERE retention_eligible_on <= ?",
                    dt.date(2030, 1, 1))
    assert "index" in by_customer.lower() and "document_customer" in by_customer.lower()
    assert "document_retention_due" in due.lower()
    # An archive from before migration 14 has them: the upgrade drops them.
    db.execute_sql("CREATE INDEX document_customer_id ON document (customer_id)")
    db.execute_sql("CREATE INDEX document_retention_eligible_on ON document "
                   "(retention_eligible_on)")
    SchemaVersion.delete().where(SchemaVersion.version == 14).execute()
    assert schema.upgrade() == [14]
    assert not narrow & _document_indexes(db)


def test_a_customer_with_documents_still_cannot_be_deleted(db):
    from hudang.store.models import Customer, Document

    c = customers.create_customer({"number": "3300000002", "name": "李四",
                                   "voltage_class": "LV"}, KEEPER)
    Document.create(customer=c.id, category="YK", doc_type="用电申请书")
    with pytest.raises(Exception, match="(?i)foreign key|violates"):
        with db.atomic():
            Customer.delete().where(Customer.id == c.id).execute()
    assert Customer.select().where(Customer.id == c.id).count() == 1
