"""Retention schedules: how long a filed document is kept, counted from which event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import model_validator

from hudang.rules.base import Category, CategoryList, DurationField, RuleId, Strict, TextList
from hudang.rules.errors import RuleIssue
from hudang.rules.yamlsource import Source
from hudang.common.i18n import t

# The dates a trigger may read, and where each lives in the archive.
DATE_FIELDS = {
    "document.filed_on": "归档日期",
    "document.business_step_at": "业务环节日期",
    "customer.cancelled_on": "销户日期",
    "contract.signed_on": "合同签订日期",
    "contract.expires_on": "合同到期日期",
}
Disposition = Literal["destroy_after_review", "review", "keep_permanently"]
Counting = Literal["from_event", "from_next_january"]


class Trigger(Strict):
    """An event a schedule counts from; `not_after` names a date the event cannot follow."""

    name: str
    date_field: str
    not_after: str | None = None  # e.g. a supply contract ends by the account's cancellation


class ScheduleMatch(Strict):
    """An omitted key matches everything; an empty list would match nothing, so it is an error."""

    categories: CategoryList | None = None
    doc_types: TextList | None = None
    voltage_classes: list[Literal["HV", "LV"]] | None = None
    customer_statuses: list[Literal["active", "cancelled"]] | None = None

    @model_validator(mode="after")
    def _no_empty_lists(self) -> ScheduleMatch:
        empty = [k for k in type(self).model_fields if getattr(self, k) == []]
        if empty:
            raise ValueError(t("非空列表（要匹配全部请删去 {k}）",
                               "a non-empty list (to match everything, leave {k} out)",
                               k=empty[0]))
        return self


class Schedule(Strict):
    id: RuleId
    name: str = ""
    match: ScheduleMatch = ScheduleMatch()
    trigger: str
    period: DurationField | None = None
    counting: Counting = "from_event"
    disposition: Disposition

    @model_validator(mode="after")
    def _period(self) -> Schedule:
        if self.disposition == "keep_permanently" and self.period is not None:
            raise ValueError(t("永久保存的规则不写 period", "no period for keep_permanently"))
        if self.disposition != "keep_permanently" and self.period is None:
            raise ValueError(t("period（保管期限，如 P5Y）", "a period such as P5Y"))
        return self


FACT_NAMES = ("category", "doc_type", "voltage_class", "customer_status", "filed_on",
              "business_step_at", "cancelled_on", "contract_signed_on", "contract_expires_on",
              "legal_hold")


class RetentionFacts(Strict):
    """What retention needs to know about one document (also the `input:` of an example)."""

    category: Category = "QT"
    doc_type: str = ""
    voltage_class: Literal["HV", "LV"] = "LV"
    customer_status: Literal["active", "cancelled"] = "active"
    filed_on: dt.date | None = None
    business_step_at: dt.date | None = None
    cancelled_on: dt.date | None = None
    contract_signed_on: dt.date | None = None
    contract_expires_on: dt.date | None = None
    legal_hold: bool = False

    def date_of(self, date_field: str) -> dt.date | None:
        """The event's date; a cancellation date counts only for a cancelled customer."""
        if date_field == "customer.cancelled_on" and self.customer_status != "cancelled":
            return None  # reinstated or a bad import: the account was not cancelled
        name = date_field.split(".", 1)[1]
        if date_field.startswith("contract."):
            name = "contract_" + name
        return getattr(self, name)


Status = Literal["dated", "waiting_for_trigger", "permanent", "no_schedule"]


class RetentionExpect(Strict):
    schedule: str | None = None
    status: Status | None = None
    eligible_on: dt.date | None = None
    disposal_blocked: bool | None = None


class RetentionExample(Strict):
    name: str
    input: RetentionFacts
    expect: RetentionExpect


class RetentionFile(Strict):
    triggers: dict[str, Trigger]
    schedules: list[Schedule]
    examples: list[RetentionExample] = []
    # 归档范围: per business process, the document types its file must hold (四性 integrity)
    filing_scope: dict[str, TextList] = {}


def check(model: RetentionFile, src: Source) -> list[RuleIssue]:
    """Known date fields, defined triggers, unique ids, day-precision periods."""
    issues: list[RuleIssue] = []
    for key, trig in model.triggers.items():
        if trig.date_field not in DATE_FIELDS:
            expected = t("已知的日期字段之一：{f}", "one of the known date fields: {f}",
                         f=", ".join(DATE_FIELDS))
            issues.append(src.issue(("triggers", key, "date_field"), expected, trig.date_field))
        if trig.not_after is not None and trig.not_after not in DATE_FIELDS:
            expected = t("已知的日期字段之一：{f}", "one of the known date fields: {f}",
                         f=", ".join(DATE_FIELDS))
            issues.append(src.issue(("triggers", key, "not_after"), expected, trig.not_after))
    seen = {s.id for s in model.schedules}  # duplicates: loader.duplicate_ids
    for i, s in enumerate(model.schedules):
        if s.trigger not in model.triggers:
            issues.append(src.issue(("schedules", i, "trigger"),
                                    t("triggers 中定义的触发事件：{k}", "a trigger defined under "
                                      "triggers: {k}", k=", ".join(model.triggers)), s.trigger))
        if s.period is not None and s.period.has_time:
            issues.append(src.issue(("schedules", i, "period"),
                                    t("以年、月、日计的期限（不含小时）",
                                      "a period in years, months or days (no hours)"),
                                    str(s.period)))
    for i, ex in enumerate(model.examples):
        if ex.expect.schedule is not None and ex.expect.schedule not in seen:
            issues.append(src.issue(("examples", i, "expect", "schedule"),
                                    t("已定义的保管规则编号", "a defined schedule id"),
                                    ex.expect.schedule))
    return issues


