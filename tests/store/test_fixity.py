"""Fixity on SQLite and PostgreSQL: digests recorded at filing, missing/altered found, SM3
back-filled for scans stored before fixity existed, every run audited."""

from __future__ import annotations

import hashlib

import pytest
from hudang.store.audit import Actor
from hudang.store.models import AuditEvent, ScanFile
from hudang.store.models_disposal import ScanFixity
from hudang.store.services import fixity
from hudang.store.services.ingest import FilingRequest, PageRecord, ScanStore, file_scan

KEEPER = Actor("keeper1", "test", "keeper")


@pytest.fixture
def stored(db, tmp_path):
    store = ScanStore(tmp_path / "scans")
    shas = []
    for i in range(10):
        src = tmp_path / f"f{i}.pdf"
        src.write_bytes(b"%PDF-1.4 page " + bytes([i]) * 300)
        sha, size = store.put(src)
        file_scan(FilingRequest(claim_id=f"c{i}", sha256=sha, size=size,
                                media_type="application/pdf", original_name=src.name,
                                station="s1", pages=[PageRecord(1)], segments=[],
                                sm3=fixity.sm3_of(store.path_for(sha))))
        shas.append(sha)
    return store, shas


def test_filing_records_sha256_and_sm3(stored):
    store, shas = stored
    row = ScanFixity.get(ScanFixity.sha256 == shas[0])
    data = store.path_for(shas[0]).read_bytes()
    assert row.sm3 == hashlib.new("sm3", data).hexdigest() and len(row.sm3) == 64
    assert ScanFixity.select().count() == 10


def test_check_finds_missing_and_altered_and_is_audited(stored):
    store, shas = stored
    store.path_for(shas[1]).unlink()
    store.path_for(shas[2]).write_bytes(b"not what was filed")
    report = fixity.check(store.root, KEEPER)
    assert (report.checked, report.intact) == (10, 8)
    assert {(p.sha256, p.problem) for p in report.problems} == {(shas[1], "missing"),
                                                                (shas[2], "altered")}
    assert ScanFixity.get(ScanFixity.sha256 == shas[2]).status == "altered"
    event = AuditEvent.select().where(AuditEvent.action == "fixity.check").get()
    assert shas[1] in event.after and event.actor == "keeper1"


def test_sm3_altered_alone_is_caught(stored):
    store, shas = stored
    ScanFixity.update(sm3="0" * 64).where(ScanFixity.sha256 == shas[3]).execute()
    report = fixity.verify_scans(store.root)
    assert [(p.sha256, p.detail) for p in report.problems] == [(shas[3], "sm3")]


def test_old_scans_are_back_filled(stored):
    store, shas = stored
    ScanFixity.delete().where(ScanFixity.sha256 == shas[4]).execute()  # pre-fixity scan
    ScanFixity.update(sm3="").where(ScanFixity.sha256 == shas[5]).execute()  # migration row
    report = fixity.verify_scans(store.root)
    assert report.ok and report.backfilled == 2
    for sha in shas[4:6]:
        row = ScanFixity.get(ScanFixity.sha256 == sha)
        assert row.sm3 == fixity.sm3_of(store.path_for(sha)) and row.status == "ok"


def test_sample_checks_a_share(stored):
    store, _shas = stored
    report = fixity.verify_scans(store.root, sample_percent=30, seed=1)
    assert (report.total, report.checked) == (10, 3)
    assert ScanFile.select().count() == 10
