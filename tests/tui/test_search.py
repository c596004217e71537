"""Type-ahead keyword search and opening a result."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import BOLD_NAME, screen_text, settle
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.search import SearchScreen

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


async def test_type_ahead_and_open_with_enter(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"佛山")
        await settle(pilot)
        table = app.screen.query_one("#hits", DataTable)
        assert table.row_count >= 1
        await pilot.press(*"华达")
        await settle(pilot)
        assert [h.number for h in app.screen.hits] == ["0600000004"]
        await pilot.press("enter")  # to the table
        await pilot.press("enter")  # open the highlighted customer
        await settle(pilot)
        assert isinstance(app.screen, CustomerFileScreen)
        assert app.screen.number == "0600000004"


async def test_markup_name_in_results_is_literal(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.press(*"张三明")
        await settle(pilot)
        assert BOLD_NAME in screen_text(app)


async def test_nothing_found_says_so(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.press(*"不存在的名字")
        await settle(pilot)
        assert app.screen.hits == []
        assert "没有找到" in screen_text(app)
