"""Set-based writes for imports and the generator: one statement (or COPY) for many rows.

Kept apart from any one service so the search index, the customer import and the demo
generator can all use it without importing each other.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from hudang.store import db as dbmod


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows with one prepared statement (executemany / COPY); return count.

    On PostgreSQL the COPY data is written as the server reads it (`_CopyReader`), so the
    server inserts rows while later ones are still being encoded (and `rows` may be lazy).
    """
    db = dbmod.require_database()
    cols = ", ".join(columns)
    if dbmod.is_postgres():
        if isinstance(rows, list) and not rows:
            return 0
        reader = _CopyReader(rows)
        with db.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)", reader)
        return reader.count
    rows = rows if isinstance(rows, list) else list(rows)
    if rows:
        marks = ", ".join("?" * len(columns))
        db.cursor().executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    return len(rows)


@contextlib.contextmanager
def page_cache(kib: int) -> Iterator[None]:
    """At least `kib` KiB of SQLite page cache for one bulk load, the setting as it was after.

    A big load touches more index and parent-table pages (foreign keys) than the connection's
    usual cache holds; SQLite would write them out and read them back within the transaction.
    `PRAGMA cache_size` may change inside a transaction; PostgreSQL ignores this.
    """
    if dbmod.is_postgres():
        yield
        return
    db = dbmod.require_database()
    before = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    page = db.execute_sql("PRAGMA page_size").fetchone()[0]
    have = -before if before < 0 else before * page // 1024
    if kib <= have:
        yield
        return
    db.execute_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {int(before)}")  # frees the pages beyond it


class _CopyReader:
    """A file psycopg2's COPY reads: each read() encodes the next rows (`_copy_text`, a few
    hundred at a time), so the server inserts what was sent while the next rows are made."""

    ROWS_PER_READ = 500

    def __init__(self, rows: Iterable[Sequence]) -> None:
        self.rows = iter(rows)
        self.count = 0

    def read(self, size: int = -1) -> str:
        batch = list(itertools.islice(self.rows, self.ROWS_PER_READ))
        self.count += len(batch)
        return _copy_text(batch) if batch else ""


