"""Station cover sheets and separator pages: a PDF with exactly the barcodes the daemon reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hudang.store.domain import CATEGORIES, CATEGORY_EN, category_code

from hudang.scanners.linking import separator_value


@dataclass(frozen=True)
class CoverSheet:
    """One sheet: a customer (optional) and a category, printed as a separator barcode."""

    customer_number: str | None = None
    category: str | None = None
    customer_name: str = ""
    station: str = ""
    note: str = ""

    @property
    def value(self) -> str:
        return separator_value(self.customer_number,
                               category_code(self.category) if self.category else None)


def _register_font() -> str:
    """The product's embedded CJK TrueType font (one module finds it for every PDF)."""
    from hudang.store.pdffonts import cjk_font

    return cjk_font()


def use_in_drawing(drawing):
    from hudang.store.pdffonts import use_in_drawing as embed

    return embed(drawing)


def _draw_sheet(c, sheet: CoverSheet, width: float, height: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm

    font = _register_font()
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 40 * mm, "扫描分隔页 · Separator sheet")
    c.setFont(font, 16)
    lines = []
    if sheet.customer_number:
        lines.append(f"户号 Customer: {sheet.customer_number}  {sheet.customer_name}")
    else:
        lines.append("新文件，同一户号 · New document, same customer")
    if sheet.category:
        code = category_code(sheet.category)
        lines.append(f"类别 Category: {code} {CATEGORIES[code]}档案 / {CATEGORY_EN[code]}")
    if sheet.station:
        lines.append(f"扫描站 Station: {sheet.station}")
    if sheet.note:
        lines.append(sheet.note)
    for i, line in enumerate(lines):
        c.drawCentredString(width / 2, height - (60 + 12 * i) * mm, line)
    # Code 128 with 0.5 mm modules: >= 3 px at 150 dpi, readable after a 50 % downscale.
    bc = code128.Code128(sheet.value, barWidth=0.5 * mm, barHeight=22 * mm, quiet=True,
                         humanReadable=True, fontName=font, fontSize=12)
    bc.drawOn(c, (width - bc.width) / 2, height / 2 - 20 * mm)
    qr = QrCodeWidget(sheet.value)
    x0, y0, x1, y1 = qr.getBounds()
    size = 40 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    use_in_drawing(drawing)
    renderPDF.draw(drawing, c, (width - size) / 2, 45 * mm)
    c.setFont(font, 11)
    c.drawCentredString(width / 2, 30 * mm, "此页不归档：守护进程在此处拆分批次 · "
                                             "This page is not filed: the daemon splits here")


def make_coversheets(path: Path, sheets: list[CoverSheet]) -> Path:
    """Write one separator page per entry of `sheets` to the PDF at `path`."""
    from reportlab.lib.pagesizes import A4

    from hudang.store.pdffonts import new_canvas

    if not sheets:
        sheets = [CoverSheet()]
    c = new_canvas(str(path), A4, "hudang cover sheets")
    for sheet in sheets:
        _draw_sheet(c, sheet, *A4)
        c.showPage()
    c.save()
    return Path(path)
