"""Working-day arithmetic around holidays, adjusted working days, year ends and leap days."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from hudang.rules.calendar import WorkCalendar

D = dt.date


def test_holidays_and_adjusted_working_days(ruleset):
    cal = ruleset.calendar
    assert not cal.is_working_day(D(2025, 10, 8))  # 国庆 (a Wednesday)
    assert cal.is_working_day(D(2025, 10, 11))  # a Saturday worked (调休)
    assert cal.is_working_day(D(2026, 2, 14)) and cal.is_working_day(D(2026, 2, 28))
    assert not cal.is_working_day(D(2026, 2, 23))  # 春节 ends on a Monday
    assert cal.add_working_days(D(2025, 9, 30), 1).date == D(2025, 10, 9)
    assert cal.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)


def test_year_end_crossing(ruleset):
    cal = ruleset.calendar
    r = cal.add_working_days(D(2025, 12, 31), 1)
    assert r.date == D(2026, 1, 4) and not r.uncertain  # 1-3 Jan off, 4 Jan (Sunday) worked
    assert cal.add_working_days(D(2025, 12, 26), 3).date == D(2025, 12, 31)


def test_zero_days_rolls_to_the_next_working_day(ruleset):
    assert ruleset.calendar.add_working_days(D(2025, 10, 1), 0).date == D(2025, 10, 9)
    assert ruleset.calendar.add_working_days(D(2025, 10, 9), 0).date == D(2025, 10, 9)


def test_uncovered_year_warns_loudly(ruleset, caplog):
    calendar = dataclasses.replace(ruleset.calendar)  # one not yet warned of (shared rules)
    with caplog.at_level(logging.WARNING, logger="hudang.rules.calendar"):
        r = calendar.add_working_days(D(2026, 12, 30), 5)
    assert r.uncovered_years == (2027,) and r.uncertain
    assert r.date == D(2027, 1, 6)  # weekends only: 31 Dec, 1, 4, 5, 6 Jan
    assert "does not cover 2027" in caplog.text


def test_an_uncovered_year_is_warned_of_once_per_calendar(ruleset, caplog):
    calendar = dataclasses.replace(ruleset.calendar)  # one not yet warned of (shared rules)
    with caplog.at_level(logging.WARNING, logger="hudang.rules.calendar"):
        for day in range(20, 31):  # a remind pass computes thousands of such deadlines
            r = calendar.add_working_days(D(2026, 12, day), 10)
            assert r.uncovered_years == (2027,)
        calendar.working_days_between(D(2026, 12, 1), D(2028, 1, 10))
    assert caplog.text.count("does not cover 2027 ") == 1
    assert caplog.text.count("does not cover 2027, 2028") == 1
    caplog.clear()
    fresh = WorkCalendar(years=frozenset({2026}))  # rules reloaded: said again
    with caplog.at_level(logging.WARNING, logger="hudang.rules.calendar"):
        fresh.add_working_days(D(2026, 12, 30), 5)
    assert caplog.text.count("does not cover 2027") == 1


def test_leap_day_is_an_ordinary_working_day():
    cal = WorkCalendar(years=frozenset({2024}))
    assert cal.add_working_days(D(2024, 2, 28), 1).date == D(2024, 2, 29)  # Thursday
    assert cal.add_working_days(D(2024, 2, 29), 1).date == D(2024, 3, 1)
    assert cal.working_days_between(D(2024, 2, 27), D(2024, 3, 1))[0] == 3


dates = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30))


@settings(max_examples=150, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=40))
def test_properties_of_add_working_days(ruleset, start, n):
    cal = ruleset.calendar
    r = cal.add_working_days(start, n)
    assert cal.is_working_day(r.date)
    assert r.date >= start
    if n > 0:
        count, _ = cal.working_days_between(start, r.date)
        assert count == n
        # monotonic: one more working day is strictly later
        assert cal.add_working_days(start, n + 1).date > r.date


@settings(max_examples=100, deadline=None)
@given(a=dates, b=dates)
def test_between_is_antisymmetric(ruleset, a, b):
    cal = ruleset.calendar
    assert cal.working_days_between(a, b)[0] == -cal.working_days_between(b, a)[0]
