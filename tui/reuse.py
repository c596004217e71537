"""Screens the app builds once and shows again and again (the customer file, the page viewer).

Building a screen's widgets costs more than filling them, so these screens are installed
once and refilled. When one is shown again, Textual restyles every widget on it; that is
needed the first time and after a theme change, not for the next customer or document.
"""

from __future__ import annotations

from textual.screen import Screen


class ReusableScreen(Screen):
    """A screen that skips the full restyle when it is shown again under the same theme."""

    def _on_screen_resume(self, event) -> None:
        # Textual calls this before `Screen`'s own resume handler (each class in the MRO
        # gets its turn), so the flag set here is the one that handler reads.
        theme = getattr(self.app, "theme", None)
        if getattr(self, "_styled_for", None) == theme:
            event.refresh_styles = False
        self._styled_for = theme


def show_reused(app, name: str, make, fill) -> None:
    """Fill and show the app's one screen called `name` (built by `make()` on first use).

    When that screen is already on the stack below the top, a new one is pushed instead.
    """
    attr = f"_reused_{name}"
    screen = getattr(app, attr, None)
    if screen is None:
        screen = make()
        setattr(app, attr, screen)
        app.install_screen(screen, name=name)
    elif screen in app.screen_stack and screen is not app.screen:
        screen = make()
        fill(screen)
        app.push_screen(screen)
        return
    fill(screen)
    if screen is not app.screen:
        app.push_screen(screen)
