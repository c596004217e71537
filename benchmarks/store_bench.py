"""Store benchmark: build (or reuse) a large archive and print import, lookup and search figures.

    .venv/bin/python benchmarks/store_bench.py [--customers 2000000] [--postgres URL]
        [--sections customers,documents,lookup,search] [--document-rows 200000] [--profile]

The archive is kept in ./.bench/ (SQLite) or in a schema `hudang_bench_<N>` (PostgreSQL,
`--pg-schema` to choose another) and reused by later runs. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hudang.store import archive, audit, generator, search  # noqa: E402
from hudang.store import db as dbmod  # noqa: E402
from hudang.store.barcodes import default_scheme  # noqa: E402
from hudang.store.models import Customer  # noqa: E402
from hudang.store.services import lookup as lookup_service  # noqa: E402
from hudang.store.services import views  # noqa: E402
from hudang.store.services.customer_import import import_customers_csv  # noqa: E402

BENCH_DIR = ROOT / ".bench"
ACTOR = audit.Actor("bench", "bench", "admin")


class _Rollback(Exception):
    """Raised to undo the measured import so the archive stays reusable."""


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:8.1f} µs" if seconds < 0.01 else f"{seconds * 1e3:8.2f} ms"


def _pg_url(base: str, customers: int, schema: str | None = None) -> str:
    import psycopg2

    schema = schema or f"hudang_bench_{customers}"
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.close()
    sep = "&" if "?" in base else "?"
    return base + sep + "options=" + quote(f"-csearch_path={schema},public")


def build_or_reuse(url: str, customers: int, docs: float) -> None:
    """Open the archive at `url`; generate it when empty."""
    archive.open_archive(url, create=True)
    have = Customer.select().count()
    if have == customers:
        print(f"  reusing archive with {have:,} customers")
        if not search.index_is_current():  # built with an older search-index format
            started = time.perf_counter()
            search.rebuild_index()
            print(f"  rebuilt its search index (older format) in "
                  f"{time.perf_counter() - started:.0f} s")
        return
    if have:
        raise SystemExit(f"{url} holds {have:,} customers, not {customers:,}: remove it first")
    from hudang.progress import progress_for

    started = time.perf_counter()
    with progress_for("build") as progress:  # a bar on a terminal, lines in a log
        counts = generator.build_archive(customers, seed=1, docs_per_customer=docs,
                                         progress=progress)
    took = time.perf_counter() - started
    print(f"  built in {took:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


def write_import_csv(rows: int) -> Path:
    """A realistic customer CSV with `rows` new customers (numbers 09xxxxxxxx)."""
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / f"import-{rows}-v2.csv"  # v2: valid ID numbers, 2% dirty
    if path.exists():
        return path
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["户号", "户名", "证件号码", "联系电话", "用电地址", "电压等级", "供电电压",
                    "线路", "台区", "电价类别", "重要客户"])
        for i in range(rows):
            hv = rng.random() < 0.02
            d = rng.randrange(len(generator.DISTRICTS))
            dname, streets, parts, _ = generator.DISTRICTS[d]
            street = rng.choice(streets)
            name = generator._person_name(rng)
            id_number = generator._id_number(rng, d, dt.date(1940, 1, 1) + dt.timedelta(
                days=rng.randrange(25_000)))
            if rng.random() < 0.02:  # a legacy list is dirty: these go on the correction list
                id_number = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
            w.writerow([f"09{i:08d}", name, id_number,
                        f"13{rng.randrange(10**9):09d}",
                        f"广东省佛山市{dname}{street}路{rng.randint(1, 200)}号",
                        "高压" if hv else "低压", "10kV" if hv else "220V",
                        f"10kV {street}线", "" if hv else f"{street}{rng.choice(parts)}台区",
                        "大工业" if hv else "居民", "否"])
    return path


def _settle(url: str) -> None:
    """PostgreSQL: vacuum what the last rolled-back import left, so autovacuum does not
    start in the middle of the next timing (a site's tables are vacuumed as well)."""
    if dbmod.is_postgres():
        import psycopg2

        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM customer, customer_search, customer_correction, document, "
                        "volume, box")
        conn.close()


