"""The hot-folder daemon: watch, wait for files to settle, claim, and hand them to the ingestor."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import logging.handlers
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from hudang.store import barcodes as barcodes_mod
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.services.ingest import ScanStore

from hudang.scanners.config import FolderConfig, WatchConfig, filesystem_type, is_network_path
from hudang.scanners.files import (NotReadable, Unfileable, check_readable, display_name,
                                   is_ignored)
from hudang.scanners.ingestor import Ingestor, Status, quarantine_unclaimed
from hudang.scanners.journal import Claim, Journal
from hudang.scanners.linking import Linker
from hudang.scanners.pages import PagePool
from hudang.scanners.retry import RetryPolicy, validate_policy
from hudang.scanners.rules_linking import RulesLinker
from hudang.scanners.stability import Pending, StabilityTracker

log = logging.getLogger("hudang.scanners")
SETTLE_RETRY = RetryPolicy(first=30.0, attempts=1 << 30)  # a claim is never given up


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> None:
    """Log to stderr and, when configured, to a rotating file (names are never fatal)."""
    root = logging.getLogger("hudang")
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not any(getattr(h, "_hudang", False) for h in root.handlers):
        err = _StderrHandler()
        err.setFormatter(fmt)
        err._hudang = True  # type: ignore[attr-defined]
        root.addHandler(err)
        if log_file is not None:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            fh = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000,
                                                      backupCount=5, encoding="utf-8",
                                                      errors="backslashreplace")
            fh.setFormatter(fmt)
            fh._hudang = True  # type: ignore[attr-defined]
            root.addHandler(fh)


class _Events(FileSystemEventHandler):
    def __init__(self, sink: queue.Queue) -> None:
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        for p in (event.src_path, getattr(event, "dest_path", "")):
            if p:
                self.sink.put(os.fsdecode(p))


class Daemon:
    """Watches every configured hot folder and files what lands there, exactly once."""

    def __init__(self, config: WatchConfig, scan_store: Path, *, linker: Linker | None = None,
                 actor: Actor | None = None, rules_dir: Path | None = None) -> None:
        self.config = config
        self.rules = None  # a rules.holder.RulesHolder when `rules_dir` exists
        if linker is None and rules_dir is not None:
            linker = self._rules_linker(Path(rules_dir))
        self.pool = PagePool(config.workers, config.decoder)
        self.ingestor = Ingestor(ScanStore(scan_store), self.pool, linker, actor)
        self.journals = {f.path: Journal(f.work_dir) for f in config.folders}
        self.by_path = {f.path: f for f in config.folders}
        self.stability = StabilityTracker()
        self.unsettled: dict[str, int] = {}  # claim id -> failed attempts to settle it
        self.ready: list[tuple[FolderConfig, Claim, float]] = []
        self.inflight: dict[cf.Future, tuple[FolderConfig, Claim]] = {}
        self.events: queue.Queue[str] = queue.Queue()
        self.stop_event = threading.Event()
        self.wake = threading.Event()  # set when a file finishes, so the next one starts at once
        self.observers: list = []
        # files in hand: while some wait on fsyncs and commits, the others' pages keep every
        # worker busy (single-page files spend as long in I/O as in their page)
        self.capacity = max(4, 4 * config.workers)
        self.threads = cf.ThreadPoolExecutor(max_workers=self.capacity,
                                             thread_name_prefix="ingest")
        self.stats = {"filed": 0, "duplicate": 0, "attention": 0, "quarantined": 0,
                      "returned": 0}

    @property
    def pending(self) -> dict[Path, Pending]:
        """Files seen and not yet claimed (the stability tracker's entries)."""
        return self.stability.pending

    # -- rules --------------------------------------------------------------------------------
    def _rules_linker(self, rules_dir: Path) -> Linker | None:
        if not rules_dir.is_dir():
            log.warning("rules directory %s does not exist: linking with the built-in default "
                        "linker (separator sheets, document labels, customer numbers)", rules_dir)
            return None
        from hudang.rules.holder import RulesHolder

        self.rules = RulesHolder(rules_dir)
        self.rules.subscribe(self._rules_changed)
        self._scheme_before = barcodes_mod.default_scheme()
        return RulesLinker(self.rules)

    def _rules_changed(self, ruleset, error) -> None:
        """Install a valid set's barcode scheme; on an error the last good set stays."""
        if ruleset is not None:
            barcodes_mod.set_default_scheme(ruleset.barcode_scheme())
            log.info("classifying with rules version %s from %s", ruleset.version,
                     ruleset.directory)
            return
        first = error.errors[0] if getattr(error, "errors", None) else error
        keep = self.rules.version if self.rules is not None else ""
        log.error("rule change rejected (%s); %s", first,
                  f"still classifying with rules version {keep}" if keep else
                  "no valid rules yet: files wait in the hot folders")

    def _rules_ready(self) -> bool:
        return getattr(self.ingestor.linker, "ready", True)

    def _start_rules(self, once: bool) -> bool:
        """Load (and unless `once`, watch) the rules; False when no valid set is active."""
        if self.rules is None:
            return True
        if once:
            self.rules.reload()
        else:
            self.rules.start()
        return self.rules.current is not None

    # -- discovery ----------------------------------------------------------------------------
    def observe(self, path: Path, folder: FolderConfig, now: float) -> None:
        """Note a file's signature; a change restarts its quiet period."""
        self.stability.observe(path, folder, now)

    def rescan(self, now: float) -> None:
        """List every hot folder: the safety net under the observer's events."""
        for folder in self.config.folders:
            try:
                names = os.listdir(folder.path)
            except OSError as exc:
                log.error("cannot list hot folder %s: %s", folder.path, exc)
                continue
            for name in names:
                if not is_ignored(name):
                    self.observe(folder.path / name, folder, now)

    def _drain_events(self, now: float) -> None:
        while True:
            try:
                raw = self.events.get_nowait()
            except queue.Empty:
                return
            path = Path(raw)
            folder = self.by_path.get(path.parent)
            if folder is not None and not is_ignored(path.name):
                self.observe(path, folder, now)

    def start_observers(self) -> None:
        """One native observer for local folders, one polling observer for network shares."""
        handler = _Events(self.events)
        native, polling = None, {}
        for folder in self.config.folders:
            use_polling = folder.polling if folder.polling is not None else \
                is_network_path(folder.path)
            fstype = filesystem_type(folder.path) or "unknown"
            if use_polling:
                obs = polling.get(folder.poll_interval)
                if obs is None:
                    obs = polling[folder.poll_interval] = PollingObserver(
                        timeout=folder.poll_interval)
                obs.schedule(handler, str(folder.path), recursive=False)
                log.info("watching %s (station %s, filesystem %s) with the POLLING observer "
                         "every %.1fs", folder.path, folder.station, fstype, folder.poll_interval)
            else:
                native = native or Observer()
                native.schedule(handler, str(folder.path), recursive=False)
                log.info("watching %s (station %s, filesystem %s) with the native observer",
                         folder.path, folder.station, fstype)
        self.observers = [o for o in [native, *polling.values()] if o is not None]
        for obs in self.observers:
            obs.daemon = True
            obs.start()

    def _revive_observers(self) -> None:
        """An observer thread that died (share unmounted, inotify error) is started afresh."""
        if not self.config.folders or (self.observers
                                       and all(o.is_alive() for o in self.observers)):
            return
        if self.observers:
            log.warning("an observer stopped; restarting the observers")
        for obs in self.observers:
            obs.stop()
        try:
            self.start_observers()
        except OSError as exc:  # tried again at the next rescan; rescans go on meanwhile
            log.error("cannot start the observers: %s", exc)
            self.observers = []

    # -- settling and claiming ----------------------------------------------------------------
    def _check_pending(self, now: float) -> None:
        if not self._rules_ready():  # invalid rules since start-up: take nothing yet
            return
        room = self.capacity * 2 - len(self.inflight) - len(self.ready)
        for entry in self.stability.settled(now):
            if room <= 0 or self.stop_event.is_set():
                return
            try:
                taken = self._settle(entry, now)
            except Exception:  # noqa: BLE001 - one file never stops the daemon
                log.exception("%s: could not be looked at; trying again later",
                              display_name(entry.path.name))
                self.stability.postpone(entry, now + 30.0)
                taken = False
            if taken:
                room -= 1
                self._dispatch(now)  # its pages start while the next files are checked

    def _settle(self, entry: Pending, now: float) -> bool:
        """Check that a settled file opens whole, then claim it (or schedule another look)."""
        folder = entry.folder
        try:
            kind, pages = check_readable(entry.path)
        except Unfileable as exc:
            entry.attempts, entry.last_error = 1, str(exc)
            return self._give_up(entry, now)
        except NotReadable as exc:
            entry.attempts += 1
            entry.last_error = str(exc)
            policy = validate_policy(folder.quiet_seconds, folder.max_attempts)
            if policy.exhausted(entry.attempts):
                return self._give_up(entry, now)
            delay = policy.delay(entry.attempts)
            self.stability.postpone(entry, now + delay)
            log.info("%s not ready (%s): check %d again in %.1fs",
                     display_name(entry.path.name), exc, entry.attempts, delay)
            return False
        except OSError as exc:  # vanished or busy: look again later
            self.stability.postpone(entry, now + max(0.5, folder.quiet_seconds))
            log.debug("%s: %s", display_name(entry.path.name), exc)
            return False
        if not self.stability.unchanged(entry):  # written to while it was being checked
            self.observe(entry.path, folder, now)
            return False
        self.stability.forget(entry.path)
        try:
            claim = self.ingestor.claim(folder, self.journals[folder.path], entry.path, kind,
                                        pages, entry.sig)
        except OSError as exc:
            log.warning("could not claim %s: %s", display_name(entry.path.name), exc)
            return False
        if claim is not None:
            self.ready.append((folder, claim, now))
        return claim is not None

    def _give_up(self, entry: Pending, now: float) -> bool:
        """Quarantine a file that will never open (it is claimed first: nothing is deleted)."""
        folder = entry.folder
        try:
            quarantine_unclaimed(folder, self.journals[folder.path], self.ingestor, entry.path,
                                 "validate", entry.last_error, entry.attempts)
        except OSError as err:
            self.stability.postpone(entry, now + 30.0)
            log.error("cannot quarantine %s: %s", display_name(entry.path.name), err)
            return False
        self.stability.forget(entry.path)
        self.stats["quarantined"] += 1
        return False

    # -- processing ---------------------------------------------------------------------------
    def _dispatch(self, now: float) -> None:
        waiting = []
        ready = self._rules_ready()
        for folder, claim, not_before in self.ready:
            if len(self.inflight) >= self.capacity or not_before > now \
                    or self.stop_event.is_set() or not ready:
                waiting.append((folder, claim, not_before))
                continue
            fut = self.threads.submit(self._process, folder, claim)
            self.inflight[fut] = (folder, claim)
            fut.add_done_callback(lambda _f: self.wake.set())
        self.ready = waiting

    def _process(self, folder: FolderConfig, claim: Claim):
        try:
            return self.ingestor.process(folder, self.journals[folder.path], claim)
        finally:
            dbmod.database.close()  # this worker thread's connection; reopened on demand

    def _collect(self, now: float) -> None:
        for fut in [f for f in self.inflight if f.done()]:
            folder, claim = self.inflight.pop(fut)
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. error/ unwritable: keep it, retry
                failures = self.unsettled[claim.claim_id] = \
                    self.unsettled.get(claim.claim_id, 0) + 1
                delay = SETTLE_RETRY.delay(failures)  # 30 s, 60 s … at most 5 min
                if failures == 1:  # the traceback once; then one line per try
                    log.exception("%s: could not be settled; trying again in %.0fs",
                                  claim.display, delay)
                else:
                    log.error("%s: still cannot be settled (try %d: %s); next in %.0fs",
                              claim.display, failures, exc, delay)
                self.ready.append((folder, claim, now + delay))
                continue
            self.unsettled.pop(claim.claim_id, None)
            if outcome.status == Status.RETRY:
                self.ready.append((folder, claim, now + outcome.delay))
            elif outcome.status in (Status.QUARANTINED, Status.RETURNED):
                self.stats[str(outcome.status)] += 1
            else:
                self.stats[str(outcome.result.outcome)] += 1

    def idle(self) -> bool:
        return not (self.stability.pending or self.ready or self.inflight)

    # -- running ------------------------------------------------------------------------------
    def run(self, once: bool = False) -> int:
        """Run until SIGTERM (or, with `once`, until what was present has been handled)."""
        restore = self._install_signals()
        try:
            if not self._start_rules(once):
                err = self.rules.last_error
                first = err.errors[0] if getattr(err, "errors", None) else err
                log.error("no valid rules in %s (%s%s): %s", self.rules.directory, first,
                          f" and {len(err.errors) - 1} more" if getattr(err, "errors", None)
                          and len(err.errors) > 1 else "",
                          "giving up (--once)" if once else
                          "files wait in the hot folders until the rules are fixed")
                if once:
                    return 2
            for folder in self.config.folders:
                try:
                    for sub in (folder.path, folder.error_dir, folder.duplicates_dir):
                        sub.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    log.error("cannot use hot folder %s: %s", folder.path, exc)
                    return 2
                for claim in self.ingestor.recover(folder, self.journals[folder.path]):
                    self.ready.append((folder, claim, 0.0))
            now = time.monotonic()
            self.rescan(now)
            if not once:
                self._revive_observers()
            last_rescan = now
            tick = min([max(0.05, min(0.5, f.quiet_seconds / 4)) for f in self.config.folders]
                       or [0.5])
            while not self.stop_event.is_set():
                now = time.monotonic()
                self._collect(now)
                self._drain_events(now)
                if not once and now - last_rescan >= self.config.rescan_seconds:
                    self.rescan(now)
                    self._revive_observers()
                    last_rescan = now
                self._check_pending(now)
                self._dispatch(now)
                if once and self.idle():
                    break
                self.wake.wait(tick)
                self.wake.clear()
        finally:
            self.shutdown()
            restore()
        log.info("stopped: %s", ", ".join(f"{k} {v}" for k, v in self.stats.items()))
        return 0

    def shutdown(self) -> None:
        """Stop observers, let in-flight files finish their step, stop the workers."""
        for obs in self.observers:
            obs.stop()
        for obs in self.observers:
            obs.join(timeout=5)
        if self.rules is not None:
            self.rules.stop()
            barcodes_mod.set_default_scheme(self._scheme_before)
        self.threads.shutdown(wait=True, cancel_futures=True)
        for fut in list(self.inflight):
            if fut.done() and not fut.cancelled():
                self._collect(time.monotonic())
        self.pool.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()

    def _install_signals(self):
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

        def handler(signum, _frame):
            log.info("signal %d: finishing the files in hand, then stopping", signum)
            self.stop_event.set()
            self.wake.set()

        for s in previous:
            signal.signal(s, handler)
        return lambda: [signal.signal(s, h) for s, h in previous.items()]
