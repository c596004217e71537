"""Importing business events (营销系统导出的业务环节) from CSV, .xlsx or JSON Lines.

All or nothing: every row is validated first and a bad file imports nothing, listing each
problem with its row number. Idempotent: an event is keyed by process, step and completion
time, so importing a file again (or an overlapping export) adds nothing twice. Each new event
becomes its tasks (rules via `BusinessRulesLike`) in the same transaction, with one audit event.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.bulk import (
    bulk_insert,
    collector_paused,
    db_timestamp,
    load_cache_kib,
    page_cache,
    reserve_ids,
)
from hudang.store.errors import ImportFailed
from hudang.store.i18n import t
from hudang.store.progress import Progress, no_progress
from hudang.store.services.business_rules import BusinessRulesLike, local_offset
from hudang.store.services.csvfile import (aliases, decode_csv_bytes, header_key, header_map,
                                           read_header, rejection)

# field -> accepted column names (Chinese first, then English); matching ignores case/spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_number": ("户号", "客户编号", "customer_number", "customer"),
    "process_id": ("流程编号", "工单编号", "申请编号", "process_id"),
    "process_type": ("业务类型", "流程类型", "process_type"),
    "step": ("环节", "业务环节", "step"),
    "completed_at": ("完成时间", "环节完成时间", "completed_at"),
    "staff": ("责任人", "经办人", "staff"),
    "team": ("班组", "team"),
    "unit": ("供电单位", "单位", "unit"),
}
REQUIRED = ("customer_number", "process_id", "process_type", "step", "completed_at")
# A row is a tuple of these fields' values in this order (a column the file lacks reads as
# empty); an event after checking is the same tuple with the customer's id for its number.
FIELDS = tuple(COLUMNS)
assert FIELDS == ("customer_number", "process_id", "process_type", "step", "completed_at",
                  "staff", "team", "unit")  # the order _FastCheck and _insert_chunk unpack
_MAX_LEN = {"customer_number": 32, "process_id": 64, "process_type": 32, "step": 64,
            "staff": 64, "team": 64, "unit": 64}
_MAX_PROBLEMS = 200
_ALIASES = aliases(COLUMNS)
EVENT_COLUMNS = ("id", "customer_id", "process_id", "process_type", "step",
                 "completed_at", "staff", "team", "unit", "source", "imported_at")
TASK_COLUMNS = ("id", "event_id", "customer_id", "process_id", "kind", "doc_type", "start_at",
                "due_at", "warning_from", "match_from", "staff", "team", "unit")
TASK_CONSTANTS = (("done_how", ""), ("waived_by", ""), ("waive_reason", ""))


@dataclass(frozen=True)
class EventImportResult:
    """What an import did: events new and already known, tasks generated."""

    file_name: str
    sha256: str
    file_format: str
    rows: int
    imported: int
    already_known: int
    tasks: int


# ---------------------------------------------------------------- reading the three formats

def _field_of(name: object) -> str | None:
    return _ALIASES.get(header_key(name))


def _header(names: list[object]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    return header_map(names, COLUMNS, REQUIRED, _ALIASES)


def _rows_from_table(rows: Iterator[list], start: int = 2) -> Iterator[tuple[int, tuple]]:
    cols = read_header(rows, lambda header: _header(list(header)), _summary)
    where = [cols.get(f, -1) for f in FIELDS]  # -1: the empty cell appended to each row
    pick = operator.itemgetter(*where)
    pad = -1 in where
    for row_no, raw in enumerate(rows, start=start):
        if pad:
            raw.append("")
        try:
            yield row_no, pick(raw)
        except IndexError:  # a short row: the cells it lacks are empty
            n = len(raw)
            yield row_no, tuple(raw[i] if -1 < i < n else "" for i in where)


def read_rows(data: bytes, name: str) -> tuple[str, Iterator[tuple[int, tuple | str]]]:
    """(format, rows) of an events file: CSV (UTF-8/GBK), .xlsx or JSON Lines by extension.

    Each row is (row number, the FIELDS' values) or, for a line that is no JSON object or
    has an unknown key, (line number, the problem)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx", _xlsx_rows(data)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl", _jsonl_rows(data)
    text, encoding = decode_csv_bytes(data)
    return "csv-" + encoding, _rows_from_table(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailed(t("不是有效的 .xlsx 文件：{e}", "not a valid .xlsx file: {e}", e=exc),
                           [(0, "xlsx")]) from None
    try:
        sheet = book.worksheets[0]
        yield from _rows_from_table(iter(list(r) for r in sheet.iter_rows(values_only=True)))
    finally:
        book.close()


def _jsonl_rows(data: bytes) -> Iterator[tuple[int, tuple | str]]:
    text, _ = decode_csv_bytes(data)
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield line_no, t("不是有效的 JSON：{e}", "not valid JSON: {e}", e=exc.msg)
            continue
        if not isinstance(obj, dict):
            yield line_no, t("每行应为一个 JSON 对象", "each line must be a JSON object")
            continue
        row = dict.fromkeys(FIELDS, "")
        error = None
        for key, value in obj.items():
            f = _field_of(key)
            if f is None:
                error = error or t("未知字段“{c}”", "unknown field '{c}'", c=key)
            else:
                row[f] = value
        yield line_no, error or tuple(row.values())


# ---------------------------------------------------------------- validating one row

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number column in Excel: 3300123456.0
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(" ")
    return str(value).strip()


def parse_time(value: object) -> dt.datetime | None:
    """A completion time as naive local time; aware values are converted; None if unreadable."""
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    else:
        text = _text(value).replace("/", "-")
        if not text:
            return None
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?",
                             text)
            if not m:
                return None
            try:
                when = dt.datetime(*(int(g or 0) for g in m.groups()))
            except ValueError:
                return None
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0)


