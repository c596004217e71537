"""The working-day calendar: weekends, statutory holidays and adjusted working days (调休)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from pydantic import Field, model_validator

from hudang.rules.base import Strict
from hudang.rules.errors import RuleIssue
from hudang.rules.yamlsource import Source
from hudang.common.i18n import t

log = logging.getLogger("hudang.rules.calendar")


class Holiday(Strict):
    """One holiday: either a list of dates or a from/to range (inclusive)."""

    name: str
    dates: list[dt.date] | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _shape(self) -> Holiday:
        if (self.dates is None) == (self.from_ is None and self.to is None):
            raise ValueError(t("dates 或 from/to 二者之一", "either dates or from/to"))
        if self.dates is None and (self.from_ is None or self.to is None):
            raise ValueError(t("from 与 to 都要给出", "both from and to"))
        if self.from_ and self.to and not (0 <= (self.to - self.from_).days <= 30):
            raise ValueError(t("from 不晚于 to，且不超过 31 天",
                               "from on or before to, at most 31 days"))
        return self

    def days(self) -> list[dt.date]:
        if self.dates is not None:
            return list(self.dates)
        n = (self.to - self.from_).days
        return [self.from_ + dt.timedelta(days=i) for i in range(n + 1)]


class Workday(Strict):
    """A weekend day that is worked (调休上班)."""

    date: dt.date
    reason: str = ""


class CalendarYear(Strict):
    source: str = ""  # the official notice, e.g. 国办发明电〔2024〕12号
    holidays: list[Holiday]
    workdays: list[Workday] = []


class CalendarExample(Strict):
    name: str = ""
    start: dt.date
    add_working_days: int
    expect: dt.date


class CalendarFile(Strict):
    weekend: list[int] = Field([6, 7], min_length=0, max_length=6)  # ISO weekdays, 7 = Sunday
    years: dict[int, CalendarYear]
    examples: list[CalendarExample] = []


def check(model: CalendarFile, src: Source) -> list[RuleIssue]:
    """Dates inside their year, no day both holiday and workday, workdays on weekends."""
    issues: list[RuleIssue] = []
    for d in model.weekend:
        if not 1 <= d <= 7:
            issues.append(src.issue(("weekend",), t("ISO 星期 1..7", "ISO weekdays 1..7"), str(d)))
    for year, cal in model.years.items():
        holiday_days: set[dt.date] = set()
        for i, h in enumerate(cal.holidays):
            for day in h.days():
                if day.year != year:
                    issues.append(src.issue(("years", year, "holidays", i),
                                            t("{y} 年内的日期", "a date in {y}", y=year),
                                            day.isoformat()))
                holiday_days.add(day)
        for i, w in enumerate(cal.workdays):
            path = ("years", year, "workdays", i, "date")
            if w.date.year != year:
                issues.append(src.issue(path, t("{y} 年内的日期", "a date in {y}", y=year),
                                        w.date.isoformat()))
            if w.date in holiday_days:
                issues.append(src.issue(path, t("不是假日的日期", "a date that is not a holiday"),
                                        w.date.isoformat()))
            if w.date.isoweekday() not in model.weekend:
                issues.append(src.issue(path, t("周末日期（调休上班日）",
                                                "a weekend date (an adjusted working day)"),
                                        f"{w.date.isoformat()} ({w.date.strftime('%A')})"))
    return issues


@dataclass(frozen=True)
class WorkdayResult:
    """A computed date, and whether it crossed years the calendar does not cover."""

    date: dt.date
    uncovered_years: tuple[int, ...] = ()

    @property
    def uncertain(self) -> bool:
        return bool(self.uncovered_years)


@dataclass
class WorkCalendar:
    """Working-day arithmetic over the years calendar.yaml covers."""

    weekend: frozenset[int] = frozenset({6, 7})
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()
    # Uncovered years already warned of: a remind pass or an events import computes
    # thousands of deadlines, and one line per calendar (per rules load) says it.
    _warned: set[tuple[int, ...]] = field(default_factory=set, init=False, repr=False,
                                          compare=False)

    @classmethod
    def from_file(cls, model: CalendarFile) -> WorkCalendar:
        holidays = {d: h.name for y in model.years.values() for h in y.holidays for d in h.days()}
        workdays = frozenset(w.date for y in model.years.values() for w in y.workdays)
        return cls(frozenset(model.weekend), holidays, workdays, frozenset(model.years))

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        """Weekday that is no holiday, or a weekend day worked in exchange (调休)."""
        if day in self.workdays:
            return True
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: dt.date, n: int) -> WorkdayResult:
        """The n-th working day after `start` (n >= 0; 0 = `start` or the next working day)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, seen = start, {start.year}
        if n == 0:
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
                seen.add(day.year)
        for _ in range(n):
            day += dt.timedelta(days=1)
            seen.add(day.year)
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
                seen.add(day.year)
        return self._result(day, seen, "add_working_days", start, n)

    def working_days_between(self, start: dt.date, end: dt.date) -> tuple[int, WorkdayResult]:
        """Working days in (start, end]; negative when end is before start."""
        sign = 1 if end >= start else -1
        lo, hi = (start, end) if sign > 0 else (end, start)
        count, day, seen = 0, lo, {lo.year}
        while day < hi:
            day += dt.timedelta(days=1)
            seen.add(day.year)
            count += self.is_working_day(day)
        return sign * count, self._result(end, seen, "working_days_between", start, end)

    def _result(self, day: dt.date, seen: set[int], op: str, *args: object) -> WorkdayResult:
        missing = tuple(sorted(y for y in seen if y not in self.years))
        if missing and missing not in self._warned:
            self._warned.add(missing)
            log.warning("working-day calendar does not cover %s (first met in %s%r): holidays "
                        "in those years are ignored; add them to calendar.yaml",
                        ", ".join(map(str, missing)), op, args)
        return WorkdayResult(day, missing)
