"""Hostile files against the real daemon: long and odd names, writers that pause, damaged pages,
password-protected PDFs and suspect barcodes (issue 11). Real watchdog, real pyzbar."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

from PIL import Image

from hudang.scanners import samples
from hudang.scanners.daemon import Daemon
from hudang.scanners.journal import Claim, ClaimState, Journal
from hudang.scanners.linking import DefaultLinker
from hudang.scanners.placing import name_max
from hudang.store.models import AttentionItem, IngestRecord, ScanFile
from tests.scanners.conftest import reasons, visible_files, wait_for, watch_config, with_opts
from tests.scanners.test_daemon import docs_of, records, running

LONG_ZH = "张" * 80  # 240 bytes in UTF-8: legal, but NAME.reason.json is not


def _names(path: Path) -> list[bytes]:
    return sorted(os.listdir(os.fsencode(path)))


def _corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n"


def test_names_up_to_the_limit_and_any_bytes_never_stop_the_daemon(archive, hot, store_dir,
                                                                   tmp_path):
    limit = name_max(hot.path)
    longest = ("李" * ((limit - 4) // 3)).encode() + b".pdf"
    longest = longest + b"x" * (limit - len(longest))  # exactly the filesystem's limit
    odd = b"\xff\xfe\n\x01scan" + b"\xe9" * 200 + b".pdf"  # not UTF-8, a newline, 210 bytes
    good = samples.write_image(tmp_path / "g.png", samples.page_image(seed=3), dpi=200)
    with running(watch_config(hot), store_dir) as daemon:
        for raw in (f"{LONG_ZH}.pdf".encode(), longest, odd):
            (Path(os.fsdecode(os.path.join(os.fsencode(hot.path), raw)))).write_bytes(
                _corrupt_pdf())
        (hot.path / "3300012345_YJ.png").write_bytes(good.read_bytes())
        wait_for(lambda: daemon.stats["quarantined"] == 3 and records() == 1,
                 what="three quarantined, the good file filed")
    quarantined = _names(hot.error_dir)
    originals = {f"{LONG_ZH}.pdf".encode(), longest, odd}
    assert originals <= set(quarantined)  # each kept under its own name, bytes intact
    by_file = {r["file"]: r for r in reasons(hot)}
    assert len(by_file) == 3 and all(len(n) <= limit for n in quarantined)
    assert {os.fsencode(f) for f in by_file} == originals
    assert all(r["stage"] == "validate" and r["message"] for r in by_file.values())
    assert visible_files(hot.path) == [] and visible_files(hot.work_dir) == []
    assert len(docs_of("3300012345")) == 1


def test_a_long_named_duplicate_is_moved_with_its_sidecar(archive, hot, store_dir, tmp_path):
    scan = samples.write_image(tmp_path / "a.png", samples.page_image(seed=8), dpi=200)
    name = f"3300099999_{LONG_ZH}.png"
    with running(watch_config(hot), store_dir):
        (hot.path / "3300099999_a.png").write_bytes(scan.read_bytes())
        wait_for(lambda: records("filed") == 1, what="first copy filed")
        (hot.path / name).write_bytes(scan.read_bytes())
        wait_for(lambda: records("duplicate") == 1 and visible_files(hot.work_dir) == [],
                 what="the duplicate moved")
    assert (hot.duplicates_dir / name).read_bytes() == scan.read_bytes()
    (side,) = [json.loads(p.read_text()) for p in hot.duplicates_dir.glob("*.duplicate.json")]
    assert side["original_name"] == name and side["file"] == name


def test_recovery_at_start_quarantines_a_long_named_claim_and_goes_on(archive, hot, store_dir,
                                                                     tmp_path):
    journal = Journal(hot.work_dir)
    claim = Claim.new(f"{LONG_ZH}.pdf", "pdf", 1, 0.0)
    claim.state, claim.stage, claim.last_error = ClaimState.QUARANTINING, "read", "boom"
    journal.write(claim)
    journal.file_path(claim).write_bytes(_corrupt_pdf())
    (hot.work_dir / "garbage.json").write_text("{not json")  # a leftover that is not a claim
    good = samples.write_image(tmp_path / "g.png", samples.page_image(seed=5), dpi=200)
    (hot.path / "3300012345_YJ.png").write_bytes(good.read_bytes())
    daemon = Daemon(watch_config(hot), store_dir)
    assert daemon.run(once=True) == 0
    assert (hot.error_dir / f"{LONG_ZH}.pdf").exists()
    (reason,) = reasons(hot)
    assert reason["message"] == "boom" and reason["original_name"] == f"{LONG_ZH}.pdf"
    assert records("filed") == 1


class _HeldLinker(DefaultLinker):
    """The default linker, held at its first file until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.reached, self.release = threading.Event(), threading.Event()

    def link(self, scan):
        self.reached.set()
        self.release.wait(30)
        return super().link(scan)


