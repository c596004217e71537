"""The desk's one door to the archive: every call goes to a store service, never to Peewee.

One connection rule for every call: screens call these from thread workers; Textual runs
those on the event loop's thread pool, whose few threads live as long as the app, so each
worker thread opens its own connection on first use and keeps it open between calls.
Reconnecting per scan cost a connect (~1 ms on SQLite, a new session on PostgreSQL) and threw
away SQLite's page cache, making every lookup a cold one. A pool thread's connection closes
with the thread when the app's loop shuts its pool down. Calls made on the main thread (the
few that need no database, or tests) use the main thread's connection as it is.

Errors the archive raises (`ArchiveError`) propagate to the caller: in a worker they reach
the app's one handler (`DeskApp.on_worker_state_changed`), which shows them on the screen
that started the worker.

The loan policy is not read here from the rules: the shell passes a loader
(`make_app(..., loan_policy=...)`), so the desk never imports the CLI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.barcodes import Scan, default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.textsafe import has_control, strip_control
from hudang.store.services import customers as customers_svc
from hudang.store.services import (
    access,
    desk_view,
    ingest,
    loan_desk,
    loans,
    lookup,
    registry,
    shelving,
    stocktake,
    users,
)
from hudang.store.services.dto import CustomerFile, LocationInfo, LookupResult, UserInfo
from hudang.store.services.ingest import AttentionSummary, FiledDocument
from hudang.store.services.loan_dto import (
    CheckoutOutcome,
    LoanInfo,
    LoanItemInfo,
    OverdueRow,
    ReturnOutcome,
)
from hudang.store.services.loan_policy import DEFAULT_POLICY, LoanPolicyLike

F = TypeVar("F", bound=Callable[..., Any])
PolicyLoader = Callable[[], LoanPolicyLike]


def _in_worker(fn: F) -> F:
    """Run on a worker thread's own, kept-open connection (opened on first use).

    What comes back is fit for a terminal: control and escape characters in archive text
    (a name imported before they were refused) are dropped, never drawn (issue 12).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db = dbmod.database.obj
        if threading.current_thread() is not threading.main_thread() and db is not None:
            db.connect(reuse_if_open=True)
        return terminal_safe(fn(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def terminal_safe(value: Any) -> Any:
    """`value` with control characters removed from every string in it (same object if none)."""
    if isinstance(value, str):
        return strip_control(value) if has_control(value) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for f in dataclasses.fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = terminal_safe(old)
                if new is not old:
                    changed[f.name] = new
        return dataclasses.replace(value, **changed) if changed else value
    if isinstance(value, (list, tuple)):
        items = [terminal_safe(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        pairs = {k: terminal_safe(v) for k, v in value.items()}
        return pairs if any(pairs[k] is not value[k] for k in value) else value
    return value


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


class DeskServices:
    """The store services the desk uses, gathered so tests and the benchmark build one app."""

    def __init__(self, output_dir: Path, loan_policy: PolicyLoader | None = None) -> None:
        self.output_dir = output_dir
        self.label_layout, self.label_roll_size = "a4", "60x40"  # set from the settings too
        self.csv_encoding = "utf-8-sig"  # CSV exports; set from the settings (csv_encoding)
        self.signin_policy = users.DEFAULT_POLICY  # set from the settings by make_app
        self.terminal = ""
        self.viewer: Callable[[], Actor] | None = None  # who is at the desk (set by the app)
        self._load_policy = loan_policy
        self._policy: LoanPolicyLike | None = None
        self._lock = threading.Lock()

    # --- scans --------------------------------------------------------------------------------
    @staticmethod
    def parse(raw: str) -> Scan:
        """Classify what was scanned (no database); raises BadCheckCharacter for a mistyped code."""
        return default_scheme().parse(raw)

    @_in_worker
    def answer(self, scan: Scan, *, with_file: bool = True) -> desk_view.ScanAnswer:
        """The desk's whole question about a parsed scan, from one snapshot.

        A customer's file is gated first: an important customer's opens only for an approver
        or a grant holder, and every opening (or refusal) is audited (issue 12).
        """
        if with_file and scan.kind == "customer" and self.viewer is not None:
            access.open_customer_file(self.viewer(), scan.code, "desk file")
        return desk_view.answer_scan(scan, with_file=with_file)

    @_in_worker
    def lookup(self, raw: str) -> LookupResult:
        return lookup.lookup(raw)

    @_in_worker
    def lookup_with_loan(self, raw: str) -> tuple[LookupResult, LoanInfo | None]:
        """A lookup plus, for an item whose box is out, the loan it is out on (kept for callers)."""
        answer = desk_view.answer_scan(self.parse(raw), with_file=False)
        return answer.result, answer.loan

    @_in_worker
    def customer_file(self, number: str) -> CustomerFile:
        if self.viewer is not None:  # important customers: approver or grant only; audited
            access.open_customer_file(self.viewer(), number, "desk file")
        return customers_svc.customer_file(number)

    @_in_worker
    def search(self, text: str, limit: int = 200) -> list:
        from hudang.store.search import search_customers

        personal = self.viewer is None or users.can_see_personal_data(self.viewer().role)
        return search_customers(text, limit, personal=personal)

    @_in_worker
    def authenticate(self, username: str, password: str) -> UserInfo:
        return users.authenticate(username, password, terminal=self.terminal,
                                  policy=self.signin_policy, desk=True)

    @_in_worker
    def authenticate_card(self, code: str, pin: str | None = None) -> UserInfo:
        return users.authenticate_card(code, pin, terminal=self.terminal,
                                       policy=self.signin_policy)

    @_in_worker
    def sign_out(self, user: UserInfo) -> None:
        users.sign_out(user, self.terminal)

    @_in_worker
    def accounts(self) -> list[users.UserAccount]:
        return users.list_accounts()

    @_in_worker
    def manage_user(self, action: str, username: str, actor: Actor, **values: Any) -> None:
        """An administrator's change to an account: add/role/password/pin/activate/deactivate."""
        if action == "add":
            users.add_user(username, values.get("display_name", ""), values["role"],
                           values["password"], actor=actor)
        elif action == "role":
            users.set_role(username, values["role"], actor)
        elif action == "password":
            users.set_password(username, values["password"], actor)
        elif action == "pin":
            users.set_pin(username, values.get("pin") or None, actor)
        elif action in ("activate", "deactivate"):
            users.set_active(username, action == "activate", actor)

    @staticmethod
    def can_see_personal_data(role: str) -> bool:
        return users.can_see_personal_data(role)

    @_in_worker
    def place_box(self, box: str, position: str, actor: Actor) -> shelving.ShelveOutcome:
        return shelving.place_box(box, position, actor)

    @_in_worker
    def move_box(self, box: str, position: str, actor: Actor) -> shelving.ShelveOutcome:
        return shelving.move_box(box, position, actor, note="desk")

    @_in_worker
    def suggest_position(self, box: str) -> LocationInfo | None:
        return shelving.suggest_position(box)

    @_in_worker
    def register_box(self, voltage_class: str, actor: Actor) -> tuple[str, Path]:
        """A new box and its printed label (PDF)."""
        code = registry.register_box(voltage_class, actor)
        return code, self._box_label(code)

    def _box_label(self, code: str) -> Path:
        """A box's label in the site's layout (A4 sheet or roll label: settings label_*)."""
        from hudang.store.services import labels  # reportlab: ~0.2 s of imports, kept off cold start

        layout = labels.LabelLayout(self.label_layout, 1, self.label_roll_size)
        return labels.write_box_labels([code], self.output_dir / "labels" / f"box-{code}.pdf",
                                       layout)

    @_in_worker
    def box_label(self, code: str) -> Path:
        return self._box_label(code)

    @_in_worker
    def position_labels(self, scope_code: str) -> Path:
        from hudang.store.services import labels

        safe = scope_code.replace("/", "_")
        layout = labels.LabelLayout(self.label_layout, 1, self.label_roll_size)
        return labels.write_position_labels(
            scope_code, self.output_dir / "labels" / f"positions-{safe}.pdf", layout)

    # --- scans the daemon could not link (待处理) -----------------------------------------------
    @staticmethod
    @_in_worker
    def attention_open() -> list[AttentionSummary]:
        return ingest.list_attention("open")

    @staticmethod
    @_in_worker
    def assign_attention(item_id: int, actor: Actor, **kw: Any) -> FiledDocument:
        return ingest.assign_attention(item_id, actor, **kw)

    # --- stocktake ------------------------------------------------------------------------------
    @_in_worker
    def open_scope(self, code: str) -> stocktake.StocktakeScope:
        return stocktake.open_scope(code)

    @_in_worker
    def stocktake_preview(self, scope: stocktake.StocktakeScope, seen: list[tuple[str, str]],
                          counted: set[str] | None = None) -> stocktake.StocktakeReport:
        """The report as it stands, recording nothing."""
        return stocktake.build_report(scope, seen, counted)

    @_in_worker
    def stocktake_finish(self, report: stocktake.StocktakeReport, actor: Actor,
                         token: str = "") -> bool:
        """Record the finished stocktake once per token; False when it already was."""
        return stocktake.finish(report, actor, token)

    @_in_worker
    def stocktake_report(self, scope: stocktake.StocktakeScope, seen: list[tuple[str, str]],
                         actor: Actor) -> stocktake.StocktakeReport:
        """Build and record the report in one call (old name)."""
        report = stocktake.build_report(scope, seen)
        stocktake.finish(report, actor)
        return report

    def _draft_path(self, scope_code: str) -> Path:
        return self.output_dir / "stocktake-drafts" / f"{scope_code.replace('/', '_')}.json"

    def save_stocktake_draft(self, scope_code: str, token: str, seen: list[tuple[str, str]],
                             counted: list[str]) -> None:
        """Keep a stocktake's scans in the data directory, so it can be paused and resumed."""
        path = self._draft_path(scope_code)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"token": token, "seen": seen, "counted": counted},
                                  ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def load_stocktake_draft(self, scope_code: str) -> dict | None:
        """A paused stocktake of this scope, or None (an unreadable draft counts as none)."""
        path = self._draft_path(scope_code)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {"token": str(data["token"]), "counted": [str(c) for c in data["counted"]],
                    "seen": [(str(c), str(b)) for c, b in data["seen"]]}
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def drop_stocktake_draft(self, scope_code: str) -> None:
        self._draft_path(scope_code).unlink(missing_ok=True)

    def export_report(self, report: stocktake.StocktakeReport, when: dt.datetime
                      ) -> tuple[Path, str]:
        """Write the report as CSV (in the `csv_encoding` setting) under the output directory;
        return the path and a note about characters GBK lacks ('' when there are none)."""
        path = self._path("exports", f"stocktake-{report.scope}-{when:%Y%m%d-%H%M%S}.csv")
        written = stocktake.write_report_csv(report, path, self.csv_encoding)
        return path, written.warning()

    # --- loans --------------------------------------------------------------------------------
    def policy(self) -> LoanPolicyLike:
        """The rules' loan policy (or the built-in defaults), read on first use."""
        with self._lock:
            if self._policy is None:
                self._policy = self._load_policy() if self._load_policy else DEFAULT_POLICY
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
    def requester_of(self, raw: str) -> str:
        """A typed username as is, or the username behind a scanned staff card."""
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
        from hudang.store.services import loan_slip  # reportlab: kept off the cold start

        loan = loans.get_loan(slip_no)
        return loan_slip.write_loan_slip(loan, self._path("slips", f"slip-{loan.slip_no}.pdf"))

    @_in_worker
    def write_reminders(self, today: dt.date) -> tuple[Path, int]:
        """Reminder slips (催还通知单) for every overdue slip, under HUDANG_HOME/slips/."""
        from hudang.store.services import loan_slip  # reportlab: kept off the cold start

        rows = loans.overdue_list(today)
        path = self._path("slips", f"reminders-{today:%Y%m%d}.pdf")
        path.write_bytes(loan_slip.reminder_slips_pdf(rows, today))
        return path, len(rows)

    @_in_worker
    def export_register(self, fmt: str, when: dt.datetime) -> tuple[Path, int, str]:
        """The loan register (台帐) as CSV (in the `csv_encoding` setting) or xlsx under
        HUDANG_HOME/exports/; the path, the rows, and a note about characters GBK lacks."""
        path = self._path("exports", f"loan-register-{when:%Y%m%d-%H%M%S}.{fmt}")
        from hudang.store.services import loan_export  # openpyxl: kept off the cold start

        rows = loan_export.register_rows()
        if fmt == "xlsx":
            return path, loan_export.export_xlsx(path, rows), ""
        written = loan_export.export_csv(path, rows, self.csv_encoding)
        return path, written.rows, written.warning()
