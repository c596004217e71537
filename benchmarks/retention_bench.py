"""Retention benchmark: `retention due` over a large archive, computed in the database.

    .venv/bin/python benchmarks/retention_bench.py [--documents 10000000] [--postgres URL]

Documents are built with raw bulk SQL (a recursive CTE on SQLite, generate_series on
PostgreSQL), indexes dropped during the load and rebuilt after, into ./.bench/ (SQLite) or a
schema `hudang_ret_<N>` (PostgreSQL); later runs reuse them. Figures are printed, never asserted.

Shape: one customer per five documents, 1 in 1,000 customers and 1 in 5,000 documents under a
legal hold; 15 % of documents carry an eligibility date spread over 2000-2060 (the rest wait
for a trigger, as active customers' files do), so about 7 % are due by today and 15 % by 2100.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hudang.progress import progress_for  # noqa: E402
from hudang.store import archive  # noqa: E402
from hudang.store import db as dbmod  # noqa: E402
from hudang.store.models import Document  # noqa: E402
from hudang.store.services.retention import due, due_count, due_summary  # noqa: E402

BENCH_DIR = ROOT / ".bench"
CLASSES = "('cancelled-hv','cancelled-lv','billing-10y','contract-after-expiry')"


def _sqlite_load(db, n_docs: int, n_customers: int) -> None:
    db.execute_sql(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
        "INSERT INTO customer (id, number, name, id_number, phone, address, voltage_class, "
        "supply_voltage, line, area, tariff, status, cancelled_on, important, legal_hold, "
        "created_at, updated_at, version) "
        "SELECT x, printf('33%08d', x), 'c' || x, '', '', '', "
        "CASE WHEN x % 10 = 0 THEN 'HV' ELSE 'LV' END, '', '', '', '', "
        "CASE WHEN x % 7 = 0 THEN 'cancelled' ELSE 'active' END, NULL, 0, "
        "CASE WHEN x % 1000 = 0 THEN 1 ELSE 0 END, '2025-01-01', '2025-01-01', 1 FROM c",
        (n_customers,))
    db.execute_sql(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
        "INSERT INTO document (id, barcode, customer_id, category, doc_type, title, page_count, "
        "filed_on, business_process, retention_class, retention_eligible_on, retention_note, "
        "retention_ruleset, legal_hold, created_at) "
        "SELECT x, NULL, 1 + (x * 7919) % ?, 'YK', '', '', 1, '2010-01-01', '', "
        "json_extract('[\"cancelled-hv\",\"cancelled-lv\",\"billing-10y\","
        "\"contract-after-expiry\"]', '$[' || (x % 4) || ']'), "
        "CASE WHEN x % 20 >= 3 THEN NULL ELSE date('2000-01-01', '+' || ((x * 104729) % 22000) "
        "|| ' days') END, '', 'bench', CASE WHEN x % 5000 = 0 THEN 1 ELSE 0 END, '2025-01-01' "
        "FROM c", (n_docs, n_customers))


def _pg_load(db, n_docs: int, n_customers: int) -> None:
    db.execute_sql(
        "INSERT INTO customer (id, number, name, id_number, phone, address, voltage_class, "
        "supply_voltage, line, area, tariff, status, cancelled_on, important, legal_hold, "
        "created_at, updated_at, version) "
        "SELECT x, '33' || lpad(x::text, 8, '0'), 'c' || x, '', '', '', "
        "CASE WHEN x %% 10 = 0 THEN 'HV' ELSE 'LV' END, '', '', '', '', "
        "CASE WHEN x %% 7 = 0 THEN 'cancelled' ELSE 'active' END, NULL, false, "
        "x %% 1000 = 0, now(), now(), 1 FROM generate_series(1, %s) x", (n_customers,))
    classes = CLASSES.replace("(", "[").replace(")", "]")
    db.execute_sql(
        "INSERT INTO document (id, barcode, customer_id, category, doc_type, title, page_count, "
        "filed_on, business_process, retention_class, retention_eligible_on, retention_note, "
        "retention_ruleset, legal_hold, created_at) "
        "SELECT x, NULL, 1 + (x::bigint * 7919) %% %s, 'YK', '', '', 1, DATE '2010-01-01', '', "
        f"(ARRAY{classes})[1 + x %% 4], "
        "CASE WHEN x %% 20 >= 3 THEN NULL "
        "ELSE DATE '2000-01-01' + ((x::bigint * 104729) %% 22000)::int END, '', 'bench', "
        "x %% 5000 = 0, now() FROM generate_series(1, %s) x",
        (n_customers, n_docs))
    db.execute_sql("SELECT setval(pg_get_serial_sequence('document', 'id'), %s)", (n_docs,))
    db.execute_sql("SELECT setval(pg_get_serial_sequence('customer', 'id'), %s)", (n_customers,))


def build(url: str, n_docs: int) -> None:
    db = archive.open_archive(url, create=True)
    have = Document.select().count()
    if have == n_docs:
        print(f"reusing {have:,} documents")
        # A migration may have added an index since; PostgreSQL also needs the visibility map.
        db.execute_sql("VACUUM ANALYZE" if dbmod.is_postgres() else "ANALYZE customer")
        return
    if have:
        raise SystemExit(f"{url} holds {have:,} documents, not {n_docs:,}; remove it first")
    n_customers = max(1, n_docs // 5)
    started = time.perf_counter()
    indexes = _indexes(db)  # every index on document, rebuilt after the load
    # Set-based loads: progress by stage (one statement each), a bar or log lines.
    with progress_for("build") as progress:
        progress("documents", 0, n_docs)
        with db.atomic():
            for name, _ in indexes:
                db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
            (_pg_load if dbmod.is_postgres() else _sqlite_load)(db, n_docs, n_customers)
        progress("documents", n_docs, n_docs)
        loaded = time.perf_counter()
        for i, (_, sql) in enumerate(indexes, 1):
            db.execute_sql(sql)
            progress("indexes", i, len(indexes))
        # PostgreSQL: VACUUM sets the visibility map, as autovacuum would, for index-only scans.
        db.execute_sql("VACUUM ANALYZE" if dbmod.is_postgres() else "ANALYZE")
    print(f"built {n_docs:,} documents / {n_customers:,} customers: load "
          f"{loaded - started:.1f} s, indexes + analyze {time.perf_counter() - loaded:.1f} s")


def _indexes(db) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each secondary index on the document table."""
    if dbmod.is_postgres():
        rows = db.execute_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                              "'document' AND schemaname = current_schema() "
                              "AND indexname NOT LIKE '%%pkey'").fetchall()
    else:
        rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                              "tbl_name = 'document' AND sql IS NOT NULL").fetchall()
    return [(r[0], r[1]) for r in rows]


