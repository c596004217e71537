"""Boxing (装盒): volumes and documents into boxes and out again, by the HV / LV box rule.

An HV box holds one customer. An LV box holds several customers of the same 台区 (or, where
the 台区 is not recorded, the same line), kept in line / 台区 / customer-number order.
Every change is one audited transaction. The box's contents list (盒内目录 with each
volume's 卷内目录) is read here and printed by `box_contents_pdf`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import CATEGORIES, HV, LV, VOLTAGE_CLASSES
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Box, Customer, Document, Volume
from hudang.store.services import serials, views
from hudang.store.services.dto import BoxInfo


def _box(code: str) -> Box:
    scan = default_scheme().parse(code)
    box = Box.get_or_none(Box.barcode == scan.code) if scan.kind == "box" else None
    if box is None:
        raise NotFound(t("没有档案盒 {c}", "no box {c}", c=scan.code))
    return box


def check_box_rule(box: Box, customer: Customer) -> None:
    """Refuse a customer the box may not hold (class, HV single customer, LV same 台区)."""
    if box.voltage_class != customer.voltage_class:
        raise ValidationError(t("{v}客户的档案不能放入{b}档案盒 {c}",
                                "a {v} customer's file cannot go into {b} box {c}",
                                v=VOLTAGE_CLASSES.get(customer.voltage_class, ""),
                                b=VOLTAGE_CLASSES.get(box.voltage_class, ""), c=box.barcode))
    others = list(Customer.select().join(Volume)
                  .where((Volume.box == box) & (Customer.id != customer.id)).distinct())
    if not others:
        return
    if box.voltage_class == HV:
        raise ValidationError(t("高压档案盒 {c} 只能装一个客户的档案（已装 {n} {m}）",
                                "HV box {c} holds one customer only (it holds {n} {m})",
                                c=box.barcode, n=others[0].number, m=others[0].name))
    if box.voltage_class == LV:
        o = others[0]
        same = (customer.area == o.area) if (customer.area and o.area) else (
            customer.line == o.line)
        if not same:
            raise ValidationError(t("低压档案盒 {c} 装的是 {a} 的客户，{n} 属于 {b}",
                                    "LV box {c} holds customers of {a}; {n} is in {b}",
                                    c=box.barcode, a=o.area or o.line or "—", n=customer.number,
                                    b=customer.area or customer.line or "—"))


def _volume_in_box(box: Box, customer: Customer, category: str, actor: Actor) -> Volume:
    """The customer's volume of `category` already in the box, or a new one there."""
    vol = (Volume.select().where((Volume.box == box) & (Volume.customer == customer)
                                 & (Volume.category == category)).first())
    if vol is not None:
        return vol
    seq = Volume.select().where(Volume.customer == customer).count() + 1
    vol = Volume.create(barcode=serials.new_barcodes("volume")[0], customer=customer, box=box,
                        category=category, title=f"{customer.name} 第{seq}卷", seq=seq)
    audit.record(actor, "volume.register", "volume", vol.barcode, None,
                 {"customer": customer.number, "box": box.barcode, "category": category,
                  "title": vol.title})
    return vol


@dataclass(frozen=True)
class BoxingOutcome:
    """What a boxing scan did: 'volume_in', 'document_in', 'already' or 'taken_out'."""

    action: str
    box: str
    code: str
    customer_number: str
    volume: str | None


