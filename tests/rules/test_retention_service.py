"""store.services.retention on SQLite and PostgreSQL: recompute, confirmation, due in SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.rules import load_ruleset
from hudang.store.audit import Actor
from hudang.store.audit import verify as verify_audit
from hudang.store.models import AuditEvent, Contract, Customer, Document
from hudang.store.services.retention import due, due_count, due_summary, recompute

D = dt.date
ADMIN = Actor("admin", "test", "admin")


def _customer(number: str, voltage: str, cancelled_on: D | None = None, **kw) -> Customer:
    return Customer.create(number=number, name=f"客户{number[-2:]}", voltage_class=voltage,
                           status="cancelled" if cancelled_on else "active",
                           cancelled_on=cancelled_on, **kw)


FILED = D(2019, 3, 1)


def _doc(customer: Customer, category: str = "YK", doc_type: str = "用电申请书",
         filed_on: D | None = FILED, **kw) -> Document:
    return Document.create(customer=customer, category=category, doc_type=doc_type,
                           filed_on=filed_on, **kw)


@pytest.fixture
def archive(db):
    hv = _customer("3300000001", "HV", D(2020, 6, 30))
    lv = _customer("3300000002", "LV", D(2021, 2, 1))
    active = _customer("3300000003", "LV")
    held = _customer("3300000004", "LV", D(2015, 1, 1), legal_hold=True)
    docs = {
        "hv": _doc(hv), "lv": _doc(lv, "JL", "装拆表工作单"), "active": _doc(active),
        "unfiled": _doc(lv, filed_on=None), "held_customer": _doc(held),
        "held_doc": _doc(lv, "YJ", "安全用电检查记录", legal_hold=True),
        "contract": _doc(hv, doc_type="供用电合同"), "billing": _doc(lv, "DF", "电费发票"),
    }
    Contract.create(customer=hv, number="G1", expires_on=D(2022, 12, 31),
                    document=docs["contract"])
    return docs


def _fresh(doc: Document) -> Document:
    return Document.get_by_id(doc.id)


def test_recompute_stores_class_date_note_and_version(archive, ruleset):
    report = recompute(ruleset, ADMIN)
    assert report.examined == 7 and report.changed == 7  # the unfiled document is not examined
    hv = _fresh(archive["hv"])
    assert (hv.retention_class, hv.retention_eligible_on) == ("cancelled-hv", D(2026, 1, 1))
    assert hv.retention_ruleset == ruleset.version and hv.retention_note.startswith("[dated]")
    active = _fresh(archive["active"])
    assert active.retention_eligible_on is None
    assert active.retention_note.startswith("[waiting_for_trigger]")
    contract = _fresh(archive["contract"])
    assert (contract.retention_class, contract.retention_eligible_on) == (
        "contract-after-expiry", D(2027, 12, 31))
    assert _fresh(archive["billing"]).retention_eligible_on == D(2030, 1, 1)
    assert _fresh(archive["unfiled"]).retention_ruleset == ""
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert actions == ["retention.update", "retention.recompute"]
    assert verify_audit().ok
    again = recompute(ruleset, ADMIN)
    assert again.changed == 0 and again.examined == 7


def _variant(rules_dir, old: str, new: str):
    path = rules_dir / "retention.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_ruleset(rules_dir)


def test_shortening_waits_for_confirmation(archive, ruleset, rules_dir):
    recompute(ruleset, ADMIN)
    shorter = _variant(rules_dir, "period: P5Y\n    counting: from_next_january",
                       "period: P2Y\n    counting: from_next_january")
    report = recompute(shorter, ADMIN)
    assert report.pending_shortening == 1 and report.pending_ids == [archive["hv"].id]
    hv = _fresh(archive["hv"])
    assert hv.retention_eligible_on == D(2026, 1, 1) and hv.retention_ruleset == ruleset.version
    confirmed = recompute(shorter, ADMIN, confirm_shortening=True)
    assert confirmed.shortened == 1 and confirmed.pending_shortening == 0
    hv = _fresh(archive["hv"])
    assert hv.retention_eligible_on == D(2023, 1, 1) and hv.retention_ruleset == shorter.version


def test_lengthening_and_trigger_arrival_apply_at_once(archive, ruleset, rules_dir):
    recompute(ruleset, ADMIN)
    longer = _variant(rules_dir, "period: P3Y", "period: P4Y")
    report = recompute(longer, ADMIN)
    assert report.pending_shortening == 0
    assert _fresh(archive["lv"]).retention_eligible_on == D(2026, 1, 1)
    Customer.update(status="cancelled", cancelled_on=D(2024, 5, 1)).where(
        Customer.number == "3300000003").execute()
    report = recompute(longer, ADMIN)
    assert report.pending_shortening == 0 and report.changed == 1
    assert _fresh(archive["active"]).retention_eligible_on == D(2029, 1, 1)


def test_due_is_computed_in_the_database_and_respects_legal_holds(archive, ruleset):
    recompute(ruleset, ADMIN)
    rows = due(D(2026, 12, 31))
    assert [r.document_id for r in rows] == [archive["lv"].id, archive["hv"].id]
    assert rows[1].customer_number == "3300000001" and rows[1].retention_class == "cancelled-hv"
    assert rows[0].eligible_on == D(2025, 1, 1)
    assert due_count(D(2026, 12, 31)) == 2
    assert [r.document_id for r in due(D(2025, 12, 31))] == [archive["lv"].id]
    assert due(D(2024, 12, 31)) == []
    assert due_count(D(2040, 1, 1)) == 4  # + contract and billing; both holds stay excluded
    assert dict(due_summary(D(2040, 1, 1))) == {"billing-10y": 1, "cancelled-hv": 1,
                                                "cancelled-lv": 1, "contract-after-expiry": 1}
    assert [r.document_id for r in due(D(2040, 1, 1), limit=1, offset=1)] == [archive["hv"].id]
    pages, after = [], None
    while page := due(D(2040, 1, 1), limit=1, after=after):
        pages.append(page[0].document_id)
        after = (page[0].eligible_on, page[0].document_id)
    assert pages == [r.document_id for r in due(D(2040, 1, 1))]


def test_the_due_list_reads_an_index(db):
    """Migration 3 adds a covering index for `due` and an index of held customers."""
    doc_indexes = {ix.name: ix.columns for ix in db.get_indexes("document")}
    assert doc_indexes["document_retention_due"] == [
        "retention_eligible_on", "legal_hold", "customer_id", "retention_class"]
    assert "customer_legal_hold" in {ix.name for ix in db.get_indexes("customer")}
