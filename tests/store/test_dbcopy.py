"""Moving a whole archive between backends: every table, sequences, audit chain, search."""

from __future__ import annotations

import pytest

from hudang.store import archive, audit, generator
from hudang.store import db as dbmod
from hudang.store.search import search_customers
from hudang.store.services import customers, dbcopy
from hudang.store.services.dbcopy import CopyRefused, copy_archive

from tests.conftest import make_backend_url

KEEPER = audit.Actor("keeper1", "desk-test", "keeper")


def _build_sqlite(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    archive.open_archive(url, create=True)
    generator.build_archive(60, seed=3)
    customers.create_customer({"number": "3300012345", "name": "佛山市季华制衣厂",
                               "voltage_class": "HV"}, KEEPER)
    db = dbmod.require_database()
    counts = dbcopy.count_rows(db, dbcopy.data_tables(db))
    archive.close_archive()
    return url, counts


def test_data_tables_come_from_the_database_in_reference_order(db):
    tables = dbcopy.data_tables(db)
    assert {"customer", "document", "audit_event", "scan_file", "loan_item"} <= set(tables)
    assert not any(n.startswith(("customer_search", "customer_fts", "sqlite_"))
                   for n in tables)
    assert "schema_version" not in tables
    for child, parent in (("document", "customer"), ("loan_item", "loan_request"),
                          ("document_page", "scan_file")):
        assert tables.index(parent) < tables.index(child)


def test_copy_sqlite_archive_to_postgresql(tmp_path, pg_url):
    source_url, counts = _build_sqlite(tmp_path)
    target_url, cleanup = make_backend_url("postgres", tmp_path)
    try:
        seen = []
        report = copy_archive(source_url, target_url, lambda s, d, n: seen.append((s, d, n)),
                              actor=KEEPER)
        assert report.ok
        assert report.source_counts == report.target_counts == counts
        assert report.indexed == counts["customer"]
        stages = list(dict.fromkeys(stage for stage, _, _ in seen))
        assert stages == ["rows", "index", "events"]  # copy, search index, chain walk
        assert seen[-1][1] == seen[-1][2] == report.audit_events
        assert dbmod.is_postgres() and audit.verify().ok
        last = audit.AuditEvent.select().order_by(audit.AuditEvent.seq.desc()).get()
        assert last.action == "archive.copy" and last.seq == counts["audit_event"] + 1
        assert [h.number for h in search_customers("季华制衣")] == ["3300012345"]
        # sequences moved past the copied ids: new rows get fresh ids and chain on
        info = customers.create_customer({"number": "3300099999", "name": "李四",
                                          "voltage_class": "LV", "area": "禅城1号"}, KEEPER)
        assert info.id > counts["customer"]
        assert audit.verify().ok
        archive.close_archive()
        with pytest.raises(CopyRefused, match="not empty|不是空的"):
            copy_archive(source_url, target_url)
    finally:
        archive.close_archive()
        cleanup()


def test_copy_postgresql_back_to_sqlite_round_trips(tmp_path, pg_url):
    source_url, counts = _build_sqlite(tmp_path)
    pg, cleanup = make_backend_url("postgres", tmp_path)
    try:
        copy_archive(source_url, pg)
        archive.close_archive()
        back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
        report = copy_archive(pg, back)
        assert report.ok and report.target_counts == counts
        assert dbmod.is_sqlite() and audit.verify().ok
    finally:
        archive.close_archive()
        cleanup()
