"""Business tasks: satisfied by what the archive sees, waived with a reason, listed by state.

A task is done when the archive sees its evidence (the sweep below runs set-based SQL, so it
scales to millions of open tasks): a scan filed for that customer and document type
(digitise), the document catalogued into a volume or its handover item received (paper), the
contract document in the archive (contract filing), a later step of the same process (step
limit), the volume's box shelved (shelve). States follow policies.yaml: green before
`warning_from`, yellow until `due_at`, red after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.bulk import bulk_insert, db_timestamp, reserve_ids
from hudang.store.errors import NotFound, PermissionDenied, ValidationError
from hudang.store.i18n import t
from hudang.store.models import utcnow
from hudang.store.models_business import BusinessEvent, BusinessTask
from hudang.store.services.business_rules import BusinessRulesLike, local_offset

WAIVE_ROLES = ("admin", "approver")
# The reminder kind (六类提醒) of an open task, as SQL over business_task `t`.
KIND_SQL = ("CASE t.kind WHEN 'digitise' THEN '待添加' WHEN 'paper' THEN "
            "(CASE WHEN t.sent_at IS NULL THEN '待发送' ELSE '待移交' END) "
            "WHEN 'contract_filing' THEN '待移交' WHEN 'shelve' THEN '待移交卷宗' "
            "ELSE '业扩时限预警' END")
REMINDER_TO_TASK = {"待添加": ("digitise",), "待发送": ("paper",), "待移交": ("paper",
                    "contract_filing"), "待移交卷宗": ("shelve",), "业扩时限预警": ("step_limit",)}


def state_sql(now_param: str) -> str:
    """green / yellow / red of an open task `t` at the moment bound to `now_param`."""
    return (f"CASE WHEN t.due_at < {now_param} THEN 'red' WHEN t.warning_from <= {now_param} "
            f"THEN 'yellow' ELSE 'green' END")


def param_mark() -> str:
    """The driver's placeholder for raw SQL (SQLite `?`, psycopg2 `%s`)."""
    return "%s" if dbmod.is_postgres() else "?"


def db_ts(value: dt.datetime) -> object:
    """A naive UTC datetime as raw SQL should bind it on this backend."""
    return db_timestamp(value)


# ---------------------------------------------------------------- satisfaction (the sweep)

