"""Receiving and boxing modes at the desk, driven by scans under Pilot on the fixture archive."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from pyzbar import pyzbar
from textual.widgets import DataTable

from hudang.store.barcodes import default_scheme
from hudang.store.models import Volume
from hudang.store.services import handover, lookup, registry
from hudang.tui.screens.boxing import BoxingScreen
from hudang.tui.screens.receiving import ReceivingScreen, split_pages
from hudang.tui.widgets import StatusLine
from tests.tui.conftest import ACTOR, scan, settle

pytestmark = pytest.mark.asyncio
SIZE = (130, 40)


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


async def test_split_pages():
    assert split_pages("D00000012X*5") == ("D00000012X", 5)
    assert split_pages("#3 2") == ("#3", 2)
    assert split_pages(" D00000012X ") == ("D00000012X", None)


async def test_receiving_by_scan_flags_strangers_and_puts_the_rest_to_supply(make_desk):
    b = handover.new_batch("营业厅", "档案室", ACTOR).number
    d1, d2 = default_scheme().make("document", 801), default_scheme().make("document", 802)
    handover.add_item(b, "0600000002", "DF", "电费发票", ACTOR, page_count=2, barcode=d1)
    handover.add_item(b, "0600000003", "DF", "电费发票", ACTOR, page_count=3, barcode=d2)
    handover.add_item(b, "0600000003", "YK", "用电申请书", ACTOR, page_count=1)
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ReceivingScreen)
        await scan(pilot, d1)
        assert "请先扫描移交批次" in _status(app)
        await scan(pilot, b)
        assert app.screen.query_one("#items", DataTable).row_count == 3
        await scan(pilot, d1)
        assert "已接收" in _status(app)
        await scan(pilot, f"{d2}*4")
        assert "更正" in _status(app)
        await scan(pilot, default_scheme().make("document", 899))
        assert "清单外" in _status(app)
        await pilot.press("f5")
        await settle(pilot)
        assert "待补交" in _status(app)
        info = handover.get_batch(b)
        assert [i.status for i in info.items] == ["received", "received", "to_supply",
                                                  "unexpected"]
        assert info.items[1].received_pages == 4
        await pilot.press("f6")
        await settle(pilot)
        assert "移交清单已生成" in _status(app)
        await pilot.press("f7")
        await settle(pilot)
        app.screen.query_one("#reason").value = "王五"
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#reason").value = "赵六"
        await pilot.press("enter")
        await settle(pilot)
        assert "已签字并关闭" in _status(app)
        closed = handover.get_batch(b)
        assert closed.status == "closed" and closed.receiver_signed_by == "赵六"


async def test_boxing_mode_enforces_rule_and_prints_label_at_the_end(make_desk, desk_archive):
    c = desk_archive.codes
    other = registry.register_volume("0600000004", ACTOR, category="DF")  # an HV customer
    loose = registry.register_volume("0600000001", ACTOR, category="DF")
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        assert isinstance(app.screen, BoxingScreen)
        await scan(pilot, c["hv_box"])
        rows = app.screen.query_one("#contents", DataTable).row_count
        await scan(pilot, other)
        assert "只能装一个客户" in _status(app)
        await scan(pilot, loose)
        assert "案卷已装盒" in _status(app)
        assert app.screen.query_one("#contents", DataTable).row_count == rows + 1
        assert Volume.get(Volume.barcode == loose).box.barcode == c["hv_box"]
        await pilot.press("escape")  # leaving the box prints its label
        await settle(pilot)
        assert not isinstance(app.screen, BoxingScreen)
    path = desk_archive.home / "labels" / f"box-{c['hv_box']}.pdf"
    page = pdfium.PdfDocument(path.read_bytes())[0]
    found = {r.data.decode() for r in pyzbar.decode(page.render(scale=300 / 72).to_pil())}
    assert found == {c["hv_box"]}
    assert lookup.lookup(loose).volume.box.barcode == c["hv_box"]


async def test_scanning_a_handover_list_on_the_main_screen_opens_receiving(make_desk):
    b = handover.new_batch("营业厅", "档案室", ACTOR).number
    handover.add_item(b, "0600000002", "DF", "电费发票", ACTOR, page_count=2)
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, b)
        assert isinstance(app.screen, ReceivingScreen)
        assert app.screen.batch == b
        await scan(pilot, "#1")
        assert handover.get_batch(b).items[0].status == "received"


async def test_label_key_prints_in_the_configured_roll_size(make_desk, desk_archive):
    box = desk_archive.codes["hv_box"]
    app = make_desk(label_layout="roll", label_roll_size="100x50")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, box)
        await pilot.press("f8")
        await settle(pilot)
    pdf = pdfium.PdfDocument((desk_archive.home / "labels" / f"box-{box}.pdf").read_bytes())
    assert len(pdf) == 1
    assert [round(x / 72 * 25.4) for x in pdf[0].get_size()] == [100, 50]
    text = pdf[0].get_textpage().get_text_range()
    assert "1号库房 高压区 01列 左面 01节 1层 1格" in text.replace("\r", "").replace("\n", "")
