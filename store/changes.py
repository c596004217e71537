"""Has anything changed in the archive since I last looked? One cheap poll for every desk.

Every state change writes one audit event with a gap-free `seq` in its own transaction
(`store.audit.record`), so the newest `seq` is a change counter shared by every process
on the archive: desks, the hot-folder daemon, the CLI. A `ChangeFeed` keeps its own
connection (autocommit: each poll sees the newest commit, never an old snapshot) and
reports the events committed since its previous poll.

On SQLite a poll first asks `PRAGMA data_version`, which changes only when another
connection committed, and reads the audit table only then: an idle poll touches no
table at all. On PostgreSQL a poll is one index lookup (`MAX(seq)` on a unique index).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import peewee as pw

from hudang.store import db as dbmod

_BURST = 500  # more events than this between two polls: report "everything changed"
# Audit events that record a read or a sign-in, not a change: they wake no desk.
READ_ACTIONS = ("customer.view", "customer.view_refused", "pages.view", "pages.view_refused",
                "pages.copy", "auth.signin", "auth.signout", "auth.failed", "fixity.check",
                "export.bag", "archive.backup")


@dataclass(frozen=True)
class Changes:
    """Audit events `after_seq`+1 … `seq` were committed; `entities` they touched (None: many)."""

    after_seq: int
    seq: int
    entities: frozenset[str] | None

    def touches(self, *entities: str) -> bool:
        """Whether any of `entities` (audit entity names such as "box") may have changed."""
        return self.entities is None or bool(self.entities.intersection(entities))


class ChangeFeed:
    """Polls one archive for changes committed by any connection or process."""

    def __init__(self, database: pw.Database | None = None) -> None:
        self.database = database or dbmod.require_database()
        self._conn = None
        self._lock = threading.Lock()
        self._data_version: int | None = None
        self._seq: int | None = None

    @property
    def sqlite(self) -> bool:
        return isinstance(self.database, pw.SqliteDatabase)

    def _connection(self):
        if self._conn is None:
            self._conn = self.database._connect()  # a connection of its own, with the pragmas
            if not self.sqlite:
                self._conn.autocommit = True
        return self._conn

    def _one(self, sql: str, params: tuple = ()) -> tuple | None:
        cur = self._connection().cursor()
        try:
            cur.execute(sql, params)
            return cur.fetchone()
        finally:
            cur.close()

    def _newest_seq(self) -> int:
        row = self._one("SELECT MAX(seq) FROM audit_event")
        return int(row[0]) if row and row[0] is not None else 0

    def _entities(self, after: int, upto: int) -> frozenset[str] | None:
        if upto - after > _BURST:
            return None
        mark = "?" if self.sqlite else "%s"
        cur = self._connection().cursor()
        try:
            reads = ", ".join([mark] * len(READ_ACTIONS))
            cur.execute(f"SELECT DISTINCT entity FROM audit_event WHERE seq > {mark} "
                        f"AND seq <= {mark} AND action NOT IN ({reads})",
                        (after, upto, *READ_ACTIONS))
            return frozenset(r[0] for r in cur.fetchall())
        finally:
            cur.close()

    def poll(self) -> Changes | None:
        """What was committed since the previous poll (None: nothing; the first poll: None)."""
        with self._lock:
            if self.sqlite:
                (version,) = self._one("PRAGMA data_version")
                if version == self._data_version and self._seq is not None:
                    return None
                self._data_version = version
            seq = self._newest_seq()
            before, self._seq = self._seq, seq
            if before is None or seq == before:
                return None
            if seq < before:  # the archive was replaced under us: re-read everything
                return Changes(0, seq, None)
            entities = self._entities(before, seq)
            if entities is not None and not entities:
                return None  # only reads and sign-ins were recorded: nothing to re-read
            return Changes(before, seq, entities)

    def close(self) -> None:
        """Close the feed's own connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
