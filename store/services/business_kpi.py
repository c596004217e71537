"""Monthly scores (考核): timely filing, link completion, paper on time, over-limit, quality.

Each rate comes with its count and denominator, per staff member, team or supply unit, with a
ranking and the change from the previous month (DOMAIN.md "Measures the seeds report").
Definitions (a waived task counts in no rate):
- timely filing (归档及时率): digitise tasks started in the month done by their 48 h limit;
- link completion (环节完成率): tasks of the month's events (started in it) that are done;
- paper on time: paper-transfer tasks started in the month done by their working-day limit;
- over-limit (超时限率): events of the month with any task done late or still open past due;
- quality: documents of the month's audit sample checked `pass` of those checked.
The score ranks: 40 % timely + 30 % link + 20 % paper + 10 % (1 − over-limit), over the rates
that have a denominator.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from hudang.store import db as dbmod
from hudang.store.errors import ValidationError
from hudang.store.i18n import t
from hudang.store.models import utcnow
from hudang.store.progress import Progress, no_progress
from hudang.store.services.business_rules import local_offset
from hudang.store.services.business_tasks import db_ts, param_mark

GROUPINGS = ("staff", "team", "unit")
RATES = ("timely", "link", "paper", "over", "quality")
WEIGHTS = {"timely": 0.4, "link": 0.3, "paper": 0.2, "over": 0.1}


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None


@dataclass
class KpiRow:
    """One staff member, team or unit (or '' for everyone) in one month."""

    group: str
    timely: Rate
    link: Rate
    paper: Rate
    over: Rate
    quality: Rate
    quality_pending: int = 0
    score: float | None = None
    rank: int | None = None
    change: dict[str, float | None] = field(default_factory=dict)  # rate − last month's


@dataclass
class KpiReport:
    month: str
    by: str
    rows: list[KpiRow]
    total: KpiRow


def parse_month(month: str) -> dt.date:
    """'2026-03' -> 2026-03-01, or a ValidationError fit for the screen."""
    if not re.fullmatch(r"\d{4}-\d{2}", month or ""):
        raise ValidationError(t("月份应为 YYYY-MM：{m}", "month must be YYYY-MM: {m}", m=month))
    try:
        return dt.date(int(month[:4]), int(month[5:]), 1)
    except ValueError:
        raise ValidationError(t("月份应为 YYYY-MM：{m}", "month must be YYYY-MM: {m}",
                                m=month)) from None


def shift_month(first: dt.date, months: int) -> dt.date:
    n = first.year * 12 + first.month - 1 + months
    return dt.date(n // 12, n % 12 + 1, 1)


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local month as naive UTC [start, end)."""
    off = local_offset()
    start = dt.datetime.combine(first, dt.time()) - off
    end = dt.datetime.combine(shift_month(first, 1), dt.time()) - off
    return start, end


def _group_col(by: str, alias: str) -> str:
    if by == "all":
        return "''"
    if by not in GROUPINGS:
        raise ValidationError(t("分组应为 staff/team/unit", "group by staff, team or unit"))
    return f"{alias}.{by}"


