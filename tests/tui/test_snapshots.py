"""SVG snapshots of key screens, kept stable: frozen clock, no cursor blink, fixed data.

Run with HUDANG_UPDATE_SNAPSHOTS=1 to rewrite the committed files after a deliberate change;
review the SVGs (any browser shows them) before committing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hudang.store.barcodes import default_scheme
from tests.tui.conftest import scan, settle

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)
SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture(autouse=True)
def storeroom_time_zone():
    """Times are shown in local time: pin the storeroom's zone so snapshots match anywhere."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def check_snapshot(app, name: str, tmp_path: Path) -> None:
    """Compare the screen with the committed SVG (or write it when updating)."""
    svg = app.export_screenshot(title="hudang")
    path = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("HUDANG_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        if os.environ.get("HUDANG_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"no snapshot {path.name}: run with HUDANG_UPDATE_SNAPSHOTS=1")
        path.write_text(svg, encoding="utf-8")
        return
    if svg != path.read_text(encoding="utf-8"):
        actual = tmp_path / f"{name}.actual.svg"
        actual.write_text(svg, encoding="utf-8")
        pytest.fail(f"screen {name} differs from {path}; the new rendering is in {actual}")


async def test_snapshot_login(make_desk, tmp_path):
    app = make_desk(user=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        check_snapshot(app, "login", tmp_path)


async def test_snapshot_box_scan_and_list(make_desk, desk_archive, tmp_path):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["hv_cell"])
        await scan(pilot, default_scheme().make("box", 4242))
        await scan(pilot, desk_archive.codes["lv_box"])
        await scan(pilot, desk_archive.codes["hv_box"])
        check_snapshot(app, "main_box", tmp_path)


async def test_snapshot_customer_file(make_desk, tmp_path):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000001")
        check_snapshot(app, "customer_file", tmp_path)


async def test_snapshot_stocktake_report(make_desk, desk_archive, tmp_path):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        for code in ("K1-A", c["hv_cell2"], c["hv_box"], c["lv_box2"]):
            await scan(pilot, code)
        await pilot.press("f9")
        await settle(pilot)
        check_snapshot(app, "stocktake_report", tmp_path)


async def test_snapshot_workboard_my_reminders_at_80x24(make_desk, desk_archive, tmp_path):
    from tests.tui.test_workboard import _escalating_team, _open_board

    _escalating_team(desk_archive.home)
    app = make_desk()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_board(pilot)
        for _ in range(2):  # everyone -> my tasks -> my reminders
            await pilot.press("m")
            await settle(pilot)
        check_snapshot(app, "workboard_reminders_80x24", tmp_path)
