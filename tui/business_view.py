"""What the desk shows of the business side: contract colours from the rules, work-board data.

`contract_style` is the one place the desk colours a contract's expiry: from policies.yaml's
`contract_alerts` (remind → yellow, warn or expired → red) when rules are loaded, otherwise
from the built-in 7/30 days. The loaders run in thread workers on the worker's connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hudang.tui import render
from hudang.tui.services import _in_worker

STATE_STYLE = {"red": "bold red", "yellow": "yellow", "green": "green"}


def business_rules(ruleset):
    """The rules as the store's BusinessRulesLike, or None without a valid rule set."""
    if ruleset is None:
        return None
    from hudang.rules.checklists import BusinessRules

    return BusinessRules(ruleset)


def contract_style(ruleset, expires_on: dt.date | None, today: dt.date) -> str:
    """The style of a contract's days-to-expiry cell, decided by the rules (not fixed days)."""
    if expires_on is None:
        return ""
    rules = business_rules(ruleset)
    if rules is None:
        return render.days_style((expires_on - today).days)
    return STATE_STYLE[rules.contract_state(expires_on, today)]


@dataclass(frozen=True)
class BoardData:
    """One snapshot of the work board."""

    counts: dict[str, dict[str, int]]
    tasks: list
    contracts: list
    kpi_month: str
    kpi_total: object
    trend: list
    ranking: list = ()  # the month's KpiRows by team, ranked
    reminders: list = ()  # ReminderRows: what was sent to the user (scope "reminders")


SCOPES = ("all", "mine", "reminders")  # everyone's work / mine / the reminders I received


@_in_worker
def load_board(ruleset, now_local: dt.datetime, kind: str | None, user: str | None,
               scope: str = "all", state: str | None = None) -> BoardData:
    """Counts per reminder kind and state, the list behind `kind`, contracts, KPI and trend.

    `scope` "mine" and "reminders" count `user`'s open work: the tasks they answer for and
    those escalated to them as team lead; "mine" lists those tasks, "reminders" the reminders
    they received (newest first). Contracts name no one: everyone sees them."""
    from hudang.store.services import business_kpi, business_remind, business_tasks
    from hudang.store.services.business_rules import to_utc

    now = to_utc(now_local)
    mine = user if scope != "all" else None
    counts = business_tasks.counts_by_kind(now, mine=mine)
    rules = business_rules(ruleset)
    contracts = business_remind.contracts_in_alert(rules, now_local.date(), 500) if rules else []
    if rules is not None:
        slot = counts.setdefault("合同预警", {"red": 0, "yellow": 0, "green": 0})
        for c in contracts:
            slot[c.state] += 1
    listed = kind != "合同预警"
    reminders = (business_remind.reminders_for(user, kind, 300)
                 if listed and scope == "reminders" and user else [])
    tasks = business_tasks.open_tasks(now, kind=kind, mine=mine, state=state, limit=300) \
        if listed and scope != "reminders" else []
    month = now_local.strftime("%Y-%m")
    trend = business_kpi.trend(month, 12, now)
    ranking = business_kpi.kpi(month, "team", now).rows
    return BoardData(counts, tasks, contracts, month, trend[-1][1], trend, ranking, reminders)
