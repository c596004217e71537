"""Business benchmark: import events, one `remind` pass, the monthly KPI, at scale.

    .venv/bin/python benchmarks/business_bench.py [--customers 2000000] [--events 1000000]
        [--open-tasks 1000000] [--postgres URL]

Builds a fresh archive in ./.bench/ (SQLite) or a schema `hudang_bizbench` (PostgreSQL):
customers inserted in bulk, a year of generated events written to a CSV and imported through
the real service (`import_events`: validation, idempotency check, tasks); then all but the
newest `--open-tasks` tasks are marked done, and `remind_pass` and `kpi` are timed.
Targets (issue 14): import >= 20,000 events/s on SQLite, remind <= 30 s, kpi <= 5 s.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hudang.progress import progress_for  # noqa: E402
from hudang.rules import load_ruleset  # noqa: E402
from hudang.rules.checklists import BusinessRules  # noqa: E402
from hudang.store import archive, audit  # noqa: E402
from hudang.store import db as dbmod  # noqa: E402
from hudang.store.generator_events import event_rows, write_events_csv  # noqa: E402
from hudang.store.services.business_import import import_events  # noqa: E402
from hudang.store.services.business_kpi import kpi  # noqa: E402
from hudang.store.services.business_remind import remind_pass  # noqa: E402
from hudang.store.bulk import bulk_insert, db_timestamp  # noqa: E402

BENCH = ROOT / ".bench"
ACTOR = audit.Actor("bench", "bench", "admin")
AS_OF = dt.date(2026, 11, 30)
STEPS_PER_PROCESS = 2.65  # the generator's mix of flows


def _url(postgres: str | None) -> str:
    if not postgres:
        path = BENCH / "business.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg2

    conn = psycopg2.connect(postgres)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS hudang_bizbench CASCADE")
        cur.execute("CREATE SCHEMA hudang_bizbench")
    conn.close()
    sep = "&" if "?" in postgres else "?"
    return postgres + sep + "options=" + quote("-csearch_path=hudang_bizbench,public")


def _customers(n: int) -> list[str]:
    numbers = [f"33{i:08d}" for i in range(1, n + 1)]
    now = db_timestamp(dt.datetime(2026, 1, 1))
    cols = ("id", "number", "name", "id_number", "phone", "address", "voltage_class",
            "supply_voltage", "line", "area", "tariff", "status", "important", "legal_hold",
            "created_at", "updated_at", "version")
    with progress_for("setup") as progress:  # a bar on a terminal, lines in a log
        for start in range(0, n, 200_000):
            with dbmod.write_tx():
                bulk_insert("customer", cols, [
                    (i + 1, numbers[i], f"客户{i}", "", "", "", "LV", "220V", "线路", "台区", "居民",
                     "active", False, False, now, now, 1)
                    for i in range(start, min(n, start + 200_000))])
            progress("customers", min(n, start + 200_000), n)
    return numbers


def _timed(label: str, fn):
    """Run fn; print wall time and this process's CPU time (the machine may be shared)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<42} {took:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return out, took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=2_000_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--open-tasks", type=int, default=1_000_000)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    BENCH.mkdir(exist_ok=True)
    url = _url(args.postgres)
    archive.open_archive(url, create=True)
    backend = "PostgreSQL" if dbmod.is_postgres() else "SQLite"
    print(f"backend {backend}; {args.customers:,} customers, {args.events:,} events; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    numbers, _ = _timed("insert customers (setup)", lambda: _customers(args.customers))
    csv_path = BENCH / f"events-{args.events}.csv"
    processes = int(args.events / STEPS_PER_PROCESS * 1.05) + 10
    rows = itertools.islice(event_rows(numbers, AS_OF - dt.timedelta(days=365), AS_OF,
                                       processes, random.Random(1)), args.events)
    n_rows, _ = _timed("write events CSV (setup)", lambda: write_events_csv(csv_path, rows))
    rules = BusinessRules(load_ruleset(ROOT / "sample_data" / "rules"))
    c0 = time.process_time()
    res, took = _timed("import events", lambda: import_events(csv_path, ACTOR, rules))
    cpu = time.process_time() - c0
    print(f"  {res.imported:,} events, {res.tasks:,} tasks: {res.imported / took:,.0f} events/s "
          f"wall, {res.imported / cpu:,.0f} events per CPU-second", flush=True)
    again, _ = _timed("import the same file again (no-op)",
                          lambda: import_events(csv_path, ACTOR, rules))
    print(f"  {again.already_known:,} already known, {again.imported} new")
    db = dbmod.require_database()
    top = db.execute_sql("SELECT MAX(id) FROM business_task").fetchone()[0]
    with dbmod.write_tx():
        db.execute_sql("UPDATE business_task SET done_at = start_at, done_how = 'scan' "
                       f"WHERE id <= {int(top) - args.open_tasks}")
    if dbmod.is_postgres():
        db.execute_sql("VACUUM ANALYZE")
    else:
        db.execute_sql("ANALYZE")
    open_n = db.execute_sql("SELECT COUNT(*) FROM business_task WHERE done_at IS NULL"
                            ).fetchone()[0]
    print(f"open tasks: {open_n:,}")
    now = dt.datetime.combine(AS_OF, dt.time(10))
    s, _ = _timed("remind pass 1 (records every reminder)", lambda: remind_pass(rules, ACTOR, now))
    print(f"  new reminders {s.new_reminders}, escalated {sum(s.escalated.values()):,}")
    _timed("remind pass 2 (an hour later, steady state)",
           lambda: remind_pass(rules, ACTOR, now + dt.timedelta(hours=1)))
    month = (AS_OF.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    for by in ("team", "staff", "unit"):
        rep, _ = _timed(f"kpi {month} by {by}", lambda by=by: kpi(month, by, now))
    print(f"  timely {rep.total.timely.count:,}/{rep.total.timely.of:,}, "
          f"over-limit {rep.total.over.count:,}/{rep.total.over.of:,}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {rss:,.0f} MB ({n_rows:,} rows in the CSV)")
    archive.close_archive()


if __name__ == "__main__":
    main()
