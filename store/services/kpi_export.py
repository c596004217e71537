"""The monthly KPI as an .xlsx workbook: one sheet per grouping, real numbers, a chart per rate.

Each sheet (责任人 / 班组 / 供电单位) holds the month as a real date, the rank, the score and,
for every rate, the rate (a number formatted as a percentage), its count, its denominator
and the change from last month; the total last. Under the table, one bar chart per rate
compares the groups. Widths, header and dates come from `exports` like every other workbook.
"""

from __future__ import annotations

from pathlib import Path

from hudang.store.i18n import t
from hudang.store.services import exports
from hudang.store.services.business_kpi import RATES, KpiReport, KpiRow, parse_month

RATE_NAMES = {"timely": ("归档及时率(48h)", "Timely filing (48 h)"),
              "link": ("环节完成率", "Link completion"),
              "paper": ("纸质移交及时率", "Paper on time"),
              "over": ("超时限率", "Over-limit"),
              "quality": ("抽查合格率", "Audit sample pass")}
GROUP_NAMES = {"staff": ("责任人", "Staff"), "team": ("班组", "Team"),
               "unit": ("供电单位", "Unit")}
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"  # percentage points against last month
_FIRST_RATE_COLUMN = 5  # 1-based: month, rank, group, score, then four columns per rate
_CHART_ROWS = 16  # sheet rows one chart takes


def _headers() -> list[str]:
    out = [t("月份", "Month"), t("名次", "Rank"), t("对象", "Group"), t("得分", "Score")]
    for key in RATES:
        name = t(*RATE_NAMES[key])
        out += [name, t("{n} 完成数", "{n} count", n=name), t("{n} 总数", "{n} of", n=name),
                t("{n} 环比", "{n} change", n=name)]
    return out + [t("抽查待检", "Audit sample pending")]


def _cells(month, row: KpiRow, label: str) -> list:
    out: list = [month, row.rank, label, row.score]
    for key in RATES:
        r = getattr(row, key)
        out += [r.rate, r.count, r.of, row.change.get(key)]
    return out + [row.quality_pending]


def _formats() -> dict[int, str]:
    formats = {0: exports.MONTH_FORMAT, 3: exports.PERCENT_FORMAT}
    for i in range(len(RATES)):
        first = _FIRST_RATE_COLUMN - 1 + 4 * i
        formats[first] = exports.PERCENT_FORMAT
        formats[first + 3] = CHANGE_FORMAT
    return formats


def _charts(sheet, rep: KpiReport, groups: int) -> None:
    """One bar chart per rate: the groups side by side, the axis in percent."""
    from openpyxl.chart import BarChart, Reference

    categories = Reference(sheet, min_col=3, min_row=2, max_row=groups + 1)
    top = groups + 4  # below the table and its total row
    for i, key in enumerate(RATES):
        column = _FIRST_RATE_COLUMN + 4 * i
        chart = BarChart()
        chart.title = f"{rep.month} {t(*RATE_NAMES[key])}"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        chart.width, chart.height = 18, 7.5
        chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=groups + 1),
                       titles_from_data=True)
        chart.set_categories(categories)
        sheet.add_chart(chart, f"A{top + i * _CHART_ROWS}")


def write_kpi_xlsx(reports: list[KpiReport], path: str | Path) -> Path:
    """Write one sheet per report (grouping) with a bar chart for each rate."""
    book = exports.new_workbook()
    for rep in reports:
        month = parse_month(rep.month)
        rows = [_cells(month, row, row.group or t("（未填）", "(blank)")) for row in rep.rows]
        rows.append(_cells(month, rep.total, t("合计", "Total")))
        sheet = exports.add_table(book, t(*GROUP_NAMES[rep.by]), _headers(), rows,
                                  formats=_formats(), freeze="D2")
        if rep.rows:
            _charts(sheet, rep, len(rep.rows))
    return exports.save_workbook(book, path, t("月度考核 {m}", "KPI {m}", m=reports[0].month)
                                 if reports else "")
