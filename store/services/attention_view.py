"""Cheap read-only views of the needs-attention queue for status bars (the desk's top line)."""

from __future__ import annotations

from hudang.store.models import AttentionItem


def open_attention_count() -> int:
    """How many scans wait in the needs-attention queue (one indexed COUNT)."""
    return AttentionItem.select().where(AttentionItem.status == "open").count()
