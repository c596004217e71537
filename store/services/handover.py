"""Handover (移交 / 接收): a batch with its checklist, received by scan, signed, closed.

The sender lists every item with its page count; the receiver scans each item (or ticks it
by its line number when the paper carries no barcode), confirming or correcting the pages.
Items that did not arrive go on the to-supply list (待补交) with who owes them; scanned items
that are not on the list are flagged as unexpected. A batch closes only when every item is
received or to-supply and both sides have signed. Documents the daemon already filed from
scanned pages are linked by their barcode, never registered twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import category_code
from hudang.store.errors import AlreadyExists, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Customer, Document, Volume, utcnow
from hudang.store.models_intake import HandoverBatch, HandoverItem
from hudang.store.services import serials
from hudang.store.services.business_tasks import handover_received, handover_sent

ITEM_STATUSES = {"expected": ("待接收", "expected"), "received": ("已接收", "received"),
                 "to_supply": ("待补交", "to supply"), "unexpected": ("清单外", "not on list")}
BATCH_STATUSES = {"open": ("进行中", "open"), "closed": ("已关闭", "closed")}


def status_name(code: str, table: dict[str, tuple[str, str]] = ITEM_STATUSES) -> str:
    """A status code in the current language."""
    zh, en = table.get(code, (code, code))
    return t(zh, en)


@dataclass(frozen=True)
class HandoverItemInfo:
    seq: int
    customer_number: str | None
    customer_name: str | None
    category: str
    doc_type: str
    title: str
    page_count: int
    received_pages: int | None
    barcode: str | None
    status: str
    owed_by: str
    document_barcode: str | None
    received_by: str
    note: str


@dataclass(frozen=True)
class HandoverInfo:
    number: str
    sender: str
    receiver: str
    note: str
    status: str
    created_by: str
    created_at: dt.datetime
    sender_signed_by: str
    sender_signed_at: dt.datetime | None
    receiver_signed_by: str
    receiver_signed_at: dt.datetime | None
    closed_at: dt.datetime | None
    items: list[HandoverItemInfo] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


@dataclass(frozen=True)
class ReceiveOutcome:
    """What a receiving scan did: received, corrected, already, unexpected or supplied."""

    action: str
    item: HandoverItemInfo
    batch: str


def _item_info(i: HandoverItem) -> HandoverItemInfo:
    c = Customer.get_by_id(i.customer_id) if i.customer_id else None
    doc = Document.get_by_id(i.document_id) if i.document_id else None
    return HandoverItemInfo(i.seq, c.number if c else None, c.name if c else None, i.category,
                            i.doc_type, i.title, i.page_count, i.received_pages, i.barcode,
                            i.status, i.owed_by, doc.barcode if doc else None, i.received_by,
                            i.note)


def _info(b: HandoverBatch) -> HandoverInfo:
    items = [_item_info(i) for i in
             HandoverItem.select().where(HandoverItem.batch == b).order_by(HandoverItem.seq)]
    return HandoverInfo(b.number, b.sender, b.receiver, b.note, b.status, b.created_by,
                        b.created_at, b.sender_signed_by, b.sender_signed_at,
                        b.receiver_signed_by, b.receiver_signed_at, b.closed_at, items)


def _batch(code: str) -> HandoverBatch:
    scan = default_scheme().parse(code)
    b = HandoverBatch.get_or_none(HandoverBatch.number == scan.code)
    if b is None:
        raise NotFound(t("没有移交批次 {c}", "no handover batch {c}", c=scan.code))
    return b


def _open(b: HandoverBatch) -> None:
    if b.status != "open":
        raise ValidationError(t("移交批次 {c} 已关闭", "handover batch {c} is closed", c=b.number))


def _snapshot(i: HandoverItem) -> dict:
    return {"seq": i.seq, "status": i.status, "pages": i.page_count,
            "received_pages": i.received_pages, "barcode": i.barcode, "owed_by": i.owed_by}


def new_batch(sender: str, receiver: str, actor: Actor, note: str = "",
              barcode: str | None = None) -> HandoverInfo:
    """Open a handover batch from `sender` to `receiver`; its number is a handover barcode."""
    if not sender.strip() or not receiver.strip():
        raise ValidationError(t("移交人和接收人都必须填写", "both sender and receiver are required"))
    with write_tx():
        if barcode:
            scan = default_scheme().parse(barcode)
            if scan.kind != "handover":
                raise ValidationError(t("{c} 不是移交批次条码", "{c} is not a handover barcode",
                                        c=scan.code))
            serials.reserve_through("handover", scan.serial or 0)
            number = scan.code
            if HandoverBatch.select().where(HandoverBatch.number == number).exists():
                raise AlreadyExists(t("移交批次 {c} 已存在", "handover batch {c} exists",
                                      c=number))
        else:
            number = serials.new_barcodes("handover")[0]
        b = HandoverBatch.create(number=number, sender=sender.strip(), receiver=receiver.strip(),
                                 note=note, created_by=actor.username)
        audit.record(actor, "handover.new", "handover", number, None,
                     {"sender": b.sender, "receiver": b.receiver, "note": note})
    with read_tx():
        return _info(b)


def add_item(batch_code: str, customer_number: str, category: str, doc_type: str,
             actor: Actor, *, title: str = "", page_count: int = 0,
             barcode: str | None = None) -> HandoverItemInfo:
    """Add a line to an open batch's checklist: customer, type, title, pages, barcode."""
    try:
        cat = category_code(category)
    except ValueError:
        raise ValidationError(t("未知类别 {c}（应为 YK/YJ/JL/DF/QT 或 业扩/用检/计量/电费/其它）",
                                "unknown category {c} (YK/YJ/JL/DF/QT)", c=category)) from None
    if page_count < 0:
        raise ValidationError(t("页数不能为负", "page count cannot be negative"))
    with write_tx():
        b = _batch(batch_code)
        _open(b)
        customer = Customer.get_or_none(Customer.number == customer_number.strip())
        if customer is None:
            raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}",
                             n=customer_number))
        code = None
        if barcode:
            scan = default_scheme().parse(barcode)
            if scan.kind != "document":
                raise ValidationError(t("{c} 不是文件条码", "{c} is not a document barcode",
                                        c=scan.code))
            code = scan.code
            if HandoverItem.select().where((HandoverItem.batch == b)
                                           & (HandoverItem.barcode == code)).exists():
                raise AlreadyExists(t("文件 {c} 已在本批次清单上", "document {c} is already on "
                                      "this list", c=code))
            existing = Document.get_or_none(Document.barcode == code)
            if existing is not None and existing.customer_id != customer.id:
                raise ValidationError(t("文件 {c} 属于另一个客户", "document {c} belongs to "
                                        "another customer", c=code))
            serials.reserve_through("document", scan.serial or 0)
        seq = (HandoverItem.select().where(HandoverItem.batch == b).count()) + 1
        item = HandoverItem.create(batch=b, seq=seq, customer=customer, category=cat,
                                   doc_type=doc_type.strip(), title=title.strip() or doc_type,
                                   page_count=page_count, barcode=code)
        handover_sent(customer.id, [item.doc_type], utcnow())  # its paper task: 待移交 (issue 14)
        audit.record(actor, "handover.add", "handover", b.number, None,
                     {"customer": customer.number, "category": cat, "doc_type": doc_type}
                     | _snapshot(item))
        return _item_info(item)


