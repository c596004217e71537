"""Business benchmark: import events, one `remind` pass, the monthly KPI, at scale.

    .venv/bin/python benchmarks/business_bench.py [--customers 2000000] [--events 1000000]
        [--open-tasks 1000000] [--postgres URL] [--no-raw]

Builds a fresh archive in ./.bench/ (SQLite) or a schema `hudang_bizbench` (PostgreSQL):
customers inserted in bulk, a year of generated events written to a CSV and imported through
the real service (`import_events`: validation, idempotency check, tasks); then all but the
newest `--open-tasks` tasks are marked done, and `remind_pass` and `kpi` are timed.

Before the import, a child process measures the engine's own speed on the same rows (issue
16): it imports the file inside a transaction, reads back the very event and task rows the
import wrote, rolls back, and times `store.bulk.bulk_insert` of those rows into the same,
still empty, tables (executemany on SQLite, COPY on PostgreSQL; the import's page cache),
rolled back again, so it has no commit, which the import's time includes. The import's rate
is printed as a ratio of that one. A child, so the raw rows' memory (gigabytes at a million
events) stays out of this process's figures; it costs a second import's time (`--no-raw`).

Every phase prints wall and CPU time (`time.process_time`: this process only, so the server's
work on PostgreSQL is not in it) and the load average, as the machine may be shared.
Targets (issue 14): import >= 20,000 events/s on SQLite, remind <= 30 s, kpi <= 5 s.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import random
import resource
import subprocess
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
from hudang.store.services import business_import  # noqa: E402
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


class _Rollback(Exception):
    pass


_TASK_NAMES = business_import.TASK_COLUMNS + tuple(c for c, _ in business_import.TASK_CONSTANTS)


def raw_insert(url: str, csv_path: Path) -> dict:
    """(In the child.) The import's own rows through the bare driver, both rolled back."""
    from hudang.store.bulk import load_cache_kib, page_cache

    archive.open_archive(url)
    db = dbmod.require_database()
    rules = BusinessRules(load_ruleset(ROOT / "sample_data" / "rules"))
    gc.disable()  # as the import does: millions of row tuples
    try:
        with dbmod.write_tx():
            import_events(csv_path, ACTOR, rules)
            events = db.execute_sql(f"SELECT {', '.join(business_import.EVENT_COLUMNS)} "
                                    "FROM business_event ORDER BY id").fetchall()
            tasks = db.execute_sql(f"SELECT {', '.join(_TASK_NAMES)} FROM business_task "
                                   "ORDER BY id").fetchall()
            raise _Rollback
    except _Rollback:
        pass
    kib = load_cache_kib(len(events), business_import.CACHE_PER_EVENT_KIB)
    try:
        with dbmod.write_tx(), page_cache(kib):
            t0, c0 = time.perf_counter(), time.process_time()
            bulk_insert("business_event", business_import.EVENT_COLUMNS, events)
            bulk_insert("business_task", _TASK_NAMES, tasks)
            if not dbmod.is_postgres():  # every statement done before the clock stops
                db.execute_sql("SAVEPOINT bench_flush")
                db.execute_sql("RELEASE bench_flush")
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            raise _Rollback
    except _Rollback:
        pass
    archive.close_archive()
    return {"events": len(events), "tasks": len(tasks), "wall": wall, "cpu": cpu}


def _raw_in_child(url: str, csv_path: Path) -> dict:
    """Run `raw_insert` in a child process (its memory is its own); its figures back."""
    out = subprocess.run([sys.executable, __file__, "--raw-child", url, str(csv_path)],
                         stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=2_000_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--open-tasks", type=int, default=1_000_000)
    ap.add_argument("--postgres", default=None)
    ap.add_argument("--no-raw", action="store_true",
                    help="skip the raw executemany/COPY comparison (a second import's time)")
    ap.add_argument("--raw-child", nargs=2, metavar=("URL", "CSV"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.raw_child:
        print(json.dumps(raw_insert(args.raw_child[0], Path(args.raw_child[1]))))
        return
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
    raw = None
    if not args.no_raw:
        engine = "COPY" if dbmod.is_postgres() else "executemany"
        print(f"raw {engine} of the import's rows (child process; {_load()})", flush=True)
        raw = _raw_in_child(url, csv_path)
        if dbmod.is_postgres():  # rolled-back rows stay behind as dead tuples: the import,
            # remind and kpi would wade through them (SQLite keeps nothing of a rollback)
            dbmod.require_database().execute_sql("VACUUM FULL business_event, business_task")
        rows = raw["events"] + raw["tasks"]
        print(f"  {raw['events']:,} event + {raw['tasks']:,} task rows, rolled back: "
              f"{raw['wall']:.2f} s wall {raw['cpu']:.2f} s cpu; {rows / raw['wall']:,.0f} rows/s "
              f"wall, {rows / raw['cpu']:,.0f} per CPU-second = {raw['events'] / raw['wall']:,.0f} "
              f"events/s wall, {raw['events'] / raw['cpu']:,.0f} per CPU-second", flush=True)
    print(f"import events ({_load()})", flush=True)
    c0 = time.process_time()
    res, took = _timed("import events", lambda: import_events(csv_path, ACTOR, rules))
    cpu = time.process_time() - c0
    rows = res.imported + res.tasks
    print(f"  {res.imported:,} events, {res.tasks:,} tasks: {res.imported / took:,.0f} events/s "
          f"wall, {res.imported / cpu:,.0f} events per CPU-second ({rows / took:,.0f} rows/s "
          f"wall, {rows / cpu:,.0f} per CPU-second; {_load()})", flush=True)
    if raw and raw["events"] == res.imported:
        print(f"  the import runs at {raw['wall'] / took:.2f} of the raw {engine} rate wall, "
              f"{raw['cpu'] / cpu:.2f} of it per CPU-second (it also reads and checks the file "
              "and commits)", flush=True)
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
