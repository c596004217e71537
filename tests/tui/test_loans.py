"""The loans screen: approvals (self-approval refused), requests at the desk, blocks, export."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from textual.widgets import DataTable

from hudang.store.services import loan_desk, loans
from tests.tui.conftest import NOW, scan, screen_text, settle
from tests.tui.test_loans_setup import (
    KEEPER, add_staff, desk, open_loans_screen, overdue_slip, request,
)
from hudang.tui.screens.loan_dialogs import ExportFormatScreen, ReasonScreen
from hudang.tui.screens.dialogs import ConfirmScreen
from hudang.tui.screens.loan_request import LoanRequestScreen
from hudang.tui.screens.loans import LoansScreen
from hudang.tui.widgets import StatusLine

pytestmark = pytest.mark.asyncio
SIZE = (140, 44)


def _status(app, field: str = "#status") -> str:
    return app.screen.query_one(field, StatusLine).message_text


async def _type(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).value = text
    await pilot.pause()


async def _focus(pilot, selector: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()


async def test_approve_pending_request(desk_archive):
    staff = add_staff()
    c = desk_archive.codes
    slip = request("zhang", [c["volume"]], "take_out").slip_no
    app = desk(desk_archive, staff["li"])
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        screen = app.screen
        assert screen.selected_slip == slip
        assert "待审批 1" in screen_text(app)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await _type(pilot, "#reason", "同意，诉讼取证")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        assert f"已批准 {slip}" in _status(app)
        got = loans.get_loan(slip)
        assert (got.status, got.approver, got.decision_note) == ("approved", "li", "同意，诉讼取证")
        assert app.screen.query_one("#scan").has_focus


async def test_self_approval_is_refused_with_the_services_message(desk_archive):
    staff = add_staff()
    slip = request("li", [desk_archive.codes["volume"]], "take_out").slip_no
    app = desk(desk_archive, staff["li"])
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "申请人不能审批自己的申请" in _status(app)
        assert loans.get_loan(slip).status == "pending"
        assert app.screen.query_one("#scan").has_focus


async def test_reject_needs_a_reason_and_cancel_closes(desk_archive):
    staff = add_staff()
    c = desk_archive.codes
    first = request("zhang", [c["volume"]], "take_out").slip_no
    second = request("zhang", [c["hv_box2"]], "take_out").slip_no
    app = desk(desk_archive, staff["li"])
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        screen = app.screen
        assert screen.select_slip(first)
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("enter")  # no reason: the dialog stays and says so
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        assert "必须填写理由" in _status(app, "#reason-status")
        await _type(pilot, "#reason", "理由不充分")
        await pilot.press("enter")
        await settle(pilot)
        assert f"已驳回 {first}" in _status(app)
        assert loans.get_loan(first).status == "rejected"
        assert screen.select_slip(second)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert loans.get_loan(second).status == "cancelled"
        assert "已撤销" in _status(app)
        # neither is open any more: the default filter no longer lists them
        assert screen.query_one("#slips", DataTable).row_count == 0


async def test_new_request_entered_at_the_desk(desk_archive):
    add_staff()
    c = desk_archive.codes
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LoanRequestScreen)
        await pilot.press(*"zhang")
        await _type(pilot, "#purpose", "诉讼取证")
        form.query_one("#use").value = "take_out"
        await _focus(pilot, "#items")
        await scan(pilot, c["volume"], "#items")
        await scan(pilot, c["hv_box2"], "#items")
        await scan(pilot, c["volume"], "#items")  # twice: listed once
        assert form.codes == [c["volume"], c["hv_box2"]]
        await scan(pilot, c["hv_cell"], "#items")  # a position is not a loan item
        assert "不是户号、案卷、文件或档案盒" in _status(app, "#form-status")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        [loan] = loans.list_loans("pending")
        assert (loan.requester, loan.use_kind, loan.purpose) == ("zhang", "take_out", "诉讼取证")
        assert loan.department == "营销部" and loan.created_by == "keeper"
        assert sorted(i.box_barcode for i in loan.items) == sorted([c["hv_box"], c["hv_box2"]])
        assert f"已登记出借单 {loan.slip_no}（待审批）" in _status(app)
        assert app.screen.selected_slip == loan.slip_no


async def test_request_errors_show_the_services_message(desk_archive):
    add_staff()
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"zhang")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LoanRequestScreen)
        assert "请填写借阅目的" in _status(app, "#form-status")
        await pilot.press("escape")  # a filled form is not thrown away without asking
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, LoanRequestScreen) and app.screen.query_one(
            "#requester").value == "zhang"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        assert loans.list_loans() == []
        assert app.screen.query_one("#scan").has_focus


async def test_overdue_block_lifted_by_an_approver_with_a_reason(desk_archive):
    staff = add_staff()
    c = desk_archive.codes
    overdue_slip("zhang", [c["lv_box2"]])
    app = desk(desk_archive, staff["li"])
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await _type(pilot, "#requester", staff["zhang"].staff_card)  # the borrower's card
        await _type(pilot, "#purpose", "查阅合同")
        await _focus(pilot, "#items")
        await scan(pilot, c["volume"], "#items")
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = _status(app, "#form-status")
        assert "逾期未还" in status and "F6" in status
        assert len(loans.list_loans()) == 1
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await _type(pilot, "#reason", "诉讼紧急，主任同意")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoansScreen)
        [new] = loans.list_loans("pending")  # an important customer's file: still needs approval
        assert (new.override_by, new.override_reason) == ("li", "诉讼紧急，主任同意")
        assert f"已登记出借单 {new.slip_no}" in _status(app)


async def test_register_exports_to_csv_and_xlsx(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = request("zhang", [c["lv_box2"]], "copying").slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        paths = {}
        for key in ("c", "x"):
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert isinstance(app.screen, ExportFormatScreen)
            await pilot.press(key)
            await settle(pilot)
            status = _status(app)
            assert status.startswith("已导出 1 行")
            paths[key] = status.split("：", 1)[1]
        with open(paths["c"], encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][0] == "出借单号" and rows[1][0] == slip
        sheet = openpyxl.load_workbook(paths["x"]).active
        assert sheet["A1"].value == "出借单号" and sheet["A2"].value == slip
        assert str(desk_archive.home / "exports") in paths["x"]


async def test_register_csv_in_gbk_when_the_site_sets_it(desk_archive):
    """csv_encoding = "gbk": the desk's CSV is GBK, and a name GBK lacks is kept and named."""
    from hudang.store.services import customers

    add_staff()
    customers.update_customer("0600000002", {"name": "李𠮷光"}, KEEPER)
    slip = request("zhang", [desk_archive.codes["lv_box2"]], "copying").slip_no
    app = desk(desk_archive, desk_archive.keeper, csv_encoding="gbk")
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "C = CSV（GBK）" in screen_text(app)  # the dialog says which encoding
        await pilot.press("c")
        await settle(pilot)
        line = app.screen.query_one("#status", StatusLine)
        assert line.level == "warn" and line.message_text.startswith("已导出 1 行")
        assert "GB18030" in line.message_text and "户名" in line.message_text
        path = line.message_text.split("：", 1)[1].split(" ", 1)[0]
    data = open(path, "rb").read()
    assert not data.startswith(b"\xef\xbb\xbf") and "出借单号".encode("gbk") in data
    rows = list(csv.reader(data.decode("gb18030").splitlines()))
    assert rows[1][0] == slip and "李𠮷光" in rows[1]


