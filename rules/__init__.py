"""Administrator-owned YAML rules: loading with precise errors, and pure evaluation."""

from __future__ import annotations

from rules.calendar import WorkCalendar, WorkdayResult
from rules.classification import ClassificationDecision, ClassificationInput, classify
from rules.errors import RuleIssue, RulesError
from rules.loader import RuleSet, load_ruleset
from rules.policies import (
                            DeadlineDue,
                            LoanTerms,
                            contract_alerts,
                            deadline_due,
                            loan_terms,
                            process_state,
)
from rules.retention import RetentionDecision, RetentionFacts
from rules.retention import evaluate as evaluate_retention

__all__ = [
    "ClassificationDecision", "ClassificationInput", "DeadlineDue", "LoanTerms",
    "RetentionDecision",
    "RetentionFacts", "RuleIssue", "RuleSet", "RulesError", "WorkCalendar", "WorkdayResult",
    "classify", "contract_alerts", "deadline_due", "evaluate_retention", "load_ruleset",
    "loan_terms", "process_state",
]