def _doc_match(extra: str) -> str:
    return ("FROM document d WHERE d.customer_id = business_task.customer_id AND d.doc_type = "
            f"business_task.doc_type AND {extra}")


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark done every open task whose evidence the archive now holds; counts per way."""
    db = dbmod.require_database()
    now = now or utcnow()
    p = param_mark()
    scanned = "d.scanned_at IS NOT NULL AND d.scanned_at >= business_task.match_from"
    filed = ("d.volume_id IS NOT NULL AND d.filed_on IS NOT NULL AND "
             "COALESCE(d.scanned_at, d.created_at) >= business_task.match_from")
    filed_at = "CAST(d.filed_on AS TIMESTAMP)" if dbmod.is_postgres() else "d.filed_on"
    any_doc = "COALESCE(d.scanned_at, d.created_at) >= business_task.match_from"
    steps: dict[str, tuple[str, str, str]] = {
        "scan": ("'digitise'", scanned, "d.scanned_at"),
        "catalogued": ("'paper'", filed, filed_at),
        "filed": ("'contract_filing'", any_doc, "COALESCE(d.scanned_at, d.created_at)"),
    }
    counts: dict[str, int] = {}
    for how, (kind, cond, at) in steps.items():
        sql = (f"UPDATE business_task SET done_how = {p}, "
               f"document_id = (SELECT d.id {_doc_match(cond)} ORDER BY {at}, d.id LIMIT 1), "
               f"done_at = (SELECT MIN({at}) {_doc_match(cond)}) "
               f"WHERE kind = {kind} AND done_at IS NULL AND EXISTS (SELECT 1 {_doc_match(cond)})")
        counts[how] = db.execute_sql(sql, (how,)).rowcount
    later = ("FROM business_event e WHERE e.process_id = business_task.process_id "
             "AND e.completed_at > business_task.start_at")
    counts["next_step"] = db.execute_sql(
        f"UPDATE business_task SET done_how = 'next_step', done_at = (SELECT MIN(e.completed_at) "
        f"{later}) WHERE kind = 'step_limit' AND done_at IS NULL AND EXISTS (SELECT 1 {later})"
    ).rowcount
    counts["shelved"] = db.execute_sql(
        f"UPDATE business_task SET done_how = 'shelved', done_at = {p} WHERE kind = 'shelve' "
        "AND done_at IS NULL AND EXISTS (SELECT 1 FROM volume v JOIN box b ON b.id = v.box_id "
        "WHERE v.id = business_task.volume_id AND b.home_id IS NOT NULL)", (db_ts(now),)).rowcount
    return counts


def add_shelve_tasks(rules: BusinessRulesLike) -> int:
    """A 待移交卷宗 task for every volume made up but not shelved that has none yet."""
    db = dbmod.require_database()
    rows = db.execute_sql(
        "SELECT v.id, v.customer_id, v.created_at FROM volume v LEFT JOIN box b ON b.id = v.box_id "
        "WHERE (v.box_id IS NULL OR b.home_id IS NULL) AND NOT EXISTS "
        "(SELECT 1 FROM business_task t WHERE t.volume_id = v.id)").fetchall()
    if not rows:
        return 0
    offset = local_offset()
    first = reserve_ids("business_task", len(rows))
    out = []
    for i, (vid, cid, created) in enumerate(rows):
        created = created if isinstance(created, dt.datetime) else \
            dt.datetime.fromisoformat(str(created))
        due, warn = rules.shelve_deadline(created + offset)
        out.append((first + i, vid, cid, "", "shelve", "", db_ts(created), db_ts(due - offset),
                    db_ts(warn - offset), db_ts(created), "", "", "", "", "", ""))
    bulk_insert("business_task", ("id", "volume_id", "customer_id", "process_id", "kind",
                                  "doc_type", "start_at", "due_at", "warning_from", "match_from",
                                  "done_how", "waived_by", "waive_reason", "staff", "team",
                                  "unit"), out)
    return len(out)


# ---------------------------------------------------------------- handover (connect at merge)

def handover_sent(customer_id: int, doc_types: Iterable[str], at: dt.datetime) -> int:
    """Paper of these documents left the team for the archive: 待发送 becomes 待移交.

    Called by the handover service (a batch sent, A → B) inside its write transaction.
    """
    return _mark_paper(customer_id, doc_types, "sent_at = " + param_mark(), (db_ts(at),), "sent_at")


def handover_received(customer_id: int, doc_types: Iterable[str], at: dt.datetime) -> int:
    """The keeper received these documents' paper: their open paper tasks are done.

    Called by the handover service when a batch item is registered as received.
    """
    p = param_mark()
    return _mark_paper(customer_id, doc_types, f"done_at = {p}, done_how = 'handover'",
                       (db_ts(at),), "done_at")


def _mark_paper(customer_id: int, doc_types: Iterable[str], assign: str, values: tuple,
                column: str) -> int:
    db = dbmod.require_database()
    p = param_mark()
    total = 0
    for doc_type in set(doc_types):
        total += db.execute_sql(
            f"UPDATE business_task SET {assign} WHERE kind = 'paper' AND done_at IS NULL AND "
            f"{column} IS NULL AND doc_type = {p} AND event_id IN (SELECT e.id FROM "
            f"business_event e WHERE e.customer_id = {p})",
            values + (doc_type, customer_id)).rowcount
    return total


# ---------------------------------------------------------------- waiving

def waive_task(task_id: int, reason: str, actor: audit.Actor) -> None:
    """Close a task that cannot or need not be done; an authorised user, a reason, audited."""
    if actor.role not in WAIVE_ROLES:
        raise PermissionDenied(t("只有 {r} 可以免除任务", "only {r} may waive a task",
                                 r="/".join(WAIVE_ROLES)))
    reason = reason.strip()
    if not reason:
        raise ValidationError(t("免除任务必须写明原因", "waiving a task needs a reason"))
    with dbmod.write_tx():
        task = BusinessTask.get_or_none(BusinessTask.id == task_id)
        if task is None:
            raise NotFound(t("没有任务 {i}", "no task {i}", i=task_id))
        if task.done_at is not None:
            raise ValidationError(t("任务 {i} 已完成（{h}）", "task {i} is already done ({h})",
                                    i=task_id, h=task.done_how))
        now = utcnow()
        BusinessTask.update(done_at=now, done_how="waived", waived_by=actor.username,
                            waive_reason=reason[:500]).where(
            BusinessTask.id == task_id, BusinessTask.done_at.is_null()).execute()
        audit.record(actor, "business.task_waive", "business_task", task_id,
                     {"kind": task.kind, "doc_type": task.doc_type, "process": task.process_id},
                     {"reason": reason[:500], "at": now})


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class TaskRow:
    """An open task as lists show it."""

    id: int
    reminder_kind: str
    kind: str
    state: str
    customer_number: str
    customer_name: str
    process_id: str
    process_type: str
    step: str
    doc_type: str
    start_at: dt.datetime
    due_at: dt.datetime
    staff: str
    team: str
    unit: str


def row_datetime(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def mine_sql(mark: str) -> str:
    """An open task `t` is someone's when they answer for it or its red reminder went to them
    as team lead (escalation); binds the username twice."""
    return (f"(t.staff = {mark} OR EXISTS (SELECT 1 FROM reminder r WHERE r.task_id = t.id "
            f"AND r.escalated_to = {mark}))")


def open_tasks(now: dt.datetime | None = None, *, kind: str | None = None,
               state: str | None = None, staff: str | None = None, team: str | None = None,
               limit: int = 500, mine: str | None = None) -> list[TaskRow]:
    """Open tasks, reddest and oldest first; `kind` is a reminder kind or a task kind.

    `mine` (a username): the tasks they answer for plus those escalated to them as lead."""
    db = dbmod.require_database()
    now = now or utcnow()
    p = param_mark()
    where, args = ["t.done_at IS NULL"], []
    if kind:
        where.append(f"{KIND_SQL} = {p}" if not kind.isascii() else f"t.kind = {p}")
        args.append(kind)
    if state:
        where.append(f"{state_sql(p)} = {p}")
        args += [db_ts(now), db_ts(now), state]
        if state in ("red", "yellow"):
            where.append(f"t.warning_from <= {p}")  # lets the index narrow the scan
            args.append(db_ts(now))
    for col, value in (("staff", staff), ("team", team)):
        if value:
            where.append(f"t.{col} = {p}")
            args.append(value)
    if mine:
        where.append(mine_sql(p))
        args += [mine, mine]
    sql = (f"SELECT t.id, {KIND_SQL}, t.kind, {state_sql(p)}, c.number, c.name, t.process_id, "
           "COALESCE(e.process_type, ''), COALESCE(e.step, ''), t.doc_type, t.start_at, t.due_at, "
           "t.staff, t.team, t.unit FROM business_task t JOIN customer c ON c.id = t.customer_id "
           "LEFT JOIN business_event e ON e.id = t.event_id WHERE " + " AND ".join(where)
           + f" ORDER BY t.due_at, t.id LIMIT {int(limit)}")
    off = local_offset()
    rows = db.execute_sql(sql, [db_ts(now), db_ts(now)] + args).fetchall()
    return [TaskRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                    row_datetime(r[10]) + off, row_datetime(r[11]) + off, r[12], r[13], r[14])
            for r in rows]


def counts_by_kind(now: dt.datetime | None = None, staff: str | None = None,
                   mine: str | None = None) -> dict[str, dict[str, int]]:
    """Open tasks per reminder kind and state (the desk's work board, `remind`'s summary);
    `mine` counts a user's own and those escalated to them (see `open_tasks`)."""
    db = dbmod.require_database()
    now = now or utcnow()
    p = param_mark()
    where, args = "t.done_at IS NULL", [db_ts(now), db_ts(now)]
    if staff:
        where += f" AND t.staff = {p}"
        args.append(staff)
    if mine:
        where += " AND " + mine_sql(p)
        args += [mine, mine]
    rows = db.execute_sql(f"SELECT {KIND_SQL}, {state_sql(p)}, COUNT(*) FROM business_task t "
                          f"WHERE {where} GROUP BY 1, 2", args).fetchall()
    out: dict[str, dict[str, int]] = {}
    for kind, state, n in rows:
        out.setdefault(kind, {"red": 0, "yellow": 0, "green": 0})[state] += n
    return out


