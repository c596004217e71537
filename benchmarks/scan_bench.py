"""Scanning throughput: whole pipeline vs decode-only pages/s, and pyzbar vs zxing-cpp.

Run:  .venv/bin/python benchmarks/scan_bench.py [--pages 24] [--workers N] [--repeat 3]
Prints figures; never passes or fails on time.

What the two figures mean (both use the same files, the same worker pool class with the
same number of processes, already started, and the same decoder settings):

* decode-only: what a bare barcode reader must do with these files. Every page of every
  file is opened and turned into an image (PDF through pypdfium2 at the folder's dpi, TIFF
  frames and JPEGs through Pillow), then decoded coarse-to-fine with the configured decoder
  and symbologies, including the 300-dpi retry where a page-1 code is expected and missing.
  This is `scanners.pages.read_page` on `page_jobs(...)` built from the same FolderConfig,
  fanned out over a warm `PagePool`. Nothing else: no hashing, no database, no file moves.
* pipeline: `Daemon.run(once=True)` on a hot folder holding the files: the completeness
  check (a PDF opens with its trailer, every TIFF frame decodes), the claim (journal + atomic
  rename + fsyncs), SHA-256 into the scan store (temp name, fsync, rename), the same page
  reading as decode-only, linking, one database transaction per file (documents, pages,
  audit events) and letting the original go. The stability wait is excluded
  (quiet_seconds=0: a real folder adds its quiet period once per file, overlapped with
  work on other files); worker start-up and shut-down are outside the timing of both.

Runs alternate pipeline / decode-only so both see the same machine load; best and median
are printed (the machine may be shared: compare medians taken side by side).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hudang.scanners import samples
from hudang.scanners.config import FolderConfig, WatchConfig
from hudang.scanners.decode import decode_page, make_decoder
from hudang.scanners.pages import PageJob, PagePool, load_frame, page_jobs, render_pdf_page

CUSTOMER = "3300012345"
PAPERLESS_S_PER_PAGE = 0.7
RENDER_DPI = 200  # the folder default: PDFs are examined at 200 dpi, images at their own


def make_inputs(kind: str, pages: int, out: Path) -> list[Path]:
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
    return files


def folder_config(hot: Path) -> FolderConfig:
    """The hot folder both measurements share their page settings with."""
    return FolderConfig(hot, "BENCH", quiet_seconds=0.0, dpi=RENDER_DPI, retry_dpi=300)


def jobs_for(files: list[Path], folder: FolderConfig) -> list[PageJob]:
    """Every page of every file, exactly as the daemon would queue them."""
    from hudang.scanners.files import check_readable

    jobs: list[PageJob] = []
    for f in files:
        kind, n = check_readable(f)
        jobs.extend(page_jobs(f, kind, n, dpi=folder.dpi, retry_dpi=folder.retry_dpi,
                              expect=folder.expect_barcode, symbologies=folder.symbologies))
    return jobs


def decode_only(pool: PagePool, jobs: list[PageJob]) -> tuple[float, int]:
    """Pages/s reading and decoding every page from its file in the warm worker pool."""
    t0 = time.perf_counter()
    results = pool.read_pages(jobs)
    elapsed = time.perf_counter() - t0
    return len(jobs) / elapsed, sum(len(r.barcodes) for r in results)


def pipeline(files: list[Path], n_pages: int, workers: int, decoder_name: str,
             tmp: Path) -> float:
    """Pages/s for the whole daemon: check, claim, store, read pages, link, commit, let go."""
    from hudang.scanners.daemon import Daemon
    from hudang.store.archive import close_archive, open_archive
    from hudang.store.audit import Actor
    from hudang.store.models import IngestRecord
    from hudang.store.services import customers

    class TimedDaemon(Daemon):
        finished = 0.0

        def idle(self) -> bool:  # the moment the last file is settled, before shutdown
            done = super().idle()
            if done and not self.finished:
                self.finished = time.perf_counter()
            return done

    root = Path(tempfile.mkdtemp(dir=tmp))
    open_archive(f"sqlite:///{root / 'a.sqlite3'}", create=True)
    customers.create_customer({"number": CUSTOMER, "name": "基准", "voltage_class": "LV"},
                              Actor("bench", "bench", "admin"))
    hot = root / "hot"
    hot.mkdir()
    folder = folder_config(hot)
    daemon = TimedDaemon(WatchConfig((folder,), workers=workers, decoder=decoder_name),
                         root / "st")
    daemon.pool.read_pages(jobs_for(files[:1], folder)[:1] * max(1, workers))  # warm up
    for f in files:
        shutil.copy(f, hot / f.name)
    t0 = time.perf_counter()
    daemon.run(once=True)
    elapsed = (daemon.finished or time.perf_counter()) - t0
    filed = IngestRecord.select().where(IngestRecord.outcome == "filed").count()
    close_archive()
    if filed != len(files):
        print(f"  WARNING: {filed}/{len(files)} files filed")
    return n_pages / elapsed


def single_page_ms(jobs: list[PageJob], decoder_name: str, limit: int = 8
                   ) -> tuple[float, float]:
    """Median ms per page in one process: (open + rasterise, decode of the raster)."""
    decoder = make_decoder(decoder_name)
    raster_ms, decode_ms = [], []
    for job in jobs[:limit]:
        t0 = time.perf_counter()
        img, dpi = (render_pdf_page(job.path, job.page, job.dpi) if job.kind == "pdf"
                    else load_frame(job.path, job.page))
        t1 = time.perf_counter()
        decode_page(decoder, img, job.page, dpi, job.symbologies)
        raster_ms.append((t1 - t0) * 1000)
        decode_ms.append((time.perf_counter() - t1) * 1000)
    return statistics.median(raster_ms), statistics.median(decode_ms)


def measure(label: str, files: list[Path], dec: str, args, tmp: Path) -> None:
    """Alternate pipeline and decode-only runs and print one line of figures."""
    jobs = jobs_for(files, folder_config(tmp))
    pool = PagePool(args.workers, dec)
    try:
        pool.read_pages(jobs[:1] * max(1, args.workers))  # start the workers untimed
        pipe, only, found = [], [], set()
        for _ in range(args.repeat):
            pipe.append(pipeline(files, len(jobs), args.workers, dec, tmp))
            rate, n = decode_only(pool, jobs)
            only.append(rate)
            found.add(n)
    finally:
        pool.close()
    if found != {len(files)}:
        print(f"  WARNING: decode-only found {sorted(found)} codes, expected {len(files)}")
    raster_ms, decode_ms = single_page_ms(jobs, dec)
    pm, om = statistics.median(pipe), statistics.median(only)
    print(f"{label:<20}{dec:<7}{max(pipe):>6.2f}{pm:>7.2f}{max(only):>8.2f}{om:>7.2f}"
          f"{max(pipe) / max(only):>6.2f}{pm / om:>6.2f}{1 / pm:>8.3f}"
          f"{args.workers / pm:>8.3f}{raster_ms:>8.1f}{decode_ms:>8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3,
                    help="alternating runs per figure (best and median are printed)")
    args = ap.parse_args()
    decoders = ["pyzbar"]
    try:
        make_decoder("zxing")
        decoders.append("zxing")
    except RuntimeError:
        print("(zxing-cpp not installed: pyzbar only; `pip install zxing-cpp` to compare)")
    tmp = Path(tempfile.mkdtemp(prefix="scanbench-"))
    print(f"{args.pages} pages per input kind, {args.workers} worker process(es), "
          f"{os.cpu_count()} core(s), {args.repeat} alternating runs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("decode-only = open/rasterise + decode every page in the warm pool (a bare reader);"
          "\npipeline    = check + claim + hash/store + same page reading + link + one DB "
          "transaction + let go\n              per file (stability wait excluded; pool "
          "start/stop excluded from both)")
    header = (f"{'input':<20}{'dec':<7}{'pipeline p/s':>13}{'decode-only p/s':>16}"
              f"{'ratio':>11}{'s/page':>8}{'s/p/wkr':>8}{'raster  decode':>16}")
    print(header)
    print(f"{'':<27}{'best':>6}{'median':>7}{'best':>8}{'median':>7}{'best':>6}{'med':>6}"
          f"{'(median pipe)':>16}{'ms/page, 1 proc':>16}")
    print("-" * 105)
    try:
        for kind, label in (("g4tiff", "200-dpi G4 TIFF"), ("jpeg", "300-dpi JPEG"),
                            ("pdf", "300-dpi scanned PDF")):
            files = make_inputs(kind, args.pages, tmp / kind)
            for dec in decoders:
                measure(label, files, dec, args, tmp)
        print(f"(Paperless-ngx consumer for comparison: ~{PAPERLESS_S_PER_PAGE} s/page; "
              f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
