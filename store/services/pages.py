"""A document's scanned pages: who may read them, the page images, and a PDF copy for printing.

Pages live in the content-addressed scan store the daemon fills (`ingest.ScanStore`): a
`DocumentPage` row names a scan file by SHA-256 and a page within it. Images are made
here (pypdfium2 for PDF pages, Pillow for TIFF/JPEG/PNG frames), never in the desk, and
kept in a small LRU cache so paging back and forth does not rasterise twice.

Important customers' pages open only for an approver or a user holding an approved,
unexpired reading grant (`loan_grants.can_view_pages`); each opening of such a
document's pages is an audit event.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import ArchiveError, NotFound, PermissionDenied
from hudang.store.i18n import t
from hudang.store.services import fixity, rawsql
from hudang.store.services.ingest import ScanStore

PAGE_READERS = ("approver",)  # roles that read any customer's pages without a grant
SCREEN_DPI = 100  # enough for a terminal; zoom asks for more
PRINT_DPI = 200
_MAX_PIXELS = 40_000_000  # a page image larger than this is refused, not decoded


class PageUnavailable(ArchiveError):
    """The page's scan file is missing from the store or cannot be read."""

    code = "page_unavailable"


@dataclass(frozen=True)
class PageRef:
    """Page `seq` of a document: page `page_no` of the stored scan file `sha256`."""

    seq: int
    sha256: str
    media_type: str
    page_no: int


@dataclass(frozen=True)
class DocumentPages:
    """What the viewer needs to page through one document."""

    document_id: int
    barcode: str | None
    title: str
    doc_type: str
    customer_number: str
    customer_name: str
    important: bool
    pages: tuple[PageRef, ...]


_DOC_SQL = ("SELECT d.id, d.barcode, d.title, d.doc_type, c.number, c.name, c.important "
            "FROM document d JOIN customer c ON c.id = d.customer_id WHERE d.id = ?")
_PAGES_SQL = ("SELECT p.seq, s.sha256, s.media_type, p.page_no FROM document_page p "
              "JOIN scan_file s ON s.id = p.scan_file_id WHERE p.document_id = ? "
              "ORDER BY p.seq, p.id")


def document_pages(document_id: int) -> DocumentPages:
    """The document, its customer and its pages in reading order (no gate: see `open_pages`)."""
    with read_tx():
        row = rawsql.one(_DOC_SQL, (document_id,))
        if row is None:
            raise NotFound(t("文件 #{i} 不存在", "document #{i} does not exist", i=document_id))
        pages = tuple(PageRef(int(s), sha, mt, int(n))
                      for s, sha, mt, n in rawsql.rows(_PAGES_SQL, (document_id,)))
    did, barcode, title, doc_type, number, name, important = row
    return DocumentPages(int(did), barcode, title or "", doc_type or "", number, name,
                         bool(important), pages)


def may_view_pages(username: str, role: str, customer_number: str,
                   at: dt.datetime | None = None) -> bool:
    """Whether this user may see this customer's scanned pages now (approver or grant)."""
    from hudang.store.services.loan_grants import can_view_pages

    if role in PAGE_READERS:
        return True
    try:
        return can_view_pages(username, customer_number, at)
    except NotFound:  # an unknown user holds no grant
        return False


def open_pages(document_id: int, actor: Actor, at: dt.datetime | None = None) -> DocumentPages:
    """The pages a user is about to read: refused without a grant, audited for important ones."""
    doc = document_pages(document_id)
    if not doc.important:
        return doc
    if not may_view_pages(actor.username, actor.role, doc.customer_number, at):
        with write_tx():
            audit.record(actor, "pages.view_refused", "document", doc.document_id, None,
                         {"customer": doc.customer_number})
        raise PermissionDenied(t(
            "{n} 是重要客户：查看扫描页须持有已批准的电子阅览授权",
            "{n} is an important customer: reading its pages needs an approved reading grant",
            n=doc.customer_number))
    with write_tx():
        audit.record(actor, "pages.view", "document", doc.document_id, None,
                     {"customer": doc.customer_number, "pages": len(doc.pages)})
    return doc


