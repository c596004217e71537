"""The needs-attention queue at the desk: a scan the daemon could not link, assigned by hand.

The item is made the honest way: a generated page with no barcode, saved under a Chinese
file name into a hot folder, taken by the real daemon (`run(once=True)`, pyzbar decoding).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList

from hudang.scanners import samples
from hudang.scanners.config import FolderConfig, WatchConfig
from hudang.scanners.daemon import Daemon
from hudang.store import audit
from hudang.store.models import AttentionItem, Document
from hudang.store.services import customers, ingest
from tests.tui.conftest import scan, screen_text, settle
from hudang.tui.screens.attention import AssignScreen, AttentionScreen
from hudang.tui.screens.main import MainScreen

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)
NUMBERS = ("0600000001", "0600000002", "0600000003", "0600000004")
FILE_NAME = "营业厅扫描件[bold]第一批.png"  # Chinese, and markup-looking: shown literally


def run_daemon_once(home: Path, name: str, seed: int = 7) -> None:
    """Drop a page without barcodes into a hot folder; the real daemon takes it once."""
    hot = home / "hot"
    hot.mkdir(exist_ok=True)
    samples.write_image(hot / name, samples.page_image(seed=seed), dpi=200)
    folder = FolderConfig(path=hot, station="营业厅1", quiet_seconds=0.1, poll_interval=0.1,
                          max_attempts=2)
    daemon = Daemon(WatchConfig(folders=(folder,), workers=0, rescan_seconds=1.0),
                    home / "scans")
    assert daemon.run(once=True) == 0


@pytest.fixture
def queued(desk_archive):
    """One open attention item, filed by the real daemon from a page without barcodes."""
    run_daemon_once(desk_archive.home, FILE_NAME)
    (item,) = ingest.list_attention()
    assert (item.original_name, item.reason_code) == (FILE_NAME, "no_link")
    return item


async def open_queue(pilot) -> AttentionScreen:
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AttentionScreen)
    return pilot.app.screen


def documents_of(number: str) -> list:
    return [d for cat in customers.customer_file(number).documents.values() for d in cat]


def all_documents() -> list[tuple[str, int, int]]:
    return sorted((n, d.id, d.page_count) for n in NUMBERS for d in documents_of(n))


async def test_main_screen_counts_open_items_and_queue_lists_them(make_desk, queued):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "待处理 1" in screen_text(app)
        screen = await open_queue(pilot)
        table = screen.query_one("#items", DataTable)
        assert table.row_count == 1
        text = screen_text(app)
        assert FILE_NAME in text and "营业厅1" in text and "未找到文件标签" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.query_one("#scan").has_focus


async def test_assign_by_scanning_a_customer_and_choosing_a_category(make_desk, queued):
    app = make_desk()
    before = len(documents_of("0600000002"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("enter")  # the highlighted item
        await settle(pilot)
        assert isinstance(app.screen, AssignScreen)
        assert FILE_NAME in screen_text(app)
        await pilot.press(*"0600000002", "enter")  # a scanner types, then presses Enter
        await settle(pilot)
        assert app.screen.query_one("#category", OptionList).has_focus
        await pilot.press("2")  # 用检
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#items", DataTable).row_count == 0
        assert "已归档：户号 0600000002，用检" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "待处理 0" in screen_text(app)
    docs = documents_of("0600000002")
    assert len(docs) == before + 1
    (new,) = [d for d in docs if d.title == FILE_NAME]
    assert (new.category, new.page_count) == ("YJ", 1)
    assert ingest.list_attention() == []
    assert AttentionItem.get_by_id(queued.id).status == "assigned"
    assert audit.verify().ok


async def test_arrow_keys_and_enter_pick_the_category_with_type_and_title(make_desk, queued):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await scan(pilot, "0600000004", field="#who")
        await pilot.press("home", "down", "down")  # 业扩 → 用检 → 计量
        app.screen.query_one("#doc-type").value = "装拆表工作单"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
    (new,) = [d for d in documents_of("0600000004") if d.title == FILE_NAME]
    assert (new.category, new.doc_type) == ("JL", "装拆表工作单")


async def test_unknown_customer_is_refused_plainly_and_nothing_changes(make_desk, queued):
    before = all_documents()
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        await scan(pilot, "0699999999", field="#who")  # a customer number nobody has
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is dialog
        assert "户号 0699999999 不在档案中" in screen_text(app)
        who = dialog.query_one("#who")
        assert who.has_focus and who.value == ""
        await scan(pilot, "祖庙路", field="#who")  # not a number at all
        assert "不是户号或文件条码：祖庙路" in screen_text(app)
        assert who.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        assert app.screen.query_one("#items", DataTable).row_count == 1
    (item,) = ingest.list_attention()
    assert item.id == queued.id and item.status == "open"
    assert all_documents() == before  # refused: no document was created anywhere


async def test_a_document_barcode_adds_the_pages_to_that_document(make_desk, desk_archive,
                                                                   queued):
    code = desk_archive.codes["document"]
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await scan(pilot, code, field="#who")
        assert isinstance(app.screen, AttentionScreen)
        assert f"文件 {code}" in screen_text(app)
    (doc,) = [d for d in documents_of("0600000001") if d.barcode == code]
    assert doc.page_count == 4  # 3 registered + the scanned page


async def test_command_palette_opens_the_queue(make_desk, queued):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_mode("attention")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "待处理" in commands


async def test_assignment_is_stamped_with_the_desks_rule_set(make_desk, desk_archive, queued):
    shutil.copytree(Path(__file__).resolve().parents[2] / "sample_data" / "rules",
                    desk_archive.home / "rules")
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 15
        while app.desk_status.ruleset is None:
            assert time.monotonic() < deadline, "the rules did not load"
            await pilot.pause(0.05)
        version = app.desk_status.ruleset.version
        await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await scan(pilot, "0600000003", field="#who")
        await pilot.press("4")  # 电费
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
    (new,) = [d for d in documents_of("0600000003") if d.title == FILE_NAME]
    assert new.category == "DF"
    doc = Document.get_by_id(new.id)
    assert doc.retention_ruleset == version and doc.retention_class


async def test_the_count_on_the_main_screen_follows_new_items(make_desk, desk_archive):
    app = make_desk()
    app.desk_status.refresh_seconds = 0.2  # the desk's default is 10 s
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "待处理 0" in screen_text(app)
        run_daemon_once(desk_archive.home, "第二批.jpg", seed=3)  # while the desk runs
        deadline = time.monotonic() + 15
        while "待处理 1" not in screen_text(app):
            assert time.monotonic() < deadline, "the count did not follow"
            await pilot.pause(0.05)
