"""ISO 8601 durations and the regex safety checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hudang.rules.durations import add_months, parse_duration
from hudang.rules.saferegex import UnsafeRegex, compile_rule_regex


@pytest.mark.parametrize("text,years,months,days,seconds", [
    ("P5Y", 5, 0, 0, 0), ("P3Y6M", 3, 6, 0, 0), ("P30D", 0, 0, 30, 0), ("PT48H", 0, 0, 0, 172800),
    ("P2W", 0, 0, 14, 0), ("p1y", 1, 0, 0, 0), ("P1DT12H", 0, 0, 1, 43200)])
def test_valid_durations(text, years, months, days, seconds):
    d = parse_duration(text)
    assert (d.years, d.months, d.days, d.seconds) == (years, months, days, seconds)


@pytest.mark.parametrize("text", ["P", "PT", "P1YT", "5Y", "P-1Y", "P1.5Y", "P0D", "P0Y0M",
                                  "P1Y2W", "P201Y", "P99999D", "", "P5y3", 5])
def test_impossible_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_leap_day_plus_years_clamps_to_28_february():
    assert parse_duration("P1Y").add_to(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert parse_duration("P4Y").add_to(dt.date(2024, 2, 29)) == dt.date(2028, 2, 29)
    assert parse_duration("P1M").add_to(dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)
    assert parse_duration("P30D").subtract_from(dt.date(2025, 3, 1)) == dt.date(2025, 1, 30)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 1, 1)),
       st.integers(min_value=-600, max_value=600))
def test_add_months_lands_in_the_right_month(day, months):
    got = add_months(day, months)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == months
    assert got.day == day.day or got.day < day.day  # clamped only at a month's end


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+$", r"(a|ab)*c", r"(a*)*$",
                                     r"([a-z]+)*@", r"(\w|\d)+!", r"\w*\w*\w*\w*\w*!"])
def test_slow_shapes_run_in_linear_time_on_re2(pattern):
    # each of these backtracks for ages in Python's re on this input; RE2 cannot backtrack
    rx = compile_rule_regex(pattern)
    assert rx.search("a" * 5000 + "\u0000") is None or pattern.endswith("*$")


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)b", r"(?<!x)y", r"a{99999999999}",
                                     r"x{1001}", r"[", r"(?P<n>a)(?P=n)"])
def test_patterns_re2_cannot_run_are_refused_with_the_reason(pattern):
    with pytest.raises(UnsafeRegex) as info:
        compile_rule_regex(pattern)
    assert str(info.value)


@pytest.mark.parametrize("pattern", [r"^HT-(?P<c>\d{10})-[A-Z0-9]+$", r"(?:\d{2})+",
                                     r"^(?P<a>新装|增容)_", r"代扣", r"(?:x|y)+",
                                     r"[^_./]+\.(?:pdf|tif)$"])
def test_ordinary_patterns_compile(pattern):
    assert compile_rule_regex(pattern).pattern == pattern
