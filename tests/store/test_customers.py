"""Customer services on every backend: create, update, cancel, file, masking."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store import audit
from hudang.store.errors import AlreadyExists, NotFound, ValidationError
from hudang.store.models import AuditEvent
from hudang.store.services import customers

from .helpers import KEEPER, box_with, customer


def test_create_and_read_back_with_chinese_outside_bmp(db):
    customer("3300000001", name="𠮷田𠀋", address="广东省佛山市南海区桂城街道𠮷祥路8号")
    got = customers.get_customer("3300000001")
    assert got.name == "𠮷田𠀋" and got.address.endswith("𠮷祥路8号")
    event = AuditEvent.select().where(AuditEvent.action == "customer.create").get()
    assert "𠮷田𠀋" in event.after and event.actor == "keeper1"


def test_create_rejects_bad_fields_and_duplicates(db):
    with pytest.raises(ValidationError, match="户号"):
        customer("12AB")
    with pytest.raises(ValidationError, match="电压等级"):
        customer("3300000002", voltage="MV")
    customer("3300000003")
    with pytest.raises(AlreadyExists):
        customer("3300000003")


def test_update_is_audited_and_version_checked(db):
    customer("3300000004")
    info = customers.update_customer("3300000004", {"phone": "13900000000"}, KEEPER,
                                     expected_version=1)
    assert info.phone == "13900000000" and info.version == 2
    with pytest.raises(ValidationError, match="他人修改"):
        customers.update_customer("3300000004", {"phone": "1"}, KEEPER, expected_version=1)
    with pytest.raises(ValidationError):
        customers.update_customer("3300000004", {"number": "1"}, KEEPER)
    ev = AuditEvent.select().where(AuditEvent.action == "customer.update").get()
    assert "13812345678" in ev.before and "13900000000" in ev.after
    assert audit.verify().ok


def test_cancel_sets_status_and_date_once(db):
    customer("3300000005")
    info = customers.cancel_customer("3300000005", dt.date(2024, 3, 1), KEEPER)
    assert info.status == "cancelled" and info.cancelled_on == dt.date(2024, 3, 1)
    with pytest.raises(ValidationError):
        customers.cancel_customer("3300000005", dt.date(2024, 3, 2), KEEPER)
    with pytest.raises(NotFound):
        customers.cancel_customer("9999999999", dt.date(2024, 3, 2), KEEPER)


def test_customer_file_groups_five_categories_in_filing_order(db):
    customer("3300000006")
    box_with(["3300000006"], docs=4)
    f = customers.customer_file("3300000006")
    assert list(f.documents) == ["YK", "YJ", "JL", "DF", "QT"]
    assert sum(len(v) for v in f.documents.values()) == 4
    assert len(f.documents["YK"]) == 2 and f.boxes and f.boxes[0].customers[0][0] == "3300000006"


def test_masks():
    assert customers.mask_id_number("440604198001181234") == "440604********1234"
    assert customers.mask_phone("13812345678") == "138****5678"


def test_count_customers_by_status(db):
    assert customers.count_customers() == {"active": 0, "cancelled": 0}
    customer("3300000007")
    customer("3300000008")
    customers.cancel_customer("3300000008", dt.date(2025, 6, 30), KEEPER)
    assert customers.count_customers() == {"active": 1, "cancelled": 1}