@dataclass(frozen=True)
class RequiredDocument:
    step: str
    doc_type: str
    present: bool
    document_id: int | None
    waived: bool


@dataclass(frozen=True)
class ProcessStatus:
    """Whether a process has every required document in the archive (档案管节点、节点控流程)."""

    process_id: str
    process_type: str
    customer_number: str
    steps: list[str]
    complete: bool
    required: list[RequiredDocument]
    missing: list[str]


def process_status(process_id: str) -> ProcessStatus:
    """Every required document of the process's steps so far: present, waived or missing."""
    events = list(BusinessEvent.select().where(BusinessEvent.process_id == process_id)
                  .order_by(BusinessEvent.completed_at))
    if not events:
        raise NotFound(t("没有业务流程 {p}", "no business process {p}", p=process_id))
    db = dbmod.require_database()
    p = param_mark()
    rows = db.execute_sql(
        "SELECT e.step, t.doc_type, t.done_how, t.document_id, (SELECT d.id FROM document d "
        "WHERE d.customer_id = t.customer_id AND d.doc_type = t.doc_type AND "
        "COALESCE(d.scanned_at, d.created_at) >= t.match_from ORDER BY d.id LIMIT 1) "
        "FROM business_task t JOIN business_event e ON e.id = t.event_id "
        f"WHERE e.process_id = {p} AND t.kind = 'digitise' ORDER BY e.completed_at, t.id",
        (process_id,)).fetchall()
    required = []
    for step, doc_type, how, doc_id, found in rows:
        waived = how == "waived"
        present = found is not None or (doc_id is not None and how != "waived")
        required.append(RequiredDocument(step, doc_type, present, found or doc_id, waived))
    missing = [f"{r.step}:{r.doc_type}" for r in required if not r.present and not r.waived]
    first = events[0]
    return ProcessStatus(process_id, first.process_type, first.customer.number,
                         [e.step for e in events], not missing, required, missing)
