"""Label sheets: real PDFs whose Code 128 barcodes decode with pyzbar after rasterising."""

from __future__ import annotations

import pypdfium2 as pdfium
from pyzbar import pyzbar

from hudang.store.services import labels


def _decode_pdf(data: bytes, scale: float = 300 / 72) -> list[set[str]]:
    """Every barcode on every page, read from a 300 dpi rendering."""
    pdf = pdfium.PdfDocument(data)
    pages = []
    for page in pdf:
        image = page.render(scale=scale).to_pil().convert("L")
        pages.append({r.data.decode("ascii") for r in pyzbar.decode(image)
                      if r.type == "CODE128"})
    return pages


def _text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def test_box_labels_decode_and_carry_customer_names(desk_archive):
    c = desk_archive.codes
    codes = [c["hv_box"], c["lv_box"], c["lv_box2"], c["hv_box2"]]
    data = labels.render_pdf(labels.box_labels(codes))
    assert data.startswith(b"%PDF")
    assert _decode_pdf(data) == [set(codes)]
    text = _text(data)
    assert "0600000002 李四光" in text and "0600000003 王五" in text
    assert "[bold]张三明[/bold]" in text  # plain text on paper too
    assert "档案盒 高压 · 1号库房 高压区" in text and "档案盒 低压 · 未上架" in text


def test_position_labels_span_pages_and_decode(desk_archive, tmp_path):
    cells = [x for zone in ("A", "B", "C") for x in desk_archive.cells[zone]]
    many = labels.position_labels("K1") * 3  # 18 labels: two pages of 14
    data = labels.render_pdf(many)
    pages = _decode_pdf(data)
    assert len(pages) == 2
    assert pages[0] | pages[1] == {x.barcode for x in cells}
    path = labels.write_position_labels("K1-B", tmp_path / "out" / "b.pdf")
    assert _decode_pdf(path.read_bytes()) == [{x.barcode for x in desk_archive.cells["B"]}]
