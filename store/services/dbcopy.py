"""Copying a whole archive between databases (SQLite <-> PostgreSQL), table by table.

The tables are discovered from the source database itself (not a hard-coded list), so tables
added by later migrations are copied too; only the schema bookkeeping and the keyword search
index (rebuilt on the target from the customers) are left out. Rows go in foreign-key order,
in one target transaction: a copy is all or nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import peewee as pw

from hudang.store import audit, search
from hudang.store import db as dbmod
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.progress import Progress, no_progress

_CHUNK = 20_000
_BOOKKEEPING = {"schema_version"}
_DERIVED_PREFIXES = ("customer_search", "customer_fts", "sqlite_")


class CopyRefused(ArchiveError):
    """The target already holds an archive, or the source cannot be copied as it is."""


@dataclass
class CopyReport:
    """Rows per table on both sides, the audit chain on the target, customers re-indexed."""

    source_counts: dict[str, int] = field(default_factory=dict)
    target_counts: dict[str, int] = field(default_factory=dict)
    audit_ok: bool = False
    audit_events: int = 0
    audit_head: str = ""
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return self.audit_ok and self.source_counts == self.target_counts


def _schema(db: pw.Database) -> str | None:
    """The PostgreSQL schema the connection works in (Peewee assumes `public`); None for SQLite."""
    if isinstance(db, pw.PostgresqlDatabase):
        return db.execute_sql("SELECT current_schema()").fetchone()[0]
    return None


def _tables(db: pw.Database) -> list[str]:
    return db.get_tables(schema=_schema(db))


def is_data_table(name: str) -> bool:
    """Whether a table holds archive data to copy (not bookkeeping, not a derived index)."""
    return name not in _BOOKKEEPING and not name.startswith(_DERIVED_PREFIXES)


def data_tables(db: pw.Database) -> list[str]:
    """The archive's data tables in an order where every referenced table comes first."""
    schema = _schema(db)
    names = [n for n in db.get_tables(schema=schema) if is_data_table(n)]
    deps = {n: {fk.dest_table for fk in db.get_foreign_keys(n, schema=schema)} & set(names)
            - {n} for n in names}
    ordered: list[str] = []
    while deps:
        ready = sorted(n for n, d in deps.items() if not d - set(ordered))
        if not ready:  # a reference cycle: keep going in name order rather than stall
            ready = sorted(deps)[:1]
        for n in ready:
            ordered.append(n)
            deps.pop(n)
    return ordered


def schema_version_of(db: pw.Database) -> int:
    """The schema version recorded in `db` (0 when it has none)."""
    if "schema_version" not in _tables(db):
        return 0
    return int(db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)


def nonempty_tables(db: pw.Database) -> list[str]:
    """Tables of `db` that hold rows (any table, not only hudang's)."""
    found = []
    for name in _tables(db):
        if name.startswith(_DERIVED_PREFIXES):
            continue
        if db.execute_sql(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone():
            found.append(name)
    return found


def count_rows(db: pw.Database, tables: list[str]) -> dict[str, int]:
    return {n: int(db.execute_sql(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in tables}


def _columns(db: pw.Database, table: str) -> dict[str, str]:
    """Column name -> declared type (lower case) of `table` in `db`."""
    return {c.name: (c.data_type or "").lower()
            for c in db.get_columns(table, schema=_schema(db))}


def _rows(source: pw.Database, table: str, columns: list[str]) -> Iterator[list[tuple]]:
    """The rows of `table` in chunks, ordered by id where there is one (self-references)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    order = ' ORDER BY "id"' if "id" in columns else ""
    sql = f'SELECT {cols} FROM "{table}"{order}'
    if isinstance(source, pw.PostgresqlDatabase):  # a server-side cursor in the snapshot
        name = f"hudang_copy_{table}"
        source.execute_sql(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}")
        try:
            while chunk := source.execute_sql(f"FETCH {_CHUNK} FROM {name}").fetchall():
                yield chunk
        finally:
            source.execute_sql(f"CLOSE {name}")
        return
    cursor = source.execute_sql(sql)
    try:
        while chunk := cursor.fetchmany(_CHUNK):
            yield chunk
    finally:
        cursor.close()


def _pg_text(value: object, boolean: bool) -> str:
    """One value in PostgreSQL COPY CSV: unquoted empty is NULL, strings are always quoted."""
    if value is None:
        return ""
    if boolean or isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, bytes):
        return '"\\x' + value.hex() + '"'
    return '"' + str(value).replace('"', '""') + '"'


def _sqlite_value(value: object) -> object:
    """A PostgreSQL value as Peewee stores it in SQLite (text dates, 0/1 booleans)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_chunk(target: pw.Database, table: str, columns: list[str], types: dict[str, str],
                 rows: list[tuple]) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    if isinstance(target, pw.PostgresqlDatabase):
        flags = [types.get(c, "") == "boolean" for c in columns]
        text = "".join(",".join(_pg_text(v, b) for v, b in zip(row, flags)) + "\n"
                       for row in rows)
        with target.cursor() as cur:
            cur.copy_expert(f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv)',
                            io.StringIO(text))
    else:
        marks = ", ".join("?" * len(columns))
        target.cursor().executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                                    [tuple(map(_sqlite_value, row)) for row in rows])


def _reset_sequences(target: pw.Database, tables: list[str]) -> None:
    """Move each PostgreSQL id sequence past the copied ids."""
    if not isinstance(target, pw.PostgresqlDatabase):
        return
    for table in tables:
        if "id" not in _columns(target, table):
            continue
        seq = target.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')",
                                 (table,)).fetchone()[0]
        if seq:
            target.execute_sql(f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 0)'
                               f' + 1, false)', (seq,))


