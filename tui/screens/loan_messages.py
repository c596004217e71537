"""Past-tense messages the loan desk's workers post back to its screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class LoanBoardLoaded(Message):
    board: Any = None
    error: str | None = None


@dataclass
class LoanChanged(Message):
    """A slip was requested, approved, rejected, cancelled or renewed (or refused: `error`)."""

    action: str
    loan: Any = None
    error: str | None = None
    error_code: str | None = None


@dataclass
class LoanScanned(Message):
    """A scan on the loans screen was looked up: a slip, an item on loan, or something else."""

    raw: str
    result: Any = None
    on_loan: Any = None
    error: str | None = None


@dataclass
class SlipLoaded(Message):
    loan: Any = None
    picks: Any = None
    error: str | None = None


@dataclass
class ItemCheckedOut(Message):
    code: str
    outcome: Any = None
    error: str | None = None
    error_code: str | None = None
    holder: str = ""


@dataclass
class ReturnOffered(Message):
    """The item behind a scanned code is on loan (`item` on slip `loan`) or not (`error`)."""

    code: str
    item: Any = None
    loan: Any = None
    error: str | None = None


@dataclass
class ItemReturned(Message):
    code: str
    outcome: Any = None
    error: str | None = None


@dataclass
class BoxReshelved(Message):
    """A box went home (`outcome`), was refused (`error`), or still waits at `home` (`waiting`)."""

    box: str
    outcome: Any = None
    error: str | None = None
    waiting: bool = False
    home: Any = None


@dataclass
class ListLoaded(Message):
    """Rows for the overdue or reading-room list."""

    rows: Any = None
    error: str | None = None


@dataclass
class LoanFileWritten(Message):
    """A slip, reminder or register file was written (`path`, `count`) or not (`error`)."""

    kind: str
    path: str | None = None
    count: int = 0
    error: str | None = None
    note: str = ""  # something to warn about although the file was written
