"""Scanning throughput: whole pipeline vs decode-only pages/s, and pyzbar vs zxing-cpp.

Run:  .venv/bin/python benchmarks/scan_bench.py [--pages 24] [--workers N]
Prints figures; never passes or fails on time.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanners import samples  # noqa: E402
from scanners.config import FolderConfig, WatchConfig  # noqa: E402
from scanners.decode import decode_page, make_decoder  # noqa: E402
from scanners.pages import PageJob, load_frame, render_pdf_page, tune_malloc  # noqa: E402

CUSTOMER = "3300012345"
SYMS = ("code128", "qrcode")
PAPERLESS_S_PER_PAGE = 0.7


def make_inputs(kind: str, pages: int, out: Path) -> tuple[list[Path], int]:
    """Files of one input kind; page 1 of each file carries the customer's Code 128."""
    out.mkdir(parents=True, exist_ok=True)
    dpi = 200 if kind == "g4tiff" else 300
    per_file = 1 if kind == "jpeg" else 4
    files = []
    for f in range(0, pages, per_file):
        imgs = [samples.page_image([CUSTOMER] if i == 0 else None, dpi=dpi, seed=f + i,
                                   grey=225, noise=0.003)
                for i in range(min(per_file, pages - f))]
        name = out / f"bench_{f:04d}"
        if kind == "g4tiff":
            files.append(samples.write_tiff(name.with_suffix(".tif"), imgs, dpi=dpi))
        elif kind == "jpeg":
            files.append(samples.write_image(name.with_suffix(".jpg"), imgs[0], dpi=dpi))
        else:
            files.append(samples.write_pdf(name.with_suffix(".pdf"), imgs, dpi=dpi))
    return files, dpi


def page_list(files: list[Path]) -> list[tuple[str, str, int]]:
    from scanners.files import check_readable

    out = []
    for f in files:
        kind, n = check_readable(f)
        out.extend((str(f), kind, p) for p in range(1, n + 1))
    return out


def raster(path: str, kind: str, page: int, dpi: int):
    """The page image exactly as the pipeline rasterises it."""
    if kind == "pdf":
        return render_pdf_page(path, page, dpi)
    return load_frame(path, page)


_images: list = []
_decoder: list = []


def _init_decode_only(pages, dpi, decoder_name) -> None:
    tune_malloc()
    _images.extend(raster(p, k, n, dpi) for p, k, n in pages)
    _decoder.append(make_decoder(decoder_name))


def _decode_one(i: int) -> int:
    img, dpi = _images[i]
    return len(decode_page(_decoder[0], img, i + 1, dpi, SYMS))


def _ready(_: int) -> bool:
    return bool(_images)


def decode_only(pages, dpi: int, workers: int, decoder_name: str) -> tuple[float, int]:
    """Pages/s decoding pre-rasterised pages in `workers` processes (rasterising untimed)."""
    ctx = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_decode_only,
                                initargs=(pages, dpi, decoder_name)) as pool:
        list(pool.map(_ready, range(workers * 4)))  # every worker has its pages in memory
        t0 = time.perf_counter()
        found = sum(pool.map(_decode_one, range(len(pages))))
        return len(pages) / (time.perf_counter() - t0), found


def pipeline(files: list[Path], n_pages: int, dpi: int, workers: int, decoder_name: str,
             tmp: Path) -> float:
    """Pages/s for the whole daemon: settle, claim, store, rasterise, decode, link, commit."""
    from scanners.daemon import Daemon
    from store.archive import close_archive, open_archive
    from store.audit import Actor
    from store.models import IngestRecord
    from store.services import customers

    root = Path(tempfile.mkdtemp(dir=tmp))
    open_archive(f"sqlite:///{root / 'a.sqlite3'}", create=True)
    customers.create_customer({"number": CUSTOMER, "name": "基准", "voltage_class": "LV"},
                              Actor("bench", "bench", "admin"))
    hot = root / "hot"
    hot.mkdir()
    folder = FolderConfig(hot, "BENCH", quiet_seconds=0.0, dpi=dpi,
                          retry_dpi=max(dpi, 300))
    daemon = Daemon(WatchConfig((folder,), workers=workers, decoder=decoder_name), root / "st")
    warm = PageJob(str(files[0]), page_list(files[:1])[0][1], 1, dpi)
    daemon.pool.read_pages([warm] * max(1, workers))  # start the workers outside the timing
    for f in files:
        shutil.copy(f, hot / f.name)
    t0 = time.perf_counter()
    daemon.run(once=True)
    elapsed = time.perf_counter() - t0
    filed = IngestRecord.select().where(IngestRecord.outcome == "filed").count()
    close_archive()
    if filed != len(files):
        print(f"  WARNING: {filed}/{len(files)} files filed")
    return n_pages / elapsed


def single_page_ms(pages, dpi: int, decoder_name: str, limit: int = 8) -> float:
    """Median ms per page for decode only, one process."""
    decoder = make_decoder(decoder_name)
    times = []
    for p, k, n in pages[:limit]:
        img, d = raster(p, k, n, dpi)
        t0 = time.perf_counter()
        decode_page(decoder, img, n, d, SYMS)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=2,
                    help="runs per figure; the best is kept (the machine may be shared)")
    args = ap.parse_args()
    decoders = ["pyzbar"]
    try:
        make_decoder("zxing")
        decoders.append("zxing")
    except RuntimeError:
        print("(zxing-cpp not installed: pyzbar only; `pip install zxing-cpp` to compare)")
    tmp = Path(tempfile.mkdtemp(prefix="scanbench-"))
    print(f"{args.pages} pages per input kind, {args.workers} worker process(es), "
          f"{os.cpu_count()} core(s), best of {args.repeat}, load average "
          f"{os.getloadavg()[0]:.1f}")
    header = (f"{'input':<22}{'decoder':<8}{'pipeline p/s':>13}{'decode p/s':>12}{'ratio':>7}"
              f"{'s/page wall':>12}{'s/page/worker':>14}{'decode ms/page':>15}")
    print(header)
    print("-" * len(header))
    try:
        for kind, label in (("g4tiff", "200-dpi G4 TIFF"), ("jpeg", "300-dpi JPEG"),
                            ("pdf", "300-dpi scanned PDF")):
            files, scan_dpi = make_inputs(kind, args.pages, tmp / kind)
            render_dpi = 200  # PDFs render at the default dpi; images decode at their own
            pages = page_list(files)
            for dec in decoders:
                pipe = max(pipeline(files, len(pages), render_dpi, args.workers, dec, tmp)
                           for _ in range(args.repeat))
                runs = [decode_only(pages, render_dpi, args.workers, dec)
                        for _ in range(args.repeat)]
                only = max(r[0] for r in runs)
                if runs[0][1] != len(files):
                    print(f"  WARNING: decode-only found {runs[0][1]} codes, "
                          f"expected {len(files)}")
                ms = single_page_ms(pages, render_dpi, dec)
                print(f"{label:<22}{dec:<8}{pipe:>13.2f}{only:>12.2f}{pipe / only:>7.2f}"
                      f"{1 / pipe:>12.3f}{args.workers / pipe:>14.3f}{ms:>15.1f}")
        print(f"(Paperless-ngx consumer for comparison: ~{PAPERLESS_S_PER_PAGE} s/page)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
