"""The loan desk's door to the store: each call goes to a loan service with the rules' policy.

Like tui.services.DeskServices, screens call these from thread workers and each call closes
the worker thread's own connection afterwards. The policy is read once, in a worker, through
`hudang.cli_loans.load_loan_policy(settings)`, the same function the CLI uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hudang.settings import Settings
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.services import loan_desk, loan_export, loan_slip, loans, lookup, shelving
from hudang.store.services.dto import LocationInfo, LookupResult
from hudang.store.services.loan_dto import (
    CheckoutOutcome,
    LoanInfo,
    LoanItemInfo,
    OverdueRow,
    ReturnOutcome,
)
from hudang.store.services.loan_policy import LoanPolicyLike

F = TypeVar("F", bound=Callable[..., Any])


def _in_worker(fn: F) -> F:
    """Close this worker thread's connection when the call returns (as tui.services does)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            db = dbmod.database.obj
            if (threading.current_thread() is not threading.main_thread() and db is not None
                    and not db.in_transaction()):
                db.close()

    return wrapper  # type: ignore[return-value]


# What the list shows first: slips waiting for a decision, then for checkout, then on loan.
STATUS_ORDER = ("pending", "approved", "active", "returned", "rejected", "cancelled")


@dataclass(frozen=True)
class LoanBoard:
    """The numbers at the top of the loans screen and the slips of the chosen filter."""

    rows: list[LoanInfo]
    counts: dict[str, int]  # open slips by status: pending, approved, active
    overdue: int
    in_reading_room: int
    to_reshelve: list[tuple[str, LocationInfo | None]]
    reason_texts: dict[str, str]  # approval reason code -> the policy's words for it


@dataclass(frozen=True)
class ReadingRoomRow:
    """An item still in the reading room, with who has it."""

    item: LoanItemInfo
    borrower: str
    department: str


def _sort_key(loan: LoanInfo) -> tuple[int, int]:
    rank = STATUS_ORDER.index(loan.status) if loan.status in STATUS_ORDER else len(STATUS_ORDER)
    return rank, -loan.id


