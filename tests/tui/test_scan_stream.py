"""One scan stream for the whole desk (issue 10): no scan dropped, merged, misread or misused."""

from __future__ import annotations

import pytest
from textual import events

from hudang.store.barcodes import default_scheme
from hudang.store.models import AuditEvent
from hudang.store.services import lookup
from tests.tui.conftest import scan, screen_text, settle
from tests.tui.test_loans_setup import add_staff, checked_out, desk
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.dialogs import ConfirmScreen
from hudang.tui.screens.loan_request import LoanRequestScreen
from hudang.tui.screens.loan_return import ReturnScreen
from hudang.tui.screens.loans import LoansScreen
from hudang.tui.screens.main import MainScreen
from hudang.tui.screens.search import SearchScreen
from hudang.tui.screens.shelving import ShelvingScreen
from hudang.tui.screens.stocktake import StocktakeScreen
from hudang.tui.widgets import ResultPane, ScanList, StatusLine

SIZE = (120, 40)
pytestmark = pytest.mark.asyncio


def burst(app, *codes: str) -> None:
    """Send codes as a batch scanner does: every key at once, no pause, Enter after each."""
    driver = app._driver
    for code in codes:
        for char in code:
            key = events.Key(char, char)
            key.set_sender(app)
            driver.send_message(key)
        enter = events.Key("enter", "\r")
        enter.set_sender(app)
        driver.send_message(enter)


async def typed(pilot, code: str) -> None:
    """A scanner typing into whatever has focus: each key, then Enter."""
    await pilot.press(*code, "enter")
    await settle(pilot)


def listed(app) -> list[str]:
    """Codes in the main screen's scan list, in scan order."""
    return [entry[2] for entry in app.main_screen.query_one("#scans", ScanList).entries]


def _status(app) -> str:
    return app.screen.query_one("#status", StatusLine).message_text


def twenty(c: dict) -> list[str]:
    """Twenty scans of boxes, volumes, documents and positions, in a fixed order."""
    kinds = ["hv_box", "volume", "lv_cell", "document", "lv_box", "hv_cell2", "lv_box2",
             "hv_box2", "hv_cell", "lv_cell2"]
    return [c[k] for k in kinds * 2]


# --- 1. false returns ------------------------------------------------------------------------------
async def test_a_lent_item_is_shown_on_loan_and_the_next_scan_returns_nothing(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = checked_out("zhang", [c["lv_box2"]]).slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, c["lv_box2"])
        await typed(pilot, c["hv_box"])  # the keeper's next scan
        assert isinstance(app.screen, MainScreen)
        assert lookup.lookup(c["lv_box2"]).box.status == "on_loan"
        assert not AuditEvent.select().where(AuditEvent.action == "loan.return").exists()
        assert listed(app) == [c["lv_box2"], c["hv_box"]]
        await typed(pilot, c["lv_box2"])
        assert slip in _status(app) and "F6" in _status(app)


# --- 2. scans on the customer file ------------------------------------------------------------
async def test_a_box_scanned_on_the_customer_file_is_looked_up(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000001")
        assert isinstance(app.screen, CustomerFileScreen)
        tab = app.screen.active
        await typed(pilot, c["lv_box2"])  # its digits must not switch tabs
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ResultPane).shown.code == c["lv_box2"]
        assert listed(app)[-1] == c["lv_box2"] and tab == "YK"


# --- 3. a mistyped short code ------------------------------------------------------------------
async def test_a_short_mistyped_code_does_not_trap_the_desk_in_search(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, c["hv_box"][:5])  # a short read: a keyword, so a search
        assert isinstance(app.screen, SearchScreen)
        await typed(pilot, c["volume"])  # the next good scan is a scan, not search text
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ResultPane).shown.code == c["volume"]
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"张三", *c["hv_box"], "enter")  # fired into the search query
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ResultPane).shown.code == c["hv_box"]


# --- 4. fast input -----------------------------------------------------------------------------
async def test_codes_sent_back_to_back_are_five_scans(make_desk, desk_archive):
    c = desk_archive.codes
    codes = [c["hv_box"], c["volume"], c["lv_box"], c["document"], c["lv_box2"]]
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *codes)
        await settle(pilot)
        assert listed(app) == codes
        assert app.screen.query_one("#scan").value == ""


@pytest.mark.parametrize("where", ["main", "shelving", "stocktake", "loans", "checkin",
                                   "customer", "search", "dialog", "request"])
async def test_twenty_codes_without_delay_are_twenty_scans_on_every_screen(
        make_desk, desk_archive, where):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if where == "customer":
            await scan(pilot, "0600000002")
        elif where == "search":
            app.open_search("李", results_first=True)
        elif where == "dialog":
            app.push_screen(ConfirmScreen("?"))
        elif where == "request":
            app.open_loans()
            await settle(pilot)
            await pilot.press("f2")
        elif where == "checkin":
            app.open_checkin()
        elif where != "main":
            getattr(app, f"open_{where}")()
        await settle(pilot)
        before = len(app.scan_log)
        codes = twenty(c)
        burst(app, *codes)
        await settle(pilot)
        await settle(pilot)
        log = list(app.scan_log)[before:]
        assert [raw for _, raw, _, _ in log] == codes  # none dropped, merged or garbled
        assert all(route in ("handled", "aside", "desk") for *_, route in log)
        assert app.scan_seq == before + 20