def _copy_text(rows: list[Sequence]) -> str:
    """The rows as PostgreSQL COPY CSV text.

    The csv module writes it in C: strings quoted (so "" is an empty string), numbers and
    booleans (True/False) bare, anything else as its quoted str(). It would quote None as
    well, so rows holding a None (NULL) or a list (an array) take the per-value path.
    """
    if any(type(v) is list for v in rows[0]) or any(None in row for row in rows):
        return "".join([",".join([_copy_value(v) for v in row]) + "\n" for row in rows])
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _copy_value(value: object) -> str:
    """One value in PostgreSQL COPY CSV: unquoted empty is NULL, strings are always quoted."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""
    if kind is bool:
        return "t" if value else "f"
    if kind is list:  # search bigrams: word characters only, never the word NULL (2-3 chars)
        return '"{' + ",".join(value) + '}"'
    if kind is int or kind is float:
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk job, then back as it was.

    An import builds hundreds of thousands of row lists and tuples, none in a cycle; each
    few hundred allocations set the collector off to walk them all again (a tenth of a
    customer import, more at a million events). Reference counting still frees them.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def reserve_ids(table: str, count: int) -> int:
    """Reserve `count` consecutive primary keys of `table` (inside a write tx); return the first."""
    db = dbmod.require_database()
    if dbmod.is_postgres():
        seq = db.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()[0]
        db.execute_sql("LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE")
        top = db.execute_sql(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
                             f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 "
                             f"END FROM {seq}))").fetchone()[0]
        db.execute_sql("SELECT setval(%s, %s)", (seq, top + count))
        return int(top) + 1
    top = db.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
    return int(top) + 1


def db_timestamp(value: dt.datetime) -> object:
    """A naive UTC datetime as the driver should receive it (Peewee's SQLite text format)."""
    return value if dbmod.is_postgres() else value.isoformat(" ")


# ---------------------------------------------------------------- staged loads (SQLite)

STAGE_SCHEMA = "hudang_stage"


@dataclass(frozen=True)
class Staged:
    """Rows bound for one table: `rows` hold the values of `columns` in order; each
    (column, value) of `constants` is the same for every row and bound once."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple]
    constants: tuple[tuple[str, object], ...] = ()


def staged_load_available() -> bool:
    """Whether `load_staged` can run here (SQLite with the serialise API, Python 3.11+)."""
    return not dbmod.is_postgres() and hasattr(sqlite3.Connection, "deserialize")


class _WorkerFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def load_staged(batches: Iterable[list[Staged]],
                after_each: Callable[[list[Staged]], None] = lambda batch: None) -> None:
    """SQLite: insert batches that a worker thread makes, each through a staging database.

    A bulk load is two kinds of work of about equal size: Python's (reading, checking, the
    search-index text: one CPU, the GIL held) and SQLite's (the rows, their B-trees and the
    FTS5 index). A worker thread runs `batches` and binds each batch into a private
    in-memory database of its own, serialised to bytes; this thread loads those bytes into
    the attached schema `hudang_stage` and runs one INSERT … SELECT per table. The sqlite3
    module releases the GIL for the whole of each statement, so the engine works on one CPU
    while the next batch is made on the other. Call inside the write transaction: all the
    rows commit or roll back with it. An exception in the worker is raised here (the
    original, with its traceback); one raised here stops the worker.
    """
    db = dbmod.require_database()
    conn = db.connection()
    if not any(row[1] == STAGE_SCHEMA for row in conn.execute("PRAGMA database_list")):
        conn.execute(f"ATTACH ':memory:' AS {STAGE_SCHEMA}")  # stays for the connection
    handoff: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    # Each load's databases carry their own schema version: SQLite then reads the staged
    # schema afresh for a load's first batch (another load's tables may differ), and keeps
    # it for the rest, whose tables are the same (`_serialised`, checked below).
    version = next(_LOADS)
    worker = threading.Thread(target=_stage_batches, args=(batches, handoff, stop, version),
                              name="hudang-stage", daemon=True)
    interval = sys.getswitchinterval()
    # After each statement this thread needs the GIL back from the worker: at the default
    # 5 ms it would wait that long three times a batch.
    sys.setswitchinterval(min(interval, 0.0005))
    worker.start()
    shape_of_first: dict[str, list] = {}
    try:
        while True:
            kind, data, batch = handoff.get()
            if kind == "done":
                break
            if kind == "error":
                raise data.error
            shape = [(s.table, len(s.columns), len(s.constants)) for s in batch]
            if shape != shape_of_first.setdefault("shape", shape):
                raise ValueError(f"staged batches differ in shape: {shape}")
            conn.deserialize(data, name=STAGE_SCHEMA)
            for i, staged in enumerate(batch):
                names = (*staged.columns, *(c for c, _ in staged.constants))
                values = (*(f"c{j}" for j in range(len(staged.columns))),
                          *("?" for _ in staged.constants))
                conn.execute(f"INSERT INTO {staged.table} ({', '.join(names)}) SELECT "
                             f"{', '.join(values)} FROM {STAGE_SCHEMA}.t{i}",
                             tuple(v for _, v in staged.constants))
            after_each(batch)
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.05)
        worker.join()
        sys.setswitchinterval(interval)
        with contextlib.suppress(sqlite3.Error):  # free the last batch's memory
            conn.deserialize(_empty_database(), name=STAGE_SCHEMA)


def _stage_batches(batches: Iterable[list[Staged]], handoff: queue.Queue,
                   stop: threading.Event, version: int) -> None:
    """The worker: make each batch and hand it over serialised (then "done", or the error)."""
    def put(item: tuple) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                handoff.put(item, timeout=0.05)
                return True
        return False

    try:
        for batch in batches:
            if not put(("batch", _serialised(batch, version), batch)):
                return
        put(("done", None, None))
    except BaseException as exc:  # noqa: BLE001 - handed to the loading thread, raised there
        put(("error", _WorkerFailed(exc), None))


def _serialised(batch: list[Staged], version: int) -> bytes:
    """The batch as the bytes of an SQLite database: table t<i> holds batch[i]'s rows."""
    stage = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        stage.execute("PRAGMA journal_mode = OFF")
        stage.execute("BEGIN")
        # Every table is created before any row, so each batch's database has the same
        # schema at the same root pages: the loading connection keeps the schema it read
        # for the first batch, and `deserialize` inside its open transaction does not make
        # it read the schema again.
        for i, staged in enumerate(batch):
            width = len(staged.columns)
            stage.execute(f"CREATE TABLE t{i} ({', '.join(f'c{j}' for j in range(width))})")
        for i, staged in enumerate(batch):
            stage.executemany(f"INSERT INTO t{i} VALUES ({', '.join('?' * len(staged.columns))})",
                              staged.rows)
        stage.execute("COMMIT")
        stage.execute(f"PRAGMA schema_version = {int(version)}")
        return stage.serialize()
    finally:
        stage.close()


_LOADS = itertools.count(1000)  # schema versions of staged databases, one per load
_EMPTY: list[bytes] = []


def _empty_database() -> bytes:
    if not _EMPTY:
        stage = sqlite3.connect(":memory:")
        _EMPTY.append(stage.serialize())
        stage.close()
    return _EMPTY[0]