async def test_renew_from_the_list(desk_archive):
    add_staff()
    c = desk_archive.codes
    slip = request("zhang", [c["lv_box2"]], "copying").slip_no
    loan_desk.checkout_item(slip, c["lv_box2"], KEEPER, today=NOW.date())
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("ctrl+r")  # copying allows no renewal under the default policy
        await settle(pilot)
        assert "续借" in _status(app) and "最多 0 次" in _status(app)
        assert loans.get_loan(slip).due_on == NOW.date() + dt.timedelta(days=1)


async def test_a_keeper_cannot_approve(desk_archive):
    add_staff()
    slip = request("zhang", [desk_archive.codes["volume"]], "take_out").slip_no
    app = desk(desk_archive, desk_archive.keeper)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "无权审批" in _status(app) and "approver/admin" in _status(app)
        assert loans.get_loan(slip).status == "pending"


async def test_the_desk_follows_the_rules_loan_policy(desk_archive):
    """With a rules directory the desk uses load_loan_policy: working days, refusals, reasons."""
    from pathlib import Path

    from tests.tui.conftest import settings_for
    from hudang.tui.app import make_app

    add_staff()
    c = desk_archive.codes
    from hudang.wiring import load_loan_policy

    rules_dir = Path(__file__).resolve().parents[2] / "sample_data" / "rules"
    settings = settings_for(desk_archive, rules_dir=rules_dir)
    app = make_app(settings, clock=lambda: NOW, user=desk_archive.keeper, cursor_blink=False,
                   loan_policy=lambda: load_loan_policy(settings))
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"zhang")
        await _type(pilot, "#purpose", "核对电费")
        form.query_one("#use").value = "take_out"
        await _focus(pilot, "#items")
        await scan(pilot, c["lv_box2"], "#items")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "借阅规则不允许此用途" in _status(app, "#form-status")  # staff may not take DF out
        form.query_one("#use").value = "copying"
        await pilot.press("ctrl+s")
        await settle(pilot)
        [loan] = loans.list_loans("approved")  # copying an ordinary file needs no approval
        await scan(pilot, loan.slip_no)
        await scan(pilot, c["lv_box2"])
        # five working days from Monday 2 March 2026 (the built-in default would be one day)
        assert "全部出库，应还 2026-03-09" in _status(app)


async def test_loans_screen_speaks_english(desk_archive):
    from tests.tui.conftest import settings_for
    from hudang.tui.app import make_app

    add_staff()
    request("zhang", [desk_archive.codes["volume"]], "take_out")
    app = make_app(settings_for(desk_archive, language="en"), clock=lambda: NOW,
                   user=desk_archive.keeper, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_loans_screen(pilot)
        text = screen_text(app)
        assert "pending 1" in text and "taking the original out" in text
        assert "Needs approval" in text and "an important customer's" in text
