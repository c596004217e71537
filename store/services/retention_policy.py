"""What the store needs from the retention rules, as an interface the store owns.

The store evaluates retention while filing and recomputing, but it never imports the
rules: the shell hands it an object that has a `version` and answers `decide(facts)`.
`hudang.rules.loader.RuleSet` is such an object; tests may pass their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RetentionFacts:
    """Everything retention reads about one document."""

    category: str
    doc_type: str
    voltage_class: str
    customer_status: str
    filed_on: dt.date | None
    business_step_at: dt.date | None
    cancelled_on: dt.date | None
    contract_signed_on: dt.date | None
    contract_expires_on: dt.date | None
    legal_hold: bool


class RetentionOutcome(Protocol):
    """The parts of a retention decision the store keeps on the document."""

    status: str  # dated | waiting_for_trigger | permanent | no_schedule
    schedule_id: str
    eligible_on: dt.date | None
    note: str


class RetentionRules(Protocol):
    """The retention rules of one rule-set version."""

    version: str

    def decide(self, facts: RetentionFacts) -> RetentionOutcome:
        """The retention decision for one document's facts."""
        ...


class ReadsDateFields(Protocol):
    """Rules that can also say which dates a decision reads (optional; `RuleSet` can).

    `date_fields_read(facts)` names the date fields (`document.filed_on`,
    `document.business_step_at`, `customer.cancelled_on`, `contract.signed_on`,
    `contract.expires_on`) that `decide` reads for documents with this category, type, class,
    status and hold, each with "year" (only its year can change the decision) or "day".
    Documents that agree in what is read then share one decision.
    """

    def date_fields_read(self, facts: RetentionFacts) -> tuple[tuple[str, str], ...]:
        """(date field, "year" or "day") for each date a decision for these facts reads."""
        ...
