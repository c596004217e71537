"""Bilingual text: Simplified Chinese by default, English by setting. No UI framework here."""

from __future__ import annotations

_language = {"current": "zh"}


def set_language(language: str) -> None:
    """Choose 'zh' (default) or 'en' for every message this process produces."""
    _language["current"] = "en" if language == "en" else "zh"


def language() -> str:
    return _language["current"]


def t(zh: str, en: str, **params: object) -> str:
    """The message in the current language, with `params` filled in."""
    text = en if _language["current"] == "en" else zh
    return text.format(**params) if params else text
