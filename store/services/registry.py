"""Registering boxes (盒), volumes (卷), documents (件) and contracts into customers' files."""

from __future__ import annotations

import datetime as dt

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import write_tx
from hudang.store.domain import HV, LV, category_code
from hudang.store.errors import AlreadyExists, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Box, Contract, Customer, Document, Volume
from hudang.store.services import serials
from hudang.store.services.convert import contract_info
from hudang.store.services.dto import ContractInfo


def _barcode(kind: str, given: str | None) -> str:
    """A fresh barcode, or a pre-printed one checked against the scheme and reserved."""
    if not given:
        return serials.new_barcodes(kind)[0]
    scan = default_scheme().parse(given)
    if scan.kind != kind:
        raise ValidationError(t("{c} 不是{k}条码", "{c} is not a {k} barcode", c=scan.code, k=kind))
    serials.reserve_through(kind, scan.serial or 0)
    return scan.code


def _customer(number: str) -> Customer:
    c = Customer.get_or_none(Customer.number == number.strip())
    if c is None:
        raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}", n=number))
    return c


def _box(code: str) -> Box:
    b = Box.get_or_none(Box.barcode == default_scheme().parse(code).code)
    if b is None:
        raise NotFound(t("没有档案盒 {c}", "no box {c}", c=code))
    return b


def _check_box_customer(box: Box, customer: Customer) -> None:
    """An HV box holds one customer; a box's class matches its customers'."""
    if box.voltage_class != customer.voltage_class:
        raise ValidationError(t("{v}客户的案卷不能放入{b}档案盒 {c}",
                                "a {v} customer's volume cannot go into {b} box {c}",
                                v=customer.voltage_class, b=box.voltage_class, c=box.barcode))
    if box.voltage_class == HV:
        others = (Volume.select(Volume.customer).where((Volume.box == box)
                                                       & (Volume.customer != customer)).exists())
        if others:
            raise ValidationError(t("高压档案盒 {c} 只能装一个客户的档案",
                                    "HV box {c} holds one customer only", c=box.barcode))


def register_box(voltage_class: str, actor: Actor, barcode: str | None = None,
                 label: str = "") -> str:
    """A new, unplaced box; returns its barcode (print its label next)."""
    if voltage_class not in (HV, LV):
        raise ValidationError(t("档案盒电压等级必须是 HV 或 LV", "box class must be HV or LV"))
    with write_tx():
        code = _barcode("box", barcode)
        if Box.select().where(Box.barcode == code).exists():
            raise AlreadyExists(t("档案盒 {c} 已登记", "box {c} is already registered", c=code))
        box = Box.create(barcode=code, voltage_class=voltage_class, label=label)
        audit.record(actor, "box.register", "box", code, None,
                     {"voltage_class": voltage_class, "label": label})
    return box.barcode


def register_volume(customer_number: str, actor: Actor, box_code: str | None = None,
                    category: str | None = None, title: str = "",
                    barcode: str | None = None) -> str:
    """A new volume of a customer's file, optionally put straight into a box."""
    cat = category_code(category) if category else None
    with write_tx():
        customer = _customer(customer_number)
        box = _box(box_code) if box_code else None
        if box is not None:
            _check_box_customer(box, customer)
        code = _barcode("volume", barcode)
        if Volume.select().where(Volume.barcode == code).exists():
            raise AlreadyExists(t("案卷 {c} 已登记", "volume {c} is already registered", c=code))
        seq = Volume.select().where(Volume.customer == customer).count() + 1
        vol = Volume.create(barcode=code, customer=customer, box=box, category=cat,
                            title=title or f"{customer.name} 第{seq}卷", seq=seq)
        audit.record(actor, "volume.register", "volume", code, None,
                     {"customer": customer.number, "box": box.barcode if box else None,
                      "category": cat, "title": vol.title})
    return vol.barcode


def put_volume_in_box(volume_code: str, box_code: str, actor: Actor) -> None:
    """Move a volume into a box (HV boxes stay single-customer)."""
    with write_tx():
        vol = Volume.get_or_none(Volume.barcode == default_scheme().parse(volume_code).code)
        if vol is None:
            raise NotFound(t("没有案卷 {c}", "no volume {c}", c=volume_code))
        box = _box(box_code)
        _check_box_customer(box, vol.customer)
        before = vol.box.barcode if vol.box_id else None
        vol.box = box
        vol.save()
        audit.record(actor, "volume.box", "volume", vol.barcode, {"box": before},
                     {"box": box.barcode})


def register_document(customer_number: str, category: str, doc_type: str, actor: Actor, *,
                      title: str = "", volume_code: str | None = None, page_count: int = 0,
                      filed_on: dt.date | None = None, business_process: str = "",
                      business_step_at: dt.datetime | None = None,
                      barcode: str | None = None) -> str:
    """A document (件) filed into a customer's file; appended, never replacing others."""
    cat = category_code(category)
    if page_count < 0:
        raise ValidationError(t("页数不能为负", "page count cannot be negative"))
    with write_tx():
        customer = _customer(customer_number)
        volume = None
        if volume_code:
            volume = Volume.get_or_none(Volume.barcode == default_scheme().parse(volume_code).code)
            if volume is None:
                raise NotFound(t("没有案卷 {c}", "no volume {c}", c=volume_code))
            if volume.customer_id != customer.id:
                raise ValidationError(t("案卷 {v} 属于另一个客户", "volume {v} belongs to another customer",
                                        v=volume.barcode))
        code = _barcode("document", barcode)
        if Document.select().where(Document.barcode == code).exists():
            raise AlreadyExists(t("文件 {c} 已登记", "document {c} is already registered", c=code))
        doc = Document.create(barcode=code, customer=customer, volume=volume, category=cat,
                              doc_type=doc_type, title=title or doc_type, page_count=page_count,
                              filed_on=filed_on or dt.date.today(),
                              business_process=business_process,
                              business_step_at=business_step_at)
        audit.record(actor, "document.register", "document", code, None,
                     {"customer": customer.number, "category": cat, "doc_type": doc_type,
                      "title": doc.title, "volume": volume.barcode if volume else None})
    return doc.barcode


def add_contract(customer_number: str, actor: Actor, *, number: str = "",
                 kind: str = "供用电合同", signed_on: dt.date | None = None,
                 expires_on: dt.date | None = None, auto_renew: bool = False) -> ContractInfo:
    """Record a contract's signing and expiry so reminders can be computed."""
    if signed_on and expires_on and expires_on < signed_on:
        raise ValidationError(t("合同到期日早于签订日", "contract expires before it was signed"))
    with write_tx():
        customer = _customer(customer_number)
        k = Contract.create(customer=customer, number=number, kind=kind, signed_on=signed_on,
                            expires_on=expires_on, auto_renew=auto_renew)
        audit.record(actor, "contract.add", "contract", k.id, None,
                     {"customer": customer.number, "number": number, "signed_on": signed_on,
                      "expires_on": expires_on, "auto_renew": auto_renew})
    return contract_info(k)