def _begin_snapshot(source: pw.Database) -> None:
    """Make the source's open transaction one consistent snapshot."""
    if isinstance(source, pw.PostgresqlDatabase):
        source.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    else:
        source.execute_sql("SELECT COUNT(*) FROM sqlite_master")  # starts the read snapshot


def copy_into_current(source: pw.Database, progress: Progress = no_progress) -> CopyReport:
    """Copy every data table of `source` into the connected (migrated, empty) archive."""
    target = dbmod.require_database()
    report = CopyReport()
    with source.atomic():
        _begin_snapshot(source)
        have, want = schema_version_of(source), schema_version_of(target)
        if have != want:
            raise CopyRefused(t("源档案库结构版本 {a} 与目标 {b} 不同："
                                "请先对源运行 hudang db upgrade。",
                                "The source schema is version {a}, the target {b}: run "
                                "`hudang db upgrade` on the source first.", a=have, b=want))
        tables = data_tables(source)
        target_tables = set(_tables(target))
        missing = [n for n in tables if n not in target_tables]
        if missing:
            raise CopyRefused(t("目标缺少这些表：{m}", "the target lacks these tables: {m}",
                                m=", ".join(missing)))
        report.source_counts = count_rows(source, tables)
        total = sum(report.source_counts.values())
        done = 0
        with dbmod.write_tx():
            for table in reversed(tables):  # rows a migration may have seeded on the target
                target.execute_sql(f'DELETE FROM "{table}"')
            for table in tables:
                src_cols = _columns(source, table)
                types = _columns(target, table)
                columns = [c for c in src_cols if c in types]
                for chunk in _rows(source, table, columns):
                    _write_chunk(target, table, columns, types, chunk)
                    done += len(chunk)
                    progress("rows", done, total)
            _reset_sequences(target, tables)
            progress("index", 0, 1)
            report.indexed = search.rebuild_index()
            progress("index", 1, 1)
            report.target_counts = count_rows(target, tables)
    chain = audit.verify(progress=progress)
    report.audit_ok, report.audit_events, report.audit_head = chain.ok, chain.events, \
        chain.head_hash
    return report


def copy_archive(source_url: str, target_url: str, progress: Progress = no_progress,
                 actor: audit.Actor | None = None) -> CopyReport:
    """Copy the archive at `source_url` into a new, empty archive at `target_url`.

    With `actor`, a copy that checks out is recorded in the target's audit log (after the
    counts were compared, so the report compares like with like).
    """
    from hudang.store import archive

    if source_url == target_url:
        raise CopyRefused(t("源与目标是同一个数据库", "source and target are the same database"))
    probe = dbmod.make_database(target_url)
    probe.connect()
    try:
        busy = nonempty_tables(probe)
    finally:
        probe.close()
    if busy:
        raise CopyRefused(t("目标数据库不是空的（{m} 有数据）：只能复制到空库。",
                            "The target database is not empty ({m} hold rows); copy only into "
                            "an empty database.", m=", ".join(busy[:5])))
    source = dbmod.make_database(source_url)
    source.connect()
    try:
        archive.open_archive(target_url, create=True)
        report = copy_into_current(source, progress)
    finally:
        source.close()
    if actor is not None and report.ok:
        with dbmod.write_tx():
            audit.record(actor, "archive.copy", "archive", "", None,
                         {"rows": sum(report.target_counts.values()),
                          "audit_head": report.audit_head})
    return report
