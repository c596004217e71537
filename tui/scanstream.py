"""One scan stream for the whole desk: every Enter-terminated scan, parsed once, in order.

Where a scan comes from does not matter: the focused scan field (`ScanField` hands its text
over the moment Enter is pressed, so keys typed meanwhile are never wiped), or keys typed
while no text field has focus (a dialog, a table, the customer file), which the app collects
instead of letting them trigger single-key shortcuts. Each scan gets a number and is parsed
once into a `DeskScan`; the app hands it to the screen on top (`handle_scan`), and a scan
that screen cannot use is still looked up and joins the scan list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hudang.store.barcodes import Scan, default_scheme
from hudang.store.errors import ArchiveError

CODE_KINDS = ("document", "volume", "box", "position", "customer", "staff_card", "loan_slip")
ITEM_KINDS = ("box", "volume", "document")


@dataclass(frozen=True)
class DeskScan:
    """One scan: its number in this session, what was typed, and what it is (or its error)."""

    seq: int
    raw: str
    scan: Scan | None
    error: str | None = None
    error_code: str | None = None

    @property
    def kind(self) -> str:
        return self.scan.kind if self.scan else "error"

    @property
    def code(self) -> str:
        return self.scan.code if self.scan else self.raw.strip()

    @property
    def is_item(self) -> bool:
        return self.kind in ITEM_KINDS


def parse_scan(seq: int, raw: str) -> DeskScan:
    """Classify `raw` (no database): a mistyped check character becomes an error scan."""
    try:
        return DeskScan(seq, raw, default_scheme().parse(raw))
    except ArchiveError as exc:
        return DeskScan(seq, raw, None, str(exc), exc.code)


def trailing_code(text: str) -> tuple[str, str] | None:
    """Split `text` into (typed words, a scanned code at its end), if it ends with a code.

    A scanner firing while a text field has focus appends its code to what was typed there;
    the code's check character makes a false split unlikely.
    """
    scheme = default_scheme()
    for start in range(len(text)):
        tail = text[start:].strip()
        if not tail or tail != text[start:]:
            continue
        try:
            scan = scheme.parse(tail)
        except ArchiveError:
            continue
        if scan.kind == "customer" and start and text[start - 1].isdigit():
            continue  # the tail of a longer number (a phone), not a customer number
        if scan.kind in CODE_KINDS:
            return text[:start], tail
    return None


class ScanTaker(Protocol):
    """A screen that says what a scan means there."""

    def handle_scan(self, scan: DeskScan) -> bool:
        """Act on `scan` and return True, or return False when this screen has no use for it."""
