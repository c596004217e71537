"""SQL written once, run with execute_sql: hot read paths at raw-driver speed on both backends."""

from __future__ import annotations

from functools import lru_cache

from store import db as dbmod


@lru_cache(maxsize=512)
def _for_postgres(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def rows(sql: str, params: tuple = ()) -> list[tuple]:
    """Run a read query written with `?` placeholders and return all rows."""
    db = dbmod.require_database()
    if dbmod.is_postgres():
        sql = _for_postgres(sql)
    return db.execute_sql(sql, params).fetchall()


def one(sql: str, params: tuple = ()) -> tuple | None:
    found = rows(sql, params)
    return found[0] if found else None
