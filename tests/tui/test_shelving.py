"""Shelving mode: accept, position full, wrong zone, already elsewhere (move), suggestions."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from hudang.store.services import lookup
from tests.tui.conftest import scan, screen_text, settle
from hudang.tui.screens.dialogs import BoxClassScreen, ConfirmScreen
from hudang.tui.screens.shelving import ShelvingScreen
from hudang.tui.widgets import StatusLine

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


async def _open(pilot) -> None:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ShelvingScreen)


async def test_place_box_at_scanned_position(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["hv_cell2"])
        assert "K1-A-01-L-01-1-2" in _status(app)
        await scan(pilot, c["hv_box2"])
        assert "已上架" in _status(app) and c["hv_box2"] in _status(app)
        assert lookup.lookup(c["hv_box2"]).box.home.barcode == c["hv_cell2"]
        assert app.screen.query_one("#shelved", DataTable).row_count == 1
        assert app.screen.query_one("#scan").has_focus


async def test_box_before_position_gets_a_suggestion(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, desk_archive.codes["lv_box"])
        # the LV cell in use is full (capacity 1), so the other LV cell is offered
        assert "建议架位：K1-B-01-L-01-1-2" in _status(app)


async def test_position_full_is_refused_with_reason(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["lv_cell"])
        await scan(pilot, c["lv_box"])
        assert "已满" in _status(app)
        assert "建议架位：K1-B-01-L-01-1-2" in _status(app)
        assert lookup.lookup(c["lv_box"]).box.home is None


async def test_hv_box_in_lv_zone_is_refused(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["lv_cell2"])
        await scan(pilot, c["hv_box2"])
        assert "高压区" in _status(app) and "低压区" in _status(app)
        assert lookup.lookup(c["hv_box2"]).box.home is None
        assert "高压区" in screen_text(app)


async def test_box_homed_elsewhere_asks_then_moves(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box"])
        assert isinstance(app.screen, ConfirmScreen)
        assert "K1-A-01-L-01-1-1" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ShelvingScreen)
        assert "已移架" in _status(app)
        assert lookup.lookup(c["hv_box"]).box.home.barcode == c["hv_cell2"]
        assert app.screen.query_one("#scan").has_focus


async def test_move_declined_leaves_the_box(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box"])
        await pilot.press("n")
        await settle(pilot)
        assert "未移动" in _status(app)
        assert lookup.lookup(c["hv_box"]).box.home.barcode == c["hv_cell"]
        assert app.screen.query_one("#scan").has_focus


async def test_new_box_prints_label_and_suggests(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, BoxClassScreen)
        await pilot.press("h")
        await settle(pilot)
        status = _status(app)
        assert "已登记档案盒" in status and ".pdf" in status
        code = app.screen.last_box
        assert (desk_archive.home / "labels" / f"box-{code}.pdf").stat().st_size > 1000
        assert "建议架位：K1-A-01-L-01-1-" in status
        assert app.screen.query_one("#scan").has_focus


async def test_box_elsewhere_and_target_full_is_not_offered_a_move(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["lv_cell"])  # capacity 1, holds lv_box2 already
        await scan(pilot, c["lv_box2"])
        assert "已在" in _status(app)  # already here: nothing to do
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box2"])  # fills hv_cell2 (capacity 2) halfway
        await scan(pilot, c["lv_cell"])
        shelving_box = desk_archive.codes["hv_box"]
        await scan(pilot, shelving_box)
        assert isinstance(app.screen, ShelvingScreen)  # no question: the target is full
        assert "已满" in _status(app) and "K1-B-01-L-01-1-1" in _status(app)
        assert lookup.lookup(shelving_box).box.home.barcode == c["hv_cell"]


async def test_a_scan_into_the_move_question_does_not_answer_it(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box"])
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(*c["hv_box2"], "enter")  # the next box, scanned too early
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert lookup.lookup(c["hv_box"]).box.home.barcode == c["hv_cell"]
        await pilot.click("#yes")
        await settle(pilot)
        assert lookup.lookup(c["hv_box"]).box.home.barcode == c["hv_cell2"]


async def test_new_box_label_follows_the_sites_roll_printer(make_desk, desk_archive):
    """With label_layout = roll, F5's label is one 60×40 mm page, not an A4 sheet."""
    import pypdfium2 as pdfium

    app = make_desk(label_layout="roll", label_roll_size="60x40")
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        code = app.screen.last_box
        pdf = pdfium.PdfDocument(desk_archive.home / "labels" / f"box-{code}.pdf")
        width, height = pdf[0].get_size()
        assert len(pdf) == 1 and round(width / 72 * 25.4) == 60 and round(height / 72 * 25.4) == 40
