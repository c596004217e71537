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
from collections.abc import Iterable, Iterator, Sequence

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
