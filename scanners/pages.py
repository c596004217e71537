"""One page at a time: rasterise (pypdfium2 / Pillow) and decode, isolated in worker processes."""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from hudang.store.barcodes import BarcodeScheme

from hudang.scanners.decode import (Barcode, Decoder, checked, decode_page, make_decoder,
                                    optional_zxing)
from hudang.scanners.damage import decode_jpeg_gray, pdf_page_damage

# glibc mallopt parameters: pages allocate ~33 MB each; keeping big blocks mapped and not
# trimming after every page avoids page-fault storms (same effect as the MALLOC_*_ env vars).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024 * 1024),
              "MALLOC_TRIM_THRESHOLD_": str(512 * 1024 * 1024)}


@dataclass(frozen=True)
class PageJob:
    """What a worker needs to read one page of a file."""

    path: str
    kind: str  # pdf / tiff / jpeg / png
    page: int  # 1-based
    dpi: int = 200
    retry_dpi: int = 300
    expect_barcode: bool = False
    symbologies: tuple[str, ...] = ("code128", "qrcode")
    scheme: BarcodeScheme | None = field(default=None, compare=False)  # checks decoded values


@dataclass
class PageResult:
    """The barcodes of one page, or why the page could not be read."""

    page: int
    barcodes: list[Barcode] = field(default_factory=list)
    error: str | None = None
    dpi: float = 0.0
    damaged: str | None = None  # decoded only in part: the page must not be filed as good


_worker: dict[str, Decoder] = {}


def tune_malloc() -> bool:
    """Apply the glibc malloc thresholds in this process; False where not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok1 = libc.mallopt(M_MMAP_THRESHOLD, int(MALLOC_ENV["MALLOC_MMAP_THRESHOLD_"]))
        ok2 = libc.mallopt(M_TRIM_THRESHOLD, int(MALLOC_ENV["MALLOC_TRIM_THRESHOLD_"]))
        return bool(ok1 and ok2)
    except (OSError, AttributeError):
        return False


def init_worker(decoder_name: str) -> None:
    """Worker start-up: malloc tuning and one decoder per process."""
    tune_malloc()
    _worker["decoder"] = make_decoder(decoder_name)
    second = optional_zxing() if decoder_name != "zxing" else None
    if second is not None:
        _worker["second"] = second


def _scanned_image(pdf_page, min_dpi: int, damage: list[str] | None = None):
    """(image, dpi, verified) of a scanned page that is just one image, scaled to `min_dpi`.

    Decoding the embedded image is much cheaper than rendering it. Pages with anything drawn
    besides the one image (and invisible OCR text) are rendered instead. A grey or RGB JPEG
    image is decoded by simplejpeg (DCT-scaled), which also tells whether its data is whole.
    """
    from pypdfium2 import raw

    objects = list(pdf_page.get_objects(max_depth=1))
    images = [o for o in objects if o.type == raw.FPDF_PAGEOBJ_IMAGE]
    others = [o for o in objects if o.type not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_TEXT)]
    if len(images) != 1 or others:
        return None
    a, b, c, d, _e, _f = images[0].get_matrix().get()
    width_pt, height_pt = pdf_page.get_size()
    if b or c or a <= 0 or d <= 0 or a * d < 0.9 * width_pt * height_pt:
        return None
    px_w, px_h = images[0].get_px_size()
    native_dpi = px_w / (a / 72)
    if native_dpi < min_dpi * 0.95:
        return None
    scale = min_dpi / native_dpi if native_dpi > min_dpi * 1.2 else 1.0
    size = (round(px_w * scale), round(px_h * scale))
    image = _plain_jpeg(images[0], size, damage)
    verified = image is not None  # its decode said whether the data is whole
    if image is None:
        image = images[0].get_bitmap(render=False).to_pil()
        image = image.convert("L") if image.mode != "L" else image
    if image.size != size:  # examine at the configured dpi, as a render would
        image = image.resize(size, Image.Resampling.BOX)
    return image, native_dpi * scale, verified


def _plain_jpeg(obj, size: tuple[int, int], damage: list[str] | None):
    """The image object decoded by simplejpeg when it is a plain grey/RGB JPEG, else None."""
    from pypdfium2 import raw

    try:
        filters = list(obj.get_filters())
        meta = obj.get_metadata()
        if not filters or filters[-1] != "DCTDecode" or meta.colorspace not in (
                raw.FPDF_COLORSPACE_DEVICEGRAY, raw.FPDF_COLORSPACE_DEVICERGB):
            return None
        data = bytes(obj.get_data(decode_simple=True))
    except Exception:  # noqa: BLE001 - pdfium decides instead
        return None
    image, problem = decode_jpeg_gray(data, size[0], size[1])
    if problem and damage is not None:
        damage.append(problem)
    return image


def render_pdf_page(path: str, page: int, dpi: int, *, native: bool = True,
                    damage: list[str] | None = None):
    """The page as a greyscale image and its dpi: the scan itself, or rendered at `dpi`.

    With `damage` (a list) given, what is wrong with the page's image data is added to it.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        pdf_page = doc[page - 1]
        found = None
        if native:
            try:
                found = _scanned_image(pdf_page, dpi, damage)
            except pdfium.PdfiumError:
                found = None
        if damage is not None and not (found is not None and found[2]):
            problem = pdf_page_damage(pdf_page)  # not already checked by its own decode
            if problem:
                damage.append(problem)
        if found is not None:
            return found[0], found[1]
        bitmap = pdf_page.render(scale=dpi / 72, grayscale=True, draw_annots=False)
        image = bitmap.to_pil()
        image.load()
        return image, float(dpi)
    finally:
        doc.close()


