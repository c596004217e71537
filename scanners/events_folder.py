"""The events folder: business-event files dropped in are imported exactly once.

A separate, small path beside the scan daemon (dispatched by folder kind): a file is taken
only after its size and modification time held still for `quiet_seconds`; it is claimed by an
atomic rename into `.work/`, imported in one transaction (`import_events`, idempotent by event
key), then moved to `done/` — or to `error/` with `NAME.errors.txt` listing every bad row. A
crash between commit and move leaves the file in `.work/`; the next start imports it again,
which adds nothing (the events are already known), and finishes the move. So each event is
imported exactly once however often the file is seen.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError, ImportFailed
from hudang.store.services.business_import import import_events

log = logging.getLogger("hudang.scanners.events")
SUFFIXES = (".csv", ".xlsx", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class EventFileOutcome:
    name: str
    status: str  # imported / rejected / failed
    detail: str


class EventsFolder:
    """Watches one folder for event files (polling: exports often land on network shares)."""

    def __init__(self, path: Path, rules: Callable[[], object], actor: Actor,
                 quiet_seconds: float = 2.0) -> None:
        self.path = Path(path)
        self.rules = rules  # returns the current BusinessRulesLike (live-reloaded rules)
        self.actor = actor
        self.quiet_seconds = quiet_seconds
        self.work, self.done, self.error = (self.path / ".work", self.path / "done",
                                            self.path / "error")
        self._seen: dict[Path, tuple[int, int, float]] = {}
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _dirs(self) -> None:
        for d in (self.work, self.done, self.error):
            d.mkdir(parents=True, exist_ok=True)

    def _stable(self, now: float) -> list[Path]:
        """Candidate files whose size and mtime have not changed for `quiet_seconds`."""
        ready = []
        current: set[Path] = set()
        for entry in sorted(self.path.iterdir()):
            if not entry.is_file() or entry.name.startswith((".", "~$")) or \
                    entry.suffix.lower() not in SUFFIXES:
                continue
            current.add(entry)
            st = entry.stat()
            sig = (st.st_size, st.st_mtime_ns)
            seen = self._seen.get(entry)
            if seen is None or seen[:2] != sig:
                self._seen[entry] = (*sig, now)
            elif now - seen[2] >= self.quiet_seconds:
                ready.append(entry)
        self._seen = {p: v for p, v in self._seen.items() if p in current}
        return ready

    def _claim(self, path: Path) -> Path | None:
        target = self.work / f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{path.name}"
        try:
            os.rename(path, target)  # atomic: exactly one claimer wins
        except FileNotFoundError:
            return None
        self._seen.pop(path, None)
        return target

    def _process(self, claimed: Path) -> EventFileOutcome:
        original = claimed.name.split("-", 2)[-1]
        try:
            res = import_events(claimed, self.actor, self.rules())
        except ImportFailed as exc:
            dest = _free(self.error / original)
            os.replace(claimed, dest)
            lines = [str(exc)] + [f"row {r}: {m}" for r, m in exc.problems]
            dest.with_name(dest.name + ".errors.txt").write_text("\n".join(lines) + "\n",
                                                                 encoding="utf-8")
            log.warning("events file %s rejected: %s", original, exc)
            return EventFileOutcome(original, "rejected", str(exc))
        except ArchiveError as exc:  # e.g. invalid rules, a read-only database: retry later
            log.error("events file %s not imported: %s", original, exc)
            os.replace(claimed, _free(self.path / original))
            return EventFileOutcome(original, "failed", str(exc))
        os.replace(claimed, _free(self.done / original))
        detail = f"{res.imported} new, {res.already_known} known, {res.tasks} tasks"
        log.info("events file %s imported: %s", original, detail)
        return EventFileOutcome(original, "imported", detail)

    def recover(self) -> list[EventFileOutcome]:
        """Finish files a previous run claimed but did not move (re-import adds nothing)."""
        self._dirs()
        return [self._process(p) for p in sorted(self.work.iterdir()) if p.is_file()]

    def poll(self, now: float | None = None) -> list[EventFileOutcome]:
        """One look at the folder: take every file that has settled."""
        self._dirs()
        out = []
        for path in self._stable(time.monotonic() if now is None else now):
            claimed = self._claim(path)
            if claimed is not None:
                out.append(self._process(claimed))
        return out

    def run_once(self) -> list[EventFileOutcome]:
        """Recover, then take what is there now (waiting for each file to settle once)."""
        out = self.recover()
        self._stable(time.monotonic())
        time.sleep(self.quiet_seconds)
        out += self.poll()
        return out

    def run_forever(self, interval: float = 2.0) -> None:
        self.recover()
        while not self._stop.wait(interval):
            try:
                self.poll()
            except OSError as exc:  # the share went away: log, keep trying
                log.error("events folder %s: %s", self.path, exc)

    def stop(self) -> None:
        """Ask `run_forever` to return after its current poll."""
        self._stop.set()

    def start_thread(self, interval: float = 2.0) -> threading.Thread:
        """Poll in a daemon thread (beside the scan daemon in `hudang watch`)."""
        self.thread = threading.Thread(target=self.run_forever, args=(interval,), daemon=True,
                                       name=f"events:{self.path.name}")
        self.thread.start()
        return self.thread


def _free(path: Path) -> Path:
    """`path`, or `path` with a counter when a file of that name is already there."""
    if not path.exists():
        return path
    for i in range(1, 10_000):
        candidate = path.with_name(f"{path.stem}.{i}{path.suffix}")
        if not candidate.exists():
            return candidate
    return path
