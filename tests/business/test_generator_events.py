"""The demo's year of events: realistic flows, imported for real, most work done on time."""

from __future__ import annotations

import datetime as dt
import random

from hudang.store.audit import Actor
from hudang.store.generator_events import FLOWS, add_year_of_events, event_rows
from hudang.store.models_business import BusinessEvent, BusinessTask
from hudang.store.services.business_kpi import kpi
from hudang.store.services.business_remind import remind_pass
from tests.business.conftest import ADMIN
from tests.store.helpers import customer

AS_OF = dt.date(2026, 6, 30)


def test_rows_follow_the_flows_in_order():
    rows = list(event_rows(["3300000001", "3300000002"], dt.date(2026, 1, 1), AS_OF, 50,
                           random.Random(3)))
    by_process: dict[str, list] = {}
    for r in rows:
        by_process.setdefault(r[1], []).append(r)
    for steps in by_process.values():
        names = [s[3] for s in steps]
        assert names == list(FLOWS[steps[0][2]][:len(names)])
        times = [s[4] for s in steps]
        assert times == sorted(times)
        assert all(dt.datetime.strptime(x, "%Y-%m-%d %H:%M").isoweekday() <= 5 for x in times)
    assert list(event_rows(["1"], dt.date(2026, 1, 1), AS_OF, 5, random.Random(3))) == \
        list(event_rows(["1"], dt.date(2026, 1, 1), AS_OF, 5, random.Random(3)))


def test_a_year_of_events_for_the_archive(db, brules):
    from hudang.store.services import registry

    for i in range(30):
        number = f"33000001{i:02d}"
        customer(number)
        registry.register_volume(number, Actor("k", "t", "keeper"))
    counts = add_year_of_events(brules, ADMIN, AS_OF, seed=5, processes_per_100=100)
    assert counts["events"] == BusinessEvent.select().count() > 30
    assert counts["documents"] > 0
    done = BusinessTask.select().where(BusinessTask.done_at.is_null(False)).count()
    assert done > BusinessTask.select().count() / 2
    report = kpi("2026-05", "team", dt.datetime(2026, 7, 1))
    assert report.total.timely.of > 0 and report.total.timely.rate > 0.8
    summary = remind_pass(brules, ADMIN, dt.datetime(2026, 7, 1))
    assert sum(s["red"] for s in summary.open_counts.values()) > 0
