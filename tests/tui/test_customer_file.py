"""The customer file (一户一档): header, five tabs, contract colours, personal data by role."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import BOLD_NAME, scan, screen_text, settle
from hudang.tui.render import days_style
from hudang.tui.screens.customer import CustomerFileScreen

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


async def test_tabs_hold_documents_in_filing_order(make_desk, desk_archive):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000001")
        screen = app.screen
        assert isinstance(screen, CustomerFileScreen)
        docs = screen.query_one("#docs", DataTable)
        assert screen.active == "YK"
        assert [docs.get_row_at(i)[1].plain for i in range(docs.row_count)] == ["用电申请书",
                                                                              "供用电合同"]
        text = screen_text(app)
        assert BOLD_NAME in text and "重要客户" in text and "祖庙线" in text
        assert "1 业扩 (2)" in text and "3 计量 (1)" in text
        await pilot.press("3")
        await pilot.pause()
        assert screen.active == "JL" and docs.row_count == 1
        assert "装拆表工作单" in screen_text(app)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.active == "DF" and docs.row_count == 0
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert screen.active == "YJ"
        await pilot.click("#tab-YK")
        await pilot.pause()
        assert screen.active == "YK" and docs.row_count == 2
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#scan").has_focus


async def test_contracts_coloured_by_days_to_expiry(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000001")
        contracts = app.screen.file.contracts
        today = app.clock().date()
        days = sorted(k.days_to_expiry(today) for k in contracts)
        assert days == [5, 20, 300]
        assert [days_style(d) for d in days] == ["bold red", "yellow", "green"]
        assert days_style(-3) == "bold red" and days_style(7) == "bold red"
        assert days_style(30) == "yellow" and days_style(31) == "green"
        text = screen_text(app)
        assert "HT-2025-001" in text and "HT-2024-003" in text


async def test_keeper_sees_masked_id_and_phone(make_desk):
    app = make_desk("keeper")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000002")
        text = screen_text(app)
        assert "440602********1234" in text and "138****5678" in text
        assert "440602198001051234" not in text and "13812345678" not in text


async def test_admin_sees_full_id_and_phone(make_desk):
    app = make_desk("admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000002")
        text = screen_text(app)
        assert "440602198001051234" in text and "13812345678" in text


async def test_markup_in_address_is_literal(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000003")
        assert "佛山市南海区桂城[red]街" in screen_text(app)


async def test_escape_codes_already_in_the_archive_never_reach_the_terminal(make_desk):
    """A name stored before control characters were refused is drawn without them."""
    from hudang.store.db import write_tx
    from hudang.store.models import Customer

    with write_tx():  # as an old import left it: an ANSI 'clear screen' inside the name
        Customer.update(name="王\x1b[2J五\x07").where(Customer.number == "0600000003").execute()
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "0600000003")
        file = app.screen.file
        assert file.customer.name == "王[2J五"
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text and "王[2J五" in text
