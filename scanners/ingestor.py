"""Filing one claimed file: claim, store, read pages, link, commit, then let the original go."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from hudang.store.audit import Actor
from hudang.store.services import ingest
from hudang.store.services.fixity import sm3_of
from hudang.store.services.ingest import (FilingRequest, FilingResult, PageRecord, ScanStore,
                                   SegmentRecord)

from hudang.scanners.config import FolderConfig
from hudang.scanners.files import MEDIA_TYPES
from hudang.scanners.journal import Claim, Journal, fsync_dir
from hudang.scanners.linking import DefaultLinker, Linker, ScanInfo
from hudang.scanners.pages import PagePool, page_jobs

log = logging.getLogger("hudang.scanners")

TRANSIENT_ERRNOS = {errno.EBUSY, errno.EAGAIN, errno.ENOSPC, errno.EDQUOT, errno.ETXTBSY,
                    errno.EINTR, errno.ETIMEDOUT, errno.ESTALE, errno.EIO}


class IngestFailed(Exception):
    """A claim cannot be filed; `stage` says where it failed."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


def is_transient(exc: BaseException) -> bool:
    """Busy files, a locked or unreachable database, a full disk: worth trying again."""
    if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
        return True
    return isinstance(exc, (pw.OperationalError, pw.InterfaceError, pw.IntegrityError))


@dataclass
class Outcome:
    """What processing a claim did: finished (with result), retry later, or quarantined."""

    status: str  # done / retry / quarantined
    result: FilingResult | None = None
    delay: float = 0.0


