"""Taking a scan from a screen's scan field: one behaviour for every mode of the desk."""

from __future__ import annotations

from textual.widgets import Input

from hudang.store.barcodes import Scan, default_scheme
from hudang.store.errors import ArchiveError


def take_scan(event: Input.Submitted, status) -> Scan | None:
    """Clear the field for the next scan and say what was scanned.

    Returns None for an empty Enter, or after showing a mistyped code's error on `status`
    (a StatusLine), so the caller only handles real scans.
    """
    raw = event.value
    event.input.value = ""
    if not raw.strip():
        return None
    try:
        return default_scheme().parse(raw)
    except ArchiveError as exc:
        status.show(str(exc), "error")
        return None
