"""Several stations, one archive: two real daemons, one database, one shared scan store."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from hudang.store import audit
from hudang.store.models import DocumentPage, IngestRecord, ScanFile
from hudang.store.services import ingest, views
from hudang.store.services.ingest import ScanStore

from tests.scanners.conftest import wait_for
from tests.scanners.test_crash_recovery import _daemon_env, _scan, _start_daemon


SHARED_AUDIT_KEY = "5a" * 32 + "\n"  # every station of one archive holds the same key


def _station(tmp_path: Path, name: str, archive_url: str, store_dir: Path) -> tuple[Path, dict]:
    """A hot folder and the environment of a daemon running as station `name`."""
    home, hot = tmp_path / f"home-{name}", tmp_path / f"hot-{name}"
    home.mkdir()
    hot.mkdir()
    key = home / "audit.key"  # copied from the first station, as docs/security.md says
    key.write_text(SHARED_AUDIT_KEY, encoding="ascii")
    key.chmod(0o600)
    return hot, _daemon_env(tmp_path, archive_url, hot, store_dir, station=name, home=home)


@pytest.mark.slow
def test_the_same_scan_at_two_stations_is_filed_once(archive, archive_url, store_dir,
                                                      tmp_path):
    hot_a, env_a = _station(tmp_path, "东区-1", archive_url, store_dir)
    hot_b, env_b = _station(tmp_path, "西区-2", archive_url, store_dir)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start_daemon(env_a, logs[0]), _start_daemon(env_b, logs[1])]
    try:
        for log in logs:
            wait_for(lambda log=log: b"native observer" in log.read_bytes(), timeout=60,
                     what="both daemons watching")
        staging = tmp_path / "staging"
        staging.mkdir()
        src = _scan(staging, "3300012345", 3)
        twin = staging / "twin.tif"
        shutil.copyfile(src, twin)
        os.replace(src, hot_a / "3300012345_a.tif")  # the same pages dropped at both at once
        os.replace(twin, hot_b / "3300012345_b.tif")
        wait_for(lambda: IngestRecord.select().count() == 2, timeout=120, what="both filings")
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(timeout=60) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    records = list(IngestRecord.select().order_by(IngestRecord.id))
    assert {r.station for r in records} == {"东区-1", "西区-2"}
    outcomes = sorted(r.outcome for r in records)
    assert outcomes[0] == "duplicate" and outcomes[1] != "duplicate", outcomes
    filed = next(r for r in records if r.outcome != "duplicate")
    assert ScanFile.select().count() == 1
    scan = ScanFile.get()
    assert scan.station == filed.station
    blobs = [p for p in store_dir.rglob("*") if p.is_file()]
    assert blobs == [ScanStore(store_dir).path_for(scan.sha256)]  # one blob, no temp left
    assert blobs[0].stat().st_nlink == 1
    assert ingest.fsck(ScanStore(store_dir)).ok
    assert audit.verify().ok
    actions = [e.action for e in audit.AuditEvent.select().where(
        audit.AuditEvent.action.in_(["scan.received", "scan.duplicate"]))]
    assert sorted(actions) == ["scan.duplicate", "scan.received"]
    # the desk's document view says which station filed the pages
    page = DocumentPage.get(DocumentPage.scan_file == scan)
    doc = views.document_info("id = ?", page.document_id)
    assert doc is not None and doc.scan_station == filed.station
    _desk_shows_station(doc, filed.station)


def _desk_shows_station(doc, station: str) -> None:
    """The desk's document panel names the scanning station (扫描工位)."""
    from rich.console import Console

    from hudang.store.services.dto import LookupResult
    from hudang.tui import render

    console = Console(width=100, record=True)
    console.print(render.result_body(LookupResult("document", doc.barcode or "", document=doc)))
    text = console.export_text()
    assert "扫描工位" in text and station in text


def test_a_blob_already_in_the_store_is_never_rewritten(tmp_path):
    store = ScanStore(tmp_path / "store")
    src = tmp_path / "a.bin"
    src.write_bytes(b"scan" * 1000)
    sha, _ = store.put(src)
    first = store.path_for(sha).stat()
    sha2, _ = store.put(src)
    again = store.path_for(sha).stat()
    assert sha2 == sha and (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert [p.name for p in (tmp_path / "store").rglob("*") if p.is_file()] == [sha]
