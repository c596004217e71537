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
import os
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


def load_cache_kib(rows: int, kib_per_row: int) -> int:
    """The page cache for a bulk load of `rows` rows that touch `kib_per_row` KiB of index
    and table pages each: as much as that, up to a quarter of the machine's memory, at
    least 1 GiB and at most 4 GiB (SQLite takes the pages as it needs them).

    A load whose pages outgrow the cache spills them to the WAL and reads them back: SQLite
    wrote 200,000 catalogue rows into a 10-million-document archive in 6.6-8.0 s with 1 GiB
    of cache, 6.1-7.0 s with the 1.6 GB they ask for (fresh processes; docs/csv-import.md).
    """
    return min(rows * kib_per_row, _cache_cap_kib())


def _cache_cap_kib() -> int:
    try:
        memory_kib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024
    except (AttributeError, OSError, ValueError):  # not a POSIX system: the old cap
        memory_kib = 4 << 20
    return max(1 << 20, min(4 << 20, memory_kib // 4))


def copy_lines(table: str, columns: Sequence[str], blocks: Iterable[str]) -> int:
    """PostgreSQL: COPY lines already in COPY's text format, a block of lines at a time
    (made as the server reads); return how many lines."""
    reader = _BlockReader(blocks)
    with dbmod.require_database().cursor() as cur:
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", reader)
    return reader.count


def copy_text_block(columns: Sequence[Sequence]) -> str:
    """Rows given as columns, as lines of COPY's text format (PostgreSQL), a column at a time.

    A column of strings is written as it is unless it holds a backslash, tab, newline or
    carriage return (then those are escaped); None is \\N, booleans t / f, anything else
    its str() (numbers, dates). Much quicker than writing CSV value by value.
    """
    texts = []
    for column in columns:
        kinds = set(map(type, column))
        if kinds == {str}:
            joined = "".join(column)
            if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
                column = [_copy_escape(v) for v in column]
            texts.append(column)
        elif len(kinds) == 1 and column.count(column[0]) == len(column):  # a constant
            texts.append([_copy_plain(column[0])] * len(column))
        elif kinds == {int}:
            texts.append(list(map(str, column)))
        elif kinds == {bool}:
            texts.append(list(map(_BOOL_TEXT.__getitem__, column)))
        else:
            texts.append([_copy_plain(v) for v in column])
    return "".join([line + "\n" for line in map("\t".join, zip(*texts))])


_BOOL_TEXT = {True: "t", False: "f"}


def _copy_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _copy_plain(value: object) -> str:
    if value is None:
        return "\\N"
    if type(value) is bool:
        return "t" if value else "f"
    if type(value) is str:
        return _copy_escape(value)
    return str(value)


class _BlockReader:
    """A file psycopg2's COPY reads: each read() gives the next block of lines."""

    def __init__(self, blocks: Iterable[str]) -> None:
        self.blocks = iter(blocks)
        self.count = 0

    def read(self, size: int = -1) -> str:
        for block in self.blocks:
            if block:  # an empty string would end the COPY
                self.count += block.count("\n")
                return block
        return ""


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
    if kind is list:  # search bigram codes (numbers) or short words, never the word NULL
        return '"{' + ",".join(map(str, value)) + '}"'
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
class Target:
    """Where staged rows go: `table`'s `columns`, each from a staged field (its index) or,
    as a `Constant`, one value bound once for every row."""

    table: str
    columns: tuple[str, ...]
    sources: tuple[int | Constant, ...]


@dataclass(frozen=True)
class Constant:
    value: object


@dataclass(frozen=True)
class Batch:
    """Rows of one width, bound for every target (the same targets for all of a load)."""

    rows: list[tuple]
    targets: tuple[Target, ...]


def staged_load_available() -> bool:
    """Whether `load_staged` can run here (SQLite with the serialise API, Python 3.11+)."""
    return not dbmod.is_postgres() and hasattr(sqlite3.Connection, "deserialize")


class _WorkerFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def load_staged(batches: Iterable[Batch],
                after_each: Callable[[Batch], None] = lambda batch: None, *,
                tail: Callable[[], None] | None = None,
                meanwhile: Callable[[], None] | None = None) -> None:
    """SQLite: insert batches that a worker thread makes, each through a staging database.

    A bulk load is two kinds of work of about equal size: Python's (reading, checking, the
    search-index text: one CPU, the GIL held) and SQLite's (the rows, their B-trees and the
    FTS5 index). A worker thread runs `batches` and binds each batch's rows into one table
    of a private in-memory database, serialised to bytes; this thread loads those bytes
    into the attached schema `hudang_stage` and runs one INSERT … SELECT per target. The
    sqlite3 module releases the GIL for the whole of each statement, so the engine works on
    one CPU while the next batch is made on the other. Call inside the write transaction:
    all the rows commit or roll back with it. An exception in the worker is raised here
    (the original, with its traceback); one raised here stops the worker.

    After the last batch the worker runs `tail` (Python work left to the end) while this
    thread runs `meanwhile` (say, the statement that writes FTS5's pending terms), so the
    two overlap as the batches did.
    """
    db = dbmod.require_database()
    conn = db.connection()
    if not any(row[1] == STAGE_SCHEMA for row in conn.execute("PRAGMA database_list")):
        conn.execute(f"ATTACH ':memory:' AS {STAGE_SCHEMA}")  # stays for the connection
    handoff: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    # Each load's databases carry their own schema version: SQLite then reads the staged
    # schema afresh for a load's first batch (another load's table may differ), and keeps
    # it for the rest, which have the same table (`_serialised`; widths checked below).
    version = next(_LOADS)
    worker = threading.Thread(target=_stage_batches,
                              args=(batches, handoff, stop, version, tail),
                              name="hudang-stage", daemon=True)
    interval = sys.getswitchinterval()
    # After each statement this thread needs the GIL back from the worker: at the default
    # 5 ms it would wait that long several times a batch.
    sys.setswitchinterval(min(interval, 0.0005))
    worker.start()
    first: list[tuple] = []
    try:
        while True:
            kind, data, batch = handoff.get()
            if kind == "error":
                raise data.error
            if kind == "tail done":
                break
            if kind == "done":
                if meanwhile is not None:
                    meanwhile()
                if tail is None:
                    break
                continue
            shape = (len(batch.rows[0]), batch.targets)
            if not first:
                first.append(shape)
            elif shape != first[0]:
                raise ValueError("the batches of one staged load differ in shape")
            conn.deserialize(data, name=STAGE_SCHEMA)
            for target in batch.targets:
                values = [f"c{s}" if isinstance(s, int) else "?" for s in target.sources]
                conn.execute(f"INSERT INTO {target.table} ({', '.join(target.columns)}) "
                             f"SELECT {', '.join(values)} FROM {STAGE_SCHEMA}.rows",
                             [s.value for s in target.sources if isinstance(s, Constant)])
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


def _stage_batches(batches: Iterable[Batch], handoff: queue.Queue, stop: threading.Event,
                   version: int, tail: Callable[[], None] | None) -> None:
    """The worker: make each batch and hand it over serialised, then "done"; then run
    `tail` and say "tail done" (or hand over the error, whenever it comes)."""
    def put(item: tuple) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                handoff.put(item, timeout=0.05)
                return True
        return False

    try:
        for batch in batches:
            if batch.rows and not put(("batch", _serialised(batch.rows, version), batch)):
                return
        if put(("done", None, None)) and tail is not None:
            tail()
            put(("tail done", None, None))
    except BaseException as exc:  # noqa: BLE001 - handed to the loading thread, raised there
        put(("error", _WorkerFailed(exc), None))


def _serialised(rows: list[tuple], version: int) -> bytes:
    """The rows as the bytes of an SQLite database holding them in table `rows` (c0, c1 …).

    One table, created before any row: every batch's database of a load has the same
    schema at the same root page, so the loading connection may keep the schema it read
    for the first batch (`deserialize` inside its open transaction does not make it read
    the schema again). `version` is the load's schema version.
    """
    width = len(rows[0])
    stage = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        stage.execute("PRAGMA journal_mode = OFF")
        stage.execute("BEGIN")
        stage.execute(f"CREATE TABLE rows ({', '.join(f'c{j}' for j in range(width))})")
        stage.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * width)})", rows)
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
