"""The store's name for the common bilingual text functions (see `hudang.common.i18n`)."""

from __future__ import annotations

from hudang.common.i18n import language, set_language, t

__all__ = ["language", "set_language", "t"]
