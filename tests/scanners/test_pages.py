"""Reading pages: real rasterising and real pyzbar on generated PDF, TIFF G4, JPEG and PNG."""

from __future__ import annotations

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from hudang.scanners import samples
from hudang.scanners.decode import make_decoder
from hudang.scanners.files import NotReadable, check_readable
from hudang.scanners.pages import PageJob, PagePool, page_jobs, read_page

import pytest


def test_multi_page_g4_tiff_frames_each_decode(tmp_path):
    pages = [samples.page_image(["3300012345"], seed=1), samples.page_image(seed=2),
             samples.page_image(["3300054321"], seed=3)]
    tif = samples.write_tiff(tmp_path / "m.tif", pages)
    assert check_readable(tif) == ("tiff", 3)
    decoder = make_decoder()
    found = [[b.value for b in read_page(PageJob(str(tif), "tiff", n), decoder).barcodes]
             for n in (1, 2, 3)]
    assert found == [["3300012345"], [], ["3300054321"]]


def test_jpeg_and_png_at_300_dpi_decode_with_position(tmp_path):
    page = samples.page_image(["3300099999"], dpi=300, seed=4, qr=["HDS-3300099999-JL"])
    decoder = make_decoder()
    for name in ("p.jpg", "p.png"):
        path = samples.write_image(tmp_path / name, page, dpi=300)
        kind, _ = check_readable(path)
        result = read_page(PageJob(str(path), kind, 1), decoder)
        by_value = {b.value: b for b in result.barcodes}
        assert set(by_value) == {"3300099999", "HDS-3300099999-JL"}
        assert by_value["3300099999"].symbology == "code128"
        x, y, w, h = by_value["3300099999"].rect
        assert x > 0.5 and y < 0.2 and 0 < w < 0.5 and 0 < h < 0.2  # top right, as drawn


def test_scanned_pdf_pages_are_read_from_their_image_at_the_configured_dpi(tmp_path):
    pdf = samples.write_pdf(tmp_path / "s.pdf", [samples.page_image(["3300012345"], dpi=300)],
                            dpi=300)
    decoder = make_decoder()
    result = read_page(PageJob(str(pdf), "pdf", 1, dpi=200), decoder)
    assert result.dpi == 200 and [b.value for b in result.barcodes] == ["3300012345"]
    native = read_page(PageJob(str(pdf), "pdf", 1, dpi=300), decoder)
    assert round(native.dpi) == 300 and [b.value for b in native.barcodes] == ["3300012345"]


def test_an_expected_barcode_missed_at_200_dpi_is_found_at_300(tmp_path):
    path = tmp_path / "small.pdf"
    c = canvas.Canvas(str(path))
    code128.Code128("3300012345", barWidth=0.18 * mm, barHeight=8 * mm).drawOn(c, 100, 600)
    c.showPage()
    c.save()
    decoder = make_decoder()
    plain = read_page(PageJob(str(path), "pdf", 1, dpi=200, expect_barcode=False), decoder)
    retried = read_page(PageJob(str(path), "pdf", 1, dpi=200, expect_barcode=True), decoder)
    assert plain.barcodes == [] and plain.dpi == 200
    assert [b.value for b in retried.barcodes] == ["3300012345"] and retried.dpi == 300


def test_a_bad_page_is_isolated_in_the_worker_pool(tmp_path):
    tif = samples.write_tiff(tmp_path / "m.tif", [samples.page_image(["3300012345"], seed=1),
                                                  samples.page_image(seed=2)])
    jobs = page_jobs(tif, "tiff", 2, dpi=200, retry_dpi=300, expect="first_page",
                     symbologies=("code128",))
    jobs.insert(1, PageJob(str(tif), "tiff", 9))  # a page that is not there
    pool = PagePool(1)
    try:
        results = pool.read_pages(jobs)
    finally:
        pool.close()
    assert [b.value for b in results[0].barcodes] == ["3300012345"]
    assert results[1].error and results[1].barcodes == []
    assert results[2].error is None


@pytest.mark.parametrize("content", [b"", b"hello", b"%PDF-1.4\n1 0 obj\n", b"II*\x00\x08\x00"])
def test_files_that_are_not_what_they_claim_do_not_open(tmp_path, content):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    with pytest.raises(NotReadable):
        check_readable(path)


@pytest.mark.parametrize("name", ["p.jpg", "p.png", "p.pdf"])
def test_half_written_files_do_not_open_until_complete(tmp_path, name):
    page = samples.page_image(["3300012345"], seed=8)
    whole = tmp_path / name
    if name.endswith(".pdf"):
        samples.write_pdf(whole, [page])
    else:
        samples.write_image(whole, page, dpi=200)
    data = whole.read_bytes()
    partial = tmp_path / ("partial" + whole.suffix)
    partial.write_bytes(data[: len(data) * 3 // 4])
    with pytest.raises(NotReadable):
        check_readable(partial)
    assert check_readable(whole)[1] == 1