def test_a_writer_that_pauses_past_the_quiet_period_loses_no_page(archive, hot, store_dir,
                                                                 tmp_path):
    pages = [samples.page_image(["3300054321"], seed=1)] + \
        [samples.page_image(seed=i) for i in (2, 3)]
    one = samples.write_tiff(tmp_path / "1.tif", pages[:1]).read_bytes()
    three = samples.write_tiff(tmp_path / "3.tif", pages).read_bytes()
    linker = _HeldLinker()
    with running(watch_config(hot), store_dir, linker=linker) as daemon:
        with open(hot.path / "meter.tif", "wb") as writer:  # the station keeps it open
            writer.write(one)
            writer.flush()
            wait_for(linker.reached.is_set, what="page 1 taken after the quiet period")
            writer.seek(0)  # then it writes the rest through the same handle
            writer.write(three)
            writer.flush()
        linker.release.set()
        wait_for(lambda: records() == 1 and daemon.idle(), what="the whole file filed")
    (scan,) = ScanFile.select()
    assert scan.page_count == 3 and scan.size == len(three)
    assert daemon.stats["returned"] == 1
    (doc,) = docs_of("3300054321")
    assert doc.page_count == 3
    assert visible_files(hot.path) == [] and visible_files(hot.error_dir) == []


def _jpeg(page: Image.Image) -> bytes:
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=85, dpi=(200, 200))
    return buf.getvalue()


