"""Issue 15's retention fixes: cancellation only for cancelled customers, bounded waiting,
documents without a filing date reported by recompute."""

from __future__ import annotations

import datetime as dt

from hudang.rules.retention import RetentionFacts, evaluate
from hudang.store.audit import Actor
from hudang.store.models import Customer, Document
from hudang.store.services.retention import due_count, recompute

D = dt.date
ADMIN = Actor("admin", "test", "admin")


def _facts(**kw) -> RetentionFacts:
    return RetentionFacts.model_validate(kw)


def test_active_customer_with_a_cancellation_date_is_never_due(ruleset):
    r = evaluate(ruleset, _facts(category="YK", voltage_class="LV", customer_status="active",
                                 filed_on=D(2010, 1, 1), cancelled_on=D(2011, 1, 1)))
    assert r.status == "waiting_for_trigger" and r.eligible_on is None
    assert all(c.schedule_id not in ("cancelled-lv", "cancelled-hv") for c in r.candidates)


def test_bounded_waiting_schedule_does_not_hide_the_longest_dated_one(ruleset):
    hv = evaluate(ruleset, _facts(category="YK", doc_type="供用电合同", voltage_class="HV",
                                  customer_status="cancelled", filed_on=D(2018, 1, 1),
                                  cancelled_on=D(2020, 1, 1)))
    assert (hv.status, hv.schedule_id, hv.eligible_on) == ("dated", "cancelled-hv", D(2026, 1, 1))
    waiting = next(c for c in hv.candidates if c.schedule_id == "contract-after-expiry")
    assert waiting.eligible_on is None and waiting.latest_possible == D(2025, 1, 1)
    # LV: 3 years after cancellation is shorter than the contract could still run -> wait
    lv = evaluate(ruleset, _facts(category="YK", doc_type="供用电合同", voltage_class="LV",
                                  customer_status="cancelled", filed_on=D(2018, 1, 1),
                                  cancelled_on=D(2020, 6, 1)))
    assert (lv.status, lv.schedule_id) == ("waiting_for_trigger", "contract-after-expiry")


def test_unbounded_waiting_still_wins(ruleset):
    r = evaluate(ruleset, _facts(category="YK", voltage_class="HV", customer_status="cancelled",
                                 filed_on=D(2020, 1, 1)))  # no cancellation date: no bound
    assert r.status == "waiting_for_trigger"


def test_recompute_reports_documents_without_filing_date(db, ruleset):
    c = Customer.create(number="3300000009", name="乙", voltage_class="LV", status="active",
                        cancelled_on=D(2012, 5, 1))
    filed = Document.create(customer=c, category="YK", filed_on=D(2010, 1, 1))
    unfiled = Document.create(customer=c, category="YK", filed_on=None)
    report = recompute(ruleset, ADMIN)
    assert report.examined == 1 and report.unfiled == 1 and report.unfiled_ids == [unfiled.id]
    assert Document.get_by_id(filed.id).retention_eligible_on is None
    assert due_count(D(2040, 1, 1)) == 0  # active: never due, despite the stray date
