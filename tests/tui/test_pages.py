"""Reading scanned pages at the desk: real scan files filed through the real ingest service."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageStat
from textual.widgets import DataTable

from hudang.store.audit import Actor
from hudang.store.models import AuditEvent
from hudang.store.services import ingest, loan_grants, users
from hudang.store.services.ingest import FilingRequest, PageRecord, ScanStore, SegmentRecord
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.pages import PageViewerScreen
from tests.tui.conftest import scan, screen_text, settle

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)
DAEMON = Actor("daemon", "scanner", "system")


def page_image(n: int, size: tuple[int, int] = (850, 1100)) -> Image.Image:
    """A scanned page whose dark band sits lower on each page (so pages can be told apart)."""
    img = Image.new("L", size, 255)
    band = size[1] // 4
    ImageDraw.Draw(img).rectangle([0, (n - 1) * band, size[0], n * band - 1], fill=0)
    return img


def tiff_scan(path: Path, pages: int) -> Path:
    frames = [page_image(n) for n in range(1, pages + 1)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200),
                   compression="tiff_deflate")
    return path


def pdf_scan(path: Path, pages: int) -> Path:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    for n in range(1, pages + 1):
        buf = io.BytesIO()
        page_image(n).save(buf, format="PNG")
        buf.seek(0)
        pdf.drawImage(ImageReader(buf), 0, 0, 612, 792)
        pdf.showPage()
    pdf.save()
    return path


def file_scan_for(home: Path, src: Path, customer: str, media_type: str, pages: int,
                  category: str = "YJ", title: str = "现场勘查照片") -> int:
    """Put `src` in the scan store and file it for `customer` as the daemon does; the doc id."""
    sha, size = ScanStore(home / "scans").put(src)
    result = ingest.file_scan(FilingRequest(
        claim_id=uuid.uuid4().hex, sha256=sha, size=size, media_type=media_type,
        original_name=src.name, station="S1", actor=DAEMON,
        pages=[PageRecord(n) for n in range(1, pages + 1)],
        segments=[SegmentRecord(list(range(1, pages + 1)), customer_number=customer,
                                category=category, title=title, source="test")]))
    assert result.outcome == "filed", result
    return result.documents[0].document_id


def dark_band_row(image: Image.Image) -> int:
    """Which quarter of the page (1-4) is dark."""
    grey = image.convert("L")
    quarters = [grey.crop((0, q * grey.height // 4, grey.width, (q + 1) * grey.height // 4))
                for q in range(4)]
    means = [ImageStat.Stat(qr).mean[0] for qr in quarters]
    return means.index(min(means)) + 1


async def open_document(pilot, number: str, tab: str, title: str,
                        before_enter=None) -> CustomerFileScreen:
    await scan(pilot, number)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerFileScreen)
    await pilot.press(tab)
    await pilot.pause()
    table = screen.query_one("#docs", DataTable)
    row = next(i for i in range(table.row_count) if table.get_row_at(i)[2].plain == title)
    table.move_cursor(row=row)
    if before_enter is not None:
        before_enter()
    await pilot.press("enter")
    await settle(pilot)
    return screen


def actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action))


async def test_pages_turn_zoom_and_print_to_pdf(make_desk, desk_archive, tmp_path):
    doc_id = file_scan_for(desk_archive.home, tiff_scan(tmp_path / "s.tif", 3), "0600000002",
                           "image/tiff", 3)
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_document(pilot, "0600000002", "2", "现场勘查照片")
        viewer = app.screen
        assert isinstance(viewer, PageViewerScreen) and viewer.doc.document_id == doc_id
        assert viewer.seq == 1 and dark_band_row(viewer.image) == 1
        assert "第 1/3 页" in screen_text(app)
        first_text = screen_text(app)
        await pilot.press("right")
        await settle(pilot)
        assert viewer.seq == 2 and dark_band_row(viewer.image) == 2
        assert "第 2/3 页" in screen_text(app) and screen_text(app) != first_text
        await pilot.press("end")
        await settle(pilot)
        assert viewer.seq == 3 and dark_band_row(viewer.image) == 3
        await pilot.press("right")  # past the last page: stays
        await settle(pilot)
        assert viewer.seq == 3
        await pilot.press("left")
        await settle(pilot)
        assert viewer.seq == 2
        image_widget = viewer.query_one("#pg-image")
        fit_height = image_widget.outer_size.height
        await pilot.press("plus")
        await settle(pilot)
        assert image_widget.outer_size.height > fit_height and "1.5×" in screen_text(app)
        await pilot.press("0")
        await settle(pilot)
        assert image_widget.outer_size.height == fit_height
        await pilot.press("w")
        await settle(pilot)
        copies = list((desk_archive.home / "copies").glob("*.pdf"))
        assert len(copies) == 1 and "已写入 PDF" in screen_text(app)
        pdf = pdfium.PdfDocument(str(copies[0]))
        assert len(pdf) == 3
        assert [dark_band_row(pdf[i].render(scale=0.5).to_pil()) for i in range(3)] == [1, 2, 3]
        width_pt, height_pt = pdf[0].get_size()
        assert abs(width_pt - 850 * 72 / 200) < 2 and abs(height_pt - 1100 * 72 / 200) < 2
        pdf.close()
        assert b"/Font" not in copies[0].read_bytes()  # images only: no font left unembedded
        assert [e.entity_id for e in actions("pages.copy")] == [str(doc_id)]
        assert actions("pages.view") == []  # an ordinary customer's reading is not logged
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomerFileScreen)
        await pilot.press("enter")  # the same viewer again, from page 1 at fit
        await settle(pilot)
        assert app.screen is viewer and viewer.seq == 1 and viewer.zoom_level == 0
        assert dark_band_row(viewer.image) == 1 and "第 1/3 页" in screen_text(app)


async def test_pdf_scan_pages_render(make_desk, desk_archive, tmp_path):
    file_scan_for(desk_archive.home, pdf_scan(tmp_path / "s.pdf", 2), "0600000003",
                  "application/pdf", 2, category="DF", title="电费通知单")
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_document(pilot, "0600000003", "4", "电费通知单")
        viewer = app.screen
        assert isinstance(viewer, PageViewerScreen)
        assert dark_band_row(viewer.image) == 1
        await pilot.press("pagedown")
        await settle(pilot)
        assert viewer.seq == 2 and dark_band_row(viewer.image) == 2


async def test_missing_scan_file_is_a_message_not_a_crash(make_desk, desk_archive, tmp_path):
    src = tiff_scan(tmp_path / "gone.tif", 1)
    file_scan_for(desk_archive.home, src, "0600000002", "image/tiff", 1)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    ScanStore(desk_archive.home / "scans").path_for(sha).unlink()
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_document(pilot, "0600000002", "2", "现场勘查照片")
        assert app.screen is screen  # the viewer did not open
        assert "不在扫描库中" in screen_text(app)


async def test_important_customer_pages_need_a_grant_and_are_audited(make_desk, desk_archive,
                                                                    tmp_path):
    doc_id = file_scan_for(desk_archive.home, tiff_scan(tmp_path / "vip.tif", 2), "0600000001",
                           "image/tiff", 2)
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The keeper's reading grant (the fixture's) opens the file; it is revoked while the
        # file is on screen, so the pages are refused.
        approver = Actor("shen", "desk-test", "approver")
        screen = await open_document(pilot, "0600000001", "2", "现场勘查照片",
                                     before_enter=lambda: [
                                         loan_grants.revoke_reading(held.id, approver, "核对完毕")
                                         for held in loan_grants.list_grants("approved",
                                                                             "keeper")])
        assert app.screen is screen, "a keeper without a grant must not see the pages"
        refused = actions("pages.view_refused") + actions("customer.view_refused")
        assert refused and {e.actor for e in refused} == {"keeper"}
        assert actions("pages.view") == []
        # An approver grants the keeper a reading; the same key now opens the pages.
        users.add_user("boss", "赵审批", "approver", "boss-pass-1")
        boss = Actor("boss", "desk-test", "approver")
        grant = loan_grants.request_reading("keeper", "0600000001", "核对用电申请", 3,
                                            Actor("keeper", "desk-test", "keeper"))
        loan_grants.approve_reading(grant.id, boss)
        await pilot.press("escape")
        await settle(pilot)
        await open_document(pilot, "0600000001", "2", "现场勘查照片")
        assert isinstance(app.screen, PageViewerScreen)
        opened = actions("pages.view")
        assert [(e.actor, e.entity_id) for e in opened] == [("keeper", str(doc_id))]


async def test_an_approver_reads_important_pages_without_a_grant(desk_archive, tmp_path):
    from hudang.tui.app import make_app
    from tests.tui.conftest import NOW, settings_for

    file_scan_for(desk_archive.home, tiff_scan(tmp_path / "vip.tif", 1), "0600000001",
                  "image/tiff", 1)
    boss = users.add_user("boss", "赵审批", "approver", "boss-pass-1")
    app = make_app(settings_for(desk_archive), clock=lambda: NOW, user=boss, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_document(pilot, "0600000001", "2", "现场勘查照片")
        assert isinstance(app.screen, PageViewerScreen)
        assert [e.actor for e in actions("pages.view")] == ["boss"]