def _find_item(b: HandoverBatch, code: str) -> tuple[HandoverItem | None, str | None]:
    """The list line a scan means: '#3' / '3' by line number, else a document barcode."""
    raw = code.strip()
    if raw.lstrip("#").isdigit() and len(raw.lstrip("#")) <= 4:
        item = HandoverItem.get_or_none((HandoverItem.batch == b)
                                        & (HandoverItem.seq == int(raw.lstrip("#"))))
        if item is None:
            raise NotFound(t("批次 {b} 没有第 {n} 项", "batch {b} has no item {n}",
                             b=b.number, n=raw.lstrip("#")))
        return item, None
    scan = default_scheme().parse(raw)
    if scan.kind != "document":
        raise ValidationError(t("接收时请扫描文件条码（或输入清单序号），{c} 是{k}",
                                "scan a document barcode (or type the line number); {c} is a {k}",
                                c=scan.code, k=scan.kind))
    item = HandoverItem.get_or_none((HandoverItem.batch == b)
                                    & (HandoverItem.barcode == scan.code))
    return item, scan.code


def receive(batch_code: str, code: str, actor: Actor, pages: int | None = None,
            note: str = "") -> ReceiveOutcome:
    """Check one scanned item off the list (pages confirmed or corrected); flag strangers."""
    if pages is not None and pages < 0:
        raise ValidationError(t("页数不能为负", "page count cannot be negative"))
    with write_tx():
        b = _batch(batch_code)
        item, barcode = _find_item(b, code)
        if item is None:
            _open(b)
            return ReceiveOutcome("unexpected", _unexpected(b, barcode, actor, pages, note),
                                  b.number)
        if b.status != "open" and item.status != "to_supply":
            _open(b)
        if item.status in ("received", "unexpected") and pages in (None, item.received_pages):
            return ReceiveOutcome("already", _item_info(item), b.number)
        before = _snapshot(item)
        action = "supplied" if item.status == "to_supply" else "received"
        counted = item.page_count if pages is None else pages
        if counted != item.page_count:
            action = "corrected" if action == "received" else action
            note = note or t("页数 {a} → {b}", "pages {a} -> {b}", a=item.page_count, b=counted)
        if item.status != "unexpected":
            item.status = "received"
        item.received_pages = counted
        item.received_at, item.received_by = utcnow(), actor.username
        item.note = note[:256] or item.note
        if item.barcode and item.document_id is None:
            item.document = Document.get_or_none(Document.barcode == item.barcode)
        item.save()
        if item.customer_id and item.doc_type:  # its open paper task is done (issue 14)
            handover_received(item.customer_id, [item.doc_type], item.received_at)
        audit.record(actor, f"handover.{action}", "handover", b.number, before, _snapshot(item))
        return ReceiveOutcome(action, _item_info(item), b.number)


