"""The line at the top of every desk screen (its own module, so screens need not import main)."""

from __future__ import annotations

from rich.text import Text

from hudang.store.domain import ROLES
from hudang.store.i18n import language
from hudang.tui.i18n import L


def top_bar_text(app, mode: str) -> Text:
    """The line at the top: product, user and role, terminal, mode."""
    user = app.user
    role = (user.role if language() == "en" else ROLES.get(user.role, user.role)) if user else ""
    who = f"{user.display_name} ({role})" if user else ""
    return Text.assemble((L("title"), "bold"), "  ·  ", who, "  ·  ", app.settings.terminal,
                         "  ·  ", (mode, "bold reverse"))
