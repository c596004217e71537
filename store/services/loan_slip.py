"""Printable slips: the borrowing slip (档案资料出借单) and overdue reminders (催还通知单).

PDF via reportlab with the product's embedded CJK TrueType font (`store.pdffonts`), and a
Code 128 barcode of the slip number so the desk can scan the
paper slip straight back into the loan.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from hudang.store.domain import CATEGORIES
from hudang.store.i18n import t
from hudang.store.pdffonts import cjk_font, table_font, use_in_drawing
from hudang.store.services.loan_dto import LoanInfo, LoanItemInfo, OverdueRow
from hudang.store.services.loan_policy import USE_KINDS

BAR_WIDTH = 0.42 * mm  # narrowest bar: wide enough for a desk scanner and a 200 dpi render
STATUS_NAMES = {"pending": ("待审批", "pending"), "approved": ("已批准", "approved"),
                "rejected": ("已驳回", "rejected"), "cancelled": ("已撤销", "cancelled"),
                "active": ("借出中", "on loan"), "returned": ("已归还", "returned"),
                "requested": ("待出库", "to fetch"), "out": ("已出库", "out")}


def _font() -> str:
    return cjk_font()


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {"base": base,
            "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1),
            "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12)}


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """Data is text, never markup: escape it before reportlab's mini-HTML sees it."""
    return Paragraph(escape("" if text is None else str(text)), style)


def _status(code: str) -> str:
    zh, en = STATUS_NAMES.get(code, (code, code))
    return t(zh, en)


def slip_barcode(value: str, bar_height: float = 14 * mm):
    """A Code 128 drawing of `value`, with the text under the bars."""
    drawing = createBarcodeDrawing("Code128", value=value, barWidth=BAR_WIDTH,
                                   barHeight=bar_height, humanReadable=True, quiet=True,
                                   fontName=cjk_font(), fontSize=9)
    return use_in_drawing(drawing)


def _header(title: str, slip_no: str, s: dict[str, ParagraphStyle]) -> list:
    head = Table([[_p(title, s["title"]), slip_barcode(slip_no)]],
                 colWidths=[105 * mm, 75 * mm])
    head.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    return [head, Spacer(1, 4 * mm)]


