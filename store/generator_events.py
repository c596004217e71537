"""A year of realistic business events for the demo and the benchmarks (issue 14).

Processes follow the shipped checklists' flows (新装: 受理 → 现场勘查 → 签订合同 → 装表接电 …),
steps a few days apart in office hours, each by a staff member of a team of a supply unit.
`add_year_of_events` imports them into the archive through the real import service and then
plays the year's archive work: most documents scanned within 48 h, some late, a few never;
most paper catalogued within the working-day limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.bulk import bulk_insert, db_timestamp, reserve_ids
from hudang.store.services.business_import import import_events
from hudang.store.services.business_rules import BusinessRulesLike, local_offset
from hudang.store.services.business_tasks import sweep

FLOWS: dict[str, tuple[str, ...]] = {
    "新装": ("受理", "现场勘查", "签订合同", "装表接电"), "增容": ("受理", "签订合同", "装表接电"),
    "减容": ("受理", "签订合同"), "更名过户": ("受理", "签订合同"), "迁址": ("受理", "装表接电"),
    "移表": ("受理", "装表接电"), "销户": ("受理", "拆表"),
}
WEIGHTS = {"新装": 25, "增容": 15, "减容": 5, "更名过户": 25, "迁址": 8, "移表": 12, "销户": 10}
TEAMS = (("营业一班", "城东供电所", ("wangfang", "lihua", "zhoujie")),
         ("营业二班", "城东供电所", ("chenjing", "sunli", "heping")),
         ("营业三班", "城西供电所", ("zhaolei", "wuyan", "xuming")),
         ("装表班", "城西供电所", ("liuqiang", "gaofeng", "linbo")))
HEADER = ("户号", "流程编号", "业务类型", "环节", "完成时间", "责任人", "班组", "供电单位")


def _office_time(day: dt.date, rng: random.Random) -> dt.datetime:
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60)))


def event_rows(numbers: list[str], start: dt.date, end: dt.date, processes: int,
               rng: random.Random, id_prefix: str = "YK") -> Iterator[tuple[str, ...]]:
    """`processes` processes over [start, end), steps in order; rows as the CSV columns."""
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    span = max(1, (end - start).days)
    for n in range(processes):
        kind = rng.choices(kinds, weights)[0]
        number = numbers[rng.randrange(len(numbers))]
        team, unit, staff = TEAMS[rng.randrange(len(TEAMS))]
        person = staff[rng.randrange(len(staff))]
        when = _office_time(start + dt.timedelta(days=rng.randrange(span)), rng)
        pid = f"{id_prefix}{when:%Y%m}{n:07d}"
        for i, step in enumerate(FLOWS[kind]):
            if i:
                when = _office_time(when.date() + dt.timedelta(days=1 + int(rng.expovariate(0.35))),
                                    rng)
            if when.date() >= end:
                break
            yield (number, pid, kind, step, when.strftime("%Y-%m-%d %H:%M"), person, team, unit)


def write_events_csv(path: Path, rows: Iterator[tuple[str, ...]]) -> int:
    """Write rows as a UTF-8 events CSV (the documented columns); return the row count."""
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for row in rows:
            out.writerow(row)
            n += 1
    return n


def add_year_of_events(rules: BusinessRulesLike, actor: audit.Actor, as_of: dt.date,
                       seed: int = 1, processes_per_100: int = 30) -> dict[str, int]:
    """Import a year of events for the archive's active customers and play the archive's work."""
    rng = random.Random(seed)
    db = dbmod.require_database()
    numbers = [r[0] for r in db.execute_sql(
        "SELECT number FROM customer WHERE status = 'active' ORDER BY id").fetchall()]
    if not numbers:
        return {"events": 0, "tasks": 0, "documents": 0}
    processes = max(1, len(numbers) * processes_per_100 // 100)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-events.csv"
        write_events_csv(path, event_rows(numbers, as_of - dt.timedelta(days=365), as_of,
                                          processes, rng))
        res = import_events(path, actor, rules)
    with dbmod.write_tx():
        docs = _play_the_work(rng, as_of)
        sweep()
    return {"events": res.imported, "tasks": res.tasks, "documents": docs}


def _play_the_work(rng: random.Random, as_of: dt.date) -> int:
    """Scan and catalogue documents the way a year of real work would (93 % on time)."""
    db = dbmod.require_database()
    off = local_offset()
    now = dt.datetime.combine(as_of, dt.time(18))
    tasks = db.execute_sql(
        "SELECT t.customer_id, t.doc_type, t.start_at, e.process_type, "
        "(SELECT MIN(v.id) FROM volume v WHERE v.customer_id = t.customer_id) "
        "FROM business_task t JOIN business_event e ON e.id = t.event_id "
        "WHERE t.kind = 'digitise' ORDER BY t.id").fetchall()
    rows = []
    for cid, doc_type, start, process, volume in tasks:
        start = start if isinstance(start, dt.datetime) else dt.datetime.fromisoformat(str(start))
        roll = rng.random()
        if roll < 0.02:
            continue  # never scanned: stays 待添加
        hours = rng.uniform(0.5, 40) if roll < 0.95 else rng.uniform(49, 140)
        scanned = start + dt.timedelta(hours=hours)
        if scanned + off > now:
            continue
        filed = (scanned + off + dt.timedelta(days=rng.choice((1, 2, 3, 4, 6, 9)))).date()
        catalogued = rng.random() < 0.9 and volume is not None and filed <= as_of
        rows.append((cid, volume if catalogued else None, "YK", doc_type, doc_type, 1,
                     filed if catalogued else None, process, db_timestamp(start),
                     db_timestamp(scanned), "", "", "", False, db_timestamp(scanned)))
    if rows:
        first = reserve_ids("document", len(rows))
        bulk_insert("document", ("id", "customer_id", "volume_id", "category", "doc_type",
                                 "title", "page_count", "filed_on", "business_process",
                                 "business_step_at", "scanned_at", "retention_class",
                                 "retention_note", "retention_ruleset", "legal_hold",
                                 "created_at"),
                    [(first + i,) + r for i, r in enumerate(rows)])
    return len(rows)