_TEXT_FIELDS = tuple(f for f in FIELDS if f != "completed_at")


class _FastCheck:
    """The all-good check of one row (most rows of a real export): plain strings within their
    limits, a time `fromisoformat` reads, a known process type. Anything else takes the full
    `_validate`, which words every problem."""

    def __init__(self, rules: BusinessRulesLike) -> None:
        self.rules = rules
        self.known: dict[str, bool] = {}
        self.latest = dt.datetime.now() + dt.timedelta(days=1)
        self.limits = tuple(_MAX_LEN.get(f, 1 << 30) for f in _TEXT_FIELDS)

    def __call__(self, row: tuple | str) -> tuple | None:
        """The cleaned row (times without microseconds), or None for the full check."""
        if type(row) is not tuple:
            return None  # a problem already worded (JSON Lines)
        number, pid, ptype, step, raw_time, staff, team, unit = row
        try:  # a non-text cell (Excel number, JSON null) takes the full check
            number, pid, ptype, step = number.strip(), pid.strip(), ptype.strip(), step.strip()
            staff, team, unit = staff.strip(), team.strip(), unit.strip()
        except AttributeError:
            return None
        if not (number and pid and ptype and step):
            return None
        l_number, l_pid, l_ptype, l_step, l_staff, l_team, l_unit = self.limits
        if (len(number) > l_number or len(pid) > l_pid or len(ptype) > l_ptype
                or len(step) > l_step or len(staff) > l_staff or len(team) > l_team
                or len(unit) > l_unit):
            return None
        try:
            when = (raw_time if type(raw_time) is dt.datetime
                    else dt.datetime.fromisoformat(raw_time))
        except (TypeError, ValueError):
            return None
        if when.tzinfo is not None or when > self.latest:
            return None
        known = self.known.get(ptype)
        if known is None:
            known = self.known[ptype] = self.rules.knows_process(ptype)
        if not known:
            return None
        if when.microsecond:
            when = when.replace(microsecond=0)
        return number, pid, ptype, step, when, staff, team, unit


def _validate(row: tuple | str, rules: BusinessRulesLike) -> tuple[tuple | None, list[str]]:
    if type(row) is str:
        return None, [row]
    raw = dict(zip(FIELDS, row))
    clean = {}
    for f in _TEXT_FIELDS:
        value = raw[f]
        clean[f] = value.strip() if type(value) is str else _text(value)
    errors = [t("“{c}”不能为空", "'{c}' is empty", c=COLUMNS[f][0])
              for f in REQUIRED if f != "completed_at" and not clean[f]]
    for f, limit in _MAX_LEN.items():
        if len(clean[f]) > limit:
            errors.append(t("“{c}”超过 {n} 个字符", "'{c}' is longer than {n} characters",
                            c=COLUMNS[f][0], n=limit))
    when = parse_time(raw["completed_at"])
    if when is None:
        errors.append(t("完成时间“{v}”应为 YYYY-MM-DD HH:MM[:SS]",
                        "completion time '{v}' must be YYYY-MM-DD HH:MM[:SS]",
                        v=_text(raw["completed_at"])))
    elif when > dt.datetime.now() + dt.timedelta(days=1):
        errors.append(t("完成时间 {v} 在未来", "completion time {v} is in the future", v=when))
    if clean["process_type"] and not rules.knows_process(clean["process_type"]):
        errors.append(t("业务类型“{v}”不在 checklists.yaml 中", "process type '{v}' is not in "
                        "checklists.yaml", v=clean["process_type"]))
    clean["completed_at"] = when
    return tuple(clean[f] for f in FIELDS), errors