def bench_import(rows: int, url: str, repeat: int) -> None:
    """Import `rows` new customers `repeat` times (each rolled back); print each run and the
    median, then a raw executemany/COPY of the same rows for the ratio."""
    path = write_import_csv(rows)
    rates, cpus = [], []
    for _ in range(repeat):
        _settle(url)
        # A fresh connection, as `hudang import customers` has: the build's or the count's
        # pages would otherwise fill its cache.
        archive.close_archive()
        archive.open_archive(url)
        result, took, cpu = _rolled_back(lambda: import_customers_csv(path, ACTOR))
        rates.append(result.count / took)
        cpus.append(cpu)
        if dbmod.is_postgres():
            note = f"client CPU {cpu:.2f} s; the rest is the server, mostly the GIN update"
        else:
            note = f"{result.count / cpu:,.0f} rows per CPU second"
        print(f"  CSV import: {result.count:,} rows in {took:.2f} s = {rate_text(rates[-1])} "
              f"rows/s [{note}]")
    index = ("search index with its GIN pending-list merge" if dbmod.is_postgres() else
             "search index with its FTS5 flush")
    target = "20,000" if dbmod.is_postgres() else "50,000"
    rate = statistics.median(rates)
    print(f"  CSV import, median of {len(rates)}: {rate_text(rate)} rows/s (min "
          f"{rate_text(min(rates))}, max {rate_text(max(rates))}; target >= {target}/s; into "
          f"the populated archive, incl. validation, duplicate check and {index}; rolled back "
          f"afterwards, so only the commit's own write is not timed)")
    raw = bench_raw_insert(path)
    print(f"  raw executemany/COPY of the same rows (no validation, no index): {raw:,.0f} "
          f"rows/s; the import runs at {rate / raw:.2f} of it ({raw / rate:.1f}x slower)")


def rate_text(rate: float) -> str:
    return f"{rate:,.0f}"


def write_documents_csv(rows: int, customers: int) -> Path:
    """A catalogue of `rows` existing documents of the archive's customers, 5 per customer:
    half with their own barcode, each customer's in a new volume, HV customers in a box of
    their own, LV customers 8 to a box by 台区 (as a site moving from its old system has)."""
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / f"documents-{customers}-{rows}.csv"
    if path.exists():
        return path
    scheme = default_scheme()
    rng = random.Random(11)
    db = dbmod.require_database()
    wanted = -(-rows // 5)
    top = db.execute_sql("SELECT MAX(id) FROM customer").fetchone()[0]
    step = max(1, top // wanted)
    picked = db.execute_sql(f"SELECT number, name, voltage_class, area, line FROM customer "
                            f"WHERE MOD(id, {step}) = 0 ORDER BY id LIMIT {wanted}").fetchall()
    boxes: dict[str, tuple[int, int]] = {}  # 台区 -> (box serial, customers in it)
    serial = 90_000_000  # far above the generator's serials; the import is rolled back
    written = 0
    latest = dt.date.today() - dt.timedelta(days=30)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["户号", "类别", "文件类型", "题名", "日期", "页数", "条码", "案卷条码",
                    "档案盒条码", "业务流程"])
        for i, (number, name, vc, area, line) in enumerate(picked):
            if vc == "HV":
                box = serial + 500_000 + i
            else:
                key = area or line
                box, n = boxes.get(key, (0, 8))
                if n >= 8:
                    box, n = serial + 500_000 + i, 0
                boxes[key] = (box, n + 1)
            volume = scheme.make("volume", serial + i)
            opened = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(9000))
            first = generator.HV_DOCS if vc == "HV" else generator.NEW_CONNECTION_DOCS
            kinds = first[:3] + [rng.choice(generator.DOC_POOL) for _ in range(2)]
            for cat, doc_type, process in kinds:
                if written == rows:
                    break
                day = min(opened + dt.timedelta(days=rng.randint(1, 6) if process == "新装"
                                                else rng.randrange(6000)), latest)
                code = scheme.make("document", serial + written) if written % 2 else ""
                w.writerow([number, cat, doc_type, f"{name}{doc_type}", day.isoformat(),
                            rng.randint(1, 12), code, volume, scheme.make("box", box),
                            process])
                written += 1
    return path