def _timed(label: str, fn, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(f"  {label:<44} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def measure(n_docs: int) -> None:
    before = dt.date(2026, 11, 22)
    print(f"retention due on {n_docs:,} documents, before {before}:")
    count = _timed("due_count(before)", lambda: due_count(before))
    print(f"    -> {count:,} documents due")
    summary = _timed("due_summary(before) (GROUP BY class)", lambda: due_summary(before))
    print(f"    -> {summary}")
    _timed("due(before, limit=1000) first page", lambda: due(before, limit=1000))
    _timed("due(before, limit=1000, offset=100000)",
           lambda: due(before, limit=1000, offset=100_000))
    mark = due(before, limit=1, offset=100_000)[0]
    _timed("due(before, limit=1000, after=row 100000) keyset",
           lambda: due(before, limit=1000, after=(mark.eligible_on, mark.document_id)))
    far = dt.date(2100, 1, 1)
    count = _timed(f"due_count({far}) (every dated document)", lambda: due_count(far))
    print(f"    -> {count:,} documents due")
    narrow = dt.date(2000, 3, 1)
    rows = _timed(f"due({narrow}) full list", lambda: due(narrow), repeat=1)
    print(f"    -> {len(rows):,} rows materialised")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000_000)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if args.postgres:
        schema = f"hudang_ret_{args.documents}"
        import psycopg2

        conn = psycopg2.connect(args.postgres)
        conn.autocommit = True
        conn.cursor().execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.cursor().execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.close()
        sep = "&" if "?" in args.postgres else "?"
        url = args.postgres + sep + "options=" + quote(f"-csearch_path={schema},public")
    else:
        BENCH_DIR.mkdir(exist_ok=True)
        url = f"sqlite:///{BENCH_DIR / f'retention_{args.documents}.sqlite3'}"
    print(f"archive: {url}")
    build(url, args.documents)
    measure(args.documents)
    archive.close_archive()


if __name__ == "__main__":
    main()
