"""A footer that rebuilds its keys only when they change.

Textual's `Footer` removes and mounts all its key widgets whenever the screen's bindings
are refreshed, which happens every time a screen is shown again. For a screen that is
reused (the customer file), those keys are the same every time: rebuilding them cost
more than showing the file.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """A `Footer` that skips the rebuild when the keys to show are the ones it shows."""

    _shown: tuple | None = None

    def _signature(self, screen: Screen) -> tuple:
        return tuple((b.key, b.description, enabled)
                     for (_, b, enabled, _tip) in screen.active_bindings.values() if b.show)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and self._bindings_ready:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)
