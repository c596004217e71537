"""The main screen: every barcode kind, unknown and mistyped codes, the running scan list."""

from __future__ import annotations

import pytest

from hudang.store.barcodes import default_scheme
from tests.tui.conftest import BOLD_NAME, NOW, scan, screen_text, settle
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.main import MainScreen
from hudang.tui.screens.search import SearchScreen
from hudang.tui.widgets import ResultPane, ScanList, StatusLine

SIZE = (120, 40)
pytestmark = pytest.mark.asyncio


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


async def test_box_scan_shows_positions_status_and_customers(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["hv_box"])
        pane = app.screen.query_one(ResultPane)
        assert pane.shown.kind == "box"
        text = screen_text(app)
        assert "K1-A-01-L-01-1-1" in text and "1号库房 高压区" in text
        assert "在架" in text and "业扩 2" in text and "计量 1" in text
        assert BOLD_NAME in text  # data is never markup: the brackets stay on screen
        assert app.screen.query_one("#scan").has_focus


async def test_scanner_typing_each_key_then_enter(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*desk_archive.codes["volume"], "enter")
        await settle(pilot)
        assert app.screen.query_one(ResultPane).shown.kind == "volume"
        assert app.screen.query_one("#scan").value == ""


async def test_document_and_volume_show_their_box(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["document"])
        shown = app.screen.query_one(ResultPane).shown
        assert shown.kind == "document" and shown.box.barcode == desk_archive.codes["hv_box"]
        text = screen_text(app)
        assert "用电申请书" in text and "K1-A-01-L-01-1-1" in text
        await scan(pilot, desk_archive.codes["volume"])
        shown = app.screen.query_one(ResultPane).shown
        assert shown.kind == "volume" and shown.box.barcode == desk_archive.codes["hv_box"]
        assert "张三明 第1卷" in screen_text(app)


async def test_position_shows_boxes_and_free_capacity(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["hv_cell"])
        shown = app.screen.query_one(ResultPane).shown
        assert shown.kind == "position"
        assert [b.barcode for b in shown.position.home_boxes] == [desk_archive.codes["hv_box"]]
        assert "空余 1 / 容量 2" in screen_text(app)


async def test_customer_number_opens_the_file(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000002")
        assert isinstance(app.screen, CustomerFileScreen)
        assert app.screen.file.customer.name == "李四光"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#scan").has_focus


async def test_staff_card_and_loan_slip(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["staff_card"])
        shown = app.screen.query_one(ResultPane).shown
        assert shown.kind == "staff_card" and shown.user.username == "keeper"
        slip = default_scheme().make("loan_slip", 7)
        await scan(pilot, slip)
        assert "未知出借单条码" in _status(app)
        assert app.screen.query_one(ResultPane).shown is None


async def test_unknown_code_says_so_and_stays_ready(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        unknown = default_scheme().make("box", 99999)
        await scan(pilot, unknown)
        assert "未知档案盒条码" in _status(app) and unknown in _status(app)
        field = app.screen.query_one("#scan")
        assert field.has_focus and field.value == ""
        assert "未知档案盒条码" in screen_text(app)


async def test_bad_check_character(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        good = desk_archive.codes["hv_box"]
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        await scan(pilot, bad)
        assert "校验位错误" in _status(app)
        assert app.screen.query_one("#scan").has_focus
        entries = app.screen.query_one(ScanList).entries
        assert entries[-1][4] is True  # recorded as an error in the scan list


async def test_keyword_opens_search(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "李四")
        assert isinstance(app.screen, SearchScreen)
        assert [h.number for h in app.screen.hits] == ["0600000002"]


async def test_running_scan_list_newest_first(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        codes = [desk_archive.codes[k] for k in ("hv_box", "lv_box", "volume", "hv_cell")]
        for code in codes:
            await scan(pilot, code)
        scans = app.screen.query_one(ScanList)
        assert [e[2] for e in scans.entries] == codes
        lines = [line for line in screen_text(app).splitlines() if "09:30:00" in line]
        assert [next(c for c in codes if c in line) for line in lines] == codes[::-1]


async def test_english_by_setting(make_desk, desk_archive):
    app = make_desk(language="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, desk_archive.codes["hv_box"])
        text = screen_text(app)
        assert "Home position" in text and "on shelf" in text and "f2 Search" in text


async def test_box_on_loan_shows_whom_and_until_when(make_desk, desk_archive):
    from hudang.store.audit import Actor
    from hudang.store.services import loan_desk, loans, users

    users.add_user("li", "李审批", "approver", "password-123", department="档案室")
    users.add_user("zhao", "赵借阅", "keeper", "password-123", department="营销部")
    keeper = Actor("keeper", "desk-test", "keeper")
    box = desk_archive.codes["lv_box2"]
    loan = loans.request_loan("zhao", [box], purpose="诉讼", use_kind="take_out", actor=keeper,
                              today=NOW.date())
    if loan.status == "pending":
        loan = loans.approve(loan.slip_no, Actor("li", "desk-test", "approver"))
    loan_desk.checkout_item(loan.slip_no, box, keeper, today=NOW.date())
    due = loans.get_loan(loan.slip_no).due_on
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, box)
        assert isinstance(app.screen, MainScreen)  # shown as on loan; F6 would take it back
        assert "F6" in _status(app)
        text = screen_text(app)
        assert "借出" in text and "赵借阅 营销部" in text and f"至 {due}" in text
        assert loan.slip_no in text
        await scan(pilot, loan.slip_no)
        assert app.screen.query_one(ResultPane).shown.kind == "loan_slip"
        assert "诉讼" in screen_text(app)
