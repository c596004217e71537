"""The daemon with the real watchdog observer on temp folders and real generated scans."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from hudang.scanners import samples
from hudang.scanners.coversheet import CoverSheet, make_coversheets
from hudang.scanners.daemon import Daemon
from hudang.store import audit
from hudang.store.models import AuditEvent, Customer, Document, DocumentPage, IngestRecord, ScanFile
from hudang.store.services import ingest
from tests.scanners.conftest import (KEEPER, reasons, visible_files, wait_for, watch_config,
                                     with_opts)


@contextlib.contextmanager
def running(config, store_dir, **kw):
    """The daemon in a background thread with its observers started; stopped afterwards."""
    daemon = Daemon(config, store_dir, **kw)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            daemon.run()
        except BaseException as exc:  # noqa: BLE001 - surfaced by the test below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for(lambda: errors or (daemon.observers and all(o.is_alive() for o in daemon.observers)),
             what="observers to start")
    try:
        yield daemon
    finally:
        daemon.stop()
        thread.join(60)
        assert not thread.is_alive(), "daemon did not stop"
        assert not errors, errors


def records(outcome: str | None = None) -> int:
    query = IngestRecord.select()
    if outcome:
        query = query.where(IngestRecord.outcome == outcome)
    return query.count()


def docs_of(number: str) -> list[Document]:
    """Documents the daemon created for a customer (not the fixture's registered one)."""
    return list(Document.select().join(Customer)
                .where((Customer.number == number) & Document.barcode.is_null())
                .order_by(Document.id))


def test_a_file_written_slowly_in_chunks_is_taken_once_and_whole(archive, hot, store_dir,
                                                                  tmp_path):
    folder = with_opts(hot, max_attempts=8)
    src = samples.write_pdf(tmp_path / "src.pdf", [samples.page_image(seed=i) for i in range(3)])
    data = src.read_bytes()
    target = folder.path / "3300054321_计量.pdf"
    with running(watch_config(folder, rescan_seconds=60), store_dir) as daemon:
        step = len(data) // 8 + 1
        with open(target, "wb") as fh:
            for i in range(0, len(data), step):
                fh.write(data[i:i + step])
                fh.flush()
                # a stall longer than the quiet period half-way: the file must not be taken
                threading.Event().wait(0.6 if i == 4 * step else 0.05)
        wait_for(lambda: records() == 1, what="the file to be filed")
        wait_for(daemon.idle, what="the daemon to settle")
    scan = ScanFile.get()
    assert scan.sha256 == hashlib.sha256(data).hexdigest() and scan.page_count == 3
    (doc,) = docs_of("3300054321")
    assert (doc.category, doc.page_count) == ("JL", 3)
    assert visible_files(folder.path) == [] and visible_files(folder.error_dir) == []


def test_corrupt_pdf_and_truncated_tiff_are_quarantined_while_others_are_filed(
        archive, hot, store_dir, tmp_path):
    good = samples.write_tiff(tmp_path / "g.tif", [samples.page_image(seed=1)])
    multi = samples.write_tiff(tmp_path / "m.tif", [samples.page_image(seed=i) for i in range(3)])
    broken = multi.read_bytes()[: len(multi.read_bytes()) * 2 // 3]
    with running(watch_config(hot), store_dir):
        (hot.path / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n")
        (hot.path / "truncated.tif").write_bytes(broken)
        (hot.path / "3300012345.tif").write_bytes(good.read_bytes())
        wait_for(lambda: len(reasons(hot)) == 2 and records() == 1, what="quarantine + filing")
    by_name = {r["original_name"]: r for r in reasons(hot)}
    assert set(by_name) == {"corrupt.pdf", "truncated.tif"}
    for r in by_name.values():
        assert r["stage"] == "validate" and r["attempts"] == 2 and r["message"] and r["time"]
    assert "truncated" in by_name["truncated.tif"]["message"] or \
        "beyond the end" in by_name["truncated.tif"]["message"]
    assert (hot.error_dir / "truncated.tif").read_bytes() == broken  # kept, never deleted
    assert len(docs_of("3300012345")) == 1


def test_the_same_content_again_is_reported_as_a_duplicate(archive, hot, store_dir, tmp_path):
    scan = samples.write_tiff(tmp_path / "a.tif", [samples.page_image(seed=3)] * 2)
    with running(watch_config(hot), store_dir):
        (hot.path / "3300099999_a.tif").write_bytes(scan.read_bytes())
        wait_for(lambda: records("filed") == 1, what="first copy filed")
        (hot.path / "3300099999_b.tif").write_bytes(scan.read_bytes())
        wait_for(lambda: records("duplicate") == 1, what="second copy reported")
        wait_for(lambda: (hot.duplicates_dir / "3300099999_b.tif.duplicate.json").exists(),
                 what="duplicate sidecar")
    side = json.loads((hot.duplicates_dir / "3300099999_b.tif.duplicate.json").read_text())
    (doc,) = docs_of("3300099999")
    assert side["duplicate_of_documents"] == [doc.id]
    assert (hot.duplicates_dir / "3300099999_b.tif").read_bytes() == scan.read_bytes()
    assert ScanFile.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "scan.duplicate").count() == 1


def _cover_images(sheets: list[CoverSheet], tmp_path: Path, dpi: int = 200):
    import pypdfium2 as pdfium

    pdf = make_coversheets(tmp_path / "covers.pdf", sheets)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                for i in range(len(doc))]
    finally:
        doc.close()


def test_separator_sheets_split_a_batch_with_a_worker_pool(archive, hot, store_dir, tmp_path):
    c1, c2, bare = _cover_images([CoverSheet("3300012345", "YK"), CoverSheet("3300054321", "DF"),
                                  CoverSheet()], tmp_path)
    page = [samples.page_image(seed=i) for i in range(4)]
    batch = [c1, page[0], page[1], c2, page[2], bare, page[3]]
    samples.write_pdf(tmp_path / "batch.pdf", batch)
    with running(watch_config(hot, workers=2), store_dir):
        os.replace(tmp_path / "batch.pdf", hot.path / "batch.pdf")  # as stations often do
        wait_for(lambda: records() == 1, timeout=60, what="the batch to be filed")
    (yk,) = docs_of("3300012345")
    df = docs_of("3300054321")
    assert (yk.category, yk.page_count) == ("YK", 2)
    assert [(d.category, d.page_count) for d in df] == [("DF", 1), ("DF", 1)]
    filed_pages = sorted(p.page_no for p in DocumentPage.select())
    assert filed_pages == [2, 3, 5, 7]  # separator pages 1, 4, 6 are not filed
    stored = Path(store_dir) / ScanFile.get().sha256[:2] / ScanFile.get().sha256
    assert stored.exists()


def test_chinese_and_non_utf8_names_and_a_document_label(archive, hot, store_dir, tmp_path):
    folder = with_opts(hot, done_dir=hot.path / "done")
    label = samples.page_image([archive], seed=5)
    zh_name = "张三_用电申请书.pdf"
    gbk_name = "李四_3300099999.png".encode("gb18030")
    with running(watch_config(folder), store_dir):
        samples.write_pdf(tmp_path / "x.pdf", [label, samples.page_image(seed=6)])
        os.replace(tmp_path / "x.pdf", folder.path / zh_name)
        samples.write_image(tmp_path / "y.png", samples.page_image(seed=7), dpi=200)
        os.replace(tmp_path / "y.png", os.path.join(os.fsencode(folder.path), gbk_name))
        wait_for(lambda: records() == 2, what="both files filed")
    done = sorted(os.listdir(os.fsencode(folder.done_dir)))
    assert done == sorted([zh_name.encode("utf-8"), gbk_name])
    assert {s.original_name for s in ScanFile.select()} == {zh_name, "李四_3300099999.png"}
    labelled = Document.get(Document.barcode == archive)
    assert labelled.page_count == 2 and labelled.scanned_at is not None
    event = (AuditEvent.select().where(AuditEvent.action == "document.pages_added").get())
    assert json.loads(event.after)["hours_after_business_step"] > 0
    assert len(docs_of("3300099999")) == 1


def test_polling_mode_finds_files_without_native_events(archive, hot, store_dir, tmp_path,
                                                       caplog):
    folder = with_opts(hot, polling=True)
    caplog.set_level(logging.INFO, logger="hudang")
    with running(watch_config(folder, rescan_seconds=600), store_dir):
        samples.write_image(tmp_path / "s.jpg", samples.page_image(["3300054321"], dpi=300,
                                                                   seed=2), dpi=300)
        os.replace(tmp_path / "s.jpg", folder.path / "scan.jpg")
        wait_for(lambda: records() == 1, what="the polled file to be filed")
    assert any("POLLING observer" in r.getMessage() for r in caplog.records)
    (doc,) = docs_of("3300054321")
    assert doc.category == "QT"  # nothing named a category: 其它


def test_unlinked_scans_wait_for_a_keeper_then_are_filed(archive, hot, store_dir, tmp_path):
    with running(watch_config(hot), store_dir):
        samples.write_image(tmp_path / "s.png", samples.page_image(seed=9), dpi=200)
        os.replace(tmp_path / "s.png", hot.path / "scan001.png")
        wait_for(lambda: records("attention") == 1, what="the attention item")
    (item,) = ingest.list_attention()
    assert (item.original_name, item.reason_code, item.page_nos) == ("scan001.png", "no_link", [1])
    filed = ingest.assign_attention(item.id, KEEPER, customer_number="3300099999", category="YJ")
    assert (filed.customer_number, filed.category) == ("3300099999", "YJ")
    assert ingest.list_attention() == []
    assert visible_files(hot.path) == []
    assert audit.verify().ok


def test_a_dead_observer_is_restarted_and_files_still_arrive(archive, hot, store_dir, tmp_path):
    with running(watch_config(hot, rescan_seconds=0.5), store_dir) as daemon:
        first = daemon.observers[0]
        first.stop()
        first.join(10)
        wait_for(lambda: daemon.observers and daemon.observers[0] is not first
                 and daemon.observers[0].is_alive(), what="a fresh observer")
        samples.write_image(tmp_path / "s.png", samples.page_image(seed=4), dpi=200)
        os.replace(tmp_path / "s.png", hot.path / "3300012345_YJ.png")
        wait_for(lambda: records() == 1, what="filing after the restart")
    assert [d.category for d in docs_of("3300012345")] == ["YJ"]
