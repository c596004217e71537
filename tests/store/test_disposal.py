"""Disposal end to end on SQLite and PostgreSQL: propose, appraise, approve, witness, execute."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hudang.store.audit import Actor
from hudang.store.audit import verify as verify_audit
from hudang.store.errors import PermissionDenied, ValidationError
from hudang.store.models import AuditEvent, Box, Document, DocumentPage, Location
from hudang.store.models_disposal import DisposalRegister, ScanFixity, Tombstone
from hudang.store.services import disposal, holds, ingest, lookup
from hudang.store.services.disposal_execute import execute
from hudang.store.services.disposal_register import save_register

from .disposal_world import DESTROY_CLASSES, build

D = dt.date
BOSS, APP1, APP2 = Actor("boss"), Actor("app1"), Actor("app2")
WIT1, WIT2, KEEPER = Actor("wit1"), Actor("wit2"), Actor("keeper1")


@pytest.fixture
def world(db, tmp_path):
    return build(tmp_path)


def _proposed(world):
    info = disposal.propose(D(2026, 1, 1), BOSS, DESTROY_CLASSES)
    return info, {i.document_id: i for i in disposal.batch_items(info.number)}


def test_propose_never_takes_held_active_or_not_yet_due(world):
    info, items = _proposed(world)
    d = world.docs
    assert set(items) == {d["d1"], d["d2"], d["d3"], d["d7"]}
    assert {items[d["d7"]].list_kind} == {"review"}
    assert {items[d[n]].list_kind for n in ("d1", "d2", "d3")} == {"destroy"}
    assert info.number.startswith("XH2026-") and info.status == "proposed"
    with pytest.raises(ValidationError):  # everything due is already in an open batch
        disposal.propose(D(2026, 1, 1), BOSS, DESTROY_CLASSES)


def test_approvals_need_decisions_two_approvers_and_never_the_proposer(world):
    info, _items = _proposed(world)
    with pytest.raises(ValidationError, match="未鉴定"):
        disposal.approve(info.number, APP1)
    disposal.decide(info.number, None, "destroy", "到期，无保存价值", KEEPER, list_kind="destroy")
    with pytest.raises(ValidationError):
        disposal.decide(info.number, [world.barcodes["d7"]], "keep", "仍有争议", KEEPER)
    disposal.decide(info.number, [world.barcodes["d7"]], "keep", "电费争议未结", KEEPER,
                    keep_until=D(2030, 1, 1))
    with pytest.raises(PermissionDenied):
        disposal.approve(info.number, BOSS)  # the proposer
    with pytest.raises(PermissionDenied):
        disposal.approve(info.number, WIT1)  # a keeper, not an approver
    with pytest.raises(PermissionDenied):
        disposal.approve(info.number, Actor("nobody"))
    with pytest.raises(ValidationError):
        disposal.witness(info.number, WIT1)  # not approved yet
    assert disposal.approve(info.number, APP1).status == "proposed"
    with pytest.raises(ValidationError):
        disposal.approve(info.number, APP1)  # the same approver twice
    assert disposal.approve(info.number, APP2).status == "approved"
    with pytest.raises(ValidationError):
        disposal.decide(info.number, None, "transfer", "改主意", KEEPER)


def _approved_and_witnessed(world):
    info, _items = _proposed(world)
    disposal.decide(info.number, None, "destroy", "到期", KEEPER, list_kind="destroy")
    disposal.decide(info.number, [str(world.docs["d7"])], "keep", "争议", KEEPER,
                    keep_until=D(2030, 1, 1))
    disposal.approve(info.number, APP1)
    disposal.approve(info.number, APP2)
    disposal.witness(info.number, WIT1)
    return info.number


def test_execute_destroys_tombstones_frees_and_is_harmless_to_repeat(world, tmp_path):
    number = _approved_and_witnessed(world)
    with pytest.raises(ValidationError, match="监销"):
        execute(number, world.store.root, KEEPER)  # one witness is not enough
    disposal.witness(number, WIT2)
    holds.place(world.barcodes["d2"], "审计抽查", KEEPER)  # a hold arrives after approval
    b1 = Box.get(Box.barcode == world.boxes["B1"])
    home = b1.home_id
    used_before = Location.get_by_id(home).used
    report = execute(number, world.store.root, KEEPER)
    d = world.docs
    assert (report.destroyed, report.held, report.kept) == (2, 1, 1)
    assert {t.document_id for t in Tombstone.select()} == {d["d1"], d["d3"]}
    what = json.loads(Tombstone.get(Tombstone.document == d["d1"]).what)
    assert (what["box"], what["customer"], what["pages"]) == (
        world.boxes["B1"], "3300000001", [[world.scans["s1"], 1]])
    assert not DocumentPage.select().where(DocumentPage.document.in_([d["d1"], d["d3"]])).exists()
    assert Document.get_by_id(d["d1"]).barcode == world.barcodes["d1"]  # metadata kept
    assert not world.store.path_for(world.scans["s1"]).exists()
    assert world.store.path_for(world.scans["s3"]).exists()  # d4 (kept) still uses it
    assert world.store.path_for(world.scans["s2"]).exists()  # held
    assert ScanFixity.get(ScanFixity.sha256 == world.scans["s1"]).status == "destroyed"
    b1 = Box.get_by_id(b1.id)
    assert (b1.status, b1.home_id) == ("emptied", None)
    assert Location.get_by_id(home).used == used_before - 1
    assert Box.get(Box.barcode == world.boxes["B2"]).status == "on_shelf"
    assert Document.get_by_id(d["d7"]).retention_eligible_on == D(2030, 1, 1)
    with pytest.raises(disposal.DocumentDestroyed, match=number):
        lookup.lookup(world.barcodes["d1"])
    assert disposal.batch_info(number).status == "executed"
    events = AuditEvent.select().count()
    again = execute(number, world.store.root, KEEPER)
    assert (again.destroyed, again.already_done) == (0, 1)
    assert AuditEvent.select().count() == events  # nothing left to do, nothing recorded
    assert ingest.fsck(world.store).ok
    assert verify_audit().ok


def test_execute_refuses_when_a_scan_was_altered(world):
    number = _approved_and_witnessed(world)
    disposal.witness(number, WIT2)
    world.store.path_for(world.scans["s1"]).write_bytes(b"tampered")
    with pytest.raises(disposal.FixityFailed, match="1"):
        execute(number, world.store.root, KEEPER)
    assert Tombstone.select().count() == 0
    assert world.store.path_for(world.scans["s3"]).exists()


def test_register_is_a_permanent_record_with_embedded_font(world, tmp_path):
    number = _approved_and_witnessed(world)
    disposal.witness(number, WIT2)
    out = tmp_path / "register.pdf"
    r = save_register(number, out, world.store.root, KEEPER)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf and b"STSong" not in pdf
    assert r.items == 4 and world.store.path_for(r.sha256).read_bytes() == pdf
    import pypdfium2 as pdfium

    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(str(out)))
    assert "销毁清册" in text and number in text and "监销人" in text
    assert world.barcodes["d1"] in text and "WIT1" in text
    execute(number, world.store.root, KEEPER)
    reg = DisposalRegister.get()
    assert world.store.path_for(r.sha256).exists()  # never disposed of
    assert ScanFixity.get(ScanFixity.scan_file == reg.scan_file_id).status != "destroyed"


def test_holds_block_list_and_release(world):
    d5 = Document.get_by_id(world.docs["d5"])
    assert d5.customer.legal_hold
    (held,) = holds.list_holds(customer_number="3300000004")
    with pytest.raises(ValidationError):
        holds.release(held.id, "  ", KEEPER)
    holds.release(held.id, "案件已结", KEEPER)
    with pytest.raises(ValidationError):
        holds.release(held.id, "again", KEEPER)
    assert not Document.get_by_id(d5.id).customer.legal_hold
    assert holds.list_holds() == [] and len(holds.list_holds(active_only=False)) == 1
    _info, items = _proposed(world)
    assert world.docs["d5"] in items
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "hold")]
    assert actions == ["hold.placed", "hold.released"]
