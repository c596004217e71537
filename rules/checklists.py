"""Required-document checklists (必备档案目录) per business process and step, as data.

Each business event (a process step completed in the marketing system) implies tasks: digitise
every required document (policies.yaml `digitise`), hand its paper over (`paper_transfer`),
file the contract where the step produces one (`contract_filing_*`), and reach the next step
within the step's time limit (业扩时限预警). The rules are pure: the store turns them into rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from pydantic import Field

from hudang.rules.base import Strict, TextList
from hudang.rules.errors import RuleIssue
from hudang.rules.policies import contract_alerts, deadline_due
from hudang.rules.yamlsource import Source
from hudang.common.i18n import t

ContractKind = Literal["signed", "changed", "dispute_closed"]
CONTRACT_DEADLINE = {"signed": "contract_filing_signed", "changed": "contract_filing_changed",
                     "dispute_closed": "contract_filing_dispute_closed"}
# 六类提醒 / the six reminder kinds of the seeds, in the order the desk shows them.
REMINDER_KINDS = ("待添加", "待发送", "待移交", "待移交卷宗", "合同预警", "业扩时限预警")


class StepLimit(Strict):
    """The next step of the process must follow within this many working days."""

    working_days: int = Field(ge=1, le=366)
    warning_working_days: int = Field(0, ge=0, le=366)


class Step(Strict):
    documents: TextList = []
    contract: ContractKind | None = None  # the step signs/changes a contract: filing deadline
    contract_document: str = "供用电合同"
    next_step_within: StepLimit | None = None


class Process(Strict):
    steps: dict[str, Step]


class Team(Strict):
    lead: str  # the username red reminders are escalated to
    unit: str = ""


class ChecklistExpect(Strict):
    documents: list[str] | None = None
    contract_deadline: str | None = None
    step_limit_working_days: int | None = None


class ChecklistExample(Strict):
    name: str
    process_type: str
    step: str
    expect: ChecklistExpect


class ChecklistsFile(Strict):
    # A document scanned this long before the step (e.g. a copy brought early) still counts.
    match_before_step_hours: int = Field(168, ge=0, le=24 * 366)
    processes: dict[str, Process] = {}
    teams: dict[str, Team] = {}
    examples: list[ChecklistExample] = []


def check(model: ChecklistsFile, src: Source) -> list[RuleIssue]:
    """Examples name a defined process and step; a step with a limit lists a reachable next."""
    issues: list[RuleIssue] = []
    for i, ex in enumerate(model.examples):
        proc = model.processes.get(ex.process_type)
        if proc is None:
            issues.append(src.issue(("examples", i, "process_type"),
                                    t("已定义的业务流程：{k}", "a defined process type: {k}",
                                      k=", ".join(model.processes)), ex.process_type))
        elif ex.step not in proc.steps:
            issues.append(src.issue(("examples", i, "step"),
                                    t("{p} 的环节之一：{k}", "a step of {p}: {k}", p=ex.process_type,
                                      k=", ".join(proc.steps)), ex.step))
    for name, proc in model.processes.items():
        for step_name, step in proc.steps.items():
            lim = step.next_step_within
            if lim and lim.warning_working_days >= lim.working_days:
                issues.append(src.issue(("processes", name, "steps", step_name,
                                         "next_step_within", "warning_working_days"),
                                        t("小于 working_days", "less than working_days"),
                                        str(lim.warning_working_days)))
    return issues


def empty() -> ChecklistsFile:
    """The checklist of a rules directory that has no checklists.yaml: no tasks at all."""
    return ChecklistsFile()


class TaskSpec(NamedTuple):
    """One task an event implies: what, for which document, due when, yellow from when."""

    kind: str  # digitise / paper / contract_filing / step_limit
    doc_type: str
    start_at: dt.datetime
    due_at: dt.datetime
    warning_from: dt.datetime


def step_of(ruleset, process_type: str, step: str) -> Step | None:
    """The checklist entry of a process step, or None when the checklist does not list it."""
    proc = ruleset.checklists.processes.get(process_type)
    return proc.steps.get(step) if proc else None


def tasks_for_event(ruleset, process_type: str, step: str, completed_at: dt.datetime
                    ) -> list[TaskSpec]:
    """Every task one completed business step implies, with deadlines from the rules."""
    spec = step_of(ruleset, process_type, step)
    if spec is None:
        return []
    out: list[TaskSpec] = []
    dig = _due_parts(ruleset, "digitise", completed_at)
    paper = _due_parts(ruleset, "paper_transfer", completed_at)
    for doc in spec.documents:
        out.append(TaskSpec("digitise", doc, completed_at, *dig))
        out.append(TaskSpec("paper", doc, completed_at, *paper))
    if spec.contract:
        parts = _due_parts(ruleset, CONTRACT_DEADLINE[spec.contract], completed_at)
        out.append(TaskSpec("contract_filing", spec.contract_document, completed_at, *parts))
    if spec.next_step_within:
        lim = spec.next_step_within
        cal = ruleset.calendar
        end = dt.time(23, 59, 59)
        due = cal.add_working_days(completed_at.date(), lim.working_days).date
        warn = cal.add_working_days(completed_at.date(),
                                    lim.working_days - lim.warning_working_days).date
        out.append(TaskSpec("step_limit", "", completed_at, dt.datetime.combine(due, end),
                            dt.datetime.combine(warn, end) if lim.warning_working_days
                            else dt.datetime.combine(due, end)))
    return out


_DUE_CACHE: dict[tuple, tuple[dt.datetime, dt.datetime]] = {}


def _due_parts(ruleset, deadline_id: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(due_at, warning_from) of a deadline; working-day results are cached per start date."""
    d = ruleset.policies.deadlines[deadline_id]
    if d.within is not None:
        due = deadline_due(ruleset, deadline_id, start)
        return due.due_at, due.warning_from
    key = (id(ruleset), ruleset.version, deadline_id, start.date())
    hit = _DUE_CACHE.get(key)
    if hit is None:
        if len(_DUE_CACHE) > 50_000:
            _DUE_CACHE.clear()
        due = deadline_due(ruleset, deadline_id, start.date())
        hit = _DUE_CACHE[key] = (due.due_at, due.warning_from)
    return hit