def event_key(process_id: str, step: str, completed_at: dt.datetime) -> tuple:
    """The identity of an event: the same step of a process completed at the same moment
    (`parse_events` builds it inline from a cleaned row, whose time has no microseconds)."""
    return (process_id, step, completed_at.replace(microsecond=0))


def lookup_in(sql_sqlite: str, sql_pg: str, values: list[str]) -> list[tuple]:
    """Rows of a `... IN (values)` query, 50,000 values per statement."""
    db = dbmod.require_database()
    out: list[tuple] = []
    for start in range(0, len(values), 50_000):
        chunk = values[start:start + 50_000]
        if dbmod.is_postgres():
            out += db.execute_sql(sql_pg, (chunk,)).fetchall()
        else:
            out += db.execute_sql(sql_sqlite, (json.dumps(chunk),)).fetchall()
    return out


def customer_ids(numbers: list[str]) -> dict[str, int]:
    """Customer number -> id for those the archive has."""
    return dict(lookup_in("SELECT number, id FROM customer WHERE number IN "
                        "(SELECT value FROM json_each(?))",
                        "SELECT number, id FROM customer WHERE number = ANY(%s)", numbers))


def known_event_keys(keys: set[tuple]) -> set[tuple]:
    """Which (process, step, local completion time) keys the archive already holds."""
    offset = local_offset()
    found = lookup_in("SELECT process_id, step, completed_at FROM business_event WHERE process_id "
                    "IN (SELECT value FROM json_each(?))",
                    "SELECT process_id, step, completed_at FROM business_event WHERE "
                    "process_id = ANY(%s)", sorted({k[0] for k in keys}))
    out = set()
    for pid, step, at in found:
        at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        out.add((pid, step, (at + offset).replace(microsecond=0)))
    return out & keys


def parse_events(data: bytes, name: str, rules: BusinessRulesLike
                 ) -> tuple[str, list[tuple], int]:
    """(format, new valid events in time order, rows already known); raise ImportFailed
    listing every problem. An event is (customer id, process, type, step, local completion
    time, staff, team, unit)."""
    fmt, rows = read_rows(data, name)
    problems: list[tuple[int, str]] = []
    events: list[tuple] = []
    row_nos: list[int] = []
    seen: set[tuple] = set()
    repeats = 0
    fast = _FastCheck(rules)
    for row_no, raw in rows:
        clean = fast(raw)
        if clean is None:
            if type(raw) is not str and not any(v not in (None, "") and _text(v) for v in raw):
                continue  # a blank line or only empty cells
            clean, errors = _validate(raw, rules)
            if errors:
                problems += [(row_no, e) for e in errors]
                continue
        key = (clean[1], clean[3], clean[4])  # event_key
        if key in seen:
            repeats += 1  # the same event twice in one export: once is enough
            continue
        seen.add(key)
        row_nos.append(row_no)
        events.append(clean)
    if not events and not problems and not repeats:
        problems.append((2, t("没有数据行", "no data rows")))
    ids = customer_ids(sorted({e[0] for e in events}))
    for row_no, e in zip(row_nos, events):
        if e[0] not in ids:
            problems.append((row_no, t("户号 {v} 不在档案中", "customer number {v} is not in "
                                       "the archive", v=e[0])))
    if problems:
        problems.sort()
        raise ImportFailed(_summary(problems), problems[:_MAX_PROBLEMS])
    known = known_event_keys(seen) if seen else set()
    fresh = [(ids[e[0]],) + e[1:] for e in events if (e[1], e[3], e[4]) not in known] \
        if known else [(ids[e[0]],) + e[1:] for e in events]
    fresh.sort(key=operator.itemgetter(4))  # time order keeps the indexes append-only
    return fmt, fresh, len(known) + repeats


def _summary(problems: list[tuple[int, str]]) -> str:
    return rejection(problems, "事件")