class PageImages:
    """Page images from the scan store, rasterised once per (page, dpi) and kept in an LRU."""

    def __init__(self, store_root: Path, capacity: int = 24) -> None:
        self.store = ScanStore(Path(store_root))
        self.capacity = capacity
        self._cache: OrderedDict[tuple[str, int, int], Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def image(self, ref: PageRef, dpi: int = SCREEN_DPI) -> Image.Image:
        """The page as a Pillow image at about `dpi` (the scan's own resolution at most)."""
        key = (ref.sha256, ref.page_no, dpi)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        image = self._load(ref, dpi)
        with self._lock:
            self._cache[key] = image
            self._cache.move_to_end(key)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return image

    def _load(self, ref: PageRef, dpi: int) -> Image.Image:
        path = self.store.path_for(ref.sha256)
        if not path.is_file():
            raise PageUnavailable(t("扫描文件 {s} 不在扫描库中（请运行 fsck）",
                                    "scan file {s} is missing from the scan store (run fsck)",
                                    s=ref.sha256[:12]))
        try:
            if ref.media_type == "application/pdf":
                return render_pdf_page(path, ref.page_no, dpi)
            return load_image_frame(path, ref.page_no, dpi)
        except ArchiveError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged file is the keeper's message
            raise PageUnavailable(t("第 {p} 页无法读取：{e}", "page {p} cannot be read: {e}",
                                    p=ref.seq, e=type(exc).__name__)) from None


def render_pdf_page(path: Path, page_no: int, dpi: int) -> Image.Image:
    """Page `page_no` (1-based) of a PDF rendered at `dpi`."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page_no <= len(doc):
            raise PageUnavailable(t("扫描文件没有第 {p} 页", "the scan file has no page {p}",
                                    p=page_no))
        page = doc[page_no - 1]
        width, height = page.get_size()
        scale = dpi / 72
        if width * height * scale * scale > _MAX_PIXELS:
            scale = (_MAX_PIXELS / (width * height)) ** 0.5
        image = page.render(scale=scale, draw_annots=False).to_pil()
        image.load()
        image = image.convert("RGB") if image.mode not in ("L", "RGB") else image
        image.info["dpi"] = (scale * 72, scale * 72)
        return image
    finally:
        doc.close()


def load_image_frame(path: Path, page_no: int, dpi: int) -> Image.Image:
    """Frame `page_no` (1-based) of a TIFF/JPEG/PNG, scaled down to about `dpi`."""
    with Image.open(path) as img:
        frames = getattr(img, "n_frames", 1)
        if not 1 <= page_no <= frames:
            raise PageUnavailable(t("扫描文件没有第 {p} 页", "the scan file has no page {p}",
                                    p=page_no))
        if img.width * img.height > _MAX_PIXELS:
            raise PageUnavailable(t("第 {p} 页图像过大", "page {p} is too large", p=page_no))
        img.seek(page_no - 1)
        try:
            native = float(img.info.get("dpi", (200, 200))[0]) or 200.0
        except (TypeError, ValueError, IndexError):
            native = 200.0
        if img.format == "JPEG" and native > dpi * 1.1:  # decode at a fraction of the size
            full_width = img.width
            img.draft(img.mode, (round(img.width * dpi / native),
                                 round(img.height * dpi / native)))
            native *= img.width / full_width
        frame = img.convert("L" if img.mode in ("1", "L", "I;16", "I", "F") else "RGB")
    factor = int(native / dpi)
    if factor >= 2:  # whole-number shrinking is much cheaper than resampling
        frame = frame.reduce(factor)
        native /= factor
    if native > dpi * 1.1:
        scale = dpi / native
        frame = frame.resize((max(1, round(frame.width * scale)),
                              max(1, round(frame.height * scale))), Image.Resampling.BOX)
        native = float(dpi)
    frame.info["dpi"] = (native, native)
    return frame


def write_pages_pdf(images: PageImages, doc: DocumentPages, path: Path,
                    seqs: list[int] | None = None, dpi: int = PRINT_DPI) -> Path:
    """Write the document's pages (all, or those numbered `seqs`) to a PDF for printing a copy.

    Each PDF page is the scanned image (JPEG) at its own physical size. The file draws no
    text at all, so there is no font in it to embed (a reportlab canvas would name an
    unembedded Helvetica on every page).
    """
    import pypdfium2 as pdfium

    chosen = [p for p in doc.pages if seqs is None or p.seq in seqs]
    if not chosen:
        raise NotFound(t("没有可写入的页", "no pages to write"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    pdf = pdfium.PdfDocument.new()
    try:
        for ref in chosen:
            image = images.image(ref, dpi)
            native = float((image.info.get("dpi") or (dpi, dpi))[0]) or float(dpi)
            width_pt, height_pt = image.width * 72 / native, image.height * 72 / native
            page = pdf.new_page(width_pt, height_pt)
            jpeg = io.BytesIO()
            image.convert("L" if image.mode == "L" else "RGB").save(jpeg, "JPEG", quality=85)
            jpeg.seek(0)
            obj = pdfium.PdfImage.new(pdf)
            obj.load_jpeg(jpeg, pages=[page], inline=True)
            obj.set_matrix(pdfium.PdfMatrix().scale(width_pt, height_pt))
            page.insert_obj(obj)
            page.gen_content()
            page.close()
        pdf.save(str(tmp))
    finally:
        pdf.close()
    tmp.replace(path)
    return path


def export_copy(images: PageImages, document_id: int, actor: Actor, path: Path,
                seqs: list[int] | None = None) -> Path:
    """A printable PDF copy of a document's pages, by a user allowed to read them; audited.

    The stored scans are checked first (SHA-256 and SM3, issue 15): a missing or altered
    file stops the copy rather than print what is no longer what was filed.
    """
    doc = document_pages(document_id)
    if doc.important and not may_view_pages(actor.username, actor.role, doc.customer_number):
        raise PermissionDenied(t("{n} 是重要客户：复制扫描页须持有已批准的电子阅览授权",
                                 "{n} is an important customer: copying its pages needs an "
                                 "approved reading grant", n=doc.customer_number))
    wanted = [p for p in doc.pages if seqs is None or p.seq in seqs]
    fixity.require_intact(images.store.root, {p.sha256 for p in wanted}, actor, "pages.copy")
    written = write_pages_pdf(images, doc, path, seqs)
    with write_tx():
        audit.record(actor, "pages.copy", "document", doc.document_id, None,
                     {"customer": doc.customer_number, "file": written.name,
                      "pages": seqs or [p.seq for p in doc.pages]})
    return written
