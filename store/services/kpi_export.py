"""The monthly KPI as an .xlsx workbook: one sheet per grouping, real numbers, a chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hudang.store.i18n import t
from hudang.store.services.business_kpi import RATES, KpiReport, KpiRow, parse_month

RATE_NAMES = {"timely": ("归档及时率(48h)", "Timely filing (48 h)"),
              "link": ("环节完成率", "Link completion"),
              "paper": ("纸质移交及时率", "Paper on time"),
              "over": ("超时限率", "Over-limit"),
              "quality": ("抽查合格率", "Audit sample pass")}
GROUP_NAMES = {"staff": ("责任人", "Staff"), "team": ("班组", "Team"),
               "unit": ("供电单位", "Unit")}


def _headers() -> list[str]:
    out = [t("月份", "Month"), t("名次", "Rank"), t("对象", "Group"), t("得分", "Score")]
    for key in RATES:
        name = t(*RATE_NAMES[key])
        out += [name, t("{n} 完成数", "{n} count", n=name), t("{n} 总数", "{n} of", n=name),
                t("{n} 环比", "{n} change", n=name)]
    return out


def _cells(month: dt.date, row: KpiRow, label: str) -> list:
    out: list = [month, row.rank, label, row.score]
    for key in RATES:
        r = getattr(row, key)
        out += [r.rate, r.count, r.of, row.change.get(key)]
    return out


def write_kpi_xlsx(reports: list[KpiReport], path: str | Path) -> Path:
    """Write one sheet per report (grouping) with a bar chart of the timely-filing rate."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    book.remove(book.active)
    for rep in reports:
        sheet = book.create_sheet(t(*GROUP_NAMES[rep.by]))
        month = parse_month(rep.month)
        sheet.append(_headers())
        for row in rep.rows:
            sheet.append(_cells(month, row, row.group or t("（未填）", "(blank)")))
        sheet.append(_cells(month, rep.total, t("合计", "Total")))
        last = sheet.max_row
        for r in range(2, last + 1):
            sheet.cell(r, 1).number_format = "yyyy-mm"
            sheet.cell(r, 4).number_format = "0.0%"
            for i in range(len(RATES)):
                sheet.cell(r, 5 + 4 * i).number_format = "0.0%"
                sheet.cell(r, 8 + 4 * i).number_format = "+0.0%;-0.0%;0.0%"
        sheet.freeze_panes = "D2"
        if len(rep.rows):
            chart = BarChart()
            chart.title = t("{m} {n}", "{m} {n}", m=rep.month, n=t(*RATE_NAMES["timely"]))
            chart.y_axis.number_format = "0%"
            chart.add_data(Reference(sheet, min_col=5, min_row=1, max_row=len(rep.rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=3, min_row=2,
                                           max_row=len(rep.rows) + 1))
            sheet.add_chart(chart, f"A{last + 3}")
    out = Path(path)
    book.save(out)
    return out
