"""Migrations: idempotent upgrade; a newer schema than we know is never written to."""

from __future__ import annotations

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
