"""The store side of ingest on both backends: filing once, duplicates, attention, fsck."""

from __future__ import annotations

import json

import pytest

from hudang.store import audit
from hudang.store.errors import NotFound, ValidationError
from hudang.store.models import AttentionItem, Document, DocumentPage, IngestRecord, ScanFile
from hudang.store.services import ingest
from hudang.store.services.ingest import FilingRequest, PageRecord, ScanStore, SegmentRecord
from tests.scanners.conftest import KEEPER


def request(claim: str, sha: str, segments: list[SegmentRecord], pages: int = 2,
            name: str = "scan.pdf") -> FilingRequest:
    return FilingRequest(claim_id=claim, sha256=sha, size=100, media_type="application/pdf",
                         original_name=name, station="S1",
                         pages=[PageRecord(n, [{"value": f"v{n}", "symbology": "code128",
                                                "page": n, "rect": [0, 0, 1, 1]}])
                                for n in range(1, pages + 1)],
                         segments=segments)


def test_filing_creates_documents_pages_and_audit_once_per_claim(archive):
    seg = SegmentRecord([1, 2], customer_number="3300054321", category="DF")
    first = ingest.file_scan(request("c1", "a" * 64, [seg]))
    assert first.outcome == "filed" and len(first.documents) == 1
    again = ingest.file_scan(request("c1", "a" * 64, [seg]))  # a restart re-submits the claim
    assert again.already_recorded and again.documents[0].document_id == \
        first.documents[0].document_id
    assert ScanFile.select().count() == 1
    doc = Document.get_by_id(first.documents[0].document_id)
    assert (doc.customer.number, doc.category, doc.page_count) == ("3300054321", "DF", 2)
    pages = list(DocumentPage.select().where(DocumentPage.document == doc)
                 .order_by(DocumentPage.seq))
    assert [(p.page_no, p.seq) for p in pages] == [(1, 1), (2, 2)]
    assert json.loads(pages[0].barcodes)[0]["value"] == "v1"
    assert audit.verify().ok


def test_same_content_under_another_claim_is_a_duplicate(archive):
    seg = SegmentRecord([1, 2], customer_number="3300054321", category="DF")
    first = ingest.file_scan(request("c1", "b" * 64, [seg]))
    dup = ingest.file_scan(request("c2", "b" * 64, [seg], name="copy.pdf"))
    assert dup.outcome == "duplicate"
    assert dup.duplicate_of == [first.documents[0].document_id]
    assert Document.select().where(Document.customer.is_null(False)).count() == 2  # + label
    assert IngestRecord.get(IngestRecord.claim_id == "c2").outcome == "duplicate"


def test_document_label_appends_pages_and_keeps_business_step_time(archive):
    seg = SegmentRecord([1, 2], document_barcode=archive, source="document_label")
    result = ingest.file_scan(request("c1", "c" * 64, [seg]))
    filed = result.documents[0]
    assert not filed.created and filed.barcode == archive
    doc = Document.get(Document.barcode == archive)
    assert doc.page_count == 2 and doc.scanned_at is not None
    assert doc.business_step_at is not None


def test_unknown_links_go_to_the_attention_queue_and_a_keeper_assigns(archive):
    segs = [SegmentRecord([1], customer_number="3300012345", category="YK"),
            SegmentRecord([2], customer_number="9999999999"),
            SegmentRecord([3], document_barcode="D000009999X")]
    result = ingest.file_scan(request("c1", "d" * 64, segs, pages=3))
    assert result.outcome == "attention" and len(result.documents) == 1
    queue = ingest.list_attention()
    assert [(i.page_nos, i.reason_code) for i in queue] == [([2], "unknown_customer"),
                                                            ([3], "unknown_document")]
    filed = ingest.assign_attention(queue[0].id, KEEPER, customer_number="3300099999",
                                    category="计量")
    assert (filed.customer_number, filed.category, filed.pages) == ("3300099999", "JL", [2])
    page = DocumentPage.get(DocumentPage.document == filed.document_id)
    assert json.loads(page.barcodes)[0]["value"] == "v2"
    with pytest.raises(ValidationError):
        ingest.assign_attention(queue[0].id, KEEPER, customer_number="3300099999")
    with pytest.raises(NotFound):
        ingest.assign_attention(queue[1].id, KEEPER, customer_number="1234567890")
    assert AttentionItem.get_by_id(queue[1].id).status == "open"  # refused: nothing changed
    ingest.assign_attention(queue[1].id, KEEPER, document_barcode=archive)
    assert ingest.list_attention() == []
    assert audit.verify().ok


def test_scan_store_is_content_addressed_and_idempotent(tmp_path):
    src = tmp_path / "x.pdf"
    src.write_bytes(b"%PDF-1.4 hello")
    store = ScanStore(tmp_path / "store")
    sha, size = store.put(src)
    assert store.put(src) == (sha, size)
    assert store.path_for(sha).read_bytes() == src.read_bytes()
    assert ingest.file_sha256(store.path_for(sha)) == sha
    assert [p.name for p in store.root.rglob(".tmp-*")] == []


def test_fsck_finds_orphans_missing_and_altered_and_repairs(archive, tmp_path):
    store = ScanStore(tmp_path / "store")
    files = {}
    for name in ("one", "two", "three"):
        src = tmp_path / name
        src.write_bytes(name.encode() * 50)
        files[name] = store.put(src)[0]
    for i, name in enumerate(("one", "two")):
        ingest.file_scan(request(f"c{i}", files[name],
                                 [SegmentRecord([1], customer_number="3300012345")], pages=1))
    assert ingest.fsck(store).ok is False
    store.path_for(files["one"]).write_bytes(b"tampered")
    store.path_for(files["two"]).unlink()
    report = ingest.fsck(store)
    assert (report.orphans, report.missing, report.altered) == ([files["three"]],
                                                                [files["two"]], [files["one"]])
    repaired = ingest.fsck(store, repair=True, grace_seconds=0)
    assert len(repaired.repaired) == 4
    reasons = sorted(i.reason_code for i in ingest.list_attention())
    assert reasons == ["scan_altered", "scan_missing"]
    after = ingest.fsck(store, repair=True, grace_seconds=0)  # repairs are not repeated
    assert (after.orphans, after.altered) == ([], [])
    assert sorted(after.missing) == sorted([files["one"], files["two"]])
    assert all("already queued" in line for line in after.repaired)
    assert len(ingest.list_attention()) == 2
    assert (store.root / "orphans").is_dir() and (store.root / "altered").is_dir()


def test_a_file_of_only_separator_sheets_is_not_swallowed(archive):
    result = ingest.file_scan(request("c9", "e" * 64, [], pages=2))
    assert result.outcome == "attention"
    (item,) = ingest.list_attention()
    assert (item.reason_code, item.page_nos) == ("only_separators", [1, 2])
