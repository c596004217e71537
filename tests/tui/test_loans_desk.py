"""At the desk: checkout by scanning, returns with the home position, overdue and closing lists."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from pyzbar import pyzbar
from textual.widgets import DataTable, Digits

from hudang.store.services import loan_desk, loans, lookup
from tests.tui.conftest import NOW, scan, screen_text, settle
from tests.tui.test_loans_setup import (
    KEEPER, add_staff, approved, checked_out, desk, open_loans_screen, overdue_slip, request,
)
from hudang.tui.screens.dialogs import ConfirmScreen
from hudang.tui.screens.loan_checkout import CheckoutScreen
from hudang.tui.screens.loan_lists import OverdueScreen, ReadingRoomScreen
from hudang.tui.screens.loan_return import ReturnScreen
from hudang.tui.screens.loans import LoansScreen, offer_return_if_on_loan, open_checkout
from hudang.tui.widgets import PositionBig, StatusLine

pytestmark = pytest.mark.asyncio
SIZE = (140, 44)


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


def _decoded(pdf) -> list[list[str]]:
    """The Code 128 values pyzbar reads on each page of `pdf` rendered at 200 dpi."""
    pages = []
    for page in pdfium.PdfDocument(str(pdf)):
        image = page.render(scale=200 / 72).to_pil().convert("L")
        pages.append([d.data.decode("ascii") for d in pyzbar.decode(image)
                      if d.type == "CODE128"])
    return pages


def _big(app) -> str:
    return app.screen.query_one("#home-big", PositionBig).query_one(Digits).value


async def test_checkout_by_scanning_the_slip_and_its_items(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = approved("zhang", [c["lv_box2"], c["volume"]]).slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await scan(pilot, slip)  # the paper slip's barcode opens its checkout
        assert isinstance(app.screen, CheckoutScreen)
        table = app.screen.query_one("#picks", DataTable)
        homes = [table.get_row_at(r)[1].plain for r in range(table.row_count)]
        assert homes == ["K1-A-01-L-01-1-1", "K1-B-01-L-01-1-1"]  # walking order, not slip order
        text = screen_text(app)
        assert "[bold]张三明[/bold]" in text  # a customer name is data, never markup
        await scan(pilot, c["hv_box2"])  # not on this slip
        assert "不在出借单" in _status(app)
        assert lookup.lookup(c["hv_box2"]).box.status == "unplaced"
        await scan(pilot, c["document"])  # a document of the volume takes its box
        assert f"已出库 {c['hv_box']}" in _status(app) and "还剩 1 项" in _status(app)
        assert lookup.lookup(c["hv_box"]).box.status == "on_loan"
        await scan(pilot, c["lv_box2"])
        assert "全部出库，应还 2026-03-09" in _status(app)
        assert loans.get_loan(slip).status == "active"
        statuses = [table.get_row_at(r)[5].plain for r in range(table.row_count)]
        assert statuses == ["已出库", "已出库"]
        await pilot.press("f8")
        await settle(pilot)
        path = desk_archive.home / "slips" / f"slip-{slip}.pdf"
        assert f"出借单已生成：{path}" in _status(app)
        assert _decoded(path) == [[slip]]  # the printed slip scans back in
        assert app.screen.query_one("#scan").has_focus


async def test_checkout_of_a_box_held_on_another_slip_says_who_has_it(desk_archive):
    add_staff()
    c = desk_archive.codes
    first = approved("zhang", [c["lv_box2"]], "copying").slip_no
    second = approved("li", [c["lv_box2"]], "copying").slip_no
    loan_desk.checkout_item(first, c["lv_box2"], KEEPER, today=NOW.date())  # another terminal
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        assert app.screen.select_slip(second)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        await scan(pilot, c["lv_box2"])
        assert "已被 张三丰（营销部）" in _status(app) and f"（出借单 {first}" in _status(app)
        assert loans.get_loan(second).status == "approved"


async def test_pending_slip_cannot_be_checked_out(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = request("zhang", [c["volume"]], "take_out").slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        open_checkout(app, slip)  # what the main screen does with a scanned slip
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        await scan(pilot, c["volume"])
        assert "尚未审批" in _status(app)
        assert lookup.lookup(c["hv_box"]).box.status == "on_shelf"


async def test_return_by_scanning_shows_home_until_reshelved(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = checked_out("zhang", [c["lv_box2"], c["volume"]]).slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await scan(pilot, c["lv_box2"])
        assert isinstance(app.screen, LoansScreen)  # shown as on loan: nothing returns by itself
        assert slip in _status(app) and "F11" in _status(app)
        assert lookup.lookup(c["lv_box2"]).box.status == "on_loan"
        await pilot.press("f11")  # one key: check-in mode takes it back, complete and undamaged
        await settle(pilot)
        assert isinstance(app.screen, ReturnScreen)
        assert f"已归还 {c['lv_box2']}；出借单 {slip} 还有 1 项未还" in _status(app)
        assert _big(app) == "K1-B-01-L-01-1-1"
        text = screen_text(app)
        assert "待归架" in text and "1号库房 低压区 01列" in text
        assert lookup.lookup(c["lv_box2"]).box.status == "awaiting_reshelve"
        loan = loans.get_loan(slip)
        assert loan.status == "active" and len(loan.items_out()) == 1  # a partial return
        await scan(pilot, c["lv_cell"])  # scanned onto its shelf
        assert f"已归架：{c['lv_box2']} → K1-B-01-L-01-1-1" in _status(app)
        assert lookup.lookup(c["lv_box2"]).box.status == "on_shelf"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        assert app.screen.query_one("#scan").has_focus


async def test_return_records_missing_and_damaged_and_closes_the_slip(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = checked_out("zhang", [c["volume"]]).slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        app.open_checkin()
        await settle(pilot)
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("f6")  # damaged, for the next item
        await pilot.press("f7")  # what is missing from the next item: asked in a dialog
        await settle(pilot)
        await pilot.press(*"第3页", "enter")
        await settle(pilot)
        assert "损坏" in screen_text(app) and "第3页" in screen_text(app)
        await scan(pilot, c["volume"])
        assert "（损坏）" in _status(app) and "（缺失：第3页）" in _status(app)
        assert "已全部归还" in _status(app)
        [item] = loans.get_loan(slip).items
        assert (item.status, item.damaged, item.missing) == ("returned", True, "第3页")
        assert loans.get_loan(slip).status == "returned"
        assert _big(app) == "K1-A-01-L-01-1-1"
        await scan(pilot, c["volume"])  # not on loan any more: says so, changes nothing
        assert "待归架" in _status(app)
        assert "下一件：完整无损归还" in screen_text(app)  # the choices were for that item only
        await scan(pilot, c["hv_cell2"])  # not its home: a real question, answered Y or N
        assert isinstance(app.screen, ConfirmScreen) and "是否移到" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert f"请把 {c['hv_box']} 送回 K1-A-01-L-01-1-1" in _status(app)
        assert lookup.lookup(c["hv_box"]).box.status == "awaiting_reshelve"
        await scan(pilot, c["hv_cell2"])
        await pilot.press("y")
        await settle(pilot)
        box = lookup.lookup(c["hv_box"]).box
        assert (box.status, box.home.code) == ("on_shelf", "K1-A-01-L-01-1-2")


async def test_scanning_an_item_on_loan_anywhere_offers_its_return(desk_archive):
    add_staff()
    c = desk_archive.codes
    checked_out("zhang", [c["lv_box2"]], "copying")
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert offer_return_if_on_loan(app, lookup.lookup(c["hv_box"])) is False
        assert offer_return_if_on_loan(app, lookup.lookup(c["hv_box2"])) is False
        await settle(pilot)
        offer_return_if_on_loan(app, c["hv_box"])  # a raw code: checked in a worker
        await settle(pilot)
        assert not isinstance(app.screen, ReturnScreen)
        assert offer_return_if_on_loan(app, c["lv_box2"]) is True
        await settle(pilot)
        assert isinstance(app.screen, ReturnScreen)  # asked for on purpose: taken back
        assert lookup.lookup(c["lv_box2"]).box.status == "awaiting_reshelve"


async def test_overdue_list_and_reminder_slips(desk_archive):
    add_staff()
    c = desk_archive.codes
    late = overdue_slip("zhang", [c["lv_box2"]]).slip_no
    checked_out("admin", [c["volume"]])  # out today: not overdue
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        assert "逾期 1" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)
        table = app.screen.query_one("#loan-list", DataTable)
        assert table.row_count == 1
        row = [cell.plain for cell in table.get_row_at(0)]
        assert row[:5] == [late, "张三丰（zhang）", "营销部", "2026-02-27", "3"]
        assert c["lv_box2"] in row[5]
        await pilot.press("f8")
        await settle(pilot)
        path = desk_archive.home / "slips" / "reminders-20260302.pdf"
        assert f"催还单已生成：{path}" in _status(app)
        assert _decoded(path) == [[late]]  # one reminder page, its slip's barcode on it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)


async def test_still_in_the_reading_room_at_closing(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = checked_out("zhang", [c["lv_box2"]], "reading").slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ReadingRoomScreen)
        table = app.screen.query_one("#loan-list", DataTable)
        assert table.row_count == 1
        assert [cell.plain for cell in table.get_row_at(0)][:4] == [
            slip, "张三丰", "营销部", c["lv_box2"]]
        assert "阅览室内 1 项未还" in _status(app)


async def test_scanning_an_item_not_on_loan_says_so_and_changes_nothing(desk_archive):
    add_staff()
    c = desk_archive.codes
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await scan(pilot, c["hv_box"])
        assert isinstance(app.screen, LoansScreen)
        assert f"{c['hv_box']}：在架，没有借出" in _status(app)
        await scan(pilot, c["hv_cell"])  # neither slip nor loan item: looked up aside, listed
        assert isinstance(app.screen, LoansScreen)
        assert c["hv_cell"] in [e[2] for e in app.main_screen.query_one("#scans").entries]
        app.push_screen(ReturnScreen(c["hv_box"]))  # the return screen asked directly
        await settle(pilot)
        assert f"{c['hv_box']} 没有借出" in _status(app)
        assert app.screen.query_one("#scan").has_focus
        assert lookup.lookup(c["hv_box"]).box.status == "on_shelf"


async def test_main_screen_scan_of_an_item_on_loan_offers_the_return(desk_archive):
    """The desk's own scan field: an item out on loan is shown so, F6 takes it back."""
    add_staff()
    c = desk_archive.codes
    checked_out("zhang", [c["lv_box2"]], "copying")
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, c["lv_box2"])
        assert not isinstance(app.screen, ReturnScreen)
        assert "F6" in _status(app)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ReturnScreen)
        assert _big(app) == "K1-B-01-L-01-1-1"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        assert "待归架 1" in screen_text(app)


async def test_scanning_a_slip_on_the_main_screen_opens_its_checkout(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = approved("zhang", [c["lv_box2"]]).slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, slip)
        assert isinstance(app.screen, CheckoutScreen)
        assert app.screen.slip_no == slip