# ---------------------------------------------------------------- the service

def import_events(path: str | Path, actor: audit.Actor, rules: BusinessRulesLike,
                  data: bytes | None = None,
                  progress: Progress = no_progress) -> EventImportResult:
    """Import every new event of the file at `path` with its tasks, or nothing (ImportFailed)."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFailed(t("无法读取 {f}：{e}", "cannot read {f}: {e}", f=path,
                                 e=exc.strerror or exc), [(0, "read")]) from None
    digest = hashlib.sha256(data).hexdigest()
    with collector_paused(), dbmod.write_tx():  # millions of row tuples, no cycles
        fmt, events, known = parse_events(data, path.name, rules)
        with page_cache(load_cache_kib(len(events), CACHE_PER_EVENT_KIB)):
            n_tasks = _insert(events, path.name, rules, progress) if events else 0
        result = EventImportResult(path.name, digest, fmt, len(events) + known, len(events),
                                   known, n_tasks)
        if events:
            audit.record(actor, "business.events_import", "business_event", path.name, None,
                         {"file": path.name, "sha256": digest, "format": fmt,
                          "events": len(events), "already_known": known, "tasks": n_tasks})
    return result


def _timestamp_format():
    """db_timestamp as a plain function: SQLite text, or the datetime itself for PostgreSQL."""
    if dbmod.is_postgres():
        return lambda value: value
    return lambda value: value.isoformat(" ")


class _Planner:
    """Plans the tasks of (process, step, day) once; an event's time of day shifts the
    deadlines that run on the hour clock (48 h) and leaves working-day ones as they are.

    Which is which is measured, not assumed: the rules are asked at 00:00, 12:00 and 23:00;
    a deadline that moves exactly with the clock shifts, one that stays put is fixed, and any
    other answer (or more than `SLOTS` distinct shifts) makes that step planned by the rules
    for every event (`tasks`).

    A plan is a number and its task rows, kept in `rows` until written to the plan table:
    fixed deadlines already in UTC as stored, shifting ones as a slot 1..SLOTS that each
    event fills with its own UTC start plus that plan's distance (`deltas`).
    """

    PROBES = (dt.timedelta(hours=12), dt.timedelta(hours=23))
    SLOTS = 4

    def __init__(self, rules: BusinessRulesLike, offset: dt.timedelta, ts) -> None:
        self.rules = rules
        self.offset = offset
        self.ts = ts
        self.cache: dict[tuple, tuple | None] = {}
        self.rows: list[tuple] = []  # (plan, seq, kind, doc_type, due slot, due_at,
        #                                warning slot, warning_from) not yet in the table

    def plan(self, process_type: str, step: str, local: dt.datetime) -> tuple | None:
        """(plan number, shifting distances) of the event's step and day, or None when the
        rules must plan this event's tasks themselves."""
        key = (process_type, step, local.date())
        try:
            return self.cache[key]
        except KeyError:
            plan = self.cache[key] = self._plan(process_type, step, key[2])
            return plan

    def tasks(self, process_type: str, step: str, local: dt.datetime) -> list[tuple]:
        """(kind, doc_type, due_at, warning_from) of each task as stored, from the rules."""
        ts, offset = self.ts, self.offset
        return [(p.kind, p.doc_type, ts(p.due_at - offset), ts(p.warning_from - offset))
                for p in self.rules.tasks_for(process_type, step, local)]

    def _plan(self, process_type: str, step: str, day: dt.date) -> tuple | None:
        template = self._template(process_type, step, day)
        if template is None:
            return None
        midnight = dt.datetime.combine(day, dt.time())
        deltas: list[dt.timedelta] = []
        for _, _, due, sd, warn, sw in template:
            for value, shifts in ((due, sd), (warn, sw)):
                if shifts and value - midnight not in deltas:
                    deltas.append(value - midnight)
        if len(deltas) > self.SLOTS or any(d.microseconds for d in deltas):
            return None
        number = len(self.cache)
        ts, offset = self.ts, self.offset

        def stored(value: dt.datetime, shifts: bool) -> tuple:
            return (deltas.index(value - midnight) + 1, None) if shifts else \
                (0, ts(value - offset))

        self.rows += [(number, seq, kind, doc) + stored(due, sd) + stored(warn, sw)
                      for seq, (kind, doc, due, sd, warn, sw) in enumerate(template)]
        return number, tuple(deltas)

    def _template(self, process_type: str, step: str, day: dt.date) -> list | None:
        midnight = dt.datetime.combine(day, dt.time())
        base = self.rules.tasks_for(process_type, step, midnight)
        shifts: list[tuple[bool, bool]] = [(True, True)] * len(base)
        for probe in self.PROBES:
            other = self.rules.tasks_for(process_type, step, midnight + probe)
            if len(other) != len(base):
                return None
            for i, (a, b) in enumerate(zip(base, other)):
                if (a.kind, a.doc_type) != (b.kind, b.doc_type):
                    return None
                moved = (b.due_at - a.due_at, b.warning_from - a.warning_from)
                if any(m not in (dt.timedelta(0), probe) for m in moved):
                    return None
                shifts[i] = (shifts[i][0] and moved[0] == probe,
                             shifts[i][1] and moved[1] == probe)
                if probe == self.PROBES[0]:
                    shifts[i] = (moved[0] == probe, moved[1] == probe)
        return [(a.kind, a.doc_type, a.due_at, sd, a.warning_from, sw)
                for a, (sd, sw) in zip(base, shifts)]


