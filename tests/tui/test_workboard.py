"""The work board at the desk: counts by reminder kind and colour, lists, mine, contracts, KPI."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Sparkline

from hudang.rules import load_ruleset
from hudang.rules.checklists import BusinessRules
from hudang.store.audit import Actor
from hudang.store.services.business_import import import_events
from hudang.tui.business_view import contract_style
from hudang.tui.screens.workboard import WorkBoardScreen
from tests.tui.conftest import NOW, screen_text, settle

pytestmark = pytest.mark.asyncio
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SIZE = (140, 45)


def _events(home: Path) -> None:
    shutil.copytree(SAMPLE / "rules", home / "rules")
    f = home / "events.csv"
    f.write_text("户号,流程编号,业务类型,环节,完成时间,责任人,班组,供电单位\n"
                 "0600000002,P1,迁址,受理,2026-02-26 10:00,keeper,营业一班,城东供电所\n"
                 "0600000003,P2,迁址,受理,2026-03-02 08:00,someone,营业二班,城东供电所\n",
                 encoding="utf-8")
    import_events(f, Actor("t", "t", "admin"), BusinessRules(load_ruleset(home / "rules")))


async def _open_board(pilot):
    await settle(pilot)
    while pilot.app.desk_status.loading:
        await pilot.pause()
    await pilot.press("f5")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WorkBoardScreen)


async def test_counts_lists_and_mine(desk_archive, make_desk):
    _events(desk_archive.home)
    app = make_desk("keeper")
    async with app.run_test(size=SIZE) as pilot:
        await _open_board(pilot)
        counts = app.screen.query_one("#wb-counts", DataTable)
        # NOW is 2026-03-02 09:30: P1's digitise (48 h from 02-26) is red, P2's is green
        assert str(counts.get_cell("待添加", "red")) == "1"
        assert str(counts.get_cell("待添加", "green")) == "1"
        assert str(counts.get_cell("合同预警", "red")) == "1"  # HT-2025-001, 5 days left
        assert str(counts.get_cell("合同预警", "yellow")) == "1"  # HT-2025-002, 20 days
        rows = app.screen.query_one("#wb-list", DataTable)
        assert rows.row_count == 2
        await pilot.press("m")
        await settle(pilot)
        assert rows.row_count == 1
        assert str(counts.get_cell("待添加", "green")) == "0"
        text = screen_text(app)
        assert "工作台" in text and "0600000002" in text and "归档及时率" in text
        assert "班组排名" in text and "营业一班" in text
        assert len(app.screen.query_one("#wb-trend-timely", Sparkline).data) == 12


async def test_contract_list_behind_its_kind(desk_archive, make_desk):
    _events(desk_archive.home)
    app = make_desk("keeper")
    async with app.run_test(size=SIZE) as pilot:
        await _open_board(pilot)
        counts = app.screen.query_one("#wb-counts", DataTable)
        counts.focus()
        counts.move_cursor(row=4)
        await settle(pilot)
        assert "HT-2025-001" in screen_text(app) and "HT-2024-003" not in screen_text(app)


async def test_contract_colour_comes_from_the_rules(desk_archive, tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(SAMPLE / "rules", rules_dir)
    today = NOW.date()
    rs = load_ruleset(rules_dir)
    assert contract_style(rs, today + dt.timedelta(days=20), today) == "yellow"
    text = (rules_dir / "policies.yaml").read_text(encoding="utf-8")
    (rules_dir / "policies.yaml").write_text(text.replace("before: P30D", "before: P10D"),
                                             encoding="utf-8")
    assert contract_style(load_ruleset(rules_dir), today + dt.timedelta(days=20),
                          today) == "green"
    assert contract_style(None, today + dt.timedelta(days=20), today) == "yellow"
