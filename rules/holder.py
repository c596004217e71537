"""The current rule set of a running process, swapped live when the directory changes.

A watchdog observer watches the rules directory; changes are debounced (editors write a file
in several steps) and then the whole directory is loaded again. A valid set replaces the
current one; an invalid one is logged and kept as `last_error`, and the last good set stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from hudang.rules.errors import RuleIssue, RulesError
from hudang.rules.loader import RuleSet, load_ruleset
from hudang.common.i18n import t

log = logging.getLogger("hudang.rules")
Listener = Callable[[RuleSet | None, RulesError | None], None]


@dataclass(frozen=True)
class RulesStatus:
    """What the desk and daemon show: the active version and the newest load error, if any."""

    directory: str
    version: str
    loaded_at: dt.datetime | None
    error: str
    error_at: dt.datetime | None


class RulesHolder:
    """Holds the active RuleSet; `start()` begins watching `directory` for changes."""

    def __init__(self, directory: str | Path, debounce: float = 0.5) -> None:
        self.directory = Path(directory)
        self.debounce = debounce
        self._lock = threading.Lock()
        self._current: RuleSet | None = None
        self._last_error: RulesError | None = None
        self._error_at: dt.datetime | None = None
        self._listeners: list[Listener] = []
        self._timer: threading.Timer | None = None
        self._observer: Observer | None = None
        self.reloads = 0  # completed reload attempts (tests and the desk can poll this)

    @property
    def current(self) -> RuleSet | None:
        """The last good rule set (None only if none has ever loaded)."""
        return self._current

    @property
    def version(self) -> str:
        return self._current.version if self._current else ""

    @property
    def last_error(self) -> RulesError | None:
        """The error of the newest load attempt, or None when it succeeded."""
        return self._last_error

    def status(self) -> RulesStatus:
        """A snapshot for a status bar: version, when loaded, and the last error text."""
        with self._lock:
            cur, err = self._current, self._last_error
            return RulesStatus(str(self.directory), cur.version if cur else "",
                               cur.loaded_at if cur else None, str(err) if err else "",
                               self._error_at if err else None)

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(ruleset, error)` after every reload attempt (from the watcher thread)."""
        self._listeners.append(listener)

    def reload(self) -> bool:
        """Load the directory now; True when a new valid set is active."""
        try:
            try:
                ruleset = load_ruleset(self.directory)
            except RulesError:
                raise
            except Exception as bug:  # noqa: BLE001 - never let a rule file kill the reload
                log.exception("loading the rules in %s failed unexpectedly", self.directory)
                raise RulesError([RuleIssue(str(self.directory), 0, 0, "",
                                            t("可加载的规则", "rules that load"),
                                            f"{type(bug).__name__}: {bug}")]) from None
        except RulesError as exc:
            with self._lock:
                self._last_error, self._error_at = exc, dt.datetime.now(dt.UTC)
                self.reloads += 1
            log.error("rules in %s are invalid; keeping version %s\n%s", self.directory,
                      self.version or "(none)", exc)
            self._notify(None, exc)
            return False
        with self._lock:
            changed = self._current is None or self._current.version != ruleset.version
            if changed:
                self._current = ruleset
            self._last_error = None
            self.reloads += 1
        if changed:
            log.info("rules %s loaded from %s", ruleset.version, self.directory)
        self._notify(ruleset, None)
        return changed

    def _notify(self, ruleset: RuleSet | None, error: RulesError | None) -> None:
        for listener in list(self._listeners):
            try:
                listener(ruleset, error)
            except Exception:  # a listener's bug must not stop reloading
                log.exception("rules listener failed")

    def start(self) -> RulesHolder:
        """Load once, then watch the directory (non-recursive) until `stop()`."""
        self.reload()
        if not self.directory.is_dir():
            log.error("rules directory %s does not exist; not watching it", self.directory)
            return self
        handler = _Handler(self._schedule)
        self._observer = Observer()
        self._observer.schedule(handler, str(self.directory), recursive=False)
        self._observer.daemon = True
        self._observer.start()
        return self

    def stop(self) -> None:
        if self._timer:
            self._timer.cancel()
        if self._observer:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def __enter__(self) -> RulesHolder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _schedule(self) -> None:
        with self._lock:
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self.reload)
            self._timer.daemon = True
            self._timer.start()


class _Handler(FileSystemEventHandler):
    def __init__(self, trigger: Callable[[], None]) -> None:
        self.trigger = trigger

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(str(p).endswith((".yaml", ".yml")) for p in paths):
            self.trigger()
