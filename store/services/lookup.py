"""Lookup by any scanned code: document, volume, box, position, customer number, staff card."""

from __future__ import annotations

import contextlib

from hudang.store.barcodes import BarcodeScheme, Scan, default_scheme, kind_name
from hudang.store.db import read_tx
from hudang.store.errors import UnknownBarcode
from hudang.store.i18n import t
from hudang.store.services import rawsql, views
from hudang.store.services.disposal import DocumentDestroyed, destroyed_message
from hudang.store.services.dto import CustomerInfo, LookupResult, UserInfo

_CUSTOMER = ("SELECT id, number, name, id_number, phone, address, voltage_class, supply_voltage,"
             " line, area, tariff, status, cancelled_on, important, legal_hold, version "
             "FROM customer WHERE number = ?")
_POSITION = f"SELECT {views.LOC_COLS} FROM location WHERE barcode = ?"
_STAFF = ("SELECT id, username, display_name, role, department, staff_card, active "
          "FROM \"user\" WHERE staff_card = ?")


def customer_row(number: str) -> CustomerInfo | None:
    r = rawsql.one(_CUSTOMER, (number,))
    if r is None:
        return None
    return CustomerInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                        views._as_date(r[12]), bool(r[13]), bool(r[14]), r[15])


def _unknown(scan: Scan) -> UnknownBarcode:
    return UnknownBarcode(t("未知{k}条码：{c}（系统中没有登记）",
                            "Unknown {k} code: {c} (not registered)",
                            k=kind_name(scan.kind), c=scan.code))


def lookup_scan(scan: Scan, *, detail: bool = True) -> LookupResult:
    """Everything the desk shows for an already-classified scan.

    With detail the several reads share one snapshot; a brief lookup is a single statement
    and needs no transaction around it (BEGIN and COMMIT would double its cost on SQLite).
    """
    with read_tx() if detail else contextlib.nullcontext():
        if scan.kind == "box":
            box = views.box_info("barcode = ?", scan.code, detail=detail)
            if box:
                return LookupResult("box", scan.code, box=box)
        elif scan.kind == "document":
            doc = views.document_info("barcode = ?", scan.code)
            if doc and doc.destroyed and (gone := destroyed_message(doc.id)):  # issue 15
                raise DocumentDestroyed(t("{c}：{m}", "{c}: {m}", c=scan.code, m=gone))
            if doc:
                box = (views.box_info("barcode = ?", doc.box_barcode)
                       if doc.box_barcode and detail else None)
                return LookupResult("document", scan.code, document=doc, box=box)
        elif scan.kind == "volume":
            vol = views.volume_info("barcode = ?", scan.code)
            if vol:
                return LookupResult("volume", scan.code, volume=vol, box=vol.box)
        elif scan.kind == "position":
            r = rawsql.one(_POSITION, (scan.code,))
            if r:
                loc = views.LocationInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
                return LookupResult("position", scan.code, position=views.position_info(loc))
        elif scan.kind == "customer":
            c = customer_row(scan.code)
            if c:
                return LookupResult("customer", scan.code, customer=c,
                                    customer_contents=views.customer_contents(c.id),
                                    customer_boxes=views.boxes_of_customer(c.id)
                                    if detail else None)
        elif scan.kind == "staff_card":
            r = rawsql.one(_STAFF, (scan.code,))
            if r:
                return LookupResult("staff_card", scan.code,
                                    user=UserInfo(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])))
        elif scan.kind == "loan_slip":
            from hudang.store.services.loans import get_loan  # loans build on lookup, not vice versa
            from hudang.store.errors import NotFound

            try:
                return LookupResult("loan_slip", scan.code, loan=get_loan(scan.code))
            except NotFound:
                pass
        elif scan.kind == "handover":  # issue 13: a handover list is shown by its own command
            from hudang.store.models_intake import HandoverBatch

            if HandoverBatch.select().where(HandoverBatch.number == scan.code).exists():
                raise UnknownBarcode(t("{c} 是移交批次：用 hudang handover show 查看，工作台按 F10 接收",
                                       "{c} is a handover batch: see hudang handover show, or "
                                       "F10 at the desk to receive it", c=scan.code))
        elif scan.kind == "keyword":
            raise UnknownBarcode(t("{c} 不是条码或户号", "{c} is not a barcode or customer number",
                                   c=scan.code))
    raise _unknown(scan)


def lookup(raw: str, scheme: BarcodeScheme | None = None, *, detail: bool = True) -> LookupResult:
    """Lookup by a scanned string: raises BadCheckCharacter or UnknownBarcode when it can't.

    `detail=False` answers with the item alone (a document with its box code and home
    position, a box with its positions) in one round trip, for scripts and quick checks;
    the desk asks for detail: the box's customers, contents and recent movements too.
    """
    scan = (scheme or default_scheme()).parse(raw)
    return lookup_scan(scan, detail=detail)