def unique_dest(folder: Path, name: str) -> str:
    """A path in `folder` for `name` that does not exist yet (bytes-safe)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = os.fsencode(folder)
    raw = os.fsencode(name)
    stem, dot, ext = raw.rpartition(b".")
    if not dot or not stem:
        stem, ext = raw, b""
    candidate, n = os.path.join(base, raw), 1
    while os.path.lexists(candidate):
        n += 1
        tail = f" ({n})".encode()
        candidate = os.path.join(base, stem + tail + (b"." + ext if ext else b""))
    return os.fsdecode(candidate)


def write_sidecar(dest: str, suffix: str, payload: dict) -> None:
    """Write `DEST<suffix>` (e.g. NAME.reason.json) durably."""
    path = dest + suffix
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Ingestor:
    """Everything that happens to a claimed file, for one hot folder at a time."""

    def __init__(self, store: ScanStore, pool: PagePool, linker: Linker | None = None,
                 actor: Actor | None = None) -> None:
        self.store = store
        self.pool = pool
        self.linker = linker or DefaultLinker()
        self.actor = actor or Actor("daemon", "scanner", "system")

    # -- claiming ---------------------------------------------------------------------------
    def claim(self, folder: FolderConfig, journal: Journal, path: Path, kind: str,
              pages: int) -> Claim | None:
        """Journal, then atomically rename `path` into the work folder; None if it vanished."""
        st = os.stat(path)
        claim = Claim.new(path.name, kind, pages, st.st_mtime)
        journal.write(claim)
        try:
            os.rename(path, journal.file_path(claim))
        except FileNotFoundError:
            journal.remove(claim)
            return None
        fsync_dir(folder.path)
        claim.state = "claimed"  # in memory: the durable "claiming" entry is what recovery needs
        log.info("claimed %s from %s (%s, %d page(s)) as %s", claim.display, folder.station,
                 kind, pages, claim.claim_id)
        return claim

    # -- processing -------------------------------------------------------------------------
    def process(self, folder: FolderConfig, journal: Journal, claim: Claim) -> Outcome:
        """File `claim` (or finish filing it after a restart); never raises for bad input."""
        try:
            result = ingest.recorded_outcome(claim.claim_id)
            if result is None:
                result = self._file(folder, journal, claim)
            # filed: only clean-up is left; the database's ingest record (not a journal write)
            # is what makes a restart skip straight to this clean-up
            claim.state, claim.stage = "committed", "finish"
            self._finish(folder, journal, claim, result)
            return Outcome("done", result)
        except IngestFailed as exc:
            self.quarantine(folder, journal, claim, exc.stage, str(exc))
            return Outcome("quarantined")
        except Exception as exc:  # noqa: BLE001 - every failure ends in error/ or a retry
            stage = getattr(exc, "stage", claim.stage or "file")
            claim.attempts += 1
            claim.last_error = f"{type(exc).__name__}: {exc}"
            # transient trouble (database restarting, disk full) gets a longer budget
            if is_transient(exc) and claim.attempts < folder.max_attempts * 4:
                delay = min(300.0, max(0.5, folder.quiet_seconds) * 2 ** claim.attempts)
                journal.write(claim)
                log.warning("%s: transient failure (%s), retry %d in %.1fs", claim.display,
                            claim.last_error, claim.attempts, delay)
                return Outcome("retry", delay=delay)
            log.exception("%s: failed at %s", claim.display, stage)
            self.quarantine(folder, journal, claim, stage, claim.last_error)
            return Outcome("quarantined")

    def _file(self, folder: FolderConfig, journal: Journal, claim: Claim) -> FilingResult:
        work = journal.file_path(claim)
        t0 = time.perf_counter()
        claim.stage = "store"
        sha, size = self.store.put(work)
        t1 = time.perf_counter()
        claim.stage = "read"
        jobs = page_jobs(work, claim.kind, claim.pages, dpi=folder.dpi,
                         retry_dpi=folder.retry_dpi, expect=folder.expect_barcode,
                         symbologies=folder.symbologies)
        results = self.pool.read_pages(jobs)
        if results and all(r.error for r in results):
            raise IngestFailed("read", "no page could be read: " + results[0].error)
        for r in results:
            if r.error:
                log.warning("%s page %d unreadable (filed without barcodes): %s",
                            claim.display, r.page, r.error)
        t2 = time.perf_counter()
        claim.stage = "link"
        info = ScanInfo(claim.display, folder.station, [r.barcodes for r in results],
                        folder.category, folder.customer, hot_folder=folder.hot_folder,
                        relative_path=claim.display, media_type=MEDIA_TYPES[claim.kind])
        plan = self.linker.link(info)
        if plan.ruleset is not None:
            log.debug("%s classified with rules %s", claim.display, plan.ruleset.version)
        claim.stage = "commit"
        request = FilingRequest(
            claim_id=claim.claim_id, sha256=sha, size=size,
            media_type=MEDIA_TYPES[claim.kind], original_name=claim.display,
            station=folder.station,
            pages=[PageRecord(r.page, [b.as_dict() for b in r.barcodes], r.error)
                   for r in results],
            segments=[SegmentRecord(s.pages, s.customer_number, s.category,
                                    s.document_barcode, s.source, s.reason, s.doc_type,
                                    s.title, s.business_process, s.rules, s.reason_detail)
                      for s in plan.segments],
            separator_pages=plan.separator_pages,
            scanned_at=dt.datetime.fromtimestamp(claim.mtime, dt.UTC).replace(tzinfo=None),
            actor=self.actor, ruleset=plan.ruleset,
            sm3=sm3_of(self.store.path_for(sha)))  # fixity: SM3 recorded at filing
        result = ingest.file_scan(request)
        log.debug("%s timings: store %.0f ms, pages %.0f ms, link+commit %.0f ms", claim.display,
                  (t1 - t0) * 1e3, (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3)
        return result

    def _finish(self, folder: FolderConfig, journal: Journal, claim: Claim,
                result: FilingResult) -> None:
        work = journal.file_path(claim)
        if os.path.lexists(work):
            if result.outcome == "duplicate":
                dest = unique_dest(folder.duplicates_dir, claim.original_name)
                write_sidecar(dest, ".duplicate.json", {
                    "sha256": result.sha256, "duplicate_of_documents": result.duplicate_of,
                    "original_name": claim.display, "time": _now_iso()})
                os.rename(work, dest)
                log.info("%s is a duplicate of document(s) %s: moved to %s", claim.display,
                         result.duplicate_of, folder.duplicates_dir)
            elif folder.done_dir is not None:
                dest = unique_dest(folder.done_dir, claim.original_name)
                shutil.move(work, dest)
                log.info("%s filed (%s): moved to %s", claim.display, _describe(result),
                         folder.done_dir)
            else:
                work.unlink()
                log.info("%s filed (%s)", claim.display, _describe(result))
        journal.remove(claim)

    def quarantine(self, folder: FolderConfig, journal: Journal, claim: Claim, stage: str,
                   message: str) -> None:
        """Move the claimed file to error/ with NAME.reason.json beside it."""
        claim.state, claim.stage = "quarantining", stage
        journal.write(claim)
        work = journal.file_path(claim)
        if os.path.lexists(work):
            dest = unique_dest(folder.error_dir, claim.original_name)
            write_sidecar(dest, ".reason.json", {
                "stage": stage, "message": message, "attempts": max(1, claim.attempts),
                "time": _now_iso(), "station": folder.station, "original_name": claim.display,
                "claim_id": claim.claim_id})
            os.rename(work, dest)
            log.error("%s quarantined in %s (%s: %s)", claim.display, folder.error_dir, stage,
                      message)
        journal.remove(claim)

    def recover(self, folder: FolderConfig, journal: Journal) -> list[Claim]:
        """Claims to resume after a restart; settles those that had already finished."""
        resume = []
        journal.clean_temp()
        for claim in journal.entries():
            present = journal.file_path(claim).exists()
            if present and claim.state == "quarantining":
                self.quarantine(folder, journal, claim, claim.stage, claim.last_error
                                or "interrupted while quarantining")
            elif present:
                log.info("resuming %s (%s, state %s)", claim.display, claim.claim_id,
                         claim.state)
                resume.append(claim)
            else:  # never renamed (still in the hot folder) or already moved on
                journal.remove(claim)
        return resume


def _describe(result: FilingResult) -> str:
    parts = [f"document {d.document_id} ({d.customer_number} {d.category}"
             f"{' ' + d.doc_type if d.doc_type else ''}, {len(d.pages)} p."
             f"{', retention ' + d.retention_class if d.retention_class else ''})"
             for d in result.documents]
    if result.attention_ids:
        parts.append(f"needs attention: item(s) {result.attention_ids}")
    return "; ".join(parts) or result.outcome


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def quarantine_unclaimed(folder: FolderConfig, journal: Journal, ingestor: Ingestor,
                         path: Path, stage: str, message: str, attempts: int) -> None:
    """Claim a file that never became readable, then quarantine it (nothing is deleted)."""
    st = os.stat(path)
    claim = Claim.new(path.name, "unknown", 0, st.st_mtime)
    claim.work_name = f"{claim.claim_id}.bin"
    claim.attempts = attempts
    journal.write(claim)
    try:
        os.rename(path, journal.file_path(claim))
    except FileNotFoundError:
        journal.remove(claim)
        return
    ingestor.quarantine(folder, journal, claim, stage, message)