def bench_documents(rows: int, customers: int, profile: bool, url: str) -> None:
    """The documents import into the populated archive (rolled back), and the same rows raw."""
    import os

    from hudang.rules import load_ruleset
    from hudang.store.services.document_import import import_documents_csv

    path = write_documents_csv(rows, customers)
    ruleset = load_ruleset(ROOT / "sample_data" / "rules")
    _settle(url)
    archive.close_archive()  # a fresh connection, as `hudang import documents` has
    archive.open_archive(url)
    db = dbmod.require_database()
    load = os.getloadavg()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    before = {t: db.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
              for t in ("box", "volume", "document")}
    seen: dict = {}
    real_record = audit.record

    def record_then_undo(actor, action, entity, entity_id, old, new):
        # The import's own last step; everything before it is timed. Raising here rolls its
        # transaction back, so the import runs as `hudang import documents` runs it (its own
        # top-level transaction: an enclosing one would make it a savepoint, whose journal
        # of every page's old image costs SQLite a quarter more) and the archive is reused.
        real_record(actor, action, entity, entity_id, old, new)
        if profiler:
            profiler.disable()
        seen["took"] = time.perf_counter() - started
        seen["cpu"] = time.process_time() - cpu_started
        seen["result"] = new
        seen["written"] = {t: db.execute_sql(f"SELECT * FROM {t} WHERE id > {before[t]} "
                                             f"ORDER BY id").fetchall() for t in before}
        seen["columns"] = {t: [c[0] for c in db.execute_sql(f"SELECT * FROM {t} LIMIT 0")
                               .description] for t in before}
        raise _Rollback

    audit.record = record_then_undo
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    try:
        import_documents_csv(path, ACTOR, ruleset)
    except _Rollback:
        pass
    finally:
        audit.record = real_record
    took, cpu, written, columns = (seen[k] for k in ("took", "cpu", "written", "columns"))
    result = argparse.Namespace(**seen["result"])
    rate = result.count / took
    end_load = os.getloadavg()
    where = "client only" if dbmod.is_postgres() else "SQLite included"
    print(f"  documents import: {result.count:,} rows ({result.volumes_created:,} new volumes, "
          f"{result.boxes_created:,} new boxes, {result.barcodes_generated:,} barcodes "
          f"generated, retention decided), rolled back: {took:.2f} s = {rate:,.0f} rows/s; "
          f"CPU {cpu:.2f} s ({where}) = {result.count / cpu:,.0f} rows per CPU second; "
          f"load average {load[0]:.1f} -> {end_load[0]:.1f} on {os.cpu_count()} CPUs "
          f"(target >= {'20' if dbmod.is_postgres() else '50'},000 rows/s)"
          + (" [under cProfile: slower than without]" if profiler else ""))
    raw, raw_cpu = _raw_rows(written, columns, url)
    total = sum(len(v) for v in written.values())
    print(f"  raw {'COPY' if dbmod.is_postgres() else 'executemany'} of the same {total:,} rows "
          f"(documents, volumes, boxes): {raw:.2f} s (CPU {raw_cpu:.2f} s) = "
          f"{result.count / raw:,.0f} document rows/s; the import takes {took / raw:.1f}x its "
          f"time ({cpu / raw_cpu:.1f}x its CPU)")
    if profiler:
        import pstats

        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(18)


def _raw_rows(written: dict[str, list], columns: dict[str, list], url: str
              ) -> tuple[float, float]:
    """Seconds (wall, CPU) the bare driver takes to insert these rows (rolled back)."""
    from hudang.store.bulk import bulk_insert, load_cache_kib, page_cache
    from hudang.store.services import document_import

    archive.close_archive()  # a fresh connection and page cache, as the import had
    archive.open_archive(url)
    cache = load_cache_kib(len(written["document"]), document_import._CACHE_PER_ROW_KIB)

    def insert() -> None:
        with page_cache(cache):
            for table in ("box", "volume", "document"):
                bulk_insert(table, columns[table], written[table])

    _, took, cpu = _rolled_back(insert)
    return took, cpu


def _rolled_back(work):
    """`work()` timed inside a transaction that is then rolled back: (result, wall, CPU).

    On SQLite the commit would write FTS5's pending terms (and its automerge work) and the
    dirty pages; a rollback never does. A savepoint released at the end triggers that same
    flush, so it is timed; only the commit's own write is not.
    """
    db = dbmod.require_database()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        with db.atomic():
            result = work()
            if not dbmod.is_postgres():
                db.execute_sql("SAVEPOINT bench_flush")
                db.execute_sql("RELEASE bench_flush")
            took = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            raise _Rollback
    except _Rollback:
        pass
    return result, took, cpu


def bench_fresh_import(rows: int) -> None:
    """Import a `rows`-row file into a new, empty SQLite archive and commit (a site's first load)."""
    import os

    path = write_import_csv(rows)
    target = BENCH_DIR / f"fresh-{rows}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    archive.open_archive(f"sqlite:///{target}", create=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = import_customers_csv(path, ACTOR)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    archive.close_archive()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    print(f"== first load: {result.count:,} rows into an empty SQLite archive, committed: "
          f"{took:.1f} s = {result.count / took:,.0f} rows/s [{result.count / cpu:,.0f} rows per "
          f"CPU second; load average {os.getloadavg()[0]:.1f}]")


