"""Box and shelf-position labels as an A4 PDF sheet (reportlab, Code 128, Chinese CID font).

Each label carries a Code 128 barcode, the code in human-readable text and, for boxes, the
customers inside and the home position. The text is drawn as plain strings, never markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from hudang.store.db import read_tx
from hudang.store.domain import VOLTAGE_CLASSES
from hudang.store.errors import NotFound
from hudang.store.i18n import t
from hudang.store.services import views
from hudang.store.services.locations import cells_under

CJK_FONT = "STSong-Light"  # a CID font every PDF reader has; nothing to embed
LABEL_W, LABEL_H = 95 * mm, 38 * mm
COLUMNS, ROWS = 2, 7
MARGIN_X, MARGIN_Y = (A4[0] - COLUMNS * LABEL_W) / 2, (A4[1] - ROWS * LABEL_H) / 2
BAR_WIDTH = 0.33 * mm  # the narrowest bar; handheld scanners read 0.25 mm and wider
BAR_HEIGHT = 13 * mm


@dataclass(frozen=True)
class Label:
    """One label: a barcode, a heading and a few lines of plain text."""

    barcode: str
    heading: str
    lines: list[str] = field(default_factory=list)


def _font() -> str:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def box_labels(box_codes: list[str]) -> list[Label]:
    """Labels for boxes: customers (number + name), class, home position."""
    labels = []
    with read_tx():
        for code in box_codes:
            box = views.box_info("barcode = ?", code.strip().upper(), moves=0)
            if box is None:
                raise NotFound(t("没有档案盒 {c}", "no box {c}", c=code))
            who = [f"{n} {name}" for n, name in box.customers[:2]]
            if len(box.customers) > 2:
                who[-1] += t(" 等 {n} 户", " and {m} more", n=len(box.customers),
                             m=len(box.customers) - 2)
            where = box.home.label if box.home else t("未上架", "not shelved")
            heading = t("档案盒 {v}", "Box {v}", v=VOLTAGE_CLASSES.get(box.voltage_class,
                                                                    box.voltage_class))
            labels.append(Label(box.barcode, f"{heading} · {where}", who))
    return labels


def position_labels(scope_code: str) -> list[Label]:
    """Labels for every shelf position under a room, zone, row, section or shelf."""
    return [Label(c.barcode or c.code, c.code, [c.label]) for c in cells_under(scope_code)
            if c.barcode]


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text` shortened with … so it fits `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw(c: canvas.Canvas, label: Label, x: float, y: float, font: str) -> None:
    c.setLineWidth(0.3)
    c.rect(x + 2 * mm, y + 2 * mm, LABEL_W - 4 * mm, LABEL_H - 4 * mm)
    inner = LABEL_W - 10 * mm
    bc = code128.Code128(label.barcode, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, quiet=True)
    bx = x + (LABEL_W - bc.width) / 2
    bc.drawOn(c, bx, y + LABEL_H - 5 * mm - BAR_HEIGHT)
    c.setFont("Courier-Bold", 11)
    c.drawCentredString(x + LABEL_W / 2, y + LABEL_H - 9.5 * mm - BAR_HEIGHT, label.barcode)
    c.setFont(font, 9)
    ty = y + LABEL_H - 14 * mm - BAR_HEIGHT
    for text in [label.heading] + label.lines:
        if ty < y + 3 * mm:
            break
        c.drawString(x + 5 * mm, ty, _fit(c, text, font, 9, inner))
        ty -= 4 * mm


def render_pdf(labels: list[Label], title: str = "hudang labels") -> bytes:
    """An A4 PDF with `labels` laid out COLUMNS × ROWS per page."""
    font = _font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(title)
    per_page = COLUMNS * ROWS
    for i, label in enumerate(labels):
        if i and i % per_page == 0:
            c.showPage()
        slot = i % per_page
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + col * LABEL_W
        y = A4[1] - MARGIN_Y - (row + 1) * LABEL_H
        _draw(c, label, x, y, font)
    if not labels:
        c.setFont(font, 12)
        c.drawString(MARGIN_X, A4[1] - MARGIN_Y, t("（没有标签）", "(no labels)"))
    c.showPage()
    c.save()
    return out.getvalue()


def write_box_labels(box_codes: list[str], path: Path) -> Path:
    """Write the labels of `box_codes` to `path` (a PDF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(box_labels(box_codes), "box labels"))
    return path


def write_position_labels(scope_code: str, path: Path) -> Path:
    """Write shelf-position labels for every cell under `scope_code` to `path` (a PDF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(position_labels(scope_code), "position labels"))
    return path
