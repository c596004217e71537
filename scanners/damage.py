"""Telling a page that decoded whole from one that decoded only in part.

Pillow and pdfium fill what is missing in a damaged image with grey and carry on; libjpeg's
warnings ("premature end of data") are the only sign. simplejpeg (libjpeg-turbo) turns those
warnings into errors in strict mode, so a JPEG page, or a PDF page's JPEG image, that decodes
only leniently is damaged. Other PDF image data is checked for its full decoded length.
"""

from __future__ import annotations

import simplejpeg
from PIL import Image

_CODEC_FILTERS = {"JBIG2Decode", "CCITTFaxDecode", "JPXDecode"}


def jpeg_damage(data: bytes) -> str:
    """Why the JPEG in `data` decodes only in part ("" when it is whole, or not ours to judge)."""
    try:  # decoded at 1/8 scale: every coefficient is still read, in a fraction of the time
        simplejpeg.decode_jpeg(data, colorspace="GRAY", min_width=1, min_height=1, strict=True)
        return ""
    except (ValueError, RuntimeError) as strict:
        problem = str(strict)
    try:
        simplejpeg.decode_jpeg(data, colorspace="GRAY", min_width=1, min_height=1,
                               strict=False)
    except (ValueError, RuntimeError):
        return ""  # not decodable here at all (e.g. a colour space simplejpeg lacks)
    return f"JPEG data damaged ({problem})"


def decode_jpeg_gray(data: bytes, min_width: int = 0, min_height: int = 0
                     ) -> tuple[Image.Image | None, str]:
    """The JPEG as a greyscale image (DCT-scaled to at least the given size) and its damage.

    One decode gives both the pixels and whether they are whole; None when simplejpeg
    cannot decode it at all (e.g. CMYK), so the caller falls back to Pillow or pdfium.
    """
    kw = {"colorspace": "GRAY", "min_width": min_width, "min_height": min_height}
    try:
        return _grey(simplejpeg.decode_jpeg(data, strict=True, **kw)), ""
    except (ValueError, RuntimeError) as strict:
        problem = f"JPEG data damaged ({strict})"
    try:
        return _grey(simplejpeg.decode_jpeg(data, strict=False, **kw)), problem
    except (ValueError, RuntimeError):
        return None, ""


def _grey(pixels) -> Image.Image:
    """A (height, width, 1) array as a mode-L image."""
    return Image.fromarray(pixels.reshape(pixels.shape[0], pixels.shape[1]), mode="L")


def pdf_page_damage(pdf_page) -> str:
    """Why a PDF page's images decode only in part, or "" when they are whole."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    problems = []
    try:
        objects = [o for o in pdf_page.get_objects(max_depth=3)
                   if o.type == raw.FPDF_PAGEOBJ_IMAGE]
    except pdfium.PdfiumError as exc:
        return f"page objects do not load ({exc})"
    for obj in objects:
        try:
            filters = list(obj.get_filters())
            data = bytes(obj.get_data(decode_simple=True))
        except pdfium.PdfiumError as exc:
            problems.append(f"image data does not load ({exc})")
            continue
        if filters and filters[-1] == "DCTDecode":
            problem = jpeg_damage(data)
        elif _CODEC_FILTERS & set(filters):
            problem = ""
        else:
            problem = _short_raw(obj, data)
        if problem:
            problems.append(problem)
    return "; ".join(problems)


def _short_raw(obj, data: bytes) -> str:
    """Raw (e.g. Flate) image data shorter than its width, height and depth say."""
    import pypdfium2 as pdfium

    try:
        meta = obj.get_metadata()
    except pdfium.PdfiumError:
        return ""
    width, height, bpp = meta.width, meta.height, meta.bits_per_pixel
    if not (width and height and bpp):
        return ""
    expected = (width * bpp + 7) // 8 * height
    if len(data) < expected:
        return f"image data cut short ({len(data)} of {expected} bytes)"
    return ""
