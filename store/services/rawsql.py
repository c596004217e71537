"""SQL written once, run with execute_sql: hot read paths at raw-driver speed on both backends.

On PostgreSQL each statement is also prepared once per connection (PREPARE / EXECUTE):
planning a small join costs 0.3-1 ms there, more than running it, and a prepared
statement is planned once and then served from a cached generic plan.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from functools import lru_cache

from hudang.store import db as dbmod

_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> names


@lru_cache(maxsize=512)
def _for_postgres(sql: str) -> tuple[str, str, int]:
    """(statement name, SQL with $n placeholders, number of parameters)."""
    count = 0

    def number(_match: re.Match) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    numbered = re.sub(r"\?", number, sql)
    name = "hudang_q_" + hashlib.sha1(sql.encode("utf-8")).hexdigest()[:16]
    return name, numbered, count


def rows(sql: str, params: tuple = ()) -> list[tuple]:
    """Run a read query written with `?` placeholders and return all rows."""
    db = dbmod.require_database()
    if not dbmod.is_postgres():
        return db.execute_sql(sql, params).fetchall()
    name, numbered, count = _for_postgres(sql)
    conn = db.connection()
    names = _PREPARED.get(conn)
    if names is None:
        names = _PREPARED[conn] = set()
    if name not in names:
        db.execute_sql(f"PREPARE {name} AS {numbered}")
        names.add(name)
    marks = ", ".join(["%s"] * count)
    return db.execute_sql(f"EXECUTE {name} ({marks})" if count else f"EXECUTE {name}",
                          params).fetchall()


def one(sql: str, params: tuple = ()) -> tuple | None:
    found = rows(sql, params)
    return found[0] if found else None
