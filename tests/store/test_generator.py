"""The demo / benchmark generator: deterministic, and the archive it builds keeps every rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hudang.store import archive, generator, search
from hudang.store.barcodes import default_scheme
from hudang.store.errors import AlreadyExists
from hudang.store.models import (AuditEvent, Box, Contract, Customer, Document, Location, Movement,
                          User, Volume)
from tests.conftest import make_backend_url

AS_OF = dt.date(2026, 11, 20)
TABLES = [Customer, Location, Box, Volume, Document, Contract, Movement]


def _dump() -> dict[str, list[tuple]]:
    out = {}
    for model in TABLES:
        rows = model.select().order_by(model._meta.primary_key).tuples()
        out[model.__name__] = [tuple(str(v) for v in row) for row in rows]
    return out


@pytest.mark.slow
def test_same_seed_builds_the_same_archive(db, backend, tmp_path):
    generator.build_archive(300, seed=5, docs_per_customer=3, as_of=AS_OF)
    first = _dump()
    url, cleanup = make_backend_url(backend, tmp_path / "second")
    try:
        archive.open_archive(url, create=True)
        generator.build_archive(300, seed=5, docs_per_customer=3, as_of=AS_OF)
        assert _dump() == first
    finally:
        archive.close_archive()
        cleanup()
    assert len(first["Customer"]) == 300


@pytest.mark.slow
def test_different_seeds_differ(db, backend, tmp_path):
    generator.build_archive(120, seed=1, docs_per_customer=2, as_of=AS_OF)
    names = [c.name for c in Customer.select().order_by(Customer.id)]
    url, cleanup = make_backend_url(backend, tmp_path / "other")
    try:
        archive.open_archive(url, create=True)
        generator.build_archive(120, seed=2, docs_per_customer=2, as_of=AS_OF)
        assert [c.name for c in Customer.select().order_by(Customer.id)] != names
    finally:
        archive.close_archive()
        cleanup()


@pytest.fixture
def built(db):
    counts = generator.build_archive(400, seed=3, docs_per_customer=5, as_of=AS_OF)
    return counts


def test_counts_and_customer_mix(built):
    assert built["customers"] == Customer.select().count() == 400
    assert built["documents"] == Document.select().count()
    assert 1600 <= built["documents"] <= 2400
    hv = Customer.select().where(Customer.voltage_class == "HV").count()
    assert hv == built["hv"] == 8  # 2 %
    cancelled = list(Customer.select().where(Customer.status == "cancelled"))
    assert cancelled and all(c.cancelled_on is not None for c in cancelled)
    assert all(c.cancelled_on <= AS_OF for c in cancelled)
    assert not Customer.select().where((Customer.voltage_class == "LV")
                                       & (Customer.area == "")).exists()
    tariffs = {t for (t,) in Customer.select(Customer.tariff).distinct().tuples()}
    assert {"居民", "一般工商业", "大工业"} <= tariffs
    assert Customer.select().where(Customer.important).exists()
    pattern = default_scheme()._customer_re
    assert all(pattern.fullmatch(c.number) for c in Customer.select(Customer.number))
    categories = {c for (c,) in Document.select(Document.category).distinct().tuples()}
    assert categories == {"YK", "YJ", "JL", "DF", "QT"}


def test_boxes_follow_the_hv_lv_rules(built):
    per_box = Counter()
    classes = {}
    for box_id, customer_id, vc in (Volume.select(Volume.box, Volume.customer,
                                                  Customer.voltage_class)
                                    .join(Customer).tuples()):
        per_box[box_id] += 0
        classes.setdefault(box_id, set()).add((customer_id, vc))
    for box in Box.select():
        members = classes[box.id]
        assert {vc for _, vc in members} == {box.voltage_class}
        if box.voltage_class == "HV":
            assert len(members) == 1, f"HV box {box.barcode} holds {len(members)} customers"
    assert max(len(m) for m in classes.values()) > 1  # LV boxes hold several customers
    assert Volume.select().where(Volume.box.is_null()).count() == 0


def test_shelving_is_consistent(built):
    homes = Counter(b.home_id for b in Box.select())
    for cell in Location.select().where(Location.kind.in_(["cell", "safe"])):
        assert cell.used == homes.get(cell.id, 0)
        assert cell.used <= cell.capacity
    assert all(b.status == "on_shelf" and b.home_id == b.current_id for b in Box.select())
    assert Movement.select().count() == Box.select().count()
    zone_of = {loc.id: loc.zone_class for loc in Location.select()}
    cancelled_boxes = {b for (b,) in Volume.select(Volume.box).join(Customer)
                       .where(Customer.status == "cancelled").tuples()}
    for box in Box.select():
        expected = "cancelled" if box.id in cancelled_boxes else box.voltage_class
        assert zone_of[box.home_id] == expected
    assert Location.select().where(Location.kind == "safe").count() == 1
    kinds = {k for (k,) in Location.select(Location.kind).distinct().tuples()}
    assert kinds == {"room", "zone", "row", "side", "section", "shelf", "cell", "safe"}
    assert not Location.select().where((Location.kind == "cell")
                                       & Location.barcode.is_null()).exists()


def test_lv_boxes_are_shelved_in_line_area_number_order(built):
    rows = (Box.select(Location.walk_order, Customer.line, Customer.area, Customer.number)
            .join(Location, on=(Box.home == Location.id))
            .switch(Box).join(Volume).join(Customer)
            .where(Location.zone_class == "LV")
            .order_by(Location.walk_order, Customer.line, Customer.area, Customer.number)
            .tuples())
    keys = [r[1:] for r in rows]
    assert keys == sorted(keys)


def test_contracts_documents_users_and_search(built):
    assert Contract.select().count() == 400
    linked = Contract.select().where(Contract.document.is_null(False)).count()
    assert linked == 400  # every file has its 供用电合同 document
    assert not Contract.select().where(Contract.expires_on < Contract.signed_on).exists()
    roles = {u.role for u in User.select()}
    assert roles == {"keeper", "approver", "admin", "auditor"}
    from hudang.store.services.users import authenticate

    username, _, role, password = generator.DEMO_USERS[0]
    assert authenticate(username, password).role == role
    someone = Customer.select().where(Customer.voltage_class == "LV").first()
    hits = search.search_customers(someone.name)
    assert someone.number in [h.number for h in hits]
    assert AuditEvent.select().where(AuditEvent.action == "archive.generate").count() == 1


def test_generator_refuses_a_non_empty_archive(built):
    with pytest.raises(AlreadyExists):
        generator.build_archive(10)
