"""Scanned pages on both backends: reading order, the important-customer gate, audit, copies."""

from __future__ import annotations

import uuid

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from hudang.store.audit import Actor
from hudang.store.errors import NotFound, PermissionDenied
from hudang.store.models import AuditEvent
from hudang.store.services import ingest, loan_grants, pages, users
from hudang.store.services.ingest import FilingRequest, PageRecord, ScanStore, SegmentRecord
from tests.store.helpers import customer

KEEPER = Actor("keeper", "desk-1", "keeper")
BOSS = Actor("boss", "desk-2", "approver")


def _scan(tmp_path, name: str, shades: list[int]) -> tuple[str, int]:
    """A multi-page TIFF whose page n is filled with grey `shades[n-1]`, put in the store."""
    frames = []
    for shade in shades:
        img = Image.new("L", (400, 560), shade)
        ImageDraw.Draw(img).text((10, 10), uuid.uuid4().hex, fill=255 - shade)
        frames.append(img)
    path = tmp_path / name
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200))
    return ScanStore(tmp_path / "scans").put(path)


def _file(tmp_path, number: str, shades: list[int], pages_of_scan: list[int] | None = None) -> int:
    sha, size = _scan(tmp_path, f"{uuid.uuid4().hex}.tif", shades)
    chosen = pages_of_scan or list(range(1, len(shades) + 1))
    result = ingest.file_scan(FilingRequest(
        claim_id=uuid.uuid4().hex, sha256=sha, size=size, media_type="image/tiff",
        original_name="scan.tif", station="S1",
        pages=[PageRecord(n) for n in range(1, len(shades) + 1)],
        segments=[SegmentRecord(chosen, customer_number=number, category="YK", source="t")]))
    return result.documents[0].document_id


@pytest.fixture
def setup(db, tmp_path):
    customer("0800000001", "普通客户")
    customer("0800000002", "重要客户", important=True)
    users.add_user("keeper", "张敏", "keeper", "keeper-pass-1")
    users.add_user("boss", "赵审批", "approver", "boss-pass-1")
    return tmp_path


def _actions(action: str) -> list[tuple[str, str]]:
    return [(e.actor, e.entity_id) for e in
            AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)]


def test_pages_come_in_reading_order_with_their_images(setup):
    tmp_path = setup
    doc_id = _file(tmp_path, "0800000001", [40, 120, 200], pages_of_scan=[3, 1])
    doc = pages.open_pages(doc_id, KEEPER)
    assert [(p.seq, p.page_no) for p in doc.pages] == [(1, 3), (2, 1)]
    images = pages.PageImages(tmp_path / "scans", capacity=2)
    first = images.image(doc.pages[0])
    assert first.size == (200, 280)  # 200 dpi scan shown at 100 dpi
    assert abs(first.getpixel((300 // 2, 500 // 2)) - 200) < 8
    assert images.image(doc.pages[0]) is first  # cached
    assert _actions("pages.view") == []  # ordinary customers' readings are not logged


def test_important_pages_need_a_grant_or_an_approver_and_every_opening_is_audited(setup):
    tmp_path = setup
    doc_id = _file(tmp_path, "0800000002", [90])
    with pytest.raises(PermissionDenied):
        pages.open_pages(doc_id, KEEPER)
    assert _actions("pages.view_refused") == [("keeper", str(doc_id))]
    assert pages.open_pages(doc_id, BOSS).important
    grant = loan_grants.request_reading("keeper", "0800000002", "核对", 2, KEEPER)
    loan_grants.approve_reading(grant.id, BOSS)
    pages.open_pages(doc_id, KEEPER)
    assert _actions("pages.view") == [("boss", str(doc_id)), ("keeper", str(doc_id))]
    loan_grants.revoke_reading(grant.id, BOSS)
    with pytest.raises(PermissionDenied):
        pages.open_pages(doc_id, KEEPER)
    assert not pages.may_view_pages("nobody", "keeper", "0800000002")


def test_a_copy_is_an_image_only_pdf_of_the_chosen_pages_and_audited(setup):
    tmp_path = setup
    doc_id = _file(tmp_path, "0800000001", [30, 220])
    images = pages.PageImages(tmp_path / "scans")
    out = pages.export_copy(images, doc_id, KEEPER, tmp_path / "copies" / "c.pdf", seqs=[2])
    pdf = pdfium.PdfDocument(str(out))
    assert len(pdf) == 1
    assert pdf[0].render(scale=0.3).to_pil().convert("L").getpixel((20, 60)) > 180
    width, height = pdf[0].get_size()
    assert abs(width - 400 * 72 / 200) < 1 and abs(height - 560 * 72 / 200) < 1
    pdf.close()
    assert b"/Font" not in out.read_bytes()
    assert _actions("pages.copy") == [("keeper", str(doc_id))]
    vip = _file(tmp_path, "0800000002", [10])
    with pytest.raises(PermissionDenied):
        pages.export_copy(images, vip, KEEPER, tmp_path / "copies" / "v.pdf")
    assert not (tmp_path / "copies" / "v.pdf").exists()


def test_unknown_document_and_missing_scan_file_are_messages(setup):
    tmp_path = setup
    with pytest.raises(NotFound):
        pages.open_pages(987654, KEEPER)
    doc_id = _file(tmp_path, "0800000001", [50])
    doc = pages.document_pages(doc_id)
    ScanStore(tmp_path / "scans").path_for(doc.pages[0].sha256).unlink()
    with pytest.raises(pages.PageUnavailable):
        pages.PageImages(tmp_path / "scans").image(doc.pages[0])


def test_an_altered_scan_is_never_copied(setup):
    """Fixity runs before a copy leaves the archive: a changed stored file stops it."""
    from hudang.store.models import ScanFile
    from hudang.store.services.fixity import FixityFailed

    tmp_path = setup
    doc_id = _file(tmp_path, "0800000001", [30, 220])
    images = pages.PageImages(tmp_path / "scans")
    sha = ScanFile.select(ScanFile.sha256).order_by(ScanFile.id.desc()).scalar()
    images.store.path_for(sha).write_bytes(b"not the scan that was filed")
    with pytest.raises(FixityFailed, match="被改动"):
        pages.export_copy(images, doc_id, KEEPER, tmp_path / "copies" / "c.pdf")
    assert not (tmp_path / "copies" / "c.pdf").exists()
    assert _actions("pages.copy") == []
