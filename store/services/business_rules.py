"""What the business-task services need from the rules, as an interface the store owns.

The rules (rules/checklists.py, policies.yaml, the calendar) answer this protocol; the shell
and the desk pass an adapter in (`hudang.rules.checklists.BusinessRules`). Deadlines are
computed on local wall-clock time (working days are local days) and stored as naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

# The six reminder kinds (六类提醒), and the task kind each reminds of.
REMINDER_KINDS = ("待添加", "待发送", "待移交", "待移交卷宗", "合同预警", "业扩时限预警")
REMINDER_KINDS_EN = {"待添加": "to digitise", "待发送": "paper to send", "待移交": "to hand over",
                     "待移交卷宗": "volume to shelve", "合同预警": "contract expiring",
                     "业扩时限预警": "step time limit"}
TASK_KINDS = ("digitise", "paper", "contract_filing", "step_limit", "shelve")
STATES = ("red", "yellow", "green")


@runtime_checkable
class PlannedTaskLike(Protocol):
    kind: str
    doc_type: str
    start_at: dt.datetime
    due_at: dt.datetime
    warning_from: dt.datetime


@runtime_checkable
class BusinessRulesLike(Protocol):
    """Checklists, deadlines, team leads and contract alerts, as the services ask for them."""

    def knows_process(self, process_type: str) -> bool:
        """Whether events of this process type are accepted (checklists.yaml lists it)."""
        ...

    def tasks_for(self, process_type: str, step: str, completed_at: dt.datetime
                  ) -> list[PlannedTaskLike]:
        """The tasks a completed step implies, deadlines in local time."""
        ...

    def required_documents(self, process_type: str, step: str) -> list[str]: ...

    def shelve_deadline(self, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(due_at, warning_from) for shelving a volume made up at `start` (local time)."""
        ...

    def match_before(self) -> dt.timedelta:
        """How long before the step a scanned document still satisfies its task."""
        ...

    def team_lead(self, team: str) -> str:
        """Who red reminders of `team` go to ('' when the rules name nobody)."""
        ...

    def contract_window(self, today: dt.date) -> dt.date:
        """Contracts expiring on or before this date may already be in an alert state."""
        ...

    def contract_state(self, expires_on: dt.date, today: dt.date) -> str:
        """green / yellow (remind) / red (warn or expired) for a contract expiring then."""
        ...


def kind_label(kind: str) -> str:
    """A reminder kind as the current language shows it (the data keeps the Chinese name)."""
    from hudang.store.i18n import language

    return REMINDER_KINDS_EN.get(kind, kind) if language() == "en" else kind


def local_offset() -> dt.timedelta:
    """This machine's offset from UTC (China has no daylight saving; one offset per run)."""
    return dt.datetime.now().astimezone().utcoffset() or dt.timedelta()


def to_utc(local: dt.datetime, offset: dt.timedelta | None = None) -> dt.datetime:
    """Naive local time -> naive UTC (the archive's clock)."""
    return local - (local_offset() if offset is None else offset)


def to_local(utc: dt.datetime, offset: dt.timedelta | None = None) -> dt.datetime:
    return utc + (local_offset() if offset is None else offset)
