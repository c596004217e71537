"""Four properties (四性) and the BagIt transfer export, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json

import bagit
import pytest
from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied
from hudang.store.models import AuditEvent, Customer, Document, DocumentPage, ScanFile
from hudang.store.services import fixity, four_properties, registry, users
from hudang.store.services.export_bag import export_bag
from hudang.store.services.ingest import ScanStore

from hudang.cli_disposal import render_page
from tests.store.test_audit import drop_guards

from .helpers import KEEPER, customer

EXPORTER = Actor("keeper1", "test", "keeper")


def _pdf(path, text: str) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(100, 700, text)
    c.showPage()
    c.drawString(100, 700, text + " p2")
    c.save()


@pytest.fixture
def filed(db, tmp_path):
    store = ScanStore(tmp_path / "scans")
    customer("3300000021")
    code = registry.register_document("3300000021", "YK", "用电申请书", KEEPER, page_count=2)
    doc = Document.get(Document.barcode == code)
    src = tmp_path / "scan.pdf"
    _pdf(src, "application form")
    sha, size = store.put(src)
    sf = ScanFile.create(sha256=sha, size=size, media_type="application/pdf",
                         original_name="scan.pdf", page_count=2)
    fixity.record_filed(sf.id, sha, fixity.sm3_of(store.path_for(sha)))
    for n in (1, 2):
        DocumentPage.create(document=doc, scan_file=sf, page_no=n, seq=n)
    users.add_user("app1", "审批甲", "approver", "password123", issue_card=False)
    return store, doc, sha


def test_four_properties_pass_then_catch_tampering_and_broken_pages(filed):
    store, doc, sha = filed
    r = four_properties.check_customer("3300000021", store.root, render_page)
    assert r.ok and r.usability.checked == 2 and r.authenticity.checked >= 3
    ev = AuditEvent.select().where(AuditEvent.entity_id == doc.barcode).get()
    drop_guards()  # a database administrator removes the append-only triggers, then edits
    AuditEvent.update(after=ev.after.replace("用电申请书", "伪造")).where(
        AuditEvent.id == ev.id).execute()
    store.path_for(sha).write_bytes(b"%PDF-1.4 broken")
    r = four_properties.check_customer("3300000021", store.root, render_page)
    assert not r.authenticity.ok and not r.usability.ok
    assert any(f"#{ev.seq}" in f for f in r.authenticity.findings)
    assert len(r.usability.findings) == 2
    summary = four_properties.check_archive()
    assert not summary.authenticity.ok  # the chain is broken


def test_integrity_compares_catalogue_with_pages(filed):
    store, doc, _sha = filed
    Document.update(page_count=5).where(Document.id == doc.id).execute()
    r = four_properties.check_customer("3300000021", store.root, render_page)
    assert not r.integrity.ok and "5" in r.integrity.findings[0]


def test_export_bag_validates_and_is_audited(filed, tmp_path):
    store, doc, sha = filed
    out = tmp_path / "bag"
    info = export_bag("3300000021", out, store.root, EXPORTER)
    bag = bagit.Bag(str(out))
    bag.validate()
    assert (out / "data" / "scans" / f"{sha}.pdf").read_bytes() == store.path_for(sha).read_bytes()
    assert (out / "data" / "catalogue.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel
    with open(out / "data" / "catalogue.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["page_seq"] for r in rows] == ["1", "2"] and rows[0]["barcode"] == doc.barcode
    cat = json.loads((out / "data" / "catalogue.json").read_text(encoding="utf-8"))
    assert "1234" not in cat["customer"]["id_number"][6:-4]  # masked
    events = (out / "data" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert any(json.loads(e)["entity_id"] == doc.barcode for e in events)
    created = next(json.loads(e) for e in events if json.loads(e)["action"] == "customer.create")
    assert created["masked"] and "440604198001181234" not in "".join(events)
    assert "13812345678" not in "".join(events) and "13812345678" not in (
        out / "data" / "catalogue.json").read_text(encoding="utf-8")
    assert info.pages == 2 and info.scans == 1
    assert AuditEvent.select().where(AuditEvent.action == "export.bag").count() == 1


def test_important_customer_needs_an_approver(filed, tmp_path):
    store, _doc, _sha = filed
    Customer.update(important=True).where(Customer.number == "3300000021").execute()
    with pytest.raises(PermissionDenied):
        export_bag("3300000021", tmp_path / "b1", store.root, EXPORTER)
    with pytest.raises(PermissionDenied):
        export_bag("3300000021", tmp_path / "b2", store.root, EXPORTER, approved_by="keeper1")
    info = export_bag("3300000021", tmp_path / "b3", store.root, EXPORTER, approved_by="app1")
    assert info.approved_by == "app1"
    ev = AuditEvent.select().where(AuditEvent.action == "export.bag").get()
    assert '"approved_by":"app1"' in ev.after and '"important":true' in ev.after



def test_integrity_checks_the_filing_scope_of_each_process(filed):
    from hudang.rules import load_ruleset
    from tests.rules.conftest import SAMPLE_RULES

    store, _doc, _sha = filed
    scope = load_ruleset(SAMPLE_RULES).retention.filing_scope
    registry.register_document("3300000021", "YK", "用电申请书", KEEPER, business_process="新装")
    r = four_properties.check_customer("3300000021", store.root, render_page, scope)
    assert not r.integrity.ok and any("供用电合同" in f for f in r.integrity.findings)
    registry.register_document("3300000021", "YK", "供用电合同", KEEPER, business_process="新装")
    r = four_properties.check_customer("3300000021", store.root, render_page, scope)
    assert r.integrity.ok and r.ok
