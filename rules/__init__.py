"""Administrator-owned YAML rules: loading with precise errors, and pure evaluation."""

from __future__ import annotations

from hudang.rules.calendar import WorkCalendar, WorkdayResult
from hudang.rules.classification import ClassificationDecision, ClassificationInput, classify
from hudang.rules.errors import RuleIssue, RulesError
from hudang.rules.loader import RuleSet, load_ruleset
from hudang.rules.policies import (
                            DeadlineDue,
                            LoanTerms,
                            contract_alerts,
                            deadline_due,
                            loan_terms,
                            process_state,
)
from hudang.rules.retention import RetentionDecision, RetentionFacts
from hudang.rules.retention import evaluate as evaluate_retention

__all__ = [
    "ClassificationDecision", "ClassificationInput", "DeadlineDue", "LoanTerms",
    "RetentionDecision",
    "RetentionFacts", "RuleIssue", "RuleSet", "RulesError", "WorkCalendar", "WorkdayResult",
    "classify", "contract_alerts", "deadline_due", "evaluate_retention", "load_ruleset",
    "loan_terms", "process_state",
]
