"""Stocktake (盘点): the report from scans, its CSV, and the screen that drives it."""

from __future__ import annotations

import csv

import pytest
from textual.widgets import DataTable

from hudang.store import db as dbmod
from hudang.store.errors import NotFound
from hudang.store.models import AuditEvent, Box
from hudang.store.services import lookup, shelving, stocktake
from tests.tui.conftest import ACTOR, NOW, scan, screen_text, settle
from hudang.tui.screens.stocktake import StocktakeScreen
from hudang.tui.widgets import StatusLine

SIZE = (120, 40)


def _on_loan(code: str) -> None:
    """Loans are a later issue; mark a box lent the way that service will."""
    with dbmod.write_tx():
        Box.update(status="on_loan").where(Box.barcode == code).execute()


def test_report_finds_missing_misplaced_unexpected_and_on_loan(desk_archive):
    c = desk_archive.codes
    shelving.place_box(c["hv_box2"], c["hv_cell2"], ACTOR)
    scope = stocktake.open_scope("K1-A")
    assert len(scope.cells) == 3 and set(scope.expected) == {c["hv_box"], c["hv_box2"]}
    cell1, cell2, cell3 = (x.code for x in scope.cells)
    report = stocktake.build_report(scope, [(cell1, c["hv_box2"]), (cell3, c["lv_box2"]),
                                            (cell3, c["lv_box2"])])
    assert [(x.box, x.home) for x in report.missing] == [(c["hv_box"], cell1)]
    assert [(x.box, x.seen_at, x.home) for x in report.misplaced] == [
        (c["hv_box2"], cell1, cell2)]
    assert [(x.box, x.home) for x in report.unexpected] == [(c["lv_box2"], "K1-B-01-L-01-1-1")]
    assert report.on_loan_present == [] and report.ok == []
    assert report.scanned == 3


def test_on_loan_box_is_not_missing_and_present_one_is_flagged(desk_archive):
    c = desk_archive.codes
    shelving.place_box(c["hv_box2"], c["hv_cell2"], ACTOR)
    _on_loan(c["hv_box"])
    _on_loan(c["hv_box2"])
    scope = stocktake.open_scope("K1-A")
    _, cell2, _ = (x.code for x in scope.cells)
    report = stocktake.build_report(scope, [(cell2, c["hv_box2"])])
    assert report.missing == []  # hv_box is lent out: away, not missing
    assert [(x.box, x.status) for x in report.on_loan_present] == [(c["hv_box2"], "on_loan")]
    stocktake.finish(report, ACTOR)
    assert lookup.lookup(c["hv_box2"]).box.status == "on_loan"  # never changed by stocktake
    event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert event.action == "stocktake.finish" and event.entity_id == "K1-A"


def test_csv_has_one_line_per_finding(desk_archive, tmp_path):
    c = desk_archive.codes
    scope = stocktake.open_scope("K1-A")
    report = stocktake.build_report(scope, [(scope.cells[2].code, c["lv_box2"])])
    stocktake.write_report_csv(report, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(stocktake.CSV_HEADER_ZH)  # the Chinese UI has no English header
    assert sorted(r[0] for r in rows[1:]) == ["多出", "缺失"]
    assert {r[1] for r in rows[1:]} == {c["hv_box"], c["lv_box2"]}


def test_the_desk_writes_the_report_in_the_sites_csv_encoding(desk_archive):
    from hudang.tui.services import DeskServices

    c = desk_archive.codes
    scope = stocktake.open_scope("K1-A")
    report = stocktake.build_report(scope, [(scope.cells[2].code, c["lv_box2"])])
    services = DeskServices(desk_archive.home)
    services.csv_encoding = "gbk"  # make_app sets it from the csv_encoding setting
    path, note = services.export_report(report, NOW)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and "缺失".encode("gbk") in data
    assert note == "" and path.parent == desk_archive.home / "exports"


def test_scope_and_cells_are_checked(desk_archive):
    with pytest.raises(NotFound):
        stocktake.open_scope("K9")
    scope = stocktake.open_scope("K1-A-01-L-01-1")
    with pytest.raises(NotFound):
        stocktake.resolve_cell(scope, desk_archive.codes["lv_cell"])
    assert stocktake.resolve_cell(scope, desk_archive.codes["hv_cell"]).code.endswith("-1")


@pytest.mark.asyncio
async def test_stocktake_screen_report_and_export(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, StocktakeScreen)
        await scan(pilot, "K1-A")
        status = app.screen.query_one("#status", StatusLine)
        assert "3 个格位" in status.message_text
        await scan(pilot, c["hv_box"])
        assert "请先扫描格位" in status.message_text
        await scan(pilot, c["lv_cell"])
        assert "不在本次盘点范围" in status.message_text
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box"])
        await scan(pilot, c["lv_box2"])
        assert app.screen.seen == [("K1-A-01-L-01-1-2", c["hv_box"]),
                                   ("K1-A-01-L-01-1-2", c["lv_box2"])]
        await pilot.press("f9")
        await settle(pilot)
        report = app.screen.report
        assert [x.box for x in report.misplaced] == [c["hv_box"]]
        assert [x.box for x in report.unexpected] == [c["lv_box2"]]
        assert app.screen.query_one("#seen", DataTable).row_count == 2
        text = screen_text(app)
        assert "错架" in text and "多出" in text and "K1-A-01-L-01-1-1" in text
        await pilot.press("f10")
        await settle(pilot)
        exports = list((desk_archive.home / "exports").glob("stocktake-K1-A-*.csv"))
        assert len(exports) == 1
        assert c["hv_box"] in exports[0].read_text(encoding="utf-8-sig")
        assert lookup.lookup(c["hv_box"]).box.status == "on_shelf"
        assert app.screen.query_one("#scan").has_focus


@pytest.mark.asyncio
async def test_scans_right_after_the_scope_are_not_lost(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        field = app.screen.query_one("#scan")
        for code in ("K1-A", c["hv_cell"], c["hv_box"]):  # no waiting between scans
            field.value = code
            await pilot.press("enter")
        await settle(pilot)
        assert app.screen.seen == [("K1-A-01-L-01-1-1", c["hv_box"])]
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen.report.ok == [c["hv_box"]] and app.screen.report.missing == []


@pytest.mark.asyncio
async def test_position_labels_for_the_scope(make_desk, desk_archive):
    import pypdfium2 as pdfium
    from pyzbar import pyzbar

    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await scan(pilot, "K1-B")
        await pilot.press("f8")
        await settle(pilot)
        path = desk_archive.home / "labels" / "positions-K1-B.pdf"
        assert str(path) in app.screen.query_one("#status", StatusLine).message_text
        image = pdfium.PdfDocument(path.read_bytes())[0].render(scale=300 / 72).to_pil()
        found = {r.data.decode() for r in pyzbar.decode(image.convert("L"))}
        assert found == {x.barcode for x in desk_archive.cells["B"]}
