"""Past-tense messages the desk's workers post back to the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from hudang.store.services.dto import CustomerFile, LookupResult, UserInfo


@dataclass
class ScanLookedUp(Message):
    """A scan was resolved (result) or refused (error, a screen-ready message)."""

    seq: int
    raw: str
    kind: str
    code: str
    result: LookupResult | None = None
    error: str | None = None
    error_code: str | None = None
    loan: Any = None  # store.services.loan_dto.LoanInfo when the item is out on loan
    file: CustomerFile | None = None  # a customer number's whole file, read by the same worker
    aside: bool = False  # scanned where it had no use: it only joins the scan list


@dataclass
class ResultRendered(Message):
    """The result pane has painted the result of scan `seq` (the benchmark listens)."""

    seq: int


@dataclass
class CustomerFileShown(Message):
    """The customer file screen has painted the loaded file (the benchmark listens)."""

    number: str


@dataclass
class SignedIn(Message):
    user: UserInfo


@dataclass
class SignInFailed(Message):
    error: str


@dataclass
class CustomerFileLoaded(Message):
    file: CustomerFile | None
    error: str | None = None


@dataclass
class SearchFinished(Message):
    text: str
    hits: list[Any]
    error: str | None = None


@dataclass
class ShelvingFinished(Message):
    """A shelving scan was done (`outcome`) or refused (`error`, `error_code`, `current`)."""

    box: str
    position: str | None
    outcome: Any = None
    error: str | None = None
    error_code: str | None = None
    current: str | None = None
    suggestion: Any = None


@dataclass
class BoxRegistered(Message):
    code: str
    label_path: str
    suggestion: Any = None
    error: str | None = None


@dataclass
class ScopeOpened(Message):
    scope: Any = None
    error: str | None = None
    draft: dict | None = None  # a paused stocktake of the same scope: resumed


@dataclass
class StocktakeReported(Message):
    """A report: a preview (`recorded` None) or finished (`recorded`: written this time)."""

    report: Any = None
    error: str | None = None
    recorded: bool | None = None
    count: int = 0  # scans the report covers


@dataclass
class LabelsWritten(Message):
    path: str | None
    error: str | None = None