# --- 5. yes/no dialogs -------------------------------------------------------------------------
async def test_a_scan_during_a_yes_no_question_is_looked_up_not_dropped(make_desk,
                                                                         desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await scan(pilot, c["hv_cell2"])
        await scan(pilot, c["hv_box"])  # shelved elsewhere: "move it here?"
        assert isinstance(app.screen, ConfirmScreen)
        await typed(pilot, c["volume"])  # a scan while the question waits
        assert isinstance(app.screen, ConfirmScreen)  # it answered nothing
        assert listed(app) == [c["volume"]]  # but it was looked up and listed
        assert lookup.lookup(c["hv_box"]).box.home.code == "K1-A-01-L-01-1-1"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ShelvingScreen)


# --- 6. the loan request form ------------------------------------------------------------------
async def test_loan_request_refuses_unregistered_codes_drops_items_and_keeps_the_form(
        desk_archive):
    add_staff()
    c = desk_archive.codes
    app = desk(desk_archive, desk_archive.keeper)
    unknown = default_scheme().make("box", 987654)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_loans()
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LoanRequestScreen)
        form.query_one("#items").focus()
        await typed(pilot, unknown)
        assert form.codes == []
        await typed(pilot, c["volume"])
        await typed(pilot, c["lv_box2"])
        assert form.codes == [c["volume"], c["lv_box2"]]
        await pilot.press("f7")
        await settle(pilot)
        assert form.codes == [c["volume"]]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # Esc does not lose the form silently
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and form.codes == [c["volume"]]


# --- 7. stocktake ------------------------------------------------------------------------------
async def test_stocktake_warns_live_counts_cells_pauses_and_finishes_once(make_desk,
                                                                         desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await scan(pilot, "K1-A")
        await scan(pilot, c["hv_cell"])
        await scan(pilot, c["hv_box"][:-1] + ("0" if c["hv_box"][-1] != "0" else "1"))
        assert "请先扫描格位" not in _status(app)  # a mistyped code says so
        await scan(pilot, c["hv_box"])
        await scan(pilot, c["hv_box"])  # twice
        await scan(pilot, c["lv_box2"])  # from another zone
        notes = [row[2].plain for row in (app.screen.query_one("#seen").get_row_at(i)
                                          for i in range(3))]
        assert notes == ["正常", "重复扫描", "不属于本范围"]
        await pilot.press("escape")  # pause
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await scan(pilot, "K1-A")  # resume
        screen = app.screen
        assert isinstance(screen, StocktakeScreen) and len(screen.seen) == 3
        assert "已恢复" in _status(app)
        await pilot.press("f9")  # a preview: nothing recorded
        await settle(pilot)
        assert "预览" in _status(app)
        assert [x.kind for x in screen.report.not_counted] == []
        assert len(screen.report.uncounted_cells) == 2  # cells never scanned are not "missing"
        finishes = AuditEvent.select().where(AuditEvent.action == "stocktake.finish")
        assert finishes.count() == 0
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert finishes.count() == 1


# --- 9. 80×24 ----------------------------------------------------------------------------------
async def test_at_80_by_24_the_scan_field_status_result_and_footer_fit(make_desk,
                                                                      desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, c["hv_box"])
        text = screen_text(app)
        assert c["hv_box"] in text and "K1-A-01-L-01-1-1" in text and "在架" in text
        assert "F2" in text.upper() or "f2" in text
        pane = app.screen.query_one(ResultPane)
        assert pane.size.width >= 45  # the result, not the scan list, gets the room


# --- 10. screenshots ---------------------------------------------------------------------------
async def test_screenshot_goes_to_the_data_directory(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.deliver_screenshot()
        await settle(pilot)
        assert list((desk_archive.home / "screenshots").glob("*.svg"))


# --- 11. no English in the Chinese desk --------------------------------------------------------
async def test_staff_card_and_volume_speak_chinese(make_desk, desk_archive):
    c = desk_archive.codes
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, c["staff_card"])
        text = screen_text(app)
        assert "keeper" in text and "档案管理员" in text and "类别 keeper" not in text
        await scan(pilot, c["volume"])
        assert "卷内文件" in screen_text(app)  # a volume's contents, not a box's


async def test_check_in_mode_is_explicit(desk_archive):
    add_staff()
    c = desk_archive.codes
    checked_out("zhang", [c["lv_box2"], c["volume"]])
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")  # nothing offered: the check-in mode opens empty
        await settle(pilot)
        assert isinstance(app.screen, ReturnScreen)
        burst(app, c["lv_box2"], c["volume"])
        await settle(pilot)
        assert lookup.lookup(c["lv_box2"]).box.status == "awaiting_reshelve"
        assert lookup.lookup(c["hv_box"]).box.status == "awaiting_reshelve"
        assert not isinstance(app.screen, LoansScreen)
