"""The desk's door to the archive: every call goes to a store service, never to Peewee directly.

Screens call these from thread workers. Textual runs those on the event loop's thread pool,
whose few threads live as long as the app, so each keeps its own connection open between
calls: reconnecting per scan cost a connect (~1 ms on SQLite, a new session on PostgreSQL)
and threw away SQLite's page cache, making every lookup a cold one. A pool thread's
connection closes with the thread when the app's loop shuts its pool down.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.services import customers as customers_svc
from hudang.store.services import access, lookup, registry, shelving, stocktake, users
from hudang.store.services.dto import CustomerFile, LocationInfo, LookupResult, UserInfo

F = TypeVar("F", bound=Callable[..., Any])


def _in_worker(fn: F) -> F:
    """Run on a worker thread's own, kept-open connection (opened on first use)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db = dbmod.database.obj
        if threading.current_thread() is not threading.main_thread() and db is not None:
            db.connect(reuse_if_open=True)
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class DeskServices:
    """The store services the desk uses, gathered so tests and the benchmark build one app."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.signin_policy = users.DEFAULT_POLICY  # set from the settings by make_app
        self.terminal = ""
        self.viewer: Callable[[], Actor] | None = None  # who is at the desk (set by the app)

    @_in_worker
    def lookup(self, raw: str) -> LookupResult:
        return lookup.lookup(raw)

    @_in_worker
    def lookup_with_loan(self, raw: str) -> tuple[LookupResult, object | None]:
        """A lookup plus, for an item whose box is out, the loan it is out on (whom, until)."""
        result = lookup.lookup(raw)
        box = result.box
        if result.kind in ("box", "volume", "document") and box is not None \
                and box.status in ("on_loan", "reading_room"):
            from hudang.store.services import loan_desk, loans

            item = loan_desk.item_on_loan(box.barcode if result.kind == "box" else result.code)
            if item is not None:
                return result, loans.get_loan(item.slip_no)
        return result, None

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
        from hudang.store.services import labels  # reportlab: ~0.2 s of imports, kept off cold start

        return labels.write_box_labels([code], self.output_dir / "labels" / f"box-{code}.pdf")

    @_in_worker
    def box_label(self, code: str) -> Path:
        return self._box_label(code)

    @_in_worker
    def position_labels(self, scope_code: str) -> Path:
        from hudang.store.services import labels

        safe = scope_code.replace("/", "_")
        return labels.write_position_labels(
            scope_code, self.output_dir / "labels" / f"positions-{safe}.pdf")

    @_in_worker
    def open_scope(self, code: str) -> stocktake.StocktakeScope:
        return stocktake.open_scope(code)

    @_in_worker
    def stocktake_report(self, scope: stocktake.StocktakeScope, seen: list[tuple[str, str]],
                         actor: Actor) -> stocktake.StocktakeReport:
        report = stocktake.build_report(scope, seen)
        stocktake.finish(report, actor)
        return report

    def export_report(self, report: stocktake.StocktakeReport, when: dt.datetime) -> Path:
        """Write the report as CSV under the output directory; return the path."""
        path = (self.output_dir / "exports"
                / f"stocktake-{report.scope}-{when:%Y%m%d-%H%M%S}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stocktake.report_csv(report), encoding="utf-8-sig")
        return path