def _unexpected(b: HandoverBatch, barcode: str, actor: Actor, pages: int | None,
                note: str) -> HandoverItemInfo:
    """A scanned document that is not on the list: recorded and flagged, never silently kept."""
    doc = Document.get_or_none(Document.barcode == barcode)
    seq = HandoverItem.select().where(HandoverItem.batch == b).count() + 1
    item = HandoverItem.create(
        batch=b, seq=seq, customer=doc.customer_id if doc else None,
        category=doc.category if doc else "", doc_type=doc.doc_type if doc else "",
        title=doc.title if doc else "", page_count=0, received_pages=pages, barcode=barcode,
        status="unexpected", document=doc, received_at=utcnow(), received_by=actor.username,
        note=(note or t("清单外文件", "not on the list"))[:256])
    audit.record(actor, "handover.unexpected", "handover", b.number, None, _snapshot(item))
    return _item_info(item)


def to_supply(batch_code: str, actor: Actor, seqs: list[int] | None = None,
              owed_by: str = "") -> list[HandoverItemInfo]:
    """Put items that did not arrive (all still expected ones when `seqs` is None) on 待补交."""
    with write_tx():
        b = _batch(batch_code)
        _open(b)
        q = HandoverItem.select().where((HandoverItem.batch == b)
                                        & (HandoverItem.status == "expected"))
        if seqs:
            q = q.where(HandoverItem.seq.in_(seqs))
            found = {i.seq for i in q}
            missing = sorted(set(seqs) - found)
            if missing:
                raise ValidationError(t("第 {n} 项不在待接收状态", "item(s) {n} are not expected",
                                        n=", ".join(map(str, missing))))
        moved = []
        for item in q.order_by(HandoverItem.seq):
            before = _snapshot(item)
            item.status, item.owed_by = "to_supply", (owed_by or b.sender)[:64]
            item.save()
            audit.record(actor, "handover.to_supply", "handover", b.number, before,
                         _snapshot(item))
            moved.append(_item_info(item))
        return moved


def sign(batch_code: str, side: str, name: str, actor: Actor) -> HandoverInfo:
    """Record one side's sign-off (sender or receiver) on the batch's list."""
    if side not in ("sender", "receiver"):
        raise ValidationError(t("签字方必须是 sender 或 receiver", "side must be sender or receiver"))
    if not name.strip():
        raise ValidationError(t("签字人不能为空", "the signer's name is required"))
    with write_tx():
        b = _batch(batch_code)
        _open(b)
        setattr(b, f"{side}_signed_by", name.strip()[:64])
        setattr(b, f"{side}_signed_at", utcnow())
        b.version += 1
        b.save()
        audit.record(actor, "handover.sign", "handover", b.number, None,
                     {"side": side, "name": name.strip()})
        return _info(b)