def test_damaged_pages_go_to_attention_and_trailing_data_is_not_damage(archive, hot, store_dir,
                                                                      tmp_path):
    whole = _jpeg(samples.page_image(["3300012345"], seed=11))
    cut = whole[:len(whole) // 2] + b"\xff\xd9"  # cut in half, end marker appended
    trailing = _jpeg(samples.page_image(["3300099999"], seed=12)) + b"\x00MPF" + os.urandom(4000)
    pdf = samples.write_pdf(tmp_path / "p.pdf", [samples.page_image(seed=i) for i in (1, 2, 3)])
    data = bytearray(pdf.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4096] = bytes(4096)  # a zeroed block in page 2's image
    with running(watch_config(hot), store_dir):
        (hot.path / "3300012345_cut.jpg").write_bytes(cut)
        (hot.path / "3300099999_phone.jpg").write_bytes(trailing)
        (hot.path / "3300054321_zeroed.pdf").write_bytes(bytes(data))
        wait_for(lambda: records() == 3, what="all three handled")
    assert reasons(hot) == []
    assert [d.page_count for d in docs_of("3300099999")] == [1]  # trailing data: filed
    items = {i.scan_file.original_name: i for i in AttentionItem.select()}
    assert set(items) == {"3300012345_cut.jpg", "3300054321_zeroed.pdf"}
    assert items["3300012345_cut.jpg"].reason_code == "page_damaged"
    assert "1" in items["3300012345_cut.jpg"].reason
    zeroed = items["3300054321_zeroed.pdf"]
    assert zeroed.reason_code == "page_damaged" and json.loads(zeroed.page_nos) == [1, 2, 3]
    assert "2" in zeroed.reason and "1" not in zeroed.reason and "3" not in zeroed.reason
    assert ScanFile.get(ScanFile.original_name == "3300054321_zeroed.pdf").page_count == 3
    assert docs_of("3300012345") == [] and docs_of("3300054321") == []


def test_a_password_protected_pdf_is_quarantined_at_once(archive, hot, store_dir, tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "3300012345")
    c.showPage()
    c.save()
    folder = with_opts(hot, max_attempts=10, quiet_seconds=0.3)
    with running(watch_config(folder), store_dir) as daemon:
        (folder.path / "3300012345.pdf").write_bytes(path.read_bytes())
        wait_for(lambda: daemon.stats["quarantined"] == 1, what="quarantine")
    (reason,) = reasons(folder)
    assert "password-protected" in reason["message"] and reason["attempts"] == 1
    assert IngestRecord.select().count() == 0


def test_a_value_failing_its_check_is_never_filed(archive, hot, store_dir, tmp_path):
    # python-barcode drops a digit pair from an all-9 Code 128 (its symbol for 9999999999
    # holds 99999999, which is what zbar read in the issue): a value of the wrong shape
    page = samples.page_image(["9999999999"], seed=21)
    with running(watch_config(hot), store_dir):
        samples.write_image(tmp_path / "s.png", page, dpi=200)
        os.replace(tmp_path / "s.png", hot.path / "scan.png")
        wait_for(lambda: records() == 1, what="handled")
    (item,) = AttentionItem.select()
    assert item.reason_code == "no_link"
    detail = json.loads(IngestRecord.get().detail)
    (code,) = detail["page_barcodes"]["1"]
    assert code["value"] != "9999999999" and "customer-number" in code["suspect"]


def test_a_suspect_first_read_is_replaced_by_a_valid_re_read():
    from hudang.scanners.decode import Barcode, checked, decode_page, make_decoder
    from hudang.store.barcodes import default_scheme

    decoder = make_decoder()
    image = samples.page_image(["3300012345"], seed=4)
    (real,) = decode_page(decoder, image, 1, 200, ("code128",))
    short = Barcode("33000123", "code128", 1, real.rect)  # what a short first read gives
    (fixed,) = checked(decoder, image, [short], 200, ("code128",), default_scheme())
    assert (fixed.value, fixed.suspect) == ("3300012345", "")
    blank = samples.page_image(seed=4)  # nothing to re-read: the value stays untrusted
    (kept,) = checked(decoder, blank, [short], 200, ("code128",), default_scheme())
    assert kept.value == "33000123" and kept.suspect


def test_an_image_too_large_to_read_is_quarantined_at_once(archive, hot, store_dir, tmp_path):
    from PIL import Image as PILImage

    bomb = tmp_path / "bomb.png"
    PILImage.new("1", (20000, 10000)).save(bomb)  # 200 Mpixel in a small file
    folder = with_opts(hot, max_attempts=10)
    with running(watch_config(folder), store_dir) as daemon:
        (folder.path / "bomb.png").write_bytes(bomb.read_bytes())
        wait_for(lambda: daemon.stats["quarantined"] == 1, what="quarantine")
    (reason,) = reasons(folder)
    assert reason["attempts"] == 1 and "too large" in reason["message"]


def test_a_file_changed_after_its_commit_is_not_deleted_but_taken_again(archive, hot,
                                                                       store_dir, tmp_path):
    from hudang.scanners.files import check_readable
    from hudang.scanners.ingestor import Ingestor, Status
    from hudang.scanners.pages import PagePool
    from hudang.store.services.ingest import ScanStore

    pages = [samples.page_image(["3300054321"], seed=1)] + \
        [samples.page_image(seed=i) for i in (2, 3)]
    one = samples.write_tiff(tmp_path / "1.tif", pages[:1]).read_bytes()
    three = samples.write_tiff(tmp_path / "3.tif", pages).read_bytes()
    src = hot.path / "meter.tif"
    src.write_bytes(one)
    journal, ingestor = Journal(hot.work_dir), Ingestor(ScanStore(store_dir), PagePool(0))
    claim = ingestor.claim(hot, journal, src, *check_readable(src))
    ingestor._file(hot, journal, claim)  # committed: what was read, one page, is filed
    with open(journal.file_path(claim), "r+b") as writer:  # the station writes the rest
        writer.write(three)
    outcome = ingestor.process(hot, journal, claim)  # a restart finishing the job
    assert outcome.status == Status.RETURNED
    assert src.read_bytes() == three  # back in the hot folder, never deleted
    daemon = Daemon(watch_config(hot), store_dir)
    assert daemon.run(once=True) == 0
    sizes = sorted(s.page_count for s in ScanFile.select())
    assert sizes == [1, 3] and visible_files(hot.path) == []
