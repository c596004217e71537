"""One reminder pass (`hudang remind`): satisfy, add shelving tasks, remind, escalate red.

Set-based SQL, so a pass over millions of open tasks stays within seconds. A reminder is
recorded once per subject and state: a task that turns yellow is reminded once, once more
when it turns red (then escalated to its team lead), never again for the same state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.models import utcnow
from hudang.store.progress import Progress, no_progress
from hudang.store.services.business_import import lookup_in
from hudang.store.services.business_rules import BusinessRulesLike, local_offset
from hudang.store.services.business_tasks import (
    KIND_SQL,
    add_shelve_tasks,
    counts_by_kind,
    db_ts,
    param_mark,
    row_datetime,
    state_sql,
    sweep,
)


@dataclass
class RemindSummary:
    """What one pass did and what is open now, per reminder kind and state."""

    at: dt.datetime
    satisfied: dict[str, int]
    shelve_tasks_added: int
    new_reminders: dict[str, int]
    escalated: dict[str, int]
    open_counts: dict[str, dict[str, int]]
    contracts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ContractRow:
    """A contract in an alert state (合同预警)."""

    contract_id: int
    customer_number: str
    customer_name: str
    number: str
    kind: str
    expires_on: dt.date
    days_left: int
    state: str


def contracts_in_alert(rules: BusinessRulesLike, today: dt.date, limit: int = 100_000
                       ) -> list[ContractRow]:
    """Active customers' contracts (not auto-renewing) already reminded or warned, soonest first."""
    db = dbmod.require_database()
    p = param_mark()
    rows = db.execute_sql(
        "SELECT k.id, c.number, c.name, k.number, k.kind, k.expires_on FROM contract k "
        "JOIN customer c ON c.id = k.customer_id WHERE k.expires_on IS NOT NULL AND "
        f"k.expires_on <= {p} AND k.auto_renew = {p} AND c.status = 'active' "
        f"ORDER BY k.expires_on, k.id LIMIT {int(limit)}",
        (rules.contract_window(today), False)).fetchall()
    out = []
    for kid, number, name, knum, kind, expires in rows:
        expires = expires if isinstance(expires, dt.date) else dt.date.fromisoformat(str(expires))
        state = rules.contract_state(expires, today)
        if state != "green":
            out.append(ContractRow(kid, number, name, knum, kind, expires,
                                   (expires - today).days, state))
    return out


def remind_pass(rules: BusinessRulesLike, actor: audit.Actor,
                now: dt.datetime | None = None,
                progress: Progress = no_progress) -> RemindSummary:
    """One pass in one transaction, with one audit event summarising it.

    `progress` hears each of its five set-based steps (satisfied tasks, shelving tasks, task
    reminders, contract reminders, escalation).
    """
    now = now or utcnow()
    db = dbmod.require_database()
    p = param_mark()
    with dbmod.write_tx():
        progress("remind", 0, 5)
        satisfied = sweep(now)
        progress("remind", 1, 5)
        added = add_shelve_tasks(rules)
        progress("remind", 2, 5)
        state = state_sql(p)
        db.execute_sql(
            "INSERT INTO reminder (subject, state, kind, task_id, recipient, team, escalated_to, "
            f"created_at) SELECT 'task:' || CAST(t.id AS TEXT), {state}, {KIND_SQL}, t.id, "
            f"t.staff, t.team, '', {p} FROM business_task t WHERE t.done_at IS NULL AND "
            f"t.warning_from <= {p} AND NOT EXISTS (SELECT 1 FROM reminder r WHERE r.subject = "
            f"'task:' || CAST(t.id AS TEXT) AND r.state = {state})",
            (db_ts(now), db_ts(now), db_ts(now), db_ts(now), db_ts(now), db_ts(now)))
        progress("remind", 3, 5)
        contracts = _remind_contracts(rules, now)
        progress("remind", 4, 5)
        new = dict(db.execute_sql(f"SELECT state, COUNT(*) FROM reminder WHERE created_at = {p} "
                                  "GROUP BY state", (db_ts(now),)).fetchall())
        escalated = _escalate(rules, now)
        progress("remind", 5, 5)
        summary = RemindSummary(now, satisfied, added, new, escalated, counts_by_kind(now),
                                contracts)
        audit.record(actor, "business.remind", "reminder", now.isoformat(" "), None,
                     {"satisfied": satisfied, "shelve_tasks": added, "new": new,
                      "escalated": escalated, "contracts": contracts})
    return summary


