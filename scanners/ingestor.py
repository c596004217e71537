"""Filing one claimed file: claim, store, read pages, link, commit, then let the original go."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import shutil
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import peewee as pw

from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.services import ingest
from hudang.store.services.ingest import (FilingRequest, FilingResult, IngestOutcome, PageRecord,
                                          ScanStore)

from hudang.scanners.config import FolderConfig
from hudang.scanners.files import MEDIA_TYPES, display_name
from hudang.scanners.journal import Claim, ClaimState, Journal, fsync_dir
from hudang.scanners.linking import DefaultLinker, Linker, ScanInfo
from hudang.scanners.pages import PagePool, page_jobs
from hudang.scanners.placing import place, unique_dest, write_sidecar  # noqa: F401 - re-export
from hudang.scanners.retry import transient_policy
from hudang.scanners.stability import Signature, signature

log = logging.getLogger("hudang.scanners")

TRANSIENT_ERRNOS = {errno.EBUSY, errno.EAGAIN, errno.ENOSPC, errno.EDQUOT, errno.ETXTBSY,
                    errno.EINTR, errno.ETIMEDOUT, errno.ESTALE, errno.EIO}


class IngestFailed(Exception):
    """A claim cannot be filed; `stage` says where it failed."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


class FileChanged(Exception):
    """The claimed file is no longer the bytes that were checked: it goes back to be taken anew."""


def is_transient(exc: BaseException) -> bool:
    """Busy files, a locked or unreachable database, a full disk: worth trying again."""
    if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
        return True
    return isinstance(exc, (pw.OperationalError, pw.InterfaceError, pw.IntegrityError))


class Status(StrEnum):
    """What processing a claim came to."""

    DONE = "done"  # filed (see the result's outcome)
    RETRY = "retry"  # transient trouble: try again after `delay`
    QUARANTINED = "quarantined"  # moved to error/ with its reason
    RETURNED = "returned"  # changed after it was checked: back in the hot folder


