"""A site backed up while a real daemon files scans, restored into a new home: nothing lost."""

from __future__ import annotations

import json
import os
import signal

import pytest

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.models import IngestRecord
from hudang.store.services import dbcopy
from hudang.store.services.backup import BackupError, make_backup, restore_backup

from tests.conftest import make_backend_url
from tests.scanners.conftest import wait_for
from tests.scanners.test_crash_recovery import _daemon_env, _scan, _start_daemon


def _live_facts() -> tuple[dict[str, int], str]:
    db = dbmod.require_database()
    chain = audit.verify()
    assert chain.ok
    return dbcopy.count_rows(db, dbcopy.data_tables(db)), chain.head_hash


def _restore(url, home, folder):
    home.mkdir(exist_ok=True)
    return restore_backup(folder, url, home / "scans", home / "rules", home, fixity_sample=None)


def _restore_into_new_home(backend, tmp_path, name, folder):
    url, cleanup = make_backend_url(backend, tmp_path / name)
    return _restore(url, tmp_path / name, folder), cleanup, url


@pytest.mark.slow
def test_backup_during_ingest_restores_every_count_and_the_audit_chain(
        archive, archive_url, backend, hot, store_dir, tmp_path):
    env = _daemon_env(tmp_path, archive_url, hot.path, store_dir)
    log = tmp_path / "daemon.log"
    staging = tmp_path / "staging"
    staging.mkdir()
    customers = ["3300012345", "3300054321", "3300099999"]
    scans = [_scan(staging, customers[k % 3], k * 7) for k in range(6)]
    proc = _start_daemon(env, log)
    cleanups = []
    try:
        for src in scans:
            os.replace(src, hot.path / src.name)
        wait_for(lambda: IngestRecord.select().count() >= 1, timeout=120, what="first filing")
        during = make_backup(tmp_path / "during", archive_url, store_dir, None, None,
                             home=tmp_path / "home")
        wait_for(lambda: IngestRecord.select().count() == len(scans), timeout=180,
                 what="every scan filed")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        live_counts, live_head = _live_facts()
        after = make_backup(tmp_path / "after", archive_url, store_dir, None, None,
                            home=tmp_path / "home")
        assert after.counts == live_counts and after.audit_head == live_head
        assert after.blobs == len(scans)

        # the backup made mid-ingest restores to exactly its own snapshot
        report, cleanup, _ = _restore_into_new_home(backend, tmp_path, "r1",
                                                    tmp_path / "during")
        cleanups.append(cleanup)
        manifest = json.loads((tmp_path / "during" / "manifest.json").read_text("utf-8"))
        assert report.ok, report
        assert report.counts == during.counts == manifest["counts"]
        assert report.audit_head == during.audit_head
        assert report.fixity.checked == during.blobs

        # the backup made after the daemon stopped restores to the live archive exactly
        report, cleanup, url = _restore_into_new_home(backend, tmp_path, "r2",
                                                      tmp_path / "after")
        cleanups.append(cleanup)
        assert report.ok, report
        assert report.counts == live_counts
        assert report.audit_head == live_head and report.audit_events == after.audit_events
        assert report.fixity.checked == len(scans) and report.fixity.ok

        # restoring again over that archive needs --force
        with pytest.raises(BackupError, match="--force"):
            _restore(url, tmp_path / "r2", tmp_path / "after")
        report = restore_backup(tmp_path / "after", url, tmp_path / "r2" / "scans",
                                tmp_path / "r2" / "rules", tmp_path / "r2", force=True)
        assert report.ok and report.counts == live_counts
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for cleanup in cleanups:
            cleanup()


def test_a_damaged_backup_is_refused_before_anything_is_touched(archive, archive_url,
                                                                 store_dir, tmp_path):
    make_backup(tmp_path / "bk", archive_url, store_dir, None, None)
    db_file = tmp_path / "bk" / "archive.sqlite3"
    data = bytearray(db_file.read_bytes())
    data[-100] ^= 0xFF
    db_file.write_bytes(bytes(data))
    target = tmp_path / "new" / "archive.sqlite3"
    with pytest.raises(BackupError, match="archive.sqlite3"):
        restore_backup(tmp_path / "bk", f"sqlite:///{target}", tmp_path / "new" / "scans",
                       tmp_path / "new" / "rules", tmp_path / "new")
    assert not target.exists()
