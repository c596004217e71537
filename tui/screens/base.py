"""What every desk screen shares: the scan it is handed, worker errors, the status line.

Screens never import each other: they open one another through the app (`app.open_*`,
see `DeskApp`), and they receive scans from the app's one scan stream through
`handle_scan`. A worker that raises an `ArchiveError` needs no `except` block: the app's
one handler shows the error on the screen that started it (`worker_failed` may add to that).
"""

from __future__ import annotations

from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.worker import Worker

from hudang.store.errors import ArchiveError
from hudang.tui.scanstream import DeskScan
from hudang.tui.widgets import StatusLine


class DeskScreenMixin:
    """Scans and worker errors for a screen; mixed into `DeskScreen` and `DeskModal`."""

    def handle_scan(self, scan: DeskScan) -> bool:
        """What a scan means here; the default: nothing, so the app looks it up aside."""
        return False

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        """Undo what a failed worker left half-done; True when the error is already shown."""
        return False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a worker's end to the app's one handler (the message does not bubble)."""
        handler = getattr(self.app, "worker_state_changed", None)  # type: ignore[attr-defined]
        if handler is not None:
            handler(self, event)

    def show_status(self, text: str, level: str = "info") -> bool:
        """Say `text` on this screen's status line; False when it has none."""
        lines = self.query(StatusLine)  # type: ignore[attr-defined]
        if not lines:
            return False
        lines.first().show(text, level)
        return True


class DeskScreen(DeskScreenMixin, Screen):
    """A full desk screen."""


class DeskModal(DeskScreenMixin, ModalScreen[ScreenResultType]):
    """A dialog over a desk screen."""
