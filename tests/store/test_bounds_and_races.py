"""The database decides lost races (processes, both backends); every statement is bounded."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import peewee
import pytest

from hudang.store import archive, search
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import ChangedByOthers
from hudang.store.models import AuditEvent, Customer
from hudang.store.services import customers

from .helpers import customer

ROUNDS = 4
RACERS = 3


def _racer(url: str, number: str, me: int, barrier, results) -> None:
    """One terminal: read the version, wait for the others, then save an edit against it."""
    archive.open_archive(url)
    actor = Actor(f"desk{me}", f"desk-{me}", "keeper")
    for round_no in range(ROUNDS):
        version = customers.get_customer(number).version
        barrier.wait()
        try:
            if round_no == ROUNDS - 1 and me == 0:
                customers.cancel_customer(number, dt.date(2024, 1, 1), actor)
            else:
                customers.update_customer(number, {"address": f"r{round_no} d{me}"}, actor,
                                          expected_version=version)
            results.put((round_no, me, "won"))
        except ChangedByOthers:
            results.put((round_no, me, "lost"))
        barrier.wait()
    archive.close_archive()


def test_processes_editing_one_customer_one_wins_each_round(db, archive_url):
    customer("3300000001")
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(archive_url, "3300000001", i, barrier, results))
             for i in range(RACERS)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(ROUNDS * RACERS)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for round_no in range(ROUNDS - 1):
        won = [o for o in outcomes if o[0] == round_no and o[2] == "won"]
        assert len(won) == 1, outcomes  # exactly one edit per round; the others are told
    final = Customer.get(Customer.number == "3300000001")
    wins = sum(1 for o in outcomes if o[2] == "won")
    assert final.version == 1 + wins  # no lost update: every win bumped the version once


def test_a_stale_screen_is_told_someone_else_changed_it(db):
    customer("3300000002")
    customers.update_customer("3300000002", {"address": "a"}, Actor("a", "d1", "keeper"))
    with pytest.raises(ChangedByOthers, match="他人修改"):
        customers.update_customer("3300000002", {"address": "b"}, Actor("b", "d2", "keeper"),
                                  expected_version=1)


def test_search_caps_the_number_of_words(db):
    customer("3300000003", name="欧阳修")
    assert search.search_customers(" ".join(["欧阳"] * search.MAX_WORDS))
    with pytest.raises(search.QueryTooLong, match="最多"):
        search.search_customers(" ".join(f"w{i}" for i in range(search.MAX_WORDS + 1)))
    with pytest.raises(search.QueryTooLong):
        search.search_customers("x" * (search.MAX_QUERY_CHARS + 1))


def test_search_runs_without_jit_on_postgres(db, backend):
    if backend != "postgres":
        pytest.skip("JIT is a PostgreSQL feature")
    customer("3300000004", name="欧阳修")
    with dbmod.read_tx():
        search.search_customers("欧阳 修")
        assert dbmod.database.obj.execute_sql("SHOW jit").fetchone()[0] == "off"


def test_statement_timeout_bounds_every_statement_on_postgres(db, backend, archive_url):
    if backend != "postgres":
        pytest.skip("a statement timeout is a PostgreSQL setting")
    archive.close_archive()
    archive.open_archive(archive_url, statement_timeout_ms=300)
    database = dbmod.database.obj
    assert database.execute_sql("SHOW statement_timeout").fetchone()[0] == "300ms"
    with pytest.raises(peewee.OperationalError, match="statement timeout"):
        database.execute_sql("SELECT pg_sleep(30)")


def _station_start(url: str, key_file: str, barrier, results) -> None:
    """One station opening a new archive with the shared audit key, at the same moment."""
    from pathlib import Path

    barrier.wait()
    try:
        archive.open_archive(url, audit_key_file=Path(key_file))
        results.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        archive.close_archive()


def test_stations_starting_together_register_the_audit_key_once(db, archive_url, tmp_path):
    """Several stations keying a new archive at once: all start, the key is registered once."""
    from hudang.store.models_security import AuditKeying

    key = tmp_path / "audit.key"
    key.write_text("5a" * 32 + "\n", encoding="ascii")
    key.chmod(0o600)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    procs = [ctx.Process(target=_station_start, args=(archive_url, str(key), barrier, results))
             for _ in range(RACERS)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(RACERS)]
    for p in procs:
        p.join(timeout=60)
    assert outcomes == ["ok"] * RACERS, outcomes
    assert AuditKeying.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "audit.keyed").count() == 1
