"""Loan policy: periods by reader type × file category, limits, renewals and approvals.

The lifecycle in store/services/loans.py never holds a number of its own: every period,
limit and approval rule comes from an object answering `LoanPolicyLike`. The built-in
`LoanPolicy` defaults are what an archive gets without rules; with a rules directory the
CLI (hudang/cli_loans.py) adapts the `loans:` section of policies.yaml to the same protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from hudang.store.i18n import t

USE_KINDS = {"reading": ("阅览室阅览", "reading in the reading room"),
             "take_out": ("借出原件", "taking the original out"),
             "copying": ("复制", "copying")}
# Why a request needs approval; the lifecycle always adds the first two (DOMAIN.md).
APPROVAL_REASONS = {"important": ("重要客户档案", "an important customer's file"),
                    "take_out": ("原件出库", "an original leaves the room"),
                    "copying": ("复制档案", "copying"),
                    "reading": ("阅览", "reading"),
                    "reader_type": ("读者类型需审批", "this reader type needs approval")}


@runtime_checkable
class LoanPolicyLike(Protocol):
    """What the loan services ask of a policy; the CLI adapts the YAML rules to this."""

    def refusal(self, reader_type: str, category: str | None, use_kind: str) -> str | None:
        """Why this reader may not use this file category this way (None: allowed)."""
        ...

    def due_date(self, reader_type: str, category: str | None, use_kind: str,
                 start: dt.date) -> dt.date:
        """The latest due date for a loan starting on `start`."""
        ...

    def max_open_loans(self, reader_type: str) -> int: ...

    def max_renewals(self, reader_type: str, category: str | None, use_kind: str) -> int: ...

    def renewed_due(self, reader_type: str, category: str | None, use_kind: str,
                    due: dt.date) -> dt.date:
        """The due date after one renewal of a loan due on `due`."""
        ...

    def needs_approval(self, reader_type: str, category: str | None, use_kind: str,
                       important: bool) -> list[str]:
        """Reason codes why such a request needs approval (empty: approved at once)."""
        ...

    def approver_roles(self, reason: str) -> tuple[str, ...]:
        """User roles that may decide a request needing approval for `reason`."""
        ...

    def reason_text(self, reason: str) -> str: ...

    def grant_max_days(self) -> int: ...

    def renew_when_overdue(self) -> bool: ...


@dataclass(frozen=True)
class LoanPolicy:
    """The built-in policy in calendar days; `periods[reader_type][category or 'default']`."""

    periods: Mapping[str, Mapping[str, int]] = field(
        default_factory=lambda: {"default": {"default": 7}})
    use_periods: Mapping[str, int] = field(
        default_factory=lambda: {"reading": 0, "copying": 1})  # fixed periods by use kind
    open_loans: Mapping[str, int] = field(default_factory=lambda: {"default": 3})
    renewals: Mapping[str, int] = field(
        default_factory=lambda: {"take_out": 1, "copying": 0, "reading": 0})
    renewal_period: Mapping[str, int] = field(default_factory=lambda: {"default": 7})
    approval_uses: tuple[str, ...] = ("take_out",)  # use kinds that always need approval
    approval_reader_types: tuple[str, ...] = ()  # reader types whose every request needs it
    approvers: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"default": ("approver", "admin")})
    reading_grant_days: int = 7
    allow_overdue_renewal: bool = False
    reader_types: tuple[str, ...] = ("staff", "manager", "external")
    default_reader_type: str = "staff"

    def period_days(self, reader_type: str, category: str | None, use_kind: str) -> int:
        """Loan period in calendar days (0 = due the same day)."""
        if use_kind in self.use_periods:
            return int(self.use_periods[use_kind])
        table = self.periods.get(reader_type) or self.periods.get("default") or {}
        fallback = (self.periods.get("default") or {}).get("default", 0)
        return int(table.get(category or "default", table.get("default", fallback)))

    def refusal(self, reader_type: str, category: str | None, use_kind: str) -> str | None:
        return None

    def due_date(self, reader_type: str, category: str | None, use_kind: str,
                 start: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.period_days(reader_type, category, use_kind))

    def max_open_loans(self, reader_type: str) -> int:
        return int(self.open_loans.get(reader_type, self.open_loans.get("default", 0)))

    def max_renewals(self, reader_type: str, category: str | None, use_kind: str) -> int:
        return int(self.renewals.get(use_kind, self.renewals.get("default", 0)))

    def renewed_due(self, reader_type: str, category: str | None, use_kind: str,
                    due: dt.date) -> dt.date:
        days = self.renewal_period.get(reader_type, self.renewal_period.get("default", 0))
        return due + dt.timedelta(days=int(days))

    def needs_approval(self, reader_type: str, category: str | None, use_kind: str,
                       important: bool) -> list[str]:
        reasons = []
        if important:
            reasons.append("important")
        if use_kind in self.approval_uses:
            reasons.append(use_kind)
        if reader_type in self.approval_reader_types:
            reasons.append("reader_type")
        return reasons

    def approver_roles(self, reason: str) -> tuple[str, ...]:
        return tuple(self.approvers.get(reason, self.approvers.get("default", ("approver",))))

    def reason_text(self, reason: str) -> str:
        zh, en = APPROVAL_REASONS.get(reason, (reason, reason))
        return t(zh, en)

    def grant_max_days(self) -> int:
        return int(self.reading_grant_days)

    def renew_when_overdue(self) -> bool:
        return bool(self.allow_overdue_renewal)


DEFAULT_POLICY = LoanPolicy()
