"""File-level facts: which names to ignore, what a file is, and whether it opens whole."""

from __future__ import annotations

import fnmatch
import os
import struct
from pathlib import Path

IGNORED_PATTERNS = ("~$*", "*.tmp", "*.part", "*.crdownload", "*.partial", "*.swp", "*~",
                    ".DS_Store", "Thumbs.db", "desktop.ini", "*.reason.json",
                    "*.duplicate.json")
MEDIA_TYPES = {"pdf": "application/pdf", "tiff": "image/tiff", "jpeg": "image/jpeg",
               "png": "image/png"}


class NotReadable(Exception):
    """The file does not (yet) open as what it claims to be."""


class Unfileable(NotReadable):
    """The file is whole but can never be filed as it is (e.g. password-protected): no retry."""


def is_ignored(name: str) -> bool:
    """Temporary, system and dot files the daemon must never take."""
    if name.startswith("."):
        return True
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in IGNORED_PATTERNS)


def display_name(name: str) -> str:
    """A printable, valid-UTF-8 form of a file name, even one that was not UTF-8 on disk."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")  # Windows stations on Chinese locales write GBK names
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def sniff(path: Path) -> str | None:
    """The kind of file by its first bytes: pdf, tiff, jpeg, png, or None."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    return None


def _check_pdf(path: Path) -> int:
    import pypdfium2 as pdfium

    with open(path, "rb") as fh:
        fh.seek(max(0, os.path.getsize(path) - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise NotReadable("PDF has no end-of-file trailer (still being written, or truncated)")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():  # complete, but locked: waiting cannot help
            raise Unfileable("password-protected PDF (cannot be read without its password)"
                             ) from None
        raise NotReadable(f"PDF does not open: {exc}") from None
    try:
        pages = len(doc)
        if pages < 1:
            raise Unfileable("PDF has no pages")  # complete (it has its trailer) but empty
        return pages
    finally:
        doc.close()


def _tiff_ifds_ok(path: Path) -> None:
    """Walk a classic TIFF's IFD chain: every IFD and every strip must lie inside the file."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head[2:4] in (b"+\x00", b"\x00+"):
            return  # BigTIFF: left to the frame decoder
        order = "<" if head[:2] == b"II" else ">"
        offset = struct.unpack(order + "I", head[4:8])[0]
        seen: set[int] = set()
        while offset:
            if offset in seen or offset + 2 > size:
                raise NotReadable(f"TIFF directory at {offset} lies beyond the end ({size} bytes)")
            seen.add(offset)
            fh.seek(offset)
            (count,) = struct.unpack(order + "H", fh.read(2))
            raw = fh.read(12 * count + 4)
            if len(raw) < 12 * count + 4:
                raise NotReadable("TIFF directory is cut short (file truncated)")
            tags = {}
            for i in range(count):
                tag, typ, n = struct.unpack(order + "HHI", raw[12 * i:12 * i + 8])
                value = raw[12 * i + 8:12 * i + 12]
                if n == 1 and typ in (3, 4):
                    fmt = "H" if typ == 3 else "I"
                    tags[tag] = [struct.unpack(order + fmt, value[:struct.calcsize(fmt)])[0]]
                elif typ in (3, 4) and tag in (273, 279):
                    width = 2 if typ == 3 else 4
                    (ptr,) = struct.unpack(order + "I", value)
                    if ptr + n * width > size:
                        raise NotReadable("TIFF strip table lies beyond the end (truncated)")
                    fh.seek(ptr)
                    tags[tag] = list(struct.unpack(order + ("H" if typ == 3 else "I") * n,
                                                   fh.read(n * width)))
            for start, length in zip(tags.get(273, []), tags.get(279, [])):
                if start + length > size:
                    raise NotReadable("TIFF image data is cut short (file truncated)")
            (offset,) = struct.unpack(order + "I", raw[12 * count:12 * count + 4])


def jpeg_complete(data: bytes) -> bool:
    """True when the JPEG's marker structure reaches its end-of-image marker.

    Walks the segments from SOI and skips each scan's entropy-coded data, so data after the
    end marker (phones append thumbnails and depth maps) is not mistaken for an unfinished
    file, and a file that merely ends in FF D9 inside a segment is not taken as complete.
    """
    size, pos = len(data), 2
    if data[:2] != b"\xff\xd8":
        return False
    while pos + 1 < size:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return True
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if pos + 4 > size:
            return False
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not
            while True:     # a stuffed FF 00 or a restart marker
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return False
                nxt = data[pos + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    pos += 1 if nxt == 0xFF else 2
                    continue
                break
    return False


def _check_single_image(path: Path, kind: str) -> int:
    """JPEG/PNG: complete to the end marker and structurally sound (pixels decode in workers)."""
    import warnings

    from PIL import Image

    if kind == "jpeg" and not jpeg_complete(path.read_bytes()):
        raise NotReadable("JPEG has no end-of-image marker (still being written, or truncated)")
    if kind == "png":
        with open(path, "rb") as fh:
            fh.seek(max(0, os.path.getsize(path) - 64))
            tail = fh.read().rstrip(b"\x00")
        if b"IEND" not in tail[-12:]:
            raise NotReadable("PNG has no IEND chunk (still being written, or truncated)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                img.verify()  # headers and, for PNG, every chunk's CRC
    except Image.DecompressionBombError as exc:  # a whole file that is too big to read
        raise Unfileable(f"image too large to read safely: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken files
        raise NotReadable(f"image does not decode: {type(exc).__name__}: {exc}") from None
    return 1


def _check_image(path: Path, kind: str) -> int:
    import warnings

    from PIL import Image, ImageSequence

    if kind == "tiff":
        try:
            _tiff_ifds_ok(path)
        except struct.error:
            raise NotReadable("TIFF header or directory is cut short (file truncated)") from None
    else:
        return _check_single_image(path, kind)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                frames = 0
                for frame in ImageSequence.Iterator(img):
                    frame.load()  # decodes the frame: a truncated frame raises here
                    frames += 1
    except Image.DecompressionBombError as exc:  # a whole file that is too big to read
        raise Unfileable(f"image too large to read safely: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken files
        raise NotReadable(f"image does not decode: {type(exc).__name__}: {exc}") from None
    if frames < 1:
        raise NotReadable("image has no frames")
    return frames


def check_readable(path: Path) -> tuple[str, int]:
    """Open `path` as what it claims to be; return (kind, page count) or raise NotReadable."""
    kind = sniff(path)
    if kind is None:
        raise NotReadable("not a PDF, TIFF, JPEG or PNG file")
    if kind == "pdf":
        return kind, _check_pdf(path)
    return kind, _check_image(path, kind)
