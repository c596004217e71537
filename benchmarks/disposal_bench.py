"""Disposal benchmark: propose over a large archive; fixity check and execute of a big batch.

    .venv/bin/python benchmarks/disposal_bench.py propose [--documents 10000000] [--postgres URL]
    .venv/bin/python benchmarks/disposal_bench.py execute [--documents 100000] [--postgres URL]

`propose` reuses retention_bench's archive (raw bulk SQL, one customer per five documents,
1 in 7 customers cancelled, 15 % of documents dated) and times one `disposal.propose`.
`execute` builds an archive where every document is due (cancelled customers, one scanned
page each, its own 2 KB blob in a real scan store, five documents per volume, four volumes
per box), then times: a full fixity check of every blob (SHA-256 + SM3), propose, the
appraisal of every item, and `execute` (its own fixity re-check, tombstones, emptied
boxes, file removal). Figures are printed, never asserted. Data lives in ./.bench/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import retention_bench
from hudang.progress import progress_for
from hudang.store import archive
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.models import Document
from hudang.store.services import disposal, fixity, users
from hudang.store.services.disposal_execute import execute

BENCH_DIR = ROOT / ".bench"
CLASSES = ["cancelled-hv", "cancelled-lv"]
PROPOSER = Actor("bench-keeper", "bench", "keeper")


def _timed(label: str, fn):
    """Wall time and this process's CPU time (the machine may be shared)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    print(f"  {label:<52} {time.perf_counter() - t0:9.2f} s wall "
          f"{time.process_time() - c0:8.2f} s CPU")
    return result


def _url(args, name: str) -> str:
    if not args.postgres:
        BENCH_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{BENCH_DIR / f'{name}.sqlite3'}"
    import psycopg2

    conn = psycopg2.connect(args.postgres)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
    conn.cursor().execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.close()
    sep = "&" if "?" in args.postgres else "?"
    return args.postgres + sep + "options=" + quote(f"-csearch_path={name},public")


def bench_propose(args) -> None:
    url = _url(args, f"retention_{args.documents}" if not args.postgres
               else f"hudang_ret_{args.documents}")
    print(f"archive: {url}")
    retention_bench.build(url, args.documents)  # also applies new migrations
    db = dbmod.require_database()
    with db.atomic():  # a fresh start for each run: earlier runs' batches are dropped
        db.execute_sql("DELETE FROM disposal_item")
        db.execute_sql("DELETE FROM disposal_batch")
    day = dt.date(2026, 11, 22)
    print(f"disposal propose over {args.documents:,} documents, as of {day}:")
    info = _timed("propose (one INSERT … SELECT)", lambda: disposal.propose(day, PROPOSER,
                                                                          CLASSES))
    print(f"    -> {info.number}: {info.items:,} items {info.counts}")
    archive.close_archive()