def bench_raw_insert(path: Path) -> float:
    """Rows per second of the bare driver inserting the file's rows (rolled back)."""
    from hudang.store.bulk import bulk_insert, reserve_ids
    from hudang.store.services.customer_import import _INSERT_COLUMNS

    db = dbmod.require_database()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        values = list(reader)
    now = "2026-01-01 00:00:00"
    started = time.perf_counter()
    try:
        with db.atomic():
            first = reserve_ids("customer", len(values))
            rows = [(first + i, r[0], r[1], r[2], r[3], r[4], "HV" if r[5] == "高压" else "LV",
                     r[6], r[7], r[8], r[9], "active", False, False, now, now, 1)
                    for i, r in enumerate(values)]
            bulk_insert("customer", _INSERT_COLUMNS, rows)
            if not dbmod.is_postgres():
                db.execute_sql("SAVEPOINT bench_flush")
                db.execute_sql("RELEASE bench_flush")
            took = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return len(values) / took


CPU_TIMES: dict[int, list[float]] = {}  # id(wall list) -> this thread's CPU time per call


def _timed(fn, items) -> list[float]:
    """Wall time per call; the thread's CPU time per call is kept in CPU_TIMES."""
    times, cpu = [], []
    gc.disable()
    try:
        for item in items:
            c0, t0 = time.thread_time(), time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    finally:
        gc.enable()
    CPU_TIMES[id(times)] = cpu
    return times


def _cpu_note(times: list[float], p: float) -> str:
    """On SQLite (in-process) the CPU time shows the figure without waiting for a busy CPU."""
    if dbmod.is_postgres():
        return ""
    return f" [CPU p50 {_us(_pct(CPU_TIMES[id(times)], 50)).strip()}, " \
           f"p{p:g} {_us(_pct(CPU_TIMES[id(times)], p)).strip()}]"


def bench_lookup(samples: int) -> None:
    db = dbmod.require_database()
    top = db.execute_sql("SELECT MAX(id) FROM document").fetchone()[0]
    rng = random.Random(3)
    ids = [rng.randint(1, top) for _ in range(samples)]
    mark = db.param
    codes = [db.execute_sql(f"SELECT barcode FROM document WHERE id = {mark}", (i,)).fetchone()[0]
             for i in ids]
    raw_sql = (f"SELECT id, barcode, customer_id, volume_id, category, doc_type, title, "
               f"page_count, filed_on FROM document WHERE barcode = {mark}")
    # The very statement the brief lookup runs (document joined to its customer, volume,
    # box and home position), through the bare driver cursor: the service's own overhead.
    same_sql = views._DOCUMENT.format(where="barcode = ?")
    if dbmod.is_postgres():
        same_sql = same_sql.replace("?", "%s")
    conn = db.connection()

    def raw(code: str) -> None:
        cur = conn.cursor()
        cur.execute(raw_sql, (code,))
        assert cur.fetchone() is not None
        cur.close()

    def raw_same(code: str) -> None:
        cur = conn.cursor()
        cur.execute(same_sql, (code,))
        assert cur.fetchone() is not None
        cur.close()

    def service(code: str) -> None:
        assert lookup_service.lookup(code).kind == "document"

    def service_brief(code: str) -> None:
        assert lookup_service.lookup(code, detail=False).kind == "document"

    for fn in (raw, raw_same, service, service_brief):  # warm the cache
        _timed(fn, codes[:200])
    t_raw, t_same, t_svc, t_brief = (_timed(f, codes)
                                     for f in (raw, raw_same, service, service_brief))
    raw50, raw99 = _pct(t_raw, 50), _pct(t_raw, 99)
    print(f"  document barcode lookup, {samples:,} random codes:")
    for label, t in (("raw SQL (1 indexed SELECT)", t_raw),
                     ("raw SQL, the brief lookup's join", t_same),
                     ("service lookup(code, detail=False)", t_brief),
                     ("service lookup(code), desk detail", t_svc)):
        print(f"    {label:38s} p50 {_us(_pct(t, 50))}  p99 {_us(_pct(t, 99))}  "
              f"vs raw: p50 {_pct(t, 50) / raw50:5.1f}x  p99 {_pct(t, 99) / raw99:5.1f}x"
              + _cpu_note(t, 99))
    print("    (desk lookup adds the box's customers, contents by category and last moves)")
    print("    (target: service p99 <= 1 ms and within 3x of raw SQL)")