@dataclass
class Outcome:
    """What processing a claim did: finished (with result), retry later, quarantined, returned."""

    status: Status
    result: FilingResult | None = None
    delay: float = 0.0


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
              pages: int, checked: Signature | None = None) -> Claim | None:
        """Journal, then atomically rename `path` into the work folder.

        None when the file vanished or no longer has the signature `checked` (what was read
        to count its pages): it is then looked at again as what it now is.
        """
        sig = signature(path)
        if sig is None or (checked is not None and sig != checked):
            return None
        claim = Claim.new(path.name, kind, pages, sig.mtime_ns / 1e9, tuple(sig))
        journal.write(claim)
        try:
            os.rename(path, journal.file_path(claim))
        except FileNotFoundError:
            journal.remove(claim)
            return None
        fsync_dir(folder.path)
        claim.state = ClaimState.CLAIMED  # in memory: the durable "claiming" entry suffices
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
            claim.state, claim.stage = ClaimState.COMMITTED, "finish"
            self._finish(folder, journal, claim, result)
            return Outcome(Status.DONE, result)
        except FileChanged as exc:
            self.give_back(folder, journal, claim, str(exc))
            return Outcome(Status.RETURNED)
        except IngestFailed as exc:
            self.quarantine(folder, journal, claim, exc.stage, str(exc))
            return Outcome(Status.QUARANTINED)
        except Exception as exc:  # noqa: BLE001 - every failure ends in error/ or a retry
            return self._failed(folder, journal, claim, exc)

    def _failed(self, folder: FolderConfig, journal: Journal, claim: Claim,
                exc: Exception) -> Outcome:
        """Transient trouble (database restarting, disk full) is retried; the rest quarantined."""
        stage = getattr(exc, "stage", claim.stage or "file")
        claim.attempts += 1
        claim.last_error = f"{type(exc).__name__}: {exc}"
        policy = transient_policy(folder.quiet_seconds, folder.max_attempts)
        if is_transient(exc) and not policy.exhausted(claim.attempts):
            delay = policy.delay(claim.attempts)
            journal.write(claim)
            log.warning("%s: transient failure (%s), retry %d in %.1fs", claim.display,
                        claim.last_error, claim.attempts, delay)
            return Outcome(Status.RETRY, delay=delay)
        log.exception("%s: failed at %s", claim.display, stage)
        self.quarantine(folder, journal, claim, stage, claim.last_error)
        return Outcome(Status.QUARANTINED)

    def _still_as_checked(self, work: Path, claim: Claim, stage: str) -> None:
        """Raise FileChanged when the claimed file's size, mtime or inode moved since its check."""
        expected = claim.signature
        if expected is None:
            return
        now = signature(work)
        if now is not None and tuple(now) != tuple(expected):
            raise FileChanged(f"changed while being filed (before {stage}): size "
                              f"{expected[0]} -> {now.size}")

    def _file(self, folder: FolderConfig, journal: Journal, claim: Claim) -> FilingResult:
        work = journal.file_path(claim)
        t0 = time.perf_counter()
        claim.stage = "store"
        sha, size = self.store.put(work)
        self._still_as_checked(work, claim, "reading its pages")
        if claim.size >= 0 and size != claim.size:
            raise FileChanged(f"read {size} bytes where {claim.size} were checked")
        t1 = time.perf_counter()
        claim.stage = "read"  # pages come from the stored copy: exactly the bytes filed
        jobs = page_jobs(self.store.path_for(sha), claim.kind, claim.pages, dpi=folder.dpi,
                         retry_dpi=folder.retry_dpi, expect=folder.expect_barcode,
                         symbologies=folder.symbologies, scheme=self._scheme())
        results = self.pool.read_pages(jobs)
        if results and all(r.error for r in results):
            raise IngestFailed("read", "no page could be read: " + results[0].error)
        for r in results:
            if r.error or r.damaged:
                log.warning("%s page %d damaged (sent to the needs-attention queue): %s",
                            claim.display, r.page, r.error or r.damaged)
            for b in r.barcodes:
                if b.suspect:
                    log.warning("%s page %d: barcode %r not trusted (%s)", claim.display,
                                r.page, b.value, b.suspect)
        t2 = time.perf_counter()
        claim.stage = "link"
        trusted = [[b for b in r.barcodes if not b.suspect] for r in results]
        info = ScanInfo(claim.display, folder.station, trusted,
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
            pages=[PageRecord(r.page, [b.as_dict() for b in r.barcodes], r.error, r.damaged)
                   for r in results],
            segments=plan.segments,
            separator_pages=plan.separator_pages,
            scanned_at=dt.datetime.fromtimestamp(claim.mtime, dt.UTC).replace(tzinfo=None),
            actor=self.actor, ruleset=plan.ruleset)
        self._still_as_checked(work, claim, "committing")
        result = ingest.file_scan(request)
        log.debug("%s timings: store %.0f ms, pages %.0f ms, link+commit %.0f ms", claim.display,
                  (t1 - t0) * 1e3, (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3)
        return result

    def _scheme(self):
        """The barcode scheme decoded values are checked against (the rules' when loaded)."""
        return getattr(self.linker, "scheme", None) or default_scheme()

    def _finish(self, folder: FolderConfig, journal: Journal, claim: Claim,
                result: FilingResult) -> None:
        """Let the filed original go: duplicates/, done/ or deleted, only if it is unchanged."""
        work = journal.file_path(claim)
        if os.path.lexists(work):
            self._still_as_checked(work, claim, "letting the original go")
            if result.outcome == IngestOutcome.DUPLICATE:
                place(work, folder.duplicates_dir, claim.original_name, claim.fallback_name,
                      ".duplicate.json", {
                          "sha256": result.sha256,
                          "duplicate_of_documents": result.duplicate_of,
                          "original_name": claim.display, "time": _now_iso()})
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

    def give_back(self, folder: FolderConfig, journal: Journal, claim: Claim,
                  why: str) -> None:
        """Return a claimed file that changed after its check to the hot folder, to be retaken."""
        work = journal.file_path(claim)
        if os.path.lexists(work):
            dest = unique_dest(folder.path, claim.original_name)
            os.rename(work, dest)
            fsync_dir(folder.path)
            log.warning("%s %s: returned to the hot folder to be taken again as it is now",
                        claim.display, why)
        journal.remove(claim)

    def quarantine(self, folder: FolderConfig, journal: Journal, claim: Claim, stage: str,
                   message: str) -> None:
        """Move the claimed file to error/ with NAME.reason.json beside it."""
        claim.state, claim.stage = ClaimState.QUARANTINING, stage
        claim.last_error = claim.last_error or message
        journal.write(claim)
        work = journal.file_path(claim)
        if os.path.lexists(work):
            dest = place(work, folder.error_dir, claim.original_name, claim.fallback_name,
                         ".reason.json", {
                             "stage": stage, "message": message,
                             "attempts": max(1, claim.attempts), "time": _now_iso(),
                             "station": folder.station, "original_name": claim.display,
                             "claim_id": claim.claim_id})
            log.error("%s quarantined in %s as %s (%s: %s)", claim.display, folder.error_dir,
                      display_name(os.path.basename(os.fsdecode(dest))), stage, message)
        journal.remove(claim)

    def recover(self, folder: FolderConfig, journal: Journal) -> list[Claim]:
        """Claims to resume after a restart; settles those that had already finished.

        One claim that cannot be settled is logged and left for the next start: recovery
        never stops the daemon.
        """
        resume = []
        journal.clean_temp()
        for claim in journal.entries():
            try:
                if self._recover_one(folder, journal, claim):
                    resume.append(claim)
            except Exception:  # noqa: BLE001 - one file never stops the start-up
                log.exception("%s (%s): could not be recovered; left in %s for the next start",
                              claim.display, claim.claim_id, journal.work_dir)
        return resume

    def _recover_one(self, folder: FolderConfig, journal: Journal, claim: Claim) -> bool:
        present = os.path.lexists(journal.file_path(claim))
        if present and claim.state == ClaimState.QUARANTINING:
            self.quarantine(folder, journal, claim, claim.stage, claim.last_error
                            or "interrupted while quarantining")
            return False
        if present:
            log.info("resuming %s (%s, state %s)", claim.display, claim.claim_id, claim.state)
            return True
        journal.remove(claim)  # never renamed (still in the hot folder) or already moved on
        return False


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
    claim = Claim.new(path.name, "unknown", 0, st.st_mtime, (st.st_size, st.st_mtime_ns,
                                                             st.st_ino))
    claim.work_name = f"{claim.claim_id}.bin"
    claim.attempts = attempts
    journal.write(claim)
    try:
        os.rename(path, journal.file_path(claim))
    except FileNotFoundError:
        journal.remove(claim)
        return
    ingestor.quarantine(folder, journal, claim, stage, message)

