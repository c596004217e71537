"""Chinese identity numbers on customer records: resident ID cards and company credit codes.

Legacy customer lists are dirty, so an import keeps a row whose number fails these checks
and marks the customer for correction; entering a new number refuses an invalid one
unless the user confirms it. The checks are python-stdnum's:
- 居民身份证 (18 digits): check digit, birth date, area code;
- old 15-digit ID cards (issued before 1999): widened to 18 digits and checked the same way;
- 统一社会信用代码 (18 characters, companies): check character.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from hudang.store.i18n import t

_SEPARATORS = re.compile(r"[\s\-–—]+")
OLDEST_BIRTH = dt.date(1880, 1, 1)


@dataclass(frozen=True)
class IdCheck:
    """What an identity number is and whether it passed; `problem` says why not."""

    number: str  # compacted: NFKC, no spaces or dashes, upper case
    kind: str  # "ric" | "ric15" | "uscc" | "" (empty) | "unknown"
    problem: str = ""

    @property
    def valid(self) -> bool:
        return not self.problem


def compact(value: str) -> str:
    """A number as stored: NFKC (full-width digits become ASCII), no separators, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def _known_area(number: str) -> bool:
    """Whether the number's 6-digit area code is a county in python-stdnum's register."""
    return _known_area_code(number[:6])


@functools.lru_cache(maxsize=8192)  # a few thousand codes; the register walk costs ~130 µs
def _known_area_code(code: str) -> bool:
    """Whether python-stdnum's register knows the 6-digit area code at all.

    Not "at the birth year" as `ric.validate` asks: a code is given where a person first
    registers, so someone born in 1980 can rightly carry 禅城区's 440604 (created 2002).
    """
    from stdnum import numdb

    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


def _ric_problem(number: str, today: dt.date) -> str:
    if number[-1] != ric.calc_check_digit(number):
        return t("校验位不对", "wrong check digit")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        return t("出生日期不存在", "no such birth date")
    if not OLDEST_BIRTH <= born <= today:
        return t("出生日期 {d} 不可能", "impossible birth date {d}", d=born.isoformat())
    if not _known_area(number):
        return t("地区码 {a} 不存在", "unknown area code {a}", a=number[:6])
    return ""


def _date_shaped(number: str) -> bool:
    """Digits 7-14 read as a plausible YYYYMMDD (an ID card, not a credit code)."""
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1800 <= year <= 2199 and 1 <= month <= 12 and 1 <= day <= 31


def widen_old_id(number15: str) -> str:
    """A 15-digit ID card number (19YYMMDD era) as its 18-digit form."""
    body = number15[:6] + "19" + number15[6:]
    return body + ric.calc_check_digit(body + "0")


def check_id_number(value: str, today: dt.date | None = None) -> IdCheck:
    """Classify and check one identity number; an empty value is fine (not required)."""
    today = today or dt.date.today()
    number = compact(value)
    if not number:
        return IdCheck("", "")
    if len(number) == 15 and number.isdigit():
        problem = _ric_problem(widen_old_id(number), today)
        return IdCheck(number, "ric15",
                       problem and t("15 位身份证号{p}", "15-digit ID card: {p}", p=problem))
    if len(number) == 18:
        if number[:17].isdigit() and number[17] in "0123456789X" and _date_shaped(number):
            problem = _ric_problem(number, today)  # shaped like an ID card: judged as one
            return IdCheck(number, "ric",
                           problem and t("身份证号{p}", "ID card number: {p}", p=problem))
        if uscc.is_valid(number):
            return IdCheck(number, "uscc")
        return IdCheck(number, "uscc", t("统一社会信用代码校验位不对",
                                         "unified social credit code: wrong check character"))
    return IdCheck(number, "unknown",
                   t("不是身份证号（18 或 15 位）或统一社会信用代码（18 位）：{n} 位",
                     "neither an ID card number (18 or 15 digits) nor a unified social "
                     "credit code (18 characters): {n} characters", n=len(number)))


def problems_of(values: list[str], today: dt.date | None = None) -> list[tuple[int, str]]:
    """(index, problem) of every value that fails `check_id_number`, for a whole column.

    An import checks 100,000 numbers: the common 18-digit ID card is judged here with its
    date and area looked up once per distinct value (python-stdnum's check digit), and any
    other value goes through `check_id_number` (tests hold the two equal).
    """
    today = today or dt.date.today()
    dates: dict[str, str | None] = {}
    out: list[tuple[int, str]] = []
    for i, value in enumerate(values):
        if not value:
            continue
        if len(value) == 18 and value[:17].isdigit() and value[:17].isascii() \
                and value[17] in "0123456789X":
            key = value[6:14]
            date_problem = dates.get(key, "?")
            if date_problem == "?":
                date_problem = dates[key] = _date_problem(key, today)
            if date_problem is not None:  # shaped like an ID card: judged as one
                if value[-1] != ric.calc_check_digit(value):
                    problem = t("校验位不对", "wrong check digit")
                elif date_problem:
                    problem = date_problem
                elif not _known_area_code(value[:6]):
                    problem = t("地区码 {a} 不存在", "unknown area code {a}", a=value[:6])
                else:
                    continue
                out.append((i, t("身份证号{p}", "ID card number: {p}", p=problem)))
                continue
        checked = check_id_number(value, today)
        if not checked.valid:
            out.append((i, checked.problem))
    return out


def _date_problem(yyyymmdd: str, today: dt.date) -> str | None:
    """None when digits 7-14 are not date-shaped, else the birth-date problem ("" for none)."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    if not (1800 <= year <= 2199 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return t("出生日期不存在", "no such birth date")
    if not OLDEST_BIRTH <= born <= today:
        return t("出生日期 {d} 不可能", "impossible birth date {d}", d=born.isoformat())
    return ""