def _build_due(n: int, root: Path) -> None:
    """n due documents of cancelled customers, each with one page in its own stored blob."""
    db = dbmod.require_database()
    n_customers = max(1, n // 5)
    n_boxes = max(1, n_customers // 4)
    p = db.param
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO customer (id, number, name, id_number, phone, address, voltage_class, "
            "supply_voltage, line, area, tariff, status, cancelled_on, important, legal_hold, "
            f"created_at, updated_at, version) VALUES ({p}, {p}, {p}, '', '', '', 'LV', '', '', "
            f"'', '', 'cancelled', '2016-01-01', {p}, {p}, '2025-01-01', '2025-01-01', 1)",
            [(i, f"33{i:08d}", f"c{i}", False, False) for i in range(1, n_customers + 1)])
        db.cursor().executemany(
            "INSERT INTO box (id, barcode, voltage_class, status, label, created_at, version) "
            f"VALUES ({p}, {p}, 'LV', 'unplaced', '', '2025-01-01', 1)",
            [(i, f"BB{i:08d}") for i in range(1, n_boxes + 1)])
        db.cursor().executemany(
            "INSERT INTO volume (id, barcode, customer_id, box_id, title, seq, created_at) "
            f"VALUES ({p}, {p}, {p}, {p}, '', 1, '2025-01-01')",
            [(i, f"VV{i:08d}", i, 1 + (i - 1) // 4) for i in range(1, n_customers + 1)])
        docs, scans, pages, fix = [], [], [], []
        with progress_for("build") as progress:  # a bar on a terminal, lines in a log
            for i in range(1, n + 1):
                data = (f"page {i} ".encode() * 256)[:2048]
                sha = hashlib.sha256(data).hexdigest()
                path = root / sha[:2] / sha
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                cust = 1 + (i - 1) % n_customers
                docs.append((i, f"DD{i:08d}", cust, cust))
                scans.append((i, sha, len(data)))
                pages.append((i, i, i))
                fix.append((i, sha, hashlib.new("sm3", data).hexdigest()))
                if i % 1000 == 0 or i == n:
                    progress("scans", i, n)
        db.cursor().executemany(
            "INSERT INTO document (id, barcode, customer_id, volume_id, category, doc_type, "
            "title, page_count, filed_on, business_process, retention_class, "
            "retention_eligible_on, retention_note, retention_ruleset, legal_hold, created_at) "
            f"VALUES ({p}, {p}, {p}, {p}, 'YK', '', '', 1, '2010-01-01', '', 'cancelled-lv', "
            f"'2020-01-01', '', 'bench', {p}, '2025-01-01')",
            [d + (False,) for d in docs])
        db.cursor().executemany(
            "INSERT INTO scan_file (id, sha256, size, media_type, original_name, station, "
            f"page_count, received_at) VALUES ({p}, {p}, {p}, 'application/pdf', '', '', 1, "
            "'2025-01-01')", scans)
        db.cursor().executemany(
            "INSERT INTO document_page (id, document_id, scan_file_id, page_no, seq, barcodes) "
            f"VALUES ({p}, {p}, {p}, 1, 1, '[]')", pages)
        db.cursor().executemany(
            "INSERT INTO scan_fixity (scan_file_id, sha256, sm3, recorded_at, status, "
            f"destroyed_batch) VALUES ({p}, {p}, {p}, '2025-01-01', 'ok', '')", fix)
        if dbmod.is_postgres():
            for table in ("customer", "box", "volume", "document", "scan_file", "document_page"):
                db.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
    db.execute_sql("VACUUM ANALYZE" if dbmod.is_postgres() else "ANALYZE")
    for name, role in (("bench-app1", "approver"), ("bench-app2", "approver"),
                       ("bench-wit1", "keeper"), ("bench-wit2", "auditor")):
        users.add_user(name, name, role, "bench-password", issue_card=False)


def bench_execute(args) -> None:
    name = f"disposal_exec_{args.documents}"
    root = BENCH_DIR / f"{name}_scans"
    if not args.postgres:
        (BENCH_DIR / f"{name}.sqlite3").unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            (BENCH_DIR / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    url = _url(args, name)
    if args.postgres:
        import psycopg2

        conn = psycopg2.connect(args.postgres)
        conn.autocommit = True
        conn.cursor().execute(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
        conn.close()
    print(f"archive: {url}")
    archive.open_archive(url, create=True)
    _timed(f"build {args.documents:,} due documents + blobs", lambda: _build_due(
        args.documents, root))
    report = _timed(f"fixity check of {args.documents:,} blobs (SHA-256 + SM3)",
                    lambda: fixity.verify_scans(root))
    print(f"    -> {report.checked:,} checked, {len(report.problems)} problems")
    info = _timed("propose", lambda: disposal.propose(dt.date(2026, 1, 1), PROPOSER, CLASSES))
    _timed("decide every item (one UPDATE)", lambda: disposal.decide(
        info.number, None, "destroy", "bench", PROPOSER))
    for who in ("bench-app1", "bench-app2"):
        disposal.approve(info.number, Actor(who))
    for who in ("bench-wit1", "bench-wit2"):
        disposal.witness(info.number, Actor(who))
    done = _timed(f"execute {info.items:,} items (incl. its fixity re-check)",
                  lambda: execute(info.number, root, PROPOSER))
    print(f"    -> destroyed {done.destroyed:,}, files removed {done.blobs_removed:,}, "
          f"fixity checked {done.fixity_checked:,}")
    left = sum(1 for _ in root.glob("*/*"))
    print(f"    -> {left} files left in the scan store; "
          f"{Document.select().count():,} catalogue entries kept as tombstones")
    archive.close_archive()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["propose", "execute"])
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if args.documents is None:
        args.documents = 10_000_000 if args.what == "propose" else 100_000
    (bench_propose if args.what == "propose" else bench_execute)(args)


if __name__ == "__main__":
    main()
