"""Exactly once across crashes: journal states resumed in-process, and a real daemon SIGKILLed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hudang.scanners import samples
from hudang.scanners.daemon import Daemon
from hudang.scanners.files import check_readable
from hudang.scanners.ingestor import Ingestor
from hudang.scanners.journal import Claim, Journal
from hudang.scanners.pages import PagePool
from hudang.store import audit
from hudang.store.models import DocumentPage, IngestRecord, ScanFile
from hudang.store.services import ingest
from hudang.store.services.ingest import ScanStore

from tests.clihelp import service_account_env
from tests.scanners.conftest import visible_files, wait_for, watch_config

ROOT = Path(__file__).resolve().parents[2]


def _scan(path: Path, customer: str, seed: int) -> Path:
    return samples.write_tiff(path / f"{customer}_{seed}.tif",
                              [samples.page_image(seed=seed), samples.page_image(seed=seed + 50)])


def _assert_filed_exactly_once(inputs: dict[str, int]) -> None:
    """Every input SHA-256 has one scan file, filed (never a duplicate), with all its pages."""
    assert {s.sha256 for s in ScanFile.select()} == set(inputs)
    assert IngestRecord.select().where(IngestRecord.outcome == "duplicate").count() == 0
    assert IngestRecord.select().count() == len(inputs)
    for scan in ScanFile.select():
        pages = sorted(p.page_no for p in DocumentPage.select()
                       .where(DocumentPage.scan_file == scan))
        assert pages == list(range(1, inputs[scan.sha256] + 1))
    assert audit.verify().ok


@pytest.mark.parametrize("crash_point", ["claiming", "claimed", "filed", "committed",
                                         "quarantining"])
def test_a_restart_resumes_each_journal_state(archive, hot, store_dir, tmp_path, crash_point):
    src = _scan(hot.path, "3300012345", 1)
    data = src.read_bytes()
    journal = Journal(hot.work_dir)
    store = ScanStore(store_dir)
    ingestor = Ingestor(store, PagePool(0))
    kind, pages = check_readable(src)
    if crash_point == "claiming":  # journal written, rename never happened
        journal.write(Claim.new(src.name, kind, pages, src.stat().st_mtime))
    else:
        claim = ingestor.claim(hot, journal, src, kind, pages)
        assert [c.claim_id for c in journal.entries()] == [claim.claim_id]
        if crash_point == "filed":  # committed; the journal still holds only the claim
            ingestor._file(hot, journal, claim)
        elif crash_point == "committed":  # committed, original not yet let go
            ingestor._file(hot, journal, claim)
            claim.state = "committed"
            journal.write(claim)
        elif crash_point == "quarantining":
            claim.state, claim.stage, claim.last_error = "quarantining", "read", "boom"
            journal.write(claim)
    Daemon(watch_config(hot), store_dir).run(once=True)
    assert visible_files(hot.path) == []
    assert [p.name for p in hot.work_dir.iterdir()] == []
    if crash_point == "quarantining":
        assert (hot.error_dir / src.name).read_bytes() == data
        assert ScanFile.select().count() == 0
    else:
        _assert_filed_exactly_once({hashlib.sha256(data).hexdigest(): 2})


def _start_daemon(env: dict[str, str], log: Path, once: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-m", "hudang.cli", "watch"] + (["--once"] if once else [])
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "ab"), start_new_session=True)


def _daemon_env(tmp_path: Path, archive_url: str, hot: Path, store_dir: Path,
                station: str = "S1", home: Path | None = None) -> dict[str, str]:
    """The environment of a real `hudang watch` on `hot` as `station` (home: tmp_path/home)."""
    home = home or tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(f"""
[watch]
workers = 1
rescan_seconds = 1
[[watch.folders]]
path = "{hot}"
station = "{station}"
quiet_seconds = 0.2
""", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDANG_")}
    env.update(HUDANG_HOME=str(home), HUDANG_DATABASE_URL=archive_url,
               HUDANG_SCAN_STORE=str(store_dir), PYTHONPATH=str(ROOT))
    env.update(service_account_env(tmp_path / "secrets"))  # the daemon's own account
    return env


@pytest.mark.slow
def test_sigkill_mid_ingest_then_restart_files_everything_exactly_once(
        archive, archive_url, hot, store_dir, tmp_path):
    env = _daemon_env(tmp_path, archive_url, hot.path, store_dir)
    log = tmp_path / "daemon.log"
    staging = tmp_path / "staging"
    staging.mkdir()
    inputs: dict[str, int] = {}
    customers = ["3300012345", "3300054321", "3300099999"]
    for round_no in range(4):
        for k in range(3):  # fresh work for every life of the daemon
            src = _scan(staging, customers[k], round_no * 10 + k)
            inputs[hashlib.sha256(src.read_bytes()).hexdigest()] = 2
            os.replace(src, hot.path / src.name)
        before = IngestRecord.select().count()
        proc = _start_daemon(env, log)
        if round_no % 2 == 0:  # die while a file is claimed and being read or filed
            wait_for(lambda: any(p.suffix == ".tif" for p in hot.work_dir.glob("*"))
                     or IngestRecord.select().count() == len(inputs), timeout=60,
                     what="a claimed file")
        else:  # die right after a commit, before the original has been let go
            wait_for(lambda: IngestRecord.select().count() > before, timeout=60,
                     what="a commit")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    final = _start_daemon(env, log, once=True)
    assert final.wait(timeout=120) == 0, log.read_text(errors="replace")[-3000:]
    _assert_filed_exactly_once(inputs)
    assert visible_files(hot.path) == []
    assert [p.name for p in hot.work_dir.iterdir()] == []
    assert not hot.error_dir.exists() or visible_files(hot.error_dir) == []
    assert ingest.fsck(ScanStore(store_dir)).ok


def test_sigterm_stops_the_daemon_cleanly(archive, archive_url, hot, store_dir, tmp_path):
    env = _daemon_env(tmp_path, archive_url, hot.path, store_dir)
    log = tmp_path / "daemon.log"
    proc = _start_daemon(env, log)
    try:
        wait_for(lambda: b"native observer" in log.read_bytes(), timeout=60,
                 what="the daemon to start watching")
        src = _scan(tmp_path, "3300054321", 7)
        os.replace(src, hot.path / src.name)
        wait_for(lambda: IngestRecord.select().count() == 1, timeout=60, what="filing")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "stopped: filed 1" in text
    assert (Path(env["HUDANG_HOME"]) / "logs" / "watch.log").exists()
