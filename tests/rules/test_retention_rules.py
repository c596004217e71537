"""Retention evaluation: longest wins, waiting for a trigger, legal hold, counting conventions."""

from __future__ import annotations

import datetime as dt

from hudang.rules.retention import RetentionFacts, RetentionFile, evaluate

D = dt.date


def _facts(**kw) -> RetentionFacts:
    return RetentionFacts.model_validate(kw)


def test_domain_defaults_hv_five_years_lv_three(ruleset):
    hv = evaluate(ruleset, _facts(category="YK", voltage_class="HV", customer_status="cancelled",
                                  filed_on=D(2020, 1, 1), cancelled_on=D(2025, 12, 31)))
    lv = evaluate(ruleset, _facts(category="YK", voltage_class="LV", customer_status="cancelled",
                                  filed_on=D(2020, 1, 1), cancelled_on=D(2025, 1, 1)))
    assert (hv.schedule_id, hv.eligible_on) == ("cancelled-hv", D(2031, 1, 1))
    assert (lv.schedule_id, lv.eligible_on) == ("cancelled-lv", D(2029, 1, 1))
    assert hv.eligible_on - D(2025, 12, 31) >= dt.timedelta(days=5 * 365)


def test_longest_wins_and_every_candidate_is_recorded(ruleset):
    r = evaluate(ruleset, _facts(category="电费", voltage_class="LV", customer_status="cancelled",
                                 filed_on=D(2023, 4, 1), cancelled_on=D(2024, 1, 15)))
    assert r.status == "dated" and r.schedule_id == "billing-10y"
    assert {c.schedule_id for c in r.candidates} == {"cancelled-lv", "billing-10y"}
    assert "cancelled-lv=2028-01-01" in r.note and "billing-10y=2034-01-01" in r.note


def test_missing_trigger_date_waits_and_never_guesses(ruleset):
    r = evaluate(ruleset, _facts(category="YK", voltage_class="HV", customer_status="cancelled",
                                 filed_on=D(2020, 1, 1)))  # cancelled, but no date recorded
    assert r.status == "waiting_for_trigger" and r.eligible_on is None
    assert "waiting for trigger: 销户" in r.note


def test_legal_hold_blocks_disposal_but_keeps_the_date(ruleset):
    r = evaluate(ruleset, _facts(category="JL", voltage_class="LV", customer_status="cancelled",
                                 cancelled_on=D(2016, 5, 5), filed_on=D(2015, 1, 1),
                                 legal_hold=True))
    assert r.disposal_blocked and r.eligible_on == D(2020, 1, 1)
    assert "legal hold" in r.note


def test_permanent_beats_everything(ruleset):
    r = evaluate(ruleset, _facts(category="QT", doc_type="权证", voltage_class="HV",
                                 customer_status="cancelled", cancelled_on=D(2000, 1, 1),
                                 filed_on=D(1999, 1, 1)))
    assert (r.status, r.schedule_id, r.eligible_on) == ("permanent", "rights-certificates", None)


def _one(counting: str, period: str = "P1Y") -> RetentionFile:
    return RetentionFile.model_validate({
        "triggers": {"filed": {"name": "归档", "date_field": "document.filed_on"}},
        "schedules": [{"id": "s", "trigger": "filed", "period": period, "counting": counting,
                       "disposition": "review"}]})


def test_counting_conventions_around_leap_days_and_year_ends():
    facts = _facts(filed_on=D(2024, 2, 29))
    assert evaluate(_one("from_event"), facts).eligible_on == D(2025, 2, 28)
    assert evaluate(_one("from_next_january"), facts).eligible_on == D(2026, 1, 1)
    dec31 = _facts(filed_on=D(2025, 12, 31))
    assert evaluate(_one("from_event", "P1D"), dec31).eligible_on == D(2026, 1, 1)
    assert evaluate(_one("from_next_january", "P1D"), dec31).eligible_on == D(2026, 1, 2)


def test_no_schedule_is_reported():
    model = RetentionFile.model_validate({
        "triggers": {"filed": {"name": "归档", "date_field": "document.filed_on"}},
        "schedules": [{"id": "hv", "trigger": "filed", "period": "P1Y", "disposition": "review",
                       "match": {"voltage_classes": ["HV"]}}]})
    r = evaluate(model, _facts(voltage_class="LV", filed_on=D(2020, 1, 1)))
    assert r.status == "no_schedule" and r.candidates == []
