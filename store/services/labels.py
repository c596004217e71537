"""Labels for boxes, volumes, documents and shelf positions, for real label printers.

Two layouts: A4 sheets of 2 × 7 labels where printing may start at label N (so a half-used
sheet is not wasted), and single labels for roll / thermal printers (60 × 40 mm or
100 × 50 mm, one label per PDF page of exactly that size). Each label carries a Code 128
barcode, the code in human-readable text and plain lines (never markup); a box label shows
the whole shelf address needed to reshelve it and the customers it holds. Every font is the
product's embedded CJK TrueType font (`store.pdffonts`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx
from hudang.store.domain import CATEGORIES, VOLTAGE_CLASSES
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Location
from hudang.store.pdffonts import cjk_font, new_canvas
from hudang.store.services import views
from hudang.store.services.locations import cells_under

LABEL_W, LABEL_H = 95 * mm, 38 * mm  # one label of the A4 sheet
COLUMNS, ROWS = 2, 7
PER_SHEET = COLUMNS * ROWS
MARGIN_X, MARGIN_Y = (A4[0] - COLUMNS * LABEL_W) / 2, (A4[1] - ROWS * LABEL_H) / 2
BAR_WIDTH = 0.33 * mm  # the narrowest bar; handheld scanners read 0.25 mm and wider
BAR_HEIGHT = 13 * mm
ROLL_SIZES: dict[str, tuple[float, float]] = {"60x40": (60 * mm, 40 * mm),
                                              "100x50": (100 * mm, 50 * mm)}
LAYOUTS = ("a4", "roll")


@dataclass(frozen=True)
class Label:
    """One label: a barcode, a heading and a few lines of plain text."""

    barcode: str
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LabelLayout:
    """Where labels go: an A4 sheet from slot `start`, or a roll of `roll_size` labels."""

    kind: str = "a4"  # a4 / roll
    start: int = 1  # 1-based first free label of the first A4 sheet
    roll_size: str = "60x40"

    def __post_init__(self) -> None:
        if self.kind not in LAYOUTS:
            raise ValidationError(t("标签版式必须是 a4 或 roll，而不是 {k}",
                                    "label layout must be a4 or roll, not {k}", k=self.kind))
        if self.roll_size not in ROLL_SIZES:
            raise ValidationError(t("卷筒标签尺寸必须是 {s} 之一", "roll label size must be one of {s}",
                                    s=", ".join(ROLL_SIZES)))
        if not 1 <= self.start <= PER_SHEET:
            raise ValidationError(t("起始标签号必须在 1 到 {n} 之间", "start label must be 1 to {n}",
                                    n=PER_SHEET))


def _box_label(code: str) -> Label:
    box = views.box_info("barcode = ?", code, moves=0)
    if box is None:
        raise NotFound(t("没有档案盒 {c}", "no box {c}", c=code))
    who = [f"{n} {name}" for n, name in box.customers[:3]]
    if len(box.customers) > 3:
        who[-1] += t(" 等 {n} 户", " and {m} more", n=len(box.customers),
                     m=len(box.customers) - 3)
    where = box.home.label if box.home else t("未上架", "not shelved")
    heading = t("档案盒 {v}", "Box {v}", v=VOLTAGE_CLASSES.get(box.voltage_class,
                                                            box.voltage_class))
    lines = [t("架位 {c}", "position {c}", c=box.home.code)] if box.home else []
    return Label(box.barcode, f"{heading} · {where}", lines + who)


def _volume_label(code: str) -> Label:
    vol = views.volume_info("barcode = ?", code)
    if vol is None:
        raise NotFound(t("没有案卷 {c}", "no volume {c}", c=code))
    lines = [f"{vol.customer_number} {vol.customer_name}"]
    if vol.category:
        lines.append(CATEGORIES.get(vol.category, vol.category))
    if vol.box:
        lines.append(t("档案盒 {b}", "box {b}", b=vol.box.barcode))
    return Label(vol.barcode, t("案卷 {t}", "Volume {t}", t=vol.title), lines)


def _document_label(code: str) -> Label:
    doc = views.document_info("barcode = ?", code)
    if doc is None:
        raise NotFound(t("没有文件 {c}", "no document {c}", c=code))
    lines = [f"{doc.customer_number} {doc.customer_name}",
             t("{c} · {p} 页 · {d}", "{c} · {p} pages · {d}",
               c=CATEGORIES.get(doc.category, doc.category), p=doc.page_count,
               d=doc.filed_on or "")]
    return Label(doc.barcode or code, t("文件 {t}", "Document {t}", t=doc.title), lines)


def box_labels(box_codes: list[str]) -> list[Label]:
    """Labels for boxes: class, whole shelf address, customers (number + name)."""
    with read_tx():
        return [_box_label(default_scheme().parse(code).code) for code in box_codes]


def position_labels(scope_code: str) -> list[Label]:
    """Labels for every shelf position under a room, zone, row, section or shelf."""
    return [Label(c.barcode or c.code, c.code, [c.label]) for c in cells_under(scope_code)
            if c.barcode]


def labels_for(codes: list[str]) -> list[Label]:
    """Labels for scanned or typed codes of any kind: box, volume, document, position, scope."""
    makers = {"box": _box_label, "volume": _volume_label, "document": _document_label}
    out: list[Label] = []
    with read_tx():
        for raw in codes:
            scan = default_scheme().parse(raw)
            if scan.kind in makers:
                out.append(makers[scan.kind](scan.code))
                continue
            loc = Location.get_or_none((Location.barcode == scan.code)
                                       | (Location.code == raw.strip().upper()))
            if loc is None:
                raise NotFound(t("{c} 不是档案盒、案卷、文件或架位", "{c} is not a box, volume, "
                                 "document or shelf position", c=raw.strip()))
            out.extend(position_labels(loc.code))
    return out


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` shortened with … so it fits `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` broken into lines of at most `width` points (CJK text breaks anywhere)."""
    lines, current = [], ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch.lstrip()
        else:
            current += ch
    return lines + ([current] if current else [])


