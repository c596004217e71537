"""Lookup by every kind of scanned code, on every backend."""

from __future__ import annotations

import pytest

from hudang.store.barcodes import default_scheme
from hudang.store.errors import BadCheckCharacter, UnknownBarcode
from hudang.store.services import locations, registry, shelving, users
from hudang.store.services.lookup import lookup

from .helpers import KEEPER, box_with, customer, small_storeroom


@pytest.fixture
def shelved(db):
    small_storeroom()
    customer("3300000101", name="李四")
    customer("3300000102", name="王五")
    box = box_with(["3300000101", "3300000102"], docs=3)
    pos = locations.get_location("K1-B-01-L-01-2-1").barcode
    shelving.place_box(box, pos, KEEPER)
    return box, pos


def test_box(shelved):
    box, pos = shelved
    r = lookup("]C0" + box.lower())
    assert r.kind == "box" and r.box.barcode == box
    assert r.box.home.barcode == pos and r.box.current.barcode == pos
    assert r.box.customers == [("3300000101", "李四"), ("3300000102", "王五")]
    assert r.box.contents == {"YK": 2, "DF": 2, "JL": 2} and r.box.volumes == 2
    assert r.box.movements[0].kind == "shelve"


def test_document_and_volume_show_their_box(shelved):
    box, _ = shelved
    doc = registry.register_document("3300000101", "业扩", "供用电合同", KEEPER, page_count=5)
    r = lookup(doc)
    assert r.kind == "document" and r.document.category == "YK" and r.box is None
    vol = registry.register_volume("3300000101", KEEPER, box_code=box)
    doc2 = registry.register_document("3300000101", "计量", "装拆表工作单", KEEPER, volume_code=vol)
    r = lookup(doc2)
    assert r.document.box_barcode == box and r.box.barcode == box
    assert "1号库房" in r.document.position
    rv = lookup(vol)
    assert rv.kind == "volume" and rv.volume.contents == {"JL": 1} and rv.box.barcode == box


def test_position_shows_what_belongs_there(shelved):
    box, pos = shelved
    r = lookup(pos)
    assert r.kind == "position" and [b.barcode for b in r.position.home_boxes] == [box]
    assert r.position.location.free == 1


def test_customer_number_and_staff_card(shelved):
    r = lookup("3300000102")
    assert r.kind == "customer" and r.customer.name == "王五"
    assert sum(r.customer_contents.values()) == 3 and len(r.customer_boxes) == 1
    u = users.add_user("zhangsan", "张三", "keeper", "correct horse")
    assert lookup(u.staff_card).user.username == "zhangsan"


def test_unknown_and_mistyped_codes_say_so(shelved):
    unknown = default_scheme().make("box", 99999)
    with pytest.raises(UnknownBarcode, match="未知档案盒条码"):
        lookup(unknown)
    with pytest.raises(BadCheckCharacter, match="校验位"):
        lookup(unknown[:-1] + ("0" if unknown[-1] != "0" else "1"))
    with pytest.raises(UnknownBarcode):
        lookup("3399999999")
    with pytest.raises(UnknownBarcode):
        lookup(default_scheme().make("loan_slip", 1))


def test_loan_slip_scan_opens_the_slip(shelved):
    from hudang.store.services import loans

    box, _ = shelved
    users.add_user("reader1", "赵六", "keeper", "password1", issue_card=False)
    loan = loans.request_loan("reader1", [box], purpose="司法纠纷取证", use_kind="reading",
                              actor=KEEPER)
    r = lookup(loan.slip_no)
    assert r.kind == "loan_slip" and r.loan.slip_no == loan.slip_no
    assert r.loan.requester == "reader1"


def test_box_on_loan_cannot_be_shelved_without_a_return(shelved):
    from hudang.store.errors import ValidationError
    from hudang.store.models import Box

    box, pos = shelved
    Box.update(status="on_loan", current=None).where(Box.barcode == box).execute()
    with pytest.raises(ValidationError, match="借出"):
        shelving.place_box(box, pos, KEEPER)