CHUNK = 100_000  # events per round of insert statements (bounds memory on big files)
# SQLite page cache while inserting: about what an event and its tasks take with their index
# entries, so a big file's pages stay in memory until the commit (`bulk.load_cache_kib`).
CACHE_PER_EVENT_KIB = 1

# Each new event crosses from Python once, into a temporary table with its plan number and
# its own times (match_from and the plan's hour-clock deadlines); one INSERT ... SELECT copies
# the events from there and one joins them with their plans' rows to make the tasks. Python
# binds one row per event instead of one for the event and one for each task (about four).
PLAN_TABLE = "business_import_plan"
STAGE_TABLE = "business_import_event"
_SLOT_COLUMNS = tuple(f"t{i}" for i in range(1, _Planner.SLOTS + 1))
_PLAN_COLUMNS = ("plan", "seq", "kind", "doc_type", "due_slot", "due_at", "warning_slot",
                 "warning_from")
_STAGE_COLUMNS = ("id", "customer_id", "process_id", "process_type", "step", "completed_at",
                  "staff", "team", "unit", "plan", "match_from") + _SLOT_COLUMNS
_NO_SLOTS = tuple((None,) * (_Planner.SLOTS - n) for n in range(_Planner.SLOTS + 1))
_EVENTS_FROM_STAGE = (
    "INSERT INTO business_event (id, customer_id, process_id, process_type, step, completed_at, "
    "staff, team, unit, source, imported_at) SELECT id, customer_id, process_id, process_type, "
    f"step, completed_at, staff, team, unit, {{p}}, {{p}} FROM {STAGE_TABLE} ORDER BY id")


def _slot_sql(slot: str, fixed: str) -> str:
    whens = " ".join(f"WHEN {i} THEN x.{c}" for i, c in enumerate(_SLOT_COLUMNS, start=1))
    return f"CASE p.{slot} {whens} ELSE p.{fixed} END"


_TASKS_FROM_PLANS = (
    "INSERT INTO business_task (event_id, customer_id, process_id, kind, doc_type, start_at, "
    "due_at, warning_from, match_from, staff, team, unit, done_how, waived_by, waive_reason) "
    "SELECT x.id, x.customer_id, x.process_id, p.kind, p.doc_type, x.completed_at, "
    f"{_slot_sql('due_slot', 'due_at')}, {_slot_sql('warning_slot', 'warning_from')}, "
    "x.match_from, x.staff, x.team, x.unit, '', '', '' "
    # CROSS JOIN: SQLite keeps this order (events in id order, each one's plan rows by seq)
    f"FROM {STAGE_TABLE} x CROSS JOIN {PLAN_TABLE} p WHERE p.plan = x.plan "
    "ORDER BY x.id, p.seq")