def _fields(pairs: list[tuple[str, object]], s: dict[str, ParagraphStyle]) -> Table:
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[i:i + 2]:
            row += [_p(label, s["cell"]), _p(value, s["cell"])]
        rows.append(row + [_p("", s["cell"])] * (4 - len(row)))
    table = Table(rows, colWidths=[24 * mm, 66 * mm, 24 * mm, 66 * mm])
    table.setStyle(TableStyle([table_font(), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                               ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _items(items: list[LoanItemInfo], s: dict[str, ParagraphStyle], today: dt.date | None = None,
           due: dt.date | None = None) -> Table:
    head = [t("序号", "No."), t("户号", "Customer"), t("户名", "Name"), t("类别", "Cat."),
            t("内容", "Item"), t("档案盒", "Box"), t("存放位置", "Home"), t("状态", "Status")]
    rows = [[_p(h, s["cell"]) for h in head]]
    for n, i in enumerate(items, 1):
        rows.append([_p(n, s["cell"]), _p(i.customer_number or "—", s["cell"]),
                     _p(i.customer_name or "—", s["cell"]),
                     _p(CATEGORIES.get(i.category or "", "—"), s["cell"]),
                     _p(f"{i.title}（{i.code}）", s["cell"]), _p(i.box_barcode, s["cell"]),
                     _p(i.home.code if i.home else "—", s["cell"]),
                     _p(_status(i.status), s["cell"])])
    widths = [12, 22, 24, 12, 40, 24, 32, 14]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([table_font(), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _signatures(labels: list[str], s: dict[str, ParagraphStyle]) -> Table:
    rows = [[_p(label, s["base"]), _p("____________________", s["base"]),
             _p(t("日期：", "Date: ") + "____年__月__日", s["base"])] for label in labels]
    table = Table(rows, colWidths=[58 * mm, 62 * mm, 60 * mm], rowHeights=[11 * mm] * len(rows))
    table.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def _build(story: list, title: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title,
                            author="hudang", subject=title, initialFontName=_font())
    doc.build(story)
    return buf.getvalue()


def _use_name(use_kind: str) -> str:
    zh, en = USE_KINDS.get(use_kind, (use_kind, use_kind))
    return t(zh, en)


def loan_slip_pdf(loan: LoanInfo) -> bytes:
    """The borrowing slip: number and barcode, borrower, items, due date, signature lines."""
    s = _styles()
    title = t("档案资料出借单", "Archive borrowing slip")
    fmt = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else "—"  # noqa: E731
    pairs: list[tuple[str, object]] = [
        (t("出借单号", "Slip no."), loan.slip_no), (t("状态", "Status"), _status(loan.status)),
        (t("借阅人", "Borrower"), f"{loan.requester_name}（{loan.requester}）"),
        (t("部门", "Department"), loan.department or "—"),
        (t("利用方式", "Use"), _use_name(loan.use_kind)),
        (t("借期", "Period"), t("按规定", "as policy allows") if loan.wanted_days is None
         else t("{d} 天", "{d} day(s)", d=loan.wanted_days)),
        (t("申请时间", "Requested"), fmt(loan.created_at)),
        (t("审批人", "Approved by"), loan.approver_name or (loan.decision_note or "—")),
        (t("出库时间", "Checked out"), fmt(loan.checked_out_at)),
        (t("应还日期", "Due"), loan.due_on.isoformat() if loan.due_on else "—"),
    ]
    story = _header(title, loan.slip_no, s)
    story += [_fields(pairs, s), Spacer(1, 3 * mm),
              _p(t("借阅目的：", "Purpose: ") + loan.purpose, s["base"]), Spacer(1, 3 * mm)]
    if loan.override_reason:
        story += [_p(t("解除限制：{w}，理由：{r}", "Block lifted by {w}: {r}",
                       w=loan.override_by, r=loan.override_reason), s["small"]),
                  Spacer(1, 2 * mm)]
    story += [_items(loan.items, s), Spacer(1, 4 * mm),
              _p(t("借阅人须在借期内完整归还，不得拆卷、涂改、转借。原件一般不外借，优先提供复制件。",
                   "Return everything complete within the period; do not take volumes apart, "
                   "mark them or pass them on. Copies are preferred to originals."),
                 s["small"]), Spacer(1, 6 * mm),
              _signatures([t("借阅人签字", "Borrower"), t("审批人签字", "Approver"),
                           t("档案管理员（出库）签字", "Keeper (out)"),
                           t("归还验收（完整 / 损坏 / 缺失）", "Returned (complete / damaged / missing)"),
                           t("档案管理员（归还）签字", "Keeper (back)")], s)]
    return _build(story, f"{title} {loan.slip_no}")


def reminder_slips_pdf(rows: list[OverdueRow], today: dt.date) -> bytes:
    """One overdue reminder (催还通知单) per slip, a page each."""
    s = _styles()
    title = t("档案催还通知单", "Overdue reminder")
    story: list = []
    for n, row in enumerate(rows):
        if n:
            story.append(PageBreak())
        story += _header(title, row.slip_no, s)
        story += [_fields([(t("出借单号", "Slip no."), row.slip_no),
                           (t("借阅人", "Borrower"), f"{row.borrower_name}（{row.borrower}）"),
                           (t("部门", "Department"), row.department or "—"),
                           (t("应还日期", "Due"), row.due_on.isoformat()),
                           (t("逾期天数", "Days overdue"), row.days_overdue),
                           (t("通知日期", "Date"), today.isoformat())], s),
                  Spacer(1, 4 * mm),
                  _p(t("您借阅的下列档案已逾期 {d} 天，请尽快归还档案室。逾期未还期间不能办理新的借阅。",
                       "The items below are {d} day(s) overdue; please return them to the "
                       "archive room. New loans are blocked until they are back.",
                       d=row.days_overdue), s["base"]),
                  Spacer(1, 3 * mm), _items(row.items, s), Spacer(1, 8 * mm),
                  _signatures([t("档案管理员", "Keeper"), t("借阅人签收", "Borrower")], s)]
    if not story:
        story = [_p(t("没有逾期的出借单", "No overdue loans"), s["title"])]
    return _build(story, title)


def write_loan_slip(loan: LoanInfo, path: Path) -> Path:
    """Write the borrowing slip PDF to `path`."""
    path.write_bytes(loan_slip_pdf(loan))
    return path