class LoanDeskServices:
    """The loan services the desk uses, with the policy loaded once from the rules."""

    def __init__(self, settings: Settings, output_dir: Path) -> None:
        self.settings = settings
        self.output_dir = output_dir
        self._policy: LoanPolicyLike | None = None
        self._lock = threading.Lock()

    def policy(self) -> LoanPolicyLike:
        """The rules' loan policy (or the built-in defaults), read on first use."""
        with self._lock:
            if self._policy is None:
                from hudang.cli_loans import load_loan_policy

                self._policy = load_loan_policy(self.settings)
            return self._policy

    @_in_worker
    def board(self, statuses: tuple[str, ...] | None, today: dt.date,
              limit: int = 500) -> LoanBoard:
        """Counts of open slips, the overdue / reading-room / reshelving numbers, and rows."""
        open_rows = loans.list_loans(loans.OPEN_STATUSES, limit=100_000)
        counts = {s: sum(1 for r in open_rows if r.status == s) for s in loans.OPEN_STATUSES}
        if statuses is not None and set(statuses) <= set(loans.OPEN_STATUSES):
            rows = [r for r in open_rows if r.status in statuses][:limit]
        else:
            rows = loans.list_loans(statuses, limit=limit)
        policy = self.policy()
        reasons = {code: policy.reason_text(code) for r in rows for code in r.approval_reasons}
        return LoanBoard(sorted(rows, key=_sort_key), counts, len(loans.overdue_list(today)),
                         len(loan_desk.in_reading_room()), loan_desk.awaiting_reshelve(),
                         reasons)

    @_in_worker
    def get_loan(self, slip_no: str) -> LoanInfo:
        return loans.get_loan(slip_no)

    @_in_worker
    def lookup(self, raw: str) -> LookupResult:
        return lookup.lookup(raw)

    @_in_worker
    def requester_of(self, raw: str) -> str:
        """A typed username as is, or the username behind a scanned staff card."""
        from hudang.store.barcodes import default_scheme
        from hudang.store.errors import ArchiveError

        try:
            scan = default_scheme().parse(raw)
        except ArchiveError:
            return raw.strip()
        if scan.kind == "staff_card":
            found = lookup.lookup(raw)
            return found.user.username if found.user else raw.strip()
        return raw.strip()

    @_in_worker
    def request(self, requester: str, codes: list[str], *, purpose: str, use_kind: str,
                actor: Actor, wanted_days: int | None, reader_type: str | None,
                department: str | None, today: dt.date, override_by: str | None = None,
                override_reason: str = "") -> LoanInfo:
        return loans.request_loan(requester, codes, purpose=purpose, use_kind=use_kind,
                                  actor=actor, wanted_days=wanted_days, reader_type=reader_type,
                                  department=department, policy=self.policy(),
                                  override_by=override_by, override_reason=override_reason,
                                  today=today)

    @_in_worker
    def approve(self, slip_no: str, actor: Actor, note: str) -> LoanInfo:
        return loans.approve(slip_no, actor, note, self.policy())

    @_in_worker
    def reject(self, slip_no: str, actor: Actor, reason: str) -> LoanInfo:
        return loans.reject(slip_no, actor, reason, self.policy())

    @_in_worker
    def cancel(self, slip_no: str, actor: Actor, reason: str) -> LoanInfo:
        return loans.cancel(slip_no, actor, reason)

    @_in_worker
    def renew(self, slip_no: str, actor: Actor, today: dt.date) -> LoanInfo:
        return loans.renew(slip_no, actor, self.policy(), today)

    @_in_worker
    def slip_with_picks(self, slip_no: str) -> tuple[LoanInfo, list[LoanItemInfo]]:
        """The slip and its items still to fetch, in walking order."""
        return loans.get_loan(slip_no), loan_desk.pick_list(slip_no)

    @_in_worker
    def checkout(self, slip_no: str, code: str, actor: Actor,
                 today: dt.date) -> CheckoutOutcome:
        return loan_desk.checkout_item(slip_no, code, actor, self.policy(), today)

    @_in_worker
    def item_on_loan(self, code: str) -> LoanItemInfo | None:
        return loan_desk.item_on_loan(code)

    @_in_worker
    def return_item(self, code: str, actor: Actor, damaged: bool, missing: str,
                    note: str) -> ReturnOutcome:
        return loan_desk.return_item(code, actor, damaged=damaged, missing=missing, note=note)

    @_in_worker
    def reshelve(self, box: str, position: str, actor: Actor) -> shelving.ShelveOutcome:
        return loan_desk.reshelve(box, position, actor)

    @_in_worker
    def overdue(self, today: dt.date) -> list[OverdueRow]:
        return loans.overdue_list(today)

    @_in_worker
    def reading_room(self) -> list[ReadingRoomRow]:
        items = loan_desk.in_reading_room()
        slips = {s: loans.get_loan(s) for s in dict.fromkeys(i.slip_no for i in items)}
        return [ReadingRoomRow(i, slips[i.slip_no].requester_name, slips[i.slip_no].department)
                for i in items]

    def _path(self, folder: str, name: str) -> Path:
        path = self.output_dir / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @_in_worker
    def write_slip(self, slip_no: str) -> Path:
        """The borrowing slip PDF under HUDANG_HOME/slips/."""
        loan = loans.get_loan(slip_no)
        return loan_slip.write_loan_slip(loan, self._path("slips", f"slip-{loan.slip_no}.pdf"))

    @_in_worker
    def write_reminders(self, today: dt.date) -> tuple[Path, int]:
        """Reminder slips (催还通知单) for every overdue slip, under HUDANG_HOME/slips/."""
        rows = loans.overdue_list(today)
        path = self._path("slips", f"reminders-{today:%Y%m%d}.pdf")
        path.write_bytes(loan_slip.reminder_slips_pdf(rows, today))
        return path, len(rows)

    @_in_worker
    def export_register(self, fmt: str, when: dt.datetime) -> tuple[Path, int]:
        """The loan register (台帐) as CSV or xlsx under HUDANG_HOME/exports/."""
        path = self._path("exports", f"loan-register-{when:%Y%m%d-%H%M%S}.{fmt}")
        write = loan_export.export_xlsx if fmt == "xlsx" else loan_export.export_csv
        return path, write(path, loan_export.register_rows())


_MAKE_LOCK = threading.Lock()


def loan_services(app) -> LoanDeskServices:
    """The app's loan services, made on first use (the app factory need not know about them)."""
    with _MAKE_LOCK:
        svc = getattr(app, "loan_services", None)
        if svc is None:
            svc = LoanDeskServices(app.settings, Path(app.settings.home))
            app.loan_services = svc
        return svc