def _create_work_tables() -> None:
    db = dbmod.require_database()
    ts = "TIMESTAMP"
    db.execute_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {PLAN_TABLE} (plan INTEGER NOT NULL, "
                   "seq INTEGER NOT NULL, kind VARCHAR(16) NOT NULL, "
                   f"doc_type VARCHAR(64) NOT NULL, due_slot INTEGER NOT NULL, due_at {ts}, "
                   f"warning_slot INTEGER NOT NULL, warning_from {ts}, PRIMARY KEY (plan, seq))")
    slots = ", ".join(f"{c} {ts}" for c in _SLOT_COLUMNS)
    db.execute_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} (id INTEGER PRIMARY KEY, "
                   "customer_id INTEGER NOT NULL, process_id VARCHAR(64) NOT NULL, "
                   "process_type VARCHAR(32) NOT NULL, step VARCHAR(64) NOT NULL, "
                   f"completed_at {ts} NOT NULL, staff VARCHAR(64) NOT NULL, "
                   "team VARCHAR(64) NOT NULL, unit VARCHAR(64) NOT NULL, plan INTEGER, "
                   f"match_from {ts} NOT NULL, {slots})")
    for table in (PLAN_TABLE, STAGE_TABLE):
        db.execute_sql(f"DELETE FROM {table}")


def _drop_work_tables() -> None:
    db = dbmod.require_database()
    for table in (PLAN_TABLE, STAGE_TABLE):
        db.execute_sql(f"DROP TABLE IF EXISTS {table}")


def _insert(events: list[tuple], source: str, rules: BusinessRulesLike,
            progress: Progress = no_progress) -> int:
    """Insert the events and their tasks, a few statements per chunk; return tasks."""
    chunk = CHUNK
    ts = _timestamp_format()
    plan = _Planner(rules, local_offset(), ts)
    tasks = 0
    progress("events", 0, len(events))
    _create_work_tables()
    for i in range(0, len(events), chunk):
        tasks += _insert_chunk(events[i:i + chunk], source, rules, plan, ts)
        progress("events", min(i + chunk, len(events)), len(events))
    _drop_work_tables()
    return tasks


def _insert_chunk(events: list[tuple], source: str, rules: BusinessRulesLike, plan: _Planner,
                  ts) -> int:
    offset = plan.offset
    match_before = rules.match_before()
    now = db_timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    first_event = reserve_ids("business_event", len(events))
    staged, by_rules = [], []
    plan_of, no_slots, blank = plan.plan, _NO_SLOTS, (None,) * (_Planner.SLOTS + 1)
    for eid, row in enumerate(events, first_event):
        _, _, ptype, step, local, _, _, _ = row
        utc = local - offset
        start = ts(utc)
        match_from = ts(utc - match_before)
        p = plan_of(ptype, step, local)
        if p is not None:
            deltas = p[1]
            staged.append((eid,) + row[:4] + (start,) + row[5:] + (p[0], match_from)
                          + tuple([ts(utc + d) for d in deltas]) + no_slots[len(deltas)])
        else:
            staged.append((eid,) + row[:4] + (start,) + row[5:] + (None, match_from) + blank[1:])
            cid, pid, _, _, _, staff, team, unit = row
            by_rules += [(eid, cid, pid, kind, doc, start, due, warn, match_from, staff, team,
                          unit) for kind, doc, due, warn in plan.tasks(ptype, step, local)]
    if plan.rows:
        bulk_insert(PLAN_TABLE, _PLAN_COLUMNS, plan.rows)
        plan.rows = []
    bulk_insert(STAGE_TABLE, _STAGE_COLUMNS, staged)
    del staged
    db = dbmod.require_database()
    if dbmod.is_postgres():
        db.execute_sql(f"ANALYZE {STAGE_TABLE}")
    mark = "%s" if dbmod.is_postgres() else "?"
    db.execute_sql(_EVENTS_FROM_STAGE.format(p=mark), (source[:128], now))
    tasks = db.execute_sql(_TASKS_FROM_PLANS).rowcount
    db.execute_sql(f"DELETE FROM {STAGE_TABLE}")
    if by_rules:
        _insert_tasks(by_rules)
        tasks += len(by_rules)
    return tasks


def _insert_tasks(rows: list[tuple]) -> None:
    """Insert task rows (TASK_COLUMNS less the id); the columns every new task has alike are
    bound once, not per row. The database numbers them itself (SQLite: the table's largest id
    plus one, PostgreSQL: the id sequence), as it does for tasks made from plans."""
    names = TASK_COLUMNS[1:] + tuple(c for c, _ in TASK_CONSTANTS)
    consts = tuple(v for _, v in TASK_CONSTANTS)
    if dbmod.is_postgres():
        bulk_insert("business_task", names, [row + consts for row in rows])
        return
    marks = ", ".join(["?"] * (len(TASK_COLUMNS) - 1) + ["'" + v + "'" for v in consts])
    dbmod.require_database().cursor().executemany(
        f"INSERT INTO business_task ({', '.join(names)}) VALUES ({marks})", rows)