def _raw(first: dt.date, by: str, now: dt.datetime) -> dict[str, dict[str, int]]:
    db = dbmod.require_database()
    p = param_mark()
    m0, m1 = (db_ts(x) for x in month_bounds(first))
    out: dict[str, dict[str, int]] = {}

    def put(rows, names):
        for row in rows:
            slot = out.setdefault(row[0] or "", {})
            for name, value in zip(names, row[1:]):
                slot[name] = int(value or 0)

    g = _group_col(by, "t")
    ok = "CASE WHEN t.done_at IS NOT NULL AND t.done_at <= t.due_at THEN 1 ELSE 0 END"
    put(db.execute_sql(
        f"SELECT {g}, SUM(CASE WHEN t.kind = 'digitise' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.kind = 'digitise' THEN {ok} ELSE 0 END), "
        f"SUM(CASE WHEN t.kind = 'paper' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.kind = 'paper' THEN {ok} ELSE 0 END), COUNT(*), "
        "SUM(CASE WHEN t.done_at IS NOT NULL THEN 1 ELSE 0 END) FROM business_task t "
        f"WHERE t.start_at >= {p} AND t.start_at < {p} AND t.event_id IS NOT NULL "
        "AND t.done_how <> 'waived' GROUP BY 1", (m0, m1)).fetchall(),
        ("timely_of", "timely", "paper_of", "paper", "link_of", "link"))
    ge = _group_col(by, "e")
    put(db.execute_sql(
        f"SELECT {ge}, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM business_task t WHERE "
        "t.event_id = e.id AND t.done_how <> 'waived' AND (t.done_at > t.due_at OR "
        f"(t.done_at IS NULL AND t.due_at < {p}))) THEN 1 ELSE 0 END) FROM business_event e "
        f"WHERE e.completed_at >= {p} AND e.completed_at < {p} GROUP BY 1",
        (db_ts(now), m0, m1)).fetchall(), ("over_of", "over"))
    gq = _group_col(by, "q")
    put(db.execute_sql(
        f"SELECT {gq}, SUM(CASE WHEN q.result <> 'pending' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN q.result = 'pass' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN q.result = 'pending' THEN 1 ELSE 0 END) FROM quality_check q "
        f"WHERE q.month = {p} GROUP BY 1", (first.strftime("%Y-%m"),)).fetchall(),
        ("quality_of", "quality", "quality_pending"))
    return out


def _row(group: str, raw: dict[str, int]) -> KpiRow:
    r = {name: Rate(raw.get(name, 0), raw.get(name + "_of", 0)) for name in RATES}
    row = KpiRow(group, r["timely"], r["link"], r["paper"], r["over"], r["quality"],
                 raw.get("quality_pending", 0))
    parts = [(w, (1 - r[k].rate) if k == "over" else r[k].rate) for k, w in WEIGHTS.items()
             if r[k].rate is not None]
    if parts:
        row.score = sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    return row


def kpi(month: str, by: str = "team", now: dt.datetime | None = None,
        progress: Progress = no_progress) -> KpiReport:
    """The month's rates per `by` group, ranked by score, with the change from last month.

    Four passes over the month's tasks and events (this month and last, by group and in
    total); `progress` hears each ("queries", done, 4)."""
    first = parse_month(month)
    now = now or utcnow()
    progress("queries", 0, 4)
    cur = {g: _row(g, raw) for g, raw in _raw(first, by, now).items()}
    progress("queries", 1, 4)
    prev = {g: _row(g, raw) for g, raw in _raw(shift_month(first, -1), by, now).items()}
    progress("queries", 2, 4)
    rows = sorted(cur.values(), key=lambda r: (r.score is None, -(r.score or 0), r.group))
    for i, row in enumerate(rows, start=1):
        row.rank = i if row.score is not None else None
        before = prev.get(row.group)
        row.change = {k: _delta(getattr(row, k).rate, getattr(before, k).rate if before else None)
                      for k in RATES}
    total = month_total(first, now)
    progress("queries", 3, 4)
    ptotal = month_total(shift_month(first, -1), now)
    progress("queries", 4, 4)
    total.change = {k: _delta(getattr(total, k).rate, getattr(ptotal, k).rate) for k in RATES}
    return KpiReport(first.strftime("%Y-%m"), by, rows, total)


def month_total(first: dt.date, now: dt.datetime | None = None) -> KpiRow:
    """Everyone together for one month."""
    raw = _raw(first, "all", now or utcnow()).get("", {})
    return _row("", raw)


def trend(last_month: str, months: int = 12, now: dt.datetime | None = None
          ) -> list[tuple[str, KpiRow]]:
    """The totals of the `months` months ending with `last_month` (oldest first)."""
    last = parse_month(last_month)
    now = now or utcnow()
    out = []
    for back in range(months - 1, -1, -1):
        first = shift_month(last, -back)
        out.append((first.strftime("%Y-%m"), month_total(first, now)))
    return out


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b
