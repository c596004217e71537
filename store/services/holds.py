"""Legal holds (法律冻结): placed and released with a reason, audited, blocking disposal.

A hold covers a customer's whole file or one document. The `legal_hold` flags on
customer and document mirror "has an active hold" so retention's due lists stay one index
read; this module is the only writer of those flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import ChangeLog, Customer, Document, utcnow
from hudang.store.models_disposal import Hold, Tombstone


@dataclass(frozen=True)
class HoldInfo:
    id: int
    customer_number: str
    customer_name: str
    document_id: int | None
    document_barcode: str | None
    reason: str
    status: str
    placed_by: str
    placed_at: dt.datetime
    released_by: str
    released_at: dt.datetime | None
    release_reason: str

    @property
    def scope(self) -> str:
        """What the hold covers, in words."""
        if self.document_id is None:
            return t("整户 {c}", "whole file {c}", c=self.customer_number)
        return t("文件 {d}", "document {d}", d=self.document_barcode or f"#{self.document_id}")


def _info(h: Hold) -> HoldInfo:
    c, d = h.customer, h.document
    return HoldInfo(h.id, c.number, c.name, d.id if d else None, d.barcode if d else None,
                    h.reason, h.status, h.placed_by, h.placed_at, h.released_by,
                    h.released_at, h.release_reason)


def _target(code: str) -> tuple[Customer, Document | None]:
    """A customer number (户号) or a document barcode."""
    code = code.strip()
    customer = Customer.get_or_none(Customer.number == code)
    if customer is not None:
        return customer, None
    scan = default_scheme().parse(code)
    doc = Document.get_or_none(Document.barcode == scan.code) if scan.kind == "document" else None
    if doc is None:
        raise NotFound(t("{c} 既不是户号也不是已登记的文件条码", "{c} is neither a customer number "
                         "nor a registered document barcode", c=code))
    if Tombstone.select().where(Tombstone.document == doc).exists():
        raise ValidationError(t("文件 {c} 已销毁，无法冻结", "document {c} was destroyed; it cannot "
                                "be held", c=scan.code))
    return doc.customer, doc


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(t("请写明原因", "a reason is required"))
    return reason


def _sync_flags(customer_id: int, document_id: int | None) -> None:
    """Make the legal_hold flags say whether an active hold covers them."""
    active = Hold.select().where((Hold.customer == customer_id) & (Hold.status == "active"))
    Customer.update(legal_hold=active.where(Hold.document.is_null()).exists()).where(
        Customer.id == customer_id).execute()
    if document_id is not None:
        Document.update(legal_hold=active.where(Hold.document == document_id).exists()).where(
            Document.id == document_id).execute()


def place(code: str, reason: str, actor: Actor) -> HoldInfo:
    """Place a hold on a customer's file or one document; audited."""
    reason = _require_reason(reason)
    with dbmod.write_tx():
        customer, doc = _target(code)
        hold = Hold.create(customer=customer, document=doc, reason=reason,
                           placed_by=actor.username)
        _sync_flags(customer.id, doc.id if doc else None)
        audit.record(actor, "hold.placed", "hold", hold.id, None,
                     {"customer": customer.number, "document": doc.id if doc else None,
                      "barcode": doc.barcode if doc else None, "reason": reason})
        ChangeLog.create(topic="hold", ref=customer.number)
        return _info(Hold.get_by_id(hold.id))


def release(hold_id: int, reason: str, actor: Actor) -> HoldInfo:
    """Release an active hold with a reason; audited. Disposal may then proceed."""
    reason = _require_reason(reason)
    with dbmod.write_tx():
        hold = Hold.get_or_none(Hold.id == hold_id)
        if hold is None:
            raise NotFound(t("没有冻结 {h}", "no hold {h}", h=hold_id))
        n = (Hold.update(status="released", released_by=actor.username, released_at=utcnow(),
                         release_reason=reason)
             .where((Hold.id == hold_id) & (Hold.status == "active")).execute())
        if n != 1:
            raise ValidationError(t("冻结 {h} 已解除", "hold {h} is already released", h=hold_id))
        _sync_flags(hold.customer_id, hold.document_id)
        audit.record(actor, "hold.released", "hold", hold_id, {"status": "active"},
                     {"status": "released", "reason": reason,
                      "customer": hold.customer.number, "document": hold.document_id})
        ChangeLog.create(topic="hold", ref=hold.customer.number)
        return _info(Hold.get_by_id(hold_id))


def list_holds(active_only: bool = True, customer_number: str | None = None) -> list[HoldInfo]:
    """Holds, newest first (active ones only unless asked)."""
    with dbmod.read_tx():
        query = Hold.select(Hold, Customer).join(Customer)
        if active_only:
            query = query.where(Hold.status == "active")
        if customer_number:
            query = query.where(Customer.number == customer_number.strip())
        return [_info(h) for h in query.order_by(Hold.placed_at.desc(), Hold.id.desc())]


def holds_on_customer(customer_id: int) -> list[HoldInfo]:
    """Active holds on a customer's file or any of its documents (for the desk's file screen)."""
    with dbmod.read_tx():
        query = (Hold.select(Hold, Customer).join(Customer)
                 .where((Hold.customer == customer_id) & (Hold.status == "active"))
                 .order_by(Hold.placed_at, Hold.id))
        return [_info(h) for h in query]
