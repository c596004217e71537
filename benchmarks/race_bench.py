"""Lost-update race: several processes save an edit of one customer against the same version.

    .venv/bin/python benchmarks/race_bench.py [--rounds 200] [--racers 3] [--postgres URL] [--old]

Each round every process reads the customer's version, waits at a barrier, then saves its
edit with that version. Correct: exactly one wins per round. `--old` replays the code before
issue 12 (version checked in Python, then saved without a condition) to show the race it had.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hudang.store import archive, audit  # noqa: E402
from hudang.store.db import write_tx  # noqa: E402
from hudang.store.errors import ChangedByOthers, ValidationError  # noqa: E402
from hudang.store.models import Customer, utcnow  # noqa: E402
from hudang.store.services import customers  # noqa: E402

NUMBER = "3300000001"


def _old_update(number: str, address: str, actor: audit.Actor, expected_version: int) -> None:
    """The pre-issue-12 shape: compare in Python, then save unconditionally."""
    with write_tx():
        c = Customer.get(Customer.number == number)
        if c.version != expected_version:
            raise ValidationError("changed by someone else")
        c.address = address
        c.version += 1
        c.updated_at = utcnow()
        c.save()
        audit.record(actor, "customer.update", "customer", number, None, {"address": address})


def _racer(url: str, me: int, rounds: int, old: bool, barrier, results) -> None:
    archive.open_archive(url)
    actor = audit.Actor(f"desk{me}", f"desk-{me}", "keeper")
    for r in range(rounds):
        version = customers.get_customer(NUMBER).version
        barrier.wait()
        try:
            if old:
                _old_update(NUMBER, f"r{r} d{me}", actor, version)
            else:
                customers.update_customer(NUMBER, {"address": f"r{r} d{me}"}, actor,
                                          expected_version=version)
            results.put((r, 1))
        except (ChangedByOthers, ValidationError):
            results.put((r, 0))
        barrier.wait()
    archive.close_archive()


def _url(args) -> tuple[str, str]:
    if not args.postgres:
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'race.sqlite3'}", "sqlite"
    import psycopg2

    schema = "race_" + uuid.uuid4().hex[:8]
    conn = psycopg2.connect(args.postgres)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    conn.close()
    sep = "&" if "?" in args.postgres else "?"
    return args.postgres + sep + "options=" + quote(f"-csearch_path={schema},public"), "postgres"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--racers", type=int, default=3)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--old", action="store_true")
    args = parser.parse_args()
    url, backend = _url(args)
    archive.open_archive(url, create=True)
    customers.create_customer({"number": NUMBER, "name": "张三", "voltage_class": "HV",
                               "line": "10kV线"}, audit.SYSTEM)
    archive.close_archive()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(args.racers), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(url, i, args.rounds, args.old, barrier, results))
             for i in range(args.racers)]
    for p in procs:
        p.start()
    wins: Counter[int] = Counter()
    for _ in range(args.rounds * args.racers):
        r, won = results.get(timeout=600)
        wins[r] += won
    for p in procs:
        p.join()
    archive.open_archive(url)
    version = customers.get_customer(NUMBER).version
    spread = Counter(wins.values())
    print(f"{backend} {'old' if args.old else 'new'} code: {args.rounds} rounds x "
          f"{args.racers} processes; winners per round: "
          + ", ".join(f"{k} winner(s): {v} rounds" for k, v in sorted(spread.items()))
          + f"; saves reported {sum(wins.values())}, version advanced {version - 1}")


if __name__ == "__main__":
    main()
