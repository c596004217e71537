"""Live across terminals: what another desk or the daemon commits shows here without F5.

`LiveUpdates` belongs to the app. Twice a second it asks `store.changes.ChangeFeed` in a
thread worker whether anything was committed since (on SQLite an idle poll is one
`PRAGMA data_version` on the feed's own connection: no table is read, no lock taken, so
scans never wait for it). When something was, every screen on the stack that has an
`archive_changed(changes)` method re-reads what it shows, and the attention count is
recounted. Screens keep their place (tab, cursor) while re-reading.
"""

from __future__ import annotations

import logging

from hudang.store.changes import ChangeFeed, Changes
from hudang.store.errors import ArchiveError

log = logging.getLogger("hudang.desk")
POLL_SECONDS = 0.5  # a change shows within about this plus one re-read: well under 2 s


class LiveUpdates:
    """Polls the archive's change feed and tells the screens."""

    def __init__(self, app, interval: float = POLL_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.feed: ChangeFeed | None = None
        self._polling = False
        self.delivered = 0  # change batches handed to the screens (tests read it)

    def start(self) -> None:
        """Take the baseline now and poll every `interval` seconds."""
        if self.interval <= 0:
            return
        try:
            self.feed = ChangeFeed()
        except ArchiveError:  # no archive configured: nothing to watch
            return
        self.tick()
        self.app.set_interval(self.interval, self.tick)

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.close()
            self.feed = None

    def tick(self) -> None:
        """Start one poll unless the previous one is still running."""
        if self._polling or self.feed is None or not self.app.is_running:
            return
        self._polling = True
        self.app.run_worker(self._poll, thread=True, group="live", exit_on_error=False)

    def _poll(self) -> None:
        feed = self.feed
        try:
            changes = feed.poll() if feed is not None else None
        except Exception:  # a busy or unreachable database: try next tick
            log.warning("change poll failed; trying again", exc_info=True)
            changes = None
        finally:
            self._polling = False
        if changes is not None:
            try:
                self.app.call_from_thread(self.deliver, changes)
            except RuntimeError:  # the app stopped meanwhile
                pass

    def deliver(self, changes: Changes) -> None:
        """Tell every screen on the stack (and the attention count) what was committed."""
        self.delivered += 1
        status = getattr(self.app, "desk_status", None)
        if status is not None and changes.touches("attention_item", "scan_file", "document"):
            status.refresh_count()
        for screen in list(self.app.screen_stack):
            handler = getattr(screen, "archive_changed", None)
            if handler is not None:
                try:
                    handler(changes)
                except Exception:  # one screen's bug must not stop the others
                    log.exception("%s could not re-read after a change", type(screen).__name__)


def refresh_result(screen) -> None:
    """Re-read the main screen's shown result (where a box is, whether it is out) in a worker."""
    from hudang.tui.widgets import ResultPane

    pane = screen.query_one("#result", ResultPane)
    shown = pane.shown
    if shown is None or shown.kind == "customer":
        return
    app = screen.app

    def reread() -> None:
        try:
            result, loan = app.services.lookup_with_loan(shown.code)
        except ArchiveError:
            return  # e.g. deleted meanwhile: the keeper's next scan says so
        app.call_from_thread(_reshow, screen, pane, shown, result, loan)

    screen.run_worker(reread, thread=True, group="live-result", exclusive=True,
                      exit_on_error=False)


def _reshow(screen, pane, before, result, loan) -> None:
    if pane.shown is before and pane.is_attached:  # no newer scan took its place meanwhile
        pane.show(screen.shown_seq, result, loan)
