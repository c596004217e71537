"""Set-based inserts keep every value as given: empty strings, NULLs, quotes, newlines."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store import db as dbmod
from hudang.store.bulk import bulk_insert

ROWS = [
    (1, "", "多\n行 \"引号\", 逗号", True, 2.5, dt.datetime(2026, 1, 2, 3, 4, 5)),
    (2, "𠮷", "NULL", False, 0.0, dt.datetime(2026, 11, 30)),
]


@pytest.mark.parametrize("with_null", [False, True])
def test_values_come_back_as_they_went_in(db, with_null):
    rows = ROWS + ([(3, None, "x", True, 1.0, None)] if with_null else [])
    with dbmod.write_tx():
        db.execute_sql("CREATE TEMP TABLE bulk_probe (id INTEGER PRIMARY KEY, a TEXT, "
                       "b TEXT, c BOOLEAN, d REAL, e TIMESTAMP)")
        assert bulk_insert("bulk_probe", ("id", "a", "b", "c", "d", "e"), rows) == len(rows)
        back = db.execute_sql("SELECT id, a, b, c, d, e FROM bulk_probe ORDER BY id").fetchall()
        db.execute_sql("DROP TABLE bulk_probe")
    assert [r[1:3] for r in back] == [r[1:3] for r in rows]
    assert [bool(r[3]) for r in back] == [r[3] for r in rows]
    assert [r[1] is None for r in back] == [r[1] is None for r in rows]
    if dbmod.is_postgres():
        assert [r[5] for r in back] == [r[5] for r in rows]


def test_collector_is_paused_for_the_job_and_restored_as_it_was():
    import gc

    from hudang.store.bulk import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