def _queries(samples: int, width: int, seed: int = 0) -> list[str]:
    """Realistic queries: mostly parts of names, some of addresses."""
    db = dbmod.require_database()
    top = db.execute_sql("SELECT MAX(id) FROM customer").fetchone()[0]
    rng = random.Random(seed * 10 + width)
    out = []
    mark = db.param
    while len(out) < samples:
        row = db.execute_sql(f"SELECT name, address FROM customer WHERE id = {mark}",
                             (rng.randint(1, top),)).fetchone()
        if row is None:
            continue
        name, address = row
        source = name if rng.random() < 0.8 else address[6:]
        if len(source) < width:
            continue
        start = 0 if source is name and rng.random() < 0.7 else rng.randrange(
            len(source) - width + 1)
        out.append(source[start:start + width])
    return out


def bench_search(samples: int) -> None:
    for width in (2, 3):
        queries = _queries(samples, width)
        _timed(lambda q: search.search_customers(q), queries[:100])
        counts = []
        times = _timed(lambda q: counts.append(len(search.search_customers(q))), queries)
        print(f"  keyword search, {width}-character queries ({samples:,}, e.g. "
              f"{' '.join(queries[:4])}): p50 {_us(_pct(times, 50))}  p95 "
              f"{_us(_pct(times, 95))}  max {_us(max(times))}  mean hits "
              f"{statistics.mean(counts):.1f} (target p95 <= 10 ms)" + _cpu_note(times, 95))
    phones = [q[-4:] for q in (r[0] for r in dbmod.require_database().execute_sql(
        "SELECT phone FROM customer ORDER BY id LIMIT 200").fetchall())]
    times = _timed(lambda q: search.search_customers(q), phones)
    print(f"  keyword search, last 4 phone digits ({len(phones)}): p50 "
          f"{_us(_pct(times, 50))}  p95 {_us(_pct(times, 95))}" + _cpu_note(times, 95))


def warm_cache(url: str) -> None:
    """Read the SQLite file once so the OS cache holds it, as on a desk that runs all day."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        started = time.perf_counter()
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass
        print(f"  read {path.stat().st_size / 2**30:.1f} GiB database file into the OS cache "
              f"in {time.perf_counter() - started:.1f} s")


def run(label: str, url: str, args: argparse.Namespace) -> None:
    import os

    load = os.getloadavg()[0]
    print(f"== {label}: {args.customers:,} customers, ~{args.docs:g} documents each "
          f"({os.cpu_count()} CPUs, load average {load:.1f} at start)")
    build_or_reuse(url, args.customers, args.docs)
    warm_cache(url)
    sections = set(args.sections.split(","))
    if "customers" in sections:
        bench_import(args.import_rows, url, args.repeat)
    if "documents" in sections:
        bench_documents(args.document_rows, args.customers, args.profile, url)
    if "lookup" in sections:
        bench_lookup(args.samples)
    if "search" in sections:
        bench_search(args.samples)
    archive.close_archive()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=2_000_000)
    ap.add_argument("--docs", type=float, default=5.0, help="documents per customer (mean)")
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--document-rows", type=int, default=200_000)
    ap.add_argument("--sections", default="customers,documents,lookup,search",
                    help="which figures to print (comma-separated)")
    ap.add_argument("--profile", action="store_true",
                    help="profile the documents import (cProfile, by own time)")
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5,
                    help="customer imports to time (each rolled back); the median is the figure")
    ap.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL database")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--pg-schema", default=None, help="PostgreSQL schema of the archive "
                    "(default hudang_bench_<customers>; give your own on a shared server)")
    ap.add_argument("--fresh-import", type=int, metavar="ROWS",
                    help="only import ROWS customers into a new, empty SQLite archive")
    args = ap.parse_args()
    if args.fresh_import:
        BENCH_DIR.mkdir(exist_ok=True)
        bench_fresh_import(args.fresh_import)
        return
    if not args.no_sqlite:
        BENCH_DIR.mkdir(exist_ok=True)
        path = BENCH_DIR / f"archive-{args.customers}.sqlite3"
        run("SQLite", f"sqlite:///{path}", args)
    if args.postgres:
        run("PostgreSQL", _pg_url(args.postgres, args.customers, args.pg_schema), args)


if __name__ == "__main__":
    main()