def load_jpeg(path: str) -> tuple[Image.Image, float, str]:
    """A JPEG file as a greyscale image, its dpi, and what is damaged in its data."""
    import io

    data = Path(path).read_bytes()
    image, problem = decode_jpeg_gray(data)
    if image is None:
        frame, dpi = load_frame(path, 1)
        return frame, dpi, ""
    with Image.open(io.BytesIO(data)) as header:  # the header only: no second decode
        dpi = _dpi_of(header)
    return image, dpi, problem


def _dpi_of(img) -> float:
    dpi = img.info.get("dpi", (200, 200))
    try:
        return float(dpi[0]) or 200.0
    except (TypeError, ValueError, IndexError):
        return 200.0


def load_frame(path: str, page: int):
    from PIL import Image

    with Image.open(path) as img:
        img.seek(page - 1)
        dpi = img.info.get("dpi", (200, 200))
        try:
            dpi_x = float(dpi[0]) or 200.0
        except (TypeError, ValueError, IndexError):
            dpi_x = 200.0
        frame = img.convert("L")
    return frame, dpi_x


def read_page(job: PageJob, decoder: Decoder | None = None,
              second: Decoder | None = None) -> PageResult:
    """Rasterise and decode one page; any failure is this page's, never the file's."""
    decoder = decoder or _worker.get("decoder") or make_decoder()
    second = second or _worker.get("second")
    damage: list[str] = []
    try:
        if job.kind == "pdf":
            image, dpi = render_pdf_page(job.path, job.page, job.dpi, damage=damage)
        else:
            if job.kind == "jpeg":
                image, dpi, problem = load_jpeg(job.path)
                if problem:
                    damage.append(problem)
            else:
                image, dpi = load_frame(job.path, job.page)
        codes = decode_page(decoder, image, job.page, dpi, job.symbologies)
        if not codes and job.expect_barcode and job.kind == "pdf" and job.retry_dpi > dpi:
            image, dpi = render_pdf_page(job.path, job.page, job.retry_dpi)
            codes = decode_page(decoder, image, job.page, dpi, job.symbologies)
        if job.scheme is not None and codes:
            codes = checked(decoder, image, codes, dpi, job.symbologies, job.scheme, second)
        return PageResult(job.page, codes, None, dpi, "; ".join(damage) or None)
    except Exception as exc:  # noqa: BLE001 - a bad page is recorded, not raised
        return PageResult(job.page, [], f"{type(exc).__name__}: {exc}")


def _run_job(job: PageJob) -> PageResult:
    return read_page(job)


class PagePool:
    """A pool of worker processes that read pages; rebuilt if a worker dies on a bad page."""

    def __init__(self, workers: int, decoder_name: str = "pyzbar") -> None:
        self.workers = workers
        self.decoder_name = decoder_name
        self._executor: cf.ProcessPoolExecutor | None = None
        self._local: Decoder | None = None
        self._second: Decoder | None = None
        make_decoder(decoder_name)  # fail early when the configured backend is missing

    def _pool(self) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=init_worker,
                initargs=(self.decoder_name,))
        return self._executor

    def read_pages(self, jobs: list[PageJob]) -> list[PageResult]:
        """Read every page of `jobs` (in parallel when workers > 0), in page order."""
        if self.workers <= 0:
            if self._local is None:
                tune_malloc()
                self._local = make_decoder(self.decoder_name)
                self._second = optional_zxing() if self.decoder_name != "zxing" else None
            return [read_page(j, self._local, self._second) for j in jobs]
        futures = [self._pool().submit(_run_job, j) for j in jobs]
        results = []
        for job, fut in zip(jobs, futures):
            try:
                results.append(fut.result())
            except cf.process.BrokenProcessPool as exc:
                results.append(PageResult(job.page, [], f"worker died: {exc}"))
                self._reset()
        return results

    def _reset(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        """Stop the workers."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def page_jobs(path: Path, kind: str, pages: int, *, dpi: int, retry_dpi: int,
              expect: str, symbologies: tuple[str, ...],
              scheme: BarcodeScheme | None = None) -> list[PageJob]:
    """One job per page of a file, marking which pages are expected to carry a barcode."""
    return [PageJob(str(path), kind, n, dpi, retry_dpi,
                    expect == "every_page" or (expect == "first_page" and n == 1), symbologies,
                    scheme)
            for n in range(1, pages + 1)]
