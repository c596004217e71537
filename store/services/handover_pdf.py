"""The printable handover list (移交清单): batch barcode, every item, page counts, signatures."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hudang.store.domain import CATEGORIES
from hudang.store.i18n import t
from hudang.store.pdffonts import cjk_font, table_font, use_in_drawing
from hudang.store.services.handover import HandoverInfo, get_batch, status_name


def _stamp(name: str, at) -> str:
    if not name:
        return "____________________    ____年__月__日"
    return f"{name}    {at:%Y-%m-%d %H:%M}" if at else name


def handover_pdf(batch_code: str) -> bytes:
    """An A4 handover list to print, check item by item and sign on both sides."""
    batch: HandoverInfo = get_batch(batch_code)
    font = cjk_font()
    base = ParagraphStyle("b", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    big = ParagraphStyle("t", parent=base, fontSize=17, leading=24)

    def p(text: object, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape("" if text is None else str(text)), style)

    bars = use_in_drawing(createBarcodeDrawing("Code128", value=batch.number, barWidth=0.42 * mm,
                                               barHeight=13 * mm, humanReadable=True,
                                               fontName=font, fontSize=9))
    top = Table([[p(t("档案移交清单", "Handover list"), big), bars]],
                colWidths=[105 * mm, 75 * mm])
    top.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    listed = [i for i in batch.items if i.status != "unexpected"]
    story = [top, Spacer(1, 2 * mm),
             p(t("批次 {n}　移交人 {s}　接收人 {r}　建立 {d}", "batch {n}   from {s}   to {r}   "
                 "opened {d}", n=batch.number, s=batch.sender, r=batch.receiver,
                 d=f"{batch.created_at:%Y-%m-%d}")),
             p(t("共 {n} 项，{p} 页", "{n} items, {p} pages", n=len(listed),
                 p=sum(i.page_count for i in listed))), Spacer(1, 3 * mm)]
    if batch.note:
        story.insert(3, p(batch.note))
    heads = [t("序号", "No."), t("户号", "Customer"), t("户名", "Name"), t("类别", "Cat."),
             t("文件类型 / 题名", "Type / title"), t("文件条码", "Barcode"), t("页数", "Pages"),
             t("实收", "Counted"), t("状态", "Status")]
    rows = [[p(h) for h in heads]]
    for i in batch.items:
        rows.append([p(i.seq), p(i.customer_number or "—"), p(i.customer_name or "—"),
                     p(CATEGORIES.get(i.category, i.category or "—")),
                     p(i.doc_type if i.title in ("", i.doc_type) else f"{i.doc_type} / {i.title}"),
                     p(i.barcode or "—"), p(i.page_count),
                     p("" if i.received_pages is None else i.received_pages),
                     p(status_name(i.status) + (f"（{i.owed_by}）" if i.owed_by else ""))])
    table = Table(rows, colWidths=[w * mm for w in (10, 22, 22, 12, 46, 24, 11, 11, 22)],
                  repeatRows=1)
    table.setStyle(TableStyle([table_font(), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    signs = Table([[p(t("移交人签字", "Handed over by")),
                    p(_stamp(batch.sender_signed_by, batch.sender_signed_at))],
                   [p(t("接收人签字", "Received by")),
                    p(_stamp(batch.receiver_signed_by, batch.receiver_signed_at))]],
                  colWidths=[40 * mm, 140 * mm], rowHeights=[12 * mm, 12 * mm])
    signs.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [table, Spacer(1, 6 * mm),
              p(t("缺少的文件列入待补交清单，由移交方补交。", "Missing items go on the to-supply "
                  "list; the sender owes them.")), Spacer(1, 4 * mm), signs]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm, initialFontName=font,
                      title=t("移交清单 {n}", "handover list {n}", n=batch.number),
                      author="hudang").build(story)
    return buf.getvalue()