@dataclass
class Candidate:
    schedule_id: str
    trigger_date: dt.date | None
    eligible_on: dt.date | None
    permanent: bool
    disposition: str
    latest_possible: dt.date | None = None  # waiting: the latest date its event could give


@dataclass
class RetentionDecision:
    """The outcome for one document: class, date (or why none), and every candidate."""

    status: str  # dated / waiting_for_trigger / permanent / no_schedule
    schedule_id: str = ""
    eligible_on: dt.date | None = None
    disposition: str = ""
    disposal_blocked: bool = False  # a legal hold on the customer or the document
    candidates: list[Candidate] = field(default_factory=list)
    note: str = ""


def _matches(s: Schedule, f: RetentionFacts) -> bool:
    m = s.match
    return ((m.categories is None or f.category in m.categories)
            and (m.doc_types is None or f.doc_type in m.doc_types)
            and (m.voltage_classes is None or f.voltage_class in m.voltage_classes)
            and (m.customer_statuses is None or f.customer_status in m.customer_statuses))


def _candidate(model: RetentionFile, s: Schedule, f: RetentionFacts) -> Candidate:
    if s.disposition == "keep_permanently":
        return Candidate(s.id, None, None, True, s.disposition)
    trigger = model.triggers[s.trigger]
    event = f.date_of(trigger.date_field)
    if event is None:
        bound = f.date_of(trigger.not_after) if trigger.not_after else None
        return Candidate(s.id, None, None, False, s.disposition,
                         _eligible(s, bound) if bound else None)
    return Candidate(s.id, event, _eligible(s, event), False, s.disposition)


def _eligible(s: Schedule, event: dt.date) -> dt.date:
    start = dt.date(event.year + 1, 1, 1) if s.counting == "from_next_january" else event
    return s.period.add_to(start)


def _waiting_that_counts(cands: list[Candidate]) -> Candidate | None:
    """A waiting candidate that could still end later than every dated one (never guess).

    A waiting schedule whose event is bounded (`not_after`) and cannot end later than the
    longest dated candidate does not hold the document back.
    """
    dated = [c.eligible_on for c in cands if c.eligible_on is not None]
    longest = max(dated) if dated else None
    for c in cands:
        if c.permanent or c.eligible_on is not None:
            continue
        if longest is None or c.latest_possible is None or c.latest_possible > longest:
            return c
    return None


def evaluate(ruleset: object, facts: RetentionFacts) -> RetentionDecision:
    """Longest wins: permanent > waiting for a trigger (never guess) > latest eligibility date.

    A waiting schedule that can no longer outlast the longest dated one does not win.
    """
    model: RetentionFile = getattr(ruleset, "retention", ruleset)
    cands = [_candidate(model, s, facts) for s in model.schedules if _matches(s, facts)]
    blocked = facts.legal_hold
    if not cands:
        return RetentionDecision("no_schedule", disposal_blocked=blocked,
                                 note=t("没有适用的保管规则", "no schedule applies"))
    listing = ", ".join(f"{c.schedule_id}={'永久' if c.permanent else c.eligible_on or '待触发'}"
                        for c in cands)
    permanent = next((c for c in cands if c.permanent), None)
    waiting = _waiting_that_counts(cands)
    if permanent:
        best, status = permanent, "permanent"
    elif waiting:
        best, status = waiting, "waiting_for_trigger"
    else:
        dated = [c for c in cands if c.eligible_on is not None]
        best, status = max(dated, key=lambda c: c.eligible_on), "dated"
    note = {"permanent": t("永久保存", "kept permanently"),
            "waiting_for_trigger": t("等待触发事件：{tr}", "waiting for trigger: {tr}",
                                     tr=_trigger_name(model, best.schedule_id)),
            "dated": t("到期可处置", "eligible for disposal")}[status]
    if blocked:
        note += t("；法律冻结，禁止处置", "; legal hold blocks disposal")
    return RetentionDecision(status, best.schedule_id, best.eligible_on, best.disposition,
                             blocked, cands, f"{note} [{listing}]")


def date_fields_read(ruleset: object, facts: RetentionFacts) -> tuple[tuple[str, str], ...]:
    """The date fields `evaluate` reads for documents with these facts, and how much of each:
    `("document.filed_on", "year")` when only its year can change the decision, else "day".

    Which schedules match depends only on category, document type, voltage class and
    customer status; `evaluate` then reads each matching schedule's trigger date and its
    `not_after` date, and no other date (permanent schedules read none). A schedule counting
    `from_next_january` uses only the year of its event; the decision shows eligibility dates,
    never the event's own date. Documents whose dates agree in what is read get the same
    decision: a bulk job decides them once.
    """
    model: RetentionFile = getattr(ruleset, "retention", ruleset)
    read: dict[str, str] = {}
    for s in model.schedules:
        if s.disposition == "keep_permanently" or not _matches(s, facts):
            continue
        trigger = model.triggers[s.trigger]
        precision = "year" if s.counting == "from_next_january" else "day"
        for name in (trigger.date_field, trigger.not_after):
            if name and read.get(name) != "day":
                read[name] = precision
    return tuple(sorted(read.items()))


def _trigger_name(model: RetentionFile, schedule_id: str) -> str:
    s = next(s for s in model.schedules if s.id == schedule_id)
    return model.triggers[s.trigger].name
