"""Wiring the rooms together outside the CLI: the YAML rules' loan policy as the store's interface.

The store's loan services take any policy answering `LoanPolicyLike` (an interface the store
owns); `load_loan_policy` gives them the `loans:` section of the rules directory's
policies.yaml when there is one (through `RulesLoanPolicy`), and the built-in defaults
otherwise. The CLI and the desk's factory both use it; no room imports this module, the
shell passes the loader down (`make_app(..., loan_policy=...)`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hudang.settings import Settings
from hudang.store.domain import CATEGORIES
from hudang.store.services.loan_policy import DEFAULT_POLICY, LoanPolicyLike

# Our use kinds -> the rules' (policies.yaml): 阅览 view, 复制 copy, 原件出库 original_out.
RULES_USE = {"reading": "view", "copying": "copy", "take_out": "original_out"}
GENERIC_APPROVERS = ("approver", "admin")


@dataclass(frozen=True)
class RulesLoanPolicy:
    """The rules' loan policy (working days, terms, approval rules) as a LoanPolicyLike."""

    ruleset: Any
    reading_grant_days: int = 7  # policies.yaml has no key for it yet

    @property
    def _loans(self):
        return self.ruleset.policies.loans

    @property
    def reader_types(self) -> tuple[str, ...]:
        return tuple(self._loans.reader_types)

    @property
    def default_reader_type(self) -> str:
        return "staff" if "staff" in self._loans.reader_types else self.reader_types[0]

    def _terms(self, reader_type: str, category: str | None, use_kind: str,
               important: bool = False) -> list:
        """Terms for one category, or for all five when the item is a whole file or box."""
        from hudang.rules import loan_terms

        cats = [category] if category else list(CATEGORIES)
        return [loan_terms(self.ruleset, reader_type, c, RULES_USE[use_kind], important)
                for c in cats]

    def refusal(self, reader_type: str, category: str | None, use_kind: str) -> str | None:
        for terms in self._terms(reader_type, category, use_kind):
            if not terms.allowed:
                return terms.reason
        return None

    def due_date(self, reader_type: str, category: str | None, use_kind: str,
                 start: dt.date) -> dt.date:
        days = min(x.period_working_days for x in self._terms(reader_type, category, use_kind))
        return self.ruleset.calendar.add_working_days(start, days).date

    def max_open_loans(self, reader_type: str) -> int:
        reader = self._loans.reader_types.get(reader_type)
        return reader.max_open_loans if reader else 0

    def max_renewals(self, reader_type: str, category: str | None, use_kind: str) -> int:
        return min(x.max_renewals for x in self._terms(reader_type, category, use_kind))

    def renewed_due(self, reader_type: str, category: str | None, use_kind: str,
                    due: dt.date) -> dt.date:
        days = min(x.renewal_working_days for x in self._terms(reader_type, category, use_kind))
        return self.ruleset.calendar.add_working_days(due, days).date

    def needs_approval(self, reader_type: str, category: str | None, use_kind: str,
                       important: bool) -> list[str]:
        needs = []
        for terms in self._terms(reader_type, category, use_kind, important):
            needs += [a.rule_id for a in terms.approvals]
        return list(dict.fromkeys(needs))

    def _rule(self, reason: str):
        return next((r for r in self._loans.approvals if r.id == reason), None)

    def approver_roles(self, reason: str) -> tuple[str, ...]:
        rule = self._rule(reason)
        if rule is None:
            return GENERIC_APPROVERS
        return tuple(dict.fromkeys([self._loans.approvers[rule.approver].role, "admin"]))

    def reason_text(self, reason: str) -> str:
        rule = self._rule(reason)
        return rule.reason if rule else DEFAULT_POLICY.reason_text(reason)

    def grant_max_days(self) -> int:
        return self.reading_grant_days

    def renew_when_overdue(self) -> bool:
        return False


def load_loan_policy(settings: Settings) -> LoanPolicyLike:
    """The rules directory's loan policy, or the built-in defaults when there are no rules."""
    if not (Path(settings.rules_dir) / "policies.yaml").is_file():
        return DEFAULT_POLICY
    from hudang.rules import load_ruleset

    return RulesLoanPolicy(load_ruleset(settings.rules_dir))