def close(batch_code: str, actor: Actor) -> HandoverInfo:
    """Close a batch: every item received or to-supply, and both sides signed."""
    with write_tx():
        b = _batch(batch_code)
        _open(b)
        waiting = [i.seq for i in HandoverItem.select(HandoverItem.seq)
                   .where((HandoverItem.batch == b) & (HandoverItem.status == "expected"))]
        if waiting:
            raise ValidationError(t("还有 {n} 项未接收（第 {s} 项）：先接收，或列入待补交",
                                    "{n} item(s) not received yet ({s}): receive them or put "
                                    "them on the to-supply list", n=len(waiting),
                                    s=", ".join(map(str, waiting[:10]))))
        unsigned = [t(zh, en) for side, zh, en in (("sender", "移交人", "sender"),
                                                   ("receiver", "接收人", "receiver"))
                    if not getattr(b, f"{side}_signed_by")]
        if unsigned:
            raise ValidationError(t("{s} 尚未签字", "{s} has not signed", s="、".join(unsigned)))
        b.status, b.closed_at = "closed", utcnow()
        b.version += 1
        b.save()
        audit.record(actor, "handover.close", "handover", b.number, {"status": "open"},
                     {"status": "closed"})
        return _info(b)


def get_batch(batch_code: str) -> HandoverInfo:
    with read_tx():
        return _info(_batch(batch_code))


def list_batches(status: str | None = None, limit: int = 100) -> list[HandoverInfo]:
    """Batches, newest first."""
    with read_tx():
        q = HandoverBatch.select().order_by(HandoverBatch.id.desc()).limit(limit)
        if status:
            q = q.where(HandoverBatch.status == status)
        return [_info(b) for b in q]


@dataclass(frozen=True)
class SupplyRow:
    batch: str
    item: HandoverItemInfo


def supply_list() -> list[SupplyRow]:
    """Every item still owed (待补交), across batches, oldest batch first."""
    with read_tx():
        q = (HandoverItem.select(HandoverItem, HandoverBatch).join(HandoverBatch)
             .where(HandoverItem.status == "to_supply")
             .order_by(HandoverBatch.id, HandoverItem.seq))
        return [SupplyRow(i.batch.number, _item_info(i)) for i in q]


def _volume_for(customer: Customer, category: str, actor: Actor) -> Volume:
    """The customer's newest volume of `category`, or a new one (卷) when there is none."""
    vol = (Volume.select().where((Volume.customer == customer) & (Volume.category == category))
           .order_by(Volume.seq.desc()).first())
    if vol is not None:
        return vol
    seq = Volume.select().where(Volume.customer == customer).count() + 1
    vol = Volume.create(barcode=serials.new_barcodes("volume")[0], customer=customer,
                        category=category, title=f"{customer.name} 第{seq}卷", seq=seq)
    audit.record(actor, "volume.register", "volume", vol.barcode, None,
                 {"customer": customer.number, "category": category, "title": vol.title})
    return vol


def catalogue(batch_code: str, actor: Actor) -> list[str]:
    """Register every received item (著录) into its customer's volume; return document barcodes.

    A document the daemon already filed under the same barcode is linked and given its
    volume, never registered a second time.
    """
    done: list[str] = []
    with write_tx():
        b = _batch(batch_code)
        q = (HandoverItem.select().where((HandoverItem.batch == b)
                                         & HandoverItem.status.in_(["received", "unexpected"])
                                         & HandoverItem.customer.is_null(False))
             .order_by(HandoverItem.seq))
        for item in q:
            linked = Document.get_or_none(Document.id == item.document_id)
            if linked is not None and linked.volume_id is not None:
                continue  # catalogued already
            customer = Customer.get_by_id(item.customer_id)
            vol = _volume_for(customer, item.category, actor)
            pages = item.received_pages if item.received_pages is not None else item.page_count
            doc = linked or (Document.get_or_none(Document.barcode == item.barcode)
                             if item.barcode else None)
            if doc is None:
                doc = Document.create(
                    barcode=item.barcode or serials.new_barcodes("document")[0],
                    customer=customer, volume=vol, category=item.category,
                    doc_type=item.doc_type, title=item.title, page_count=pages,
                    filed_on=dt.date.today())
                action = "document.register"
            else:
                if doc.volume_id is None:
                    doc.volume = vol
                doc.page_count = doc.page_count or pages
                doc.save()
                action = "document.link"
            item.document = doc
            item.save()
            audit.record(actor, action, "document", doc.barcode, None,
                         {"customer": customer.number, "category": doc.category,
                          "volume": Volume.get_by_id(doc.volume_id).barcode,
                          "handover": b.number, "seq": item.seq})
            done.append(doc.barcode)
    return done
