"""What `rules explain` needs to know about a file: media type, pages, barcodes (pyzbar)."""

from __future__ import annotations

from pathlib import Path

MAGIC = [(b"%PDF", "application/pdf"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
         (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]
MAX_PAGES = 20


def sniff(path: Path) -> tuple[str, int]:
    """(media type from the file's first bytes, page count)."""
    with path.open("rb") as fh:
        head = fh.read(16)
    media = next((m for magic, m in MAGIC if head.startswith(magic)), "application/octet-stream")
    try:
        if media == "application/pdf":
            import pypdfium2

            pdf = pypdfium2.PdfDocument(str(path))
            try:
                return media, len(pdf)
            finally:
                pdf.close()
        if media.startswith("image/"):
            from PIL import Image

            with Image.open(path) as img:
                return media, getattr(img, "n_frames", 1)
    except Exception:  # a damaged file still gets explained, with 0 pages
        return media, 0
    return media, 0


def _images(path: Path, media: str):
    if media == "application/pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        try:
            for i in range(min(len(pdf), MAX_PAGES)):
                yield i + 1, pdf[i].render(scale=200 / 72).to_pil()
        finally:
            pdf.close()
    elif media.startswith("image/"):
        from PIL import Image, ImageSequence

        with Image.open(path) as img:
            for i, frame in enumerate(ImageSequence.Iterator(img)):
                if i >= MAX_PAGES:
                    break
                yield i + 1, frame.convert("L")


def decode_barcodes(path: Path, media: str) -> list[tuple[str, str, int]]:
    """(value, symbology, page) for every barcode pyzbar finds on the first pages."""
    from pyzbar import pyzbar

    found = []
    try:
        for page, image in _images(path, media):
            for sym in pyzbar.decode(image):
                found.append((sym.data.decode("utf-8", "replace"), sym.type, page))
    except Exception:  # unreadable pages: explain with what was found
        return found
    return found