def _draw(c, label: Label, x: float, y: float, w: float, h: float, font: str,
          frame: bool) -> None:
    """One label in the rectangle (x, y, w, h): barcode, code, heading and lines."""
    pad = 2 * mm if frame else 1.5 * mm
    if frame:
        c.setLineWidth(0.3)
        c.rect(x + pad, y + pad, w - 2 * pad, h - 2 * pad)
    small = h < 45 * mm and w < 80 * mm
    bar_h = min(BAR_HEIGHT, h * 0.3)
    inner = w - 2 * pad - 3 * mm
    bc = code128.Code128(label.barcode, barWidth=BAR_WIDTH, barHeight=bar_h, quiet=True)
    top = y + h - pad - 2 * mm
    bc.drawOn(c, x + (w - bc.width) / 2, top - bar_h)
    code_size = 8 if small else 10
    c.setFont(font, code_size)
    c.drawCentredString(x + w / 2, top - bar_h - code_size * 1.1, label.barcode)
    size = 7 if small else 8.5
    leading = size * 1.25
    c.setFont(font, size)
    ty = top - bar_h - code_size * 1.1 - leading - 0.5 * mm
    text_lines = _wrap(label.heading, font, size, inner)
    for line in label.lines:
        text_lines.extend(_wrap(line, font, size, inner))
    for i, text in enumerate(text_lines):
        if ty - leading < y + pad and i < len(text_lines) - 1:
            c.drawString(x + pad + 1.5 * mm, ty, _fit(text + "…", font, size, inner))
            break
        c.drawString(x + pad + 1.5 * mm, ty, text)
        ty -= leading


def render_pdf(labels: list[Label], title: str = "hudang labels",
               layout: LabelLayout | None = None) -> bytes:
    """A PDF of `labels`: A4 sheets (COLUMNS × ROWS, from slot `start`) or roll labels."""
    layout = layout or LabelLayout()
    font = cjk_font()
    out = io.BytesIO()
    if layout.kind == "roll":
        size = ROLL_SIZES[layout.roll_size]
        c = new_canvas(out, size, title)
        for label in labels:
            _draw(c, label, 0, 0, size[0], size[1], font, frame=False)
            c.showPage()
        if not labels:
            c.drawString(2 * mm, size[1] / 2, t("（没有标签）", "(no labels)"))
            c.showPage()
        c.save()
        return out.getvalue()
    c = new_canvas(out, A4, title)
    for i, label in enumerate(labels):
        slot_no = i + layout.start - 1
        if i and slot_no % PER_SHEET == 0:
            c.showPage()
        slot = slot_no % PER_SHEET
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + col * LABEL_W
        y = A4[1] - MARGIN_Y - (row + 1) * LABEL_H
        _draw(c, label, x, y, LABEL_W, LABEL_H, font, frame=True)
    if not labels:
        c.setFont(font, 12)
        c.drawString(MARGIN_X, A4[1] - MARGIN_Y, t("（没有标签）", "(no labels)"))
    c.showPage()
    c.save()
    return out.getvalue()


def write_labels(codes: list[str], path: Path, layout: LabelLayout | None = None) -> Path:
    """Write the labels of `codes` (boxes, volumes, documents, positions) to `path`."""
    data = render_pdf(labels_for(codes), "labels", layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_box_labels(box_codes: list[str], path: Path,
                     layout: LabelLayout | None = None) -> Path:
    """Write the labels of `box_codes` to `path` (a PDF)."""
    data = render_pdf(box_labels(box_codes), "box labels", layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_position_labels(scope_code: str, path: Path,
                          layout: LabelLayout | None = None) -> Path:
    """Write shelf-position labels for every cell under `scope_code` to `path` (a PDF)."""
    data = render_pdf(position_labels(scope_code), "position labels", layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
