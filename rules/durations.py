"""ISO 8601 durations (P5Y, P3Y6M, P30D, PT48H) and adding them to dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from hudang.common.i18n import t

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?")
MAX_YEARS = 200  # no archive rule looks further ahead; a bigger number is a typo


@dataclass(frozen=True, order=True)
class Duration:
    """A calendar duration; years and months are added on the calendar, the rest exactly."""

    years: int = 0
    months: int = 0
    days: int = 0
    seconds: int = 0
    text: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def has_time(self) -> bool:
        return self.seconds != 0

    def approx_days(self) -> float:
        """Length in days for comparisons (a year is 365.25 days, a month 30.44)."""
        return self.years * 365.25 + self.months * 30.44 + self.days + self.seconds / 86400

    def add_to(self, start: dt.date) -> dt.date:
        """`start` plus this duration; 29 February plus a year is 28 February."""
        return add_months(start, self.years * 12 + self.months) + dt.timedelta(days=self.days)

    def subtract_from(self, start: dt.date) -> dt.date:
        """`start` minus this duration (the same end-of-month clamping)."""
        return add_months(start, -(self.years * 12 + self.months)) - dt.timedelta(days=self.days)

    def timedelta(self) -> dt.timedelta:
        """Exact length; only for durations without years or months."""
        if self.years or self.months:
            raise ValueError("a duration with years or months has no fixed length")
        return dt.timedelta(days=self.days, seconds=self.seconds)


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` moved by `months` calendar months, clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return start.replace(year=year, month=month + 1, day=min(start.day, last))


def parse_duration(text: object) -> Duration:
    """Parse an ISO 8601 duration or raise ValueError saying what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError(t("ISO 8601 时长文本，如 P5Y", "an ISO 8601 duration string such as P5Y"))
    value = text.strip().upper()
    m = _DURATION.fullmatch(value)
    if not m or value in ("P", "PT") or value.endswith("T"):
        raise ValueError(t("ISO 8601 时长，如 P5Y、P3Y6M、P30D、PT48H",
                           "an ISO 8601 duration such as P5Y, P3Y6M, P30D or PT48H"))
    parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
    if "weeks" in parts and len(parts) > 1:
        raise ValueError(t("周数不能与其它单位混用（ISO 8601：PnW 单独使用）",
                           "weeks used alone (ISO 8601 allows PnW only by itself)"))
    if not any(parts.values()):
        raise ValueError(t("大于零的时长", "a duration longer than zero"))
    years = parts.get("years", 0) + parts.get("months", 0) // 12
    if years > MAX_YEARS or parts.get("days", 0) + 7 * parts.get("weeks", 0) > MAX_YEARS * 366:
        raise ValueError(t("不超过 {n} 年的时长", "a duration of at most {n} years", n=MAX_YEARS))
    return Duration(
        years=parts.get("years", 0), months=parts.get("months", 0),
        days=parts.get("days", 0) + 7 * parts.get("weeks", 0),
        seconds=parts.get("hours", 0) * 3600 + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0),
        text=value)
