"""Deadlines (时限) and loan policy as data, counted on the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from hudang.rules.base import Category, CategoryList, DurationField, RuleId, Strict
from hudang.rules.errors import RuleIssue
from hudang.rules.yamlsource import Source
from hudang.common.i18n import t

REQUIRED_DEADLINES = ("digitise", "paper_transfer", "contract_filing_signed",
                      "contract_filing_changed", "contract_filing_dispute_closed")
UseKind = Literal["view", "copy", "original_out"]  # 阅览室查阅 复制摘录 原件出库（借出）


class Deadline(Strict):
    """A time limit: either calendar time (`within: PT48H`) or working days."""

    name: str
    within: DurationField | None = None
    working_days: int | None = Field(None, ge=1, le=366)
    warning_before: DurationField | None = None
    warning_working_days: int | None = Field(None, ge=0, le=366)

    @model_validator(mode="after")
    def _one_measure(self) -> Deadline:
        if (self.within is None) == (self.working_days is None):
            raise ValueError(t("within 或 working_days 二者之一", "either within or working_days"))
        if self.within is not None and self.warning_working_days is not None:
            raise ValueError(t("按自然时间计的时限用 warning_before",
                               "warning_before with a calendar-time limit"))
        if self.working_days is not None and self.warning_before is not None:
            raise ValueError(t("按工作日计的时限用 warning_working_days",
                               "warning_working_days with a working-day limit"))
        return self

    @field_validator("warning_before")
    @classmethod
    def _warning_shorter(cls, value, info: ValidationInfo):
        within = info.data.get("within")
        if value is not None and within is not None and \
                value.approx_days() >= within.approx_days():
            raise ValueError(t("比时限 {d} 短的 warning_before", "a warning_before shorter than "
                               "the limit {d}", d=within))
        return value

    @field_validator("warning_working_days")
    @classmethod
    def _warning_fewer(cls, value, info: ValidationInfo):
        days = info.data.get("working_days")
        if value is not None and days is not None and value >= days:
            raise ValueError(t("少于 {n} 的 warning_working_days", "warning_working_days below "
                               "{n}", n=days))
        return value


class ContractAlert(Strict):
    kind: Literal["remind", "warn"]  # 合同预警: remind a month ahead, warn a week ahead
    before: DurationField


class Approver(Strict):
    name: str
    role: str = "approver"


class ReaderType(Strict):
    name: str
    max_open_loans: int = Field(ge=0, le=1000)


class LoanTerm(Strict):
    """Terms for some reader types × categories × use kinds; the first matching row applies."""

    reader_types: list[str]
    categories: CategoryList | None = None
    use_kinds: list[UseKind]
    period_working_days: int = Field(ge=0, le=366)
    renewal_working_days: int = Field(0, ge=0, le=366)
    max_renewals: int = Field(0, ge=0, le=20)


class ApprovalWhen(Strict):
    important: bool | None = None
    use_kinds: list[UseKind] | None = None
    reader_types: list[str] | None = None
    categories: CategoryList | None = None


class ApprovalRule(Strict):
    id: RuleId
    when: ApprovalWhen
    approver: str
    reason: str


class LoanPolicy(Strict):
    approvers: dict[str, Approver]
    reader_types: dict[str, ReaderType]
    terms: list[LoanTerm]
    approvals: list[ApprovalRule] = []


class DeadlineExample(Strict):
    deadline: str
    start: dt.date
    expect_due: dt.date


class LoanExpect(Strict):
    allowed: bool
    period_working_days: int | None = None
    max_open_loans: int | None = None
    approvers: list[str] | None = None


class LoanExample(Strict):
    name: str
    reader_type: str
    category: Category
    use_kind: UseKind
    important: bool = False
    expect: LoanExpect


class PolicyExamples(Strict):
    deadlines: list[DeadlineExample] = []
    loans: list[LoanExample] = []


class PoliciesFile(Strict):
    deadlines: dict[str, Deadline]
    contract_alerts: list[ContractAlert]
    loans: LoanPolicy
    examples: PolicyExamples = PolicyExamples()


def check(model: PoliciesFile, src: Source) -> list[RuleIssue]:
    """Required deadlines present; reader types and approvers referenced are defined."""
    issues: list[RuleIssue] = []
    for key in REQUIRED_DEADLINES:
        if key not in model.deadlines:
            issues.append(src.issue(("deadlines",), t("必需的时限 {k}", "the required deadline {k}",
                                                      k=key), t("缺失", "missing")))
    loans = model.loans
    readers = ", ".join(loans.reader_types)
    for i, term in enumerate(loans.terms):
        for j, r in enumerate(term.reader_types):
            if r not in loans.reader_types:
                issues.append(src.issue(("loans", "terms", i, "reader_types", j),
                                        t("已定义的读者类型：{k}", "a defined reader type: {k}",
                                          k=readers), r))
    for i, rule in enumerate(loans.approvals):
        if rule.approver not in loans.approvers:
            issues.append(src.issue(("loans", "approvals", i, "approver"),
                                    t("已定义的审批人：{k}", "a defined approver: {k}",
                                      k=", ".join(loans.approvers)), rule.approver))
        for j, r in enumerate(rule.when.reader_types or []):
            if r not in loans.reader_types:
                issues.append(src.issue(("loans", "approvals", i, "when", "reader_types", j),
                                        t("已定义的读者类型：{k}", "a defined reader type: {k}",
                                          k=readers), r))
    for i, ex in enumerate(model.examples.deadlines):
        if ex.deadline not in model.deadlines:
            issues.append(src.issue(("examples", "deadlines", i, "deadline"),
                                    t("已定义的时限", "a defined deadline"), ex.deadline))
    for i, ex in enumerate(model.examples.loans):
        if ex.reader_type not in loans.reader_types:
            issues.append(src.issue(("examples", "loans", i, "reader_type"),
                                    t("已定义的读者类型：{k}", "a defined reader type: {k}",
                                      k=readers), ex.reader_type))
        for j, who in enumerate(ex.expect.approvers or []):
            if who not in loans.approvers:
                issues.append(src.issue(("examples", "loans", i, "expect", "approvers", j),
                                        t("已定义的审批人：{k}", "a defined approver: {k}",
                                          k=", ".join(loans.approvers)), who))
    return issues


# ---- deadlines --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineDue:
    """When a deadline falls due, when it turns yellow, and whether the calendar was complete."""

    deadline_id: str
    due_at: dt.datetime
    warning_from: dt.datetime
    uncovered_years: tuple[int, ...] = ()


def deadline_due(ruleset, deadline_id: str, start: dt.datetime | dt.date) -> DeadlineDue:
    """The due moment of `deadline_id` started at `start` (working days end at 23:59:59)."""
    d: Deadline = ruleset.policies.deadlines[deadline_id]
    start_at = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    if d.within is not None:
        due = start_at + d.within.timedelta() if not (d.within.years or d.within.months) \
            else dt.datetime.combine(d.within.add_to(start_at.date()), start_at.time())
        warn = due
        if d.warning_before is not None:  # months and years go back on the calendar
            warn = due - d.warning_before.timedelta() if not (
                d.warning_before.years or d.warning_before.months) else \
                dt.datetime.combine(d.warning_before.subtract_from(due.date()), due.time())
        return DeadlineDue(deadline_id, due, warn)
    cal = ruleset.calendar
    res = cal.add_working_days(start_at.date(), d.working_days)
    end_of_day = dt.time(23, 59, 59)
    warn_days = d.working_days - (d.warning_working_days or 0)
    warn = cal.add_working_days(start_at.date(), max(warn_days, 0))
    return DeadlineDue(deadline_id, dt.datetime.combine(res.date, end_of_day),
                       dt.datetime.combine(warn.date, end_of_day) if d.warning_working_days
                       else dt.datetime.combine(res.date, end_of_day),
                       tuple(sorted(set(res.uncovered_years) | set(warn.uncovered_years))))


def process_state(due: DeadlineDue, now: dt.datetime, done: bool = False) -> str:
    """normal (green) / warning (yellow) / overdue (red); a finished step is normal."""
    if done or now < due.warning_from:
        return "normal"
    return "overdue" if now > due.due_at else "warning"


def contract_alerts(ruleset, expires_on: dt.date, today: dt.date) -> list[tuple[str, dt.date]]:
    """The alerts (kind, from date) already due for a contract expiring on `expires_on`."""
    out = []
    for alert in ruleset.policies.contract_alerts:
        start = alert.before.subtract_from(expires_on)
        if start <= today:
            out.append((alert.kind, start))
    return out


# ---- loans ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApprovalNeed:
    rule_id: str
    approver: str
    approver_name: str
    reason: str


@dataclass
class LoanTerms:
    """What a reader may do with a file of a category: period, renewals, approvals needed."""

    allowed: bool
    period_working_days: int = 0
    renewal_working_days: int = 0
    max_renewals: int = 0
    max_open_loans: int = 0
    approvals: list[ApprovalNeed] = field(default_factory=list)
    reason: str = ""

    @property
    def needs_approval(self) -> bool:
        return bool(self.approvals)


def loan_terms(ruleset, reader_type: str, category: str, use_kind: str,
               important: bool = False) -> LoanTerms:
    """Look up the loan terms for reader type × category × use kind (first matching row)."""
    policy: LoanPolicy = ruleset.policies.loans
    reader = policy.reader_types.get(reader_type)
    if reader is None:
        return LoanTerms(False, reason=t("未知的读者类型 {r}", "unknown reader type {r}",
                                         r=reader_type))
    term = next((x for x in policy.terms if reader_type in x.reader_types
                 and (x.categories is None or category in x.categories)
                 and use_kind in x.use_kinds), None)
    if term is None:
        return LoanTerms(False, max_open_loans=reader.max_open_loans,
                         reason=t("借阅规则不允许此用途",
                                  "the loan policy does not allow this use"))
    needs = []
    for rule in policy.approvals:
        w = rule.when
        if ((w.important is None or w.important == important)
                and (w.use_kinds is None or use_kind in w.use_kinds)
                and (w.reader_types is None or reader_type in w.reader_types)
                and (w.categories is None or category in w.categories)):
            needs.append(ApprovalNeed(rule.id, rule.approver, policy.approvers[rule.approver].name,
                                      rule.reason))
    return LoanTerms(True, term.period_working_days, term.renewal_working_days, term.max_renewals,
                     reader.max_open_loans, needs)
