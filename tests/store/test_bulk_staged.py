"""bulk.load_staged: batches made on a worker thread, written through a staging database."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from hudang.store import db as dbmod
from hudang.store.bulk import (Batch, Constant, Target, copy_lines, copy_text_block,
                               load_staged)


def _sqlite_only() -> None:
    if dbmod.is_postgres():
        pytest.skip("a staged load is SQLite's")


@pytest.fixture
def scratch(db):
    _sqlite_only()
    db.execute_sql("CREATE TABLE scratch_a (id INTEGER PRIMARY KEY, word TEXT, tag TEXT)")
    db.execute_sql("CREATE TABLE scratch_b (id INTEGER PRIMARY KEY, n INTEGER)")
    yield db
    db.execute_sql("DROP TABLE scratch_a")
    db.execute_sql("DROP TABLE scratch_b")


TARGETS = (Target("scratch_a", ("id", "word", "tag"), (0, 1, Constant("t"))),
           Target("scratch_b", ("id", "n"), (0, 2)))


def _batches(sizes, fail_at=None, start=0):
    for k, size in enumerate(sizes):
        if k == fail_at:
            raise LookupError("batch %d cannot be made" % k)
        yield Batch([(i, f"词{i}", i * 2) for i in range(start, start + size)], TARGETS)
        start += size


def test_every_batch_lands_once_in_every_target_with_its_constants(scratch):
    seen = []
    with dbmod.write_tx():
        load_staged(_batches([5, 3000, 1, 700]), lambda b: seen.append(len(b.rows)))
    assert seen == [5, 3000, 1, 700]
    rows = scratch.execute_sql("SELECT id, word, tag FROM scratch_a ORDER BY id").fetchall()
    assert rows == [(i, f"词{i}", "t") for i in range(3706)]
    assert scratch.execute_sql("SELECT sum(n), count(*) FROM scratch_b").fetchone() == (
        sum(i * 2 for i in range(3706)), 3706)


def test_a_worker_error_is_raised_here_and_the_transaction_keeps_nothing(scratch):
    threads = threading.active_count()
    with pytest.raises(LookupError, match="batch 2"), dbmod.write_tx():
        load_staged(_batches([10, 10, 10], fail_at=2))
    assert threading.active_count() == threads
    assert scratch.execute_sql("SELECT count(*) FROM scratch_a").fetchone() == (0,)


def test_an_error_here_stops_the_worker(scratch):
    made = []

    def endless():
        k = 0
        while True:
            made.append(k)
            yield Batch([(k, "w", k)], TARGETS)
            k += 1

    def refuse(batch):
        if batch.rows[0][0] == 3:
            raise RuntimeError("disk full")

    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="disk full"), dbmod.write_tx():
        load_staged(endless(), refuse)
    assert threading.active_count() == threads
    assert len(made) < 10  # the worker stopped soon after, it did not run on


def test_batches_of_another_shape_are_refused(scratch):
    def mixed():
        yield Batch([(1, "a", 2)], TARGETS)
        yield Batch([(2, "b", 3, 4)], TARGETS)

    with pytest.raises(ValueError, match="shape"), dbmod.write_tx():
        load_staged(mixed())


def test_loads_of_other_shapes_follow_each_other_on_one_connection(scratch):
    narrow = (Target("scratch_b", ("id", "n"), (0, 1)),)
    with dbmod.write_tx():
        load_staged(_batches([50, 60]))
        load_staged(iter([Batch([(1000 + i, i) for i in range(40)], narrow)]))
        load_staged(_batches([0, 20], start=5000))  # an empty batch is skipped
    assert scratch.execute_sql("SELECT count(*) FROM scratch_b").fetchone() == (170,)
    assert scratch.execute_sql("SELECT n FROM scratch_b WHERE id = 1039").fetchone() == (39,)
    assert scratch.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)


def test_tail_runs_on_the_worker_while_meanwhile_runs_here(scratch):
    order = []
    with dbmod.write_tx():
        load_staged(_batches([10]), tail=lambda: order.append(
            ("tail", threading.current_thread().name)),
                    meanwhile=lambda: order.append(("meanwhile",
                                                    threading.current_thread().name)))
    assert sorted(order) == [("meanwhile", threading.current_thread().name),
                             ("tail", "hudang-stage")]


def test_a_tail_error_is_raised_here(scratch):
    def tail():
        raise KeyError("tail")

    with pytest.raises(KeyError), dbmod.write_tx():
        load_staged(_batches([10]), tail=tail)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PATH": "/usr/bin:/bin"}).stdout.strip()


MEMORY_USED = """
import ctypes, sqlite3, _sqlite3
c = sqlite3.connect(':memory:')
c.execute('CREATE TABLE t (a)')
c.executemany('INSERT INTO t VALUES (?)', [(i,) for i in range(1000)])
now, high = ctypes.c_int64(), ctypes.c_int64()
ctypes.CDLL(_sqlite3.__file__).sqlite3_status64(0, ctypes.byref(now), ctypes.byref(high), 0)
print(now.value)
"""


def test_the_store_turns_sqlite_memory_statistics_off_when_it_loads_sqlite_first():
    off = _run("import hudang.store, os\nfrom hudang.store import library_setup as l\n"
               "print(l.memory_statistics_off, os.environ.get('OPENBLAS_NUM_THREADS'))"
               + MEMORY_USED).split()
    assert off == ["True", "1", "0"]  # nothing counted: the statistics are off
    on = _run("import sqlite3\nimport hudang.store\nfrom hudang.store import library_setup "
              "as l\nprint(l.memory_statistics_off)" + MEMORY_USED).split()
    assert on[0] == "False" and int(on[1]) > 0  # sqlite3 came first: left as it was


def test_copy_text_blocks_carry_every_kind_of_value_to_postgresql(db):
    if not dbmod.is_postgres():
        pytest.skip("COPY is PostgreSQL's")
    import datetime as dt

    db.execute_sql("CREATE TEMP TABLE copied (n integer, s text, b boolean, d timestamp, "
                   "k integer, f boolean, x text)")
    when = dt.datetime(2026, 11, 30, 8, 5, 1, 250)
    columns = [[1, 2, 3, 4],
               ["张\t三", "back\\slash", "line\nbreak\r", "欧阳𠮷祥"],
               [True, False, True, False],
               [when] * 4,
               [1, 1, 1, 1],
               [True, True, True, True],
               [None, "", "\\N", "x"]]
    with dbmod.write_tx():
        assert copy_lines("copied", ("n", "s", "b", "d", "k", "f", "x"),
                          [copy_text_block([c[:2] for c in columns]),
                           "", copy_text_block([c[2:] for c in columns])]) == 4
        got = db.execute_sql("SELECT * FROM copied ORDER BY n").fetchall()
    assert got == [tuple(row) for row in zip(*columns)]


def test_a_bulk_loads_page_cache_grows_with_the_load_within_the_machines_memory():
    import os

    from hudang.store.bulk import load_cache_kib

    assert load_cache_kib(1000, 8) == 8000  # a small load asks for what it touches
    memory_kib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024
    big = load_cache_kib(10_000_000, 8)
    assert 1 << 20 <= big <= 4 << 20
    assert big == max(1 << 20, min(4 << 20, memory_kib // 4))