def add_to_box(box_code: str, code: str, actor: Actor) -> BoxingOutcome:
    """Put a volume (with all its documents) or a loose document into a box."""
    with write_tx():
        box = _box(box_code)
        scan = default_scheme().parse(code)
        if scan.kind == "volume":
            vol = Volume.get_or_none(Volume.barcode == scan.code)
            if vol is None:
                raise NotFound(t("没有案卷 {c}", "no volume {c}", c=scan.code))
            customer = Customer.get_by_id(vol.customer_id)
            if vol.box_id == box.id:
                return BoxingOutcome("already", box.barcode, vol.barcode, customer.number,
                                     vol.barcode)
            check_box_rule(box, customer)
            before = Box.get_by_id(vol.box_id).barcode if vol.box_id else None
            vol.box = box
            vol.save()
            audit.record(actor, "volume.box", "volume", vol.barcode, {"box": before},
                         {"box": box.barcode})
            return BoxingOutcome("volume_in", box.barcode, vol.barcode, customer.number,
                                 vol.barcode)
        if scan.kind != "document":
            raise ValidationError(t("请扫描案卷或文件条码，{c} 不是", "scan a volume or document "
                                    "barcode; {c} is neither", c=scan.code))
        doc = Document.get_or_none(Document.barcode == scan.code)
        if doc is None:
            raise NotFound(t("没有文件 {c}（请先著录）", "no document {c} (register it first)",
                             c=scan.code))
        customer = Customer.get_by_id(doc.customer_id)
        check_box_rule(box, customer)
        old = Volume.get_by_id(doc.volume_id) if doc.volume_id else None
        if old is not None and old.box_id == box.id:
            return BoxingOutcome("already", box.barcode, doc.barcode, customer.number,
                                 old.barcode)
        vol = _volume_in_box(box, customer, doc.category, actor)
        doc.volume = vol
        doc.save()
        audit.record(actor, "document.box", "document", doc.barcode,
                     {"volume": old.barcode if old else None},
                     {"volume": vol.barcode, "box": box.barcode})
        return BoxingOutcome("document_in", box.barcode, doc.barcode, customer.number,
                             vol.barcode)


def remove_from_box(box_code: str, code: str, actor: Actor) -> BoxingOutcome:
    """Take a volume out of a box, or a document out of its volume in that box."""
    with write_tx():
        box = _box(box_code)
        scan = default_scheme().parse(code)
        if scan.kind == "volume":
            vol = Volume.get_or_none(Volume.barcode == scan.code)
            if vol is None or vol.box_id != box.id:
                raise NotFound(t("案卷 {c} 不在档案盒 {b} 里", "volume {c} is not in box {b}",
                                 c=scan.code, b=box.barcode))
            vol.box = None
            vol.save()
            audit.record(actor, "volume.unbox", "volume", vol.barcode, {"box": box.barcode},
                         {"box": None})
            return BoxingOutcome("taken_out", box.barcode, vol.barcode,
                                 Customer.get_by_id(vol.customer_id).number, vol.barcode)
        doc = Document.get_or_none(Document.barcode == scan.code) if scan.kind == "document" \
            else None
        vol = Volume.get_by_id(doc.volume_id) if doc is not None and doc.volume_id else None
        if doc is None or vol is None or vol.box_id != box.id:
            raise NotFound(t("{c} 不在档案盒 {b} 里", "{c} is not in box {b}", c=scan.code,
                             b=box.barcode))
        doc.volume = None
        doc.save()
        audit.record(actor, "document.unbox", "document", doc.barcode,
                     {"volume": vol.barcode, "box": box.barcode}, {"volume": None})
        return BoxingOutcome("taken_out", box.barcode, doc.barcode,
                             Customer.get_by_id(doc.customer_id).number, vol.barcode)


@dataclass(frozen=True)
class ContentsDocument:
    barcode: str | None
    category: str
    doc_type: str
    title: str
    page_count: int
    filed_on: dt.date | None


@dataclass(frozen=True)
class ContentsVolume:
    barcode: str
    customer_number: str
    customer_name: str
    line: str
    area: str
    category: str | None
    title: str
    documents: list[ContentsDocument] = field(default_factory=list)


@dataclass(frozen=True)
class BoxContents:
    """盒内目录: the box, and its volumes in line / 台区 / customer order with their 卷内目录."""

    box: BoxInfo
    volumes: list[ContentsVolume]

    @property
    def pages(self) -> int:
        return sum(d.page_count for v in self.volumes for d in v.documents)


