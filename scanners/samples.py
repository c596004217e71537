"""Realistic generated scans (for tests, the benchmark and demo data): A4 pages with barcodes.

Pages carry text lines, table rules, grey paper and noise like a station's output, and the
barcodes are drawn by python-barcode (Code 128) or reportlab (QR), so decoding them is real.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw

A4_MM = (210, 297)


def _mm(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def code128_image(value: str, dpi: int, module_mm: float = 0.38) -> Image.Image:
    """A Code 128 symbol rendered by python-barcode at `dpi` (modules >= 2 px at 150 dpi)."""
    import barcode
    from barcode.writer import ImageWriter

    writer = ImageWriter()
    code = barcode.get("code128", value, writer=writer)
    buf = io.BytesIO()
    code.write(buf, options={"module_width": module_mm, "module_height": 12.0, "dpi": dpi,
                             "quiet_zone": 4.0, "font_size": 8, "text_distance": 3.0,
                             "write_text": True})
    buf.seek(0)
    return Image.open(buf).convert("L")


def qr_image(value: str, dpi: int, size_mm: float = 28) -> Image.Image:
    """A QR code drawn by reportlab's barcode module, rasterised via pypdfium2."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    import pypdfium2 as pdfium

    widget = QrCodeWidget(value)
    x0, y0, x1, y1 = widget.getBounds()
    pts = size_mm / 25.4 * 72
    drawing = Drawing(pts, pts, transform=[pts / (x1 - x0), 0, 0, pts / (y1 - y0), 0, 0])
    drawing.add(widget)
    pdf = renderPDF.drawToString(drawing)
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def page_image(codes: list[str] | None = None, *, dpi: int = 200, seed: int = 0,
               qr: list[str] | None = None, grey: int = 235, noise: float = 0.002,
               lines: int = 28) -> Image.Image:
    """One A4 page like a scanner's: grey paper, text lines, a table, noise, barcodes."""
    rng = random.Random(seed)
    w, h = _mm(A4_MM[0], dpi), _mm(A4_MM[1], dpi)
    img = Image.new("L", (w, h), grey)
    draw = ImageDraw.Draw(img)
    top = _mm(60, dpi)
    for i in range(lines):  # "text": short dark dashes of varying length
        y = top + i * _mm(7, dpi)
        x = _mm(20, dpi)
        while x < w - _mm(25, dpi):
            word = _mm(rng.uniform(3, 14), dpi)
            draw.rectangle([x, y, min(x + word, w - _mm(20, dpi)), y + _mm(2.2, dpi)],
                           fill=rng.randint(20, 70))
            x += word + _mm(2, dpi)
    t0 = top + lines * _mm(7, dpi) + _mm(8, dpi)
    for r in range(6):  # a table
        draw.line([_mm(20, dpi), t0 + r * _mm(8, dpi), w - _mm(20, dpi), t0 + r * _mm(8, dpi)],
                  fill=40, width=max(1, dpi // 100))
    for c in range(5):
        x = _mm(20, dpi) + c * (w - _mm(40, dpi)) // 4
        draw.line([x, t0, x, t0 + 5 * _mm(8, dpi)], fill=40, width=max(1, dpi // 100))
    for _ in range(int(w * h * noise)):  # specks
        draw.point((rng.randrange(w), rng.randrange(h)), fill=rng.randint(0, 120))
    y = _mm(15, dpi)
    for value in codes or []:
        sym = code128_image(value, dpi)
        img.paste(sym, (w - sym.width - _mm(15, dpi), y))
        y += sym.height + _mm(4, dpi)
    for value in qr or []:
        sym = qr_image(value, dpi)
        img.paste(sym, (_mm(15, dpi), _mm(15, dpi)))
    return img


def write_pdf(path: Path, pages: list[Image.Image], dpi: int = 200) -> Path:
    """A 'scanned' PDF: each page image embedded full-page (JPEG-compressed like a scanner)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    w_pt, h_pt = A4_MM[0] / 25.4 * 72, A4_MM[1] / 25.4 * 72
    c = canvas.Canvas(str(path), pagesize=(w_pt, h_pt))
    for img in pages:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85, dpi=(dpi, dpi))
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=w_pt, height=h_pt)
        c.showPage()
    c.save()
    return Path(path)


def write_tiff(path: Path, pages: list[Image.Image], dpi: int = 200, g4: bool = True) -> Path:
    """A (multi-page) TIFF; CCITT Group 4 bilevel by default, as scanners write."""
    frames = [p.point(lambda v: 255 if v > 150 else 0).convert("1") if g4 else p for p in pages]
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:],
                   compression="group4" if g4 else "tiff_lzw", dpi=(dpi, dpi))
    return Path(path)


def write_image(path: Path, page: Image.Image, dpi: int = 300) -> Path:
    """A single-page JPEG or PNG (by the suffix of `path`)."""
    fmt = "JPEG" if Path(path).suffix.lower() in (".jpg", ".jpeg") else "PNG"
    extra = {"quality": 85} if fmt == "JPEG" else {}
    page.save(path, fmt, dpi=(dpi, dpi), **extra)
    return Path(path)
