"""Live across terminals: a change committed by another process shows without a key press."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from textual.widgets import DataTable

from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.main import MainScreen
from tests.tui.conftest import scan, screen_text, settle
from tests.tui.test_pages import tiff_scan

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)

# Another desk / the daemon, in its own process, through the real services.
_FILE_SCAN = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hudang.store import archive
    from tests.tui.test_pages import file_scan_for
    archive.open_archive(sys.argv[1])
    file_scan_for(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], "image/tiff", 1,
                  title="另一终端扫描")
    archive.close_archive()
""")
_SHELVE = textwrap.dedent("""
    import sys
    from hudang.store import archive
    from hudang.store.audit import Actor
    from hudang.store.services import shelving
    archive.open_archive(sys.argv[1])
    shelving.place_box(sys.argv[2], sys.argv[3], Actor("keeper2", "desk-2", "keeper"))
    archive.close_archive()
""")


def elsewhere(script: str, *args: str) -> None:
    subprocess.run([sys.executable, "-c", script, *args], check=True, timeout=120)


async def until(pilot, condition, rounds: int = 200) -> bool:
    """Let the app run (no key pressed) until `condition()` holds; False if it never does."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_a_scan_filed_by_another_process_shows_in_the_open_file(make_desk, desk_archive,
                                                                     tmp_path):
    src = tiff_scan(tmp_path / "later.tif", 1)
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000002")
        screen = app.screen
        assert isinstance(screen, CustomerFileScreen)
        await pilot.press("2")  # the tab the scan is filed under (YJ)
        await pilot.pause()
        docs = screen.query_one("#docs", DataTable)
        assert docs.row_count == 0 and "2 用检 (0)" in screen_text(app)
        elsewhere(_FILE_SCAN, desk_archive.url, str(desk_archive.home), str(src), "0600000002")
        assert await until(pilot, lambda: docs.row_count == 1), "the new document never showed"
        assert screen.active == "YJ"  # the keeper's tab is kept
        assert "另一终端扫描" in screen_text(app) and "2 用检 (1)" in screen_text(app)


async def test_a_box_shelved_at_another_desk_shows_on_the_main_screen(make_desk, desk_archive):
    box, cell = desk_archive.codes["lv_box"], desk_archive.codes["lv_cell2"]
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, box)
        assert isinstance(app.screen, MainScreen)
        pane = app.screen.query_one("#result")
        assert pane.shown.box.home is None
        elsewhere(_SHELVE, desk_archive.url, box, cell)
        assert await until(pilot, lambda: pane.shown.box.home is not None)
        assert pane.shown.box.home.barcode == cell
        assert app.live.delivered >= 1


async def test_reads_at_other_desks_do_not_wake_this_one(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["hv_box"])
        await scan(pilot, "0600000001")
        await pilot.pause(1.2)  # a few polls go by with nothing committed
        assert app.live.delivered == 0