def box_contents(box_code: str) -> BoxContents:
    """What is in a box, volume by volume, document by document."""
    with read_tx():
        box = _box(box_code)
        info = views.box_info("id = ?", box.id, moves=0)
        vols = (Volume.select(Volume, Customer).join(Customer).where(Volume.box == box)
                .order_by(Customer.line, Customer.area, Customer.number, Volume.seq))
        out = []
        for v in vols:
            docs = (Document.select().where(Document.volume == v)
                    .order_by(Document.category, Document.filed_on, Document.id))
            out.append(ContentsVolume(
                v.barcode, v.customer.number, v.customer.name, v.customer.line,
                v.customer.area, v.category, v.title,
                [ContentsDocument(d.barcode, d.category, d.doc_type, d.title, d.page_count,
                                  d.filed_on) for d in docs]))
        return BoxContents(info, out)


def box_contents_pdf(box_code: str) -> bytes:
    """The box's contents list (盒内目录 / 卷内目录) as an A4 PDF to put in the box."""
    from reportlab.graphics.barcode import createBarcodeDrawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from hudang.store.pdffonts import cjk_font, table_font, use_in_drawing

    contents = box_contents(box_code)
    font = cjk_font()
    base = ParagraphStyle("b", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("t", parent=base, fontSize=16, leading=22)
    head = ParagraphStyle("h", parent=base, fontSize=11, leading=15)

    def p(text: object, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape("" if text is None else str(text)), style)

    box = contents.box
    bars = use_in_drawing(createBarcodeDrawing("Code128", value=box.barcode, barWidth=0.4 * mm,
                                               barHeight=12 * mm, humanReadable=True,
                                               fontName=font, fontSize=9))
    top = Table([[p(t("盒内目录", "Box contents list"), title), bars]],
                colWidths=[110 * mm, 70 * mm])
    top.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    where = box.home.label if box.home else t("未上架", "not shelved")
    story = [top, p(t("档案盒 {b} · {v} · {w}", "box {b} · {v} · {w}", b=box.barcode,
                      v=VOLTAGE_CLASSES.get(box.voltage_class, box.voltage_class), w=where)),
             p(t("共 {n} 卷，{d} 件，{p} 页", "{n} volumes, {d} documents, {p} pages",
                 n=len(contents.volumes), d=sum(len(v.documents) for v in contents.volumes),
                 p=contents.pages)), Spacer(1, 4 * mm)]
    heads = [t("序号", "No."), t("文件条码", "Barcode"), t("类别", "Cat."),
             t("文件类型 / 题名", "Type / title"), t("页数", "Pages"), t("归档日期", "Filed")]
    for v in contents.volumes:
        story.append(p(t("卷内目录 {b} · {n} {m} · {a}", "volume {b} · {n} {m} · {a}",
                         b=v.barcode, n=v.customer_number, m=v.customer_name,
                         a=" ".join(x for x in (v.line, v.area) if x) or "—"), head))
        rows = [[p(h) for h in heads]]
        for i, d in enumerate(v.documents, 1):
            rows.append([p(i), p(d.barcode or "—"), p(CATEGORIES.get(d.category, d.category)),
                         p(f"{d.doc_type} / {d.title}" if d.title != d.doc_type else d.doc_type),
                         p(d.page_count), p(d.filed_on or "")])
        table = Table(rows, colWidths=[12 * mm, 32 * mm, 16 * mm, 80 * mm, 14 * mm, 26 * mm],
                      repeatRows=1)
        table.setStyle(TableStyle([table_font(), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [table, Spacer(1, 5 * mm)]
    if not contents.volumes:
        story.append(p(t("（空盒）", "(empty box)")))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, initialFontName=font,
                            title=t("盒内目录 {b}", "box contents {b}", b=box.barcode),
                            author="hudang")
    doc.build(story)
    return buf.getvalue()