def _remind_contracts(rules: BusinessRulesLike, now: dt.datetime) -> dict[str, int]:
    """Record each contract alert state once (subject: the contract and its expiry date)."""
    db = dbmod.require_database()
    p = param_mark()
    today = (now + local_offset()).date()
    rows = contracts_in_alert(rules, today)
    counts = {"yellow": 0, "red": 0}
    if not rows:
        return counts
    subjects = {r.contract_id: f"contract:{r.contract_id}:{r.expires_on.isoformat()}"
                for r in rows}
    seen = set(lookup_in("SELECT subject, state FROM reminder WHERE subject IN "
                       "(SELECT value FROM json_each(?))",
                       "SELECT subject, state FROM reminder WHERE subject = ANY(%s)",
                       sorted(subjects.values())))
    fresh = []
    for r in rows:
        counts[r.state] += 1
        subject = subjects[r.contract_id]
        if (subject, r.state) not in seen:
            fresh.append((subject, r.state, "合同预警", r.contract_id, db_ts(now)))
    if fresh:
        db.cursor().executemany(
            "INSERT INTO reminder (subject, state, kind, contract_id, recipient, team, "
            f"escalated_to, created_at) VALUES ({p}, {p}, {p}, {p}, '', '', '', {p})", fresh)
    return counts


def _escalate(rules: BusinessRulesLike, now: dt.datetime) -> dict[str, int]:
    """New red reminders go to their team's lead as well (per lead: how many)."""
    db = dbmod.require_database()
    p = param_mark()
    teams = [r[0] for r in db.execute_sql(
        f"SELECT DISTINCT team FROM reminder WHERE created_at = {p} AND state = 'red'",
        (db_ts(now),)).fetchall()]
    out: dict[str, int] = {}
    for team in teams:
        lead = rules.team_lead(team)
        if not lead:
            continue
        n = db.execute_sql(f"UPDATE reminder SET escalated_to = {p} WHERE created_at = {p} AND "
                           f"state = 'red' AND team = {p}", (lead, db_ts(now), team)).rowcount
        out[lead] = out.get(lead, 0) + n
    return out


@dataclass(frozen=True)
class ReminderRow:
    """A task reminder someone received, or had escalated to them as team lead."""

    id: int
    at: dt.datetime  # local time it was recorded
    state: str  # yellow / red when it was sent
    kind: str  # one of the reminder kinds
    escalated: bool  # came to this user as the team's lead, not as the one responsible
    staff: str
    team: str
    customer_number: str
    customer_name: str
    process_id: str
    step: str
    doc_type: str
    due_at: dt.datetime  # local
    done: bool  # the task has been done (or waived) since


def reminders_for(username: str, kind: str | None = None, limit: int = 200
                  ) -> list[ReminderRow]:
    """The newest task reminders a user received or had escalated to them (`kind`: one kind).

    Contract alerts (合同预警) name no one: the work board lists contracts for everyone.
    """
    db = dbmod.require_database()
    p = param_mark()
    where, args = f"(r.recipient = {p} OR r.escalated_to = {p})", [username, username]
    if kind:
        where += f" AND r.kind = {p}"
        args.append(kind)
    rows = db.execute_sql(
        "SELECT r.id, r.created_at, r.state, r.kind, r.recipient, r.escalated_to, t.staff, "
        "t.team, c.number, c.name, t.process_id, COALESCE(e.step, ''), t.doc_type, t.due_at, "
        "t.done_at FROM reminder r JOIN business_task t ON t.id = r.task_id "
        "JOIN customer c ON c.id = t.customer_id "
        f"LEFT JOIN business_event e ON e.id = t.event_id WHERE {where} "
        f"ORDER BY r.created_at DESC, r.id DESC LIMIT {int(limit)}", args).fetchall()
    off = local_offset()
    return [ReminderRow(r[0], row_datetime(r[1]) + off, r[2], r[3], r[4] != username, r[6],
                        r[7], r[8], r[9], r[10], r[11], r[12], row_datetime(r[13]) + off,
                        r[14] is not None) for r in rows]