def team_leads(ruleset) -> dict[str, str]:
    """Team name -> the username red reminders escalate to."""
    return {name: team.lead for name, team in ruleset.checklists.teams.items()}


class BusinessRules:
    """The rule set seen through the store's `BusinessRulesLike` protocol."""

    def __init__(self, ruleset) -> None:
        self.ruleset = ruleset
        self.file: ChecklistsFile = ruleset.checklists

    def knows_process(self, process_type: str) -> bool:
        return not self.file.processes or process_type in self.file.processes

    def tasks_for(self, process_type: str, step: str, completed_at: dt.datetime
                  ) -> list[TaskSpec]:
        return tasks_for_event(self.ruleset, process_type, step, completed_at)

    def required_documents(self, process_type: str, step: str) -> list[str]:
        spec = step_of(self.ruleset, process_type, step)
        return list(spec.documents) if spec else []

    def shelve_deadline(self, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        return _due_parts(self.ruleset, "paper_transfer", start)

    def match_before(self) -> dt.timedelta:
        return dt.timedelta(hours=self.file.match_before_step_hours)

    def team_lead(self, team: str) -> str:
        entry = self.file.teams.get(team)
        return entry.lead if entry else ""

    def contract_window(self, today: dt.date) -> dt.date:
        alerts = self.ruleset.policies.contract_alerts
        return max((a.before.add_to(today) for a in alerts), default=today)

    def contract_state(self, expires_on: dt.date, today: dt.date) -> str:
        if expires_on < today:
            return "red"
        kinds = {kind for kind, _ in contract_alerts(self.ruleset, expires_on, today)}
        return "red" if "warn" in kinds else "yellow" if "remind" in kinds else "green"
