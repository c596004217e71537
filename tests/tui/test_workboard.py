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
from hudang.store.services.business_remind import remind_pass
from hudang.store.services.business_rules import to_utc
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


def _escalating_team(home: Path) -> BusinessRules:
    """Rules where the desk's keeper leads 营业二班, and a red task of each team."""
    _events(home)
    checklists = home / "rules" / "checklists.yaml"
    text = checklists.read_text(encoding="utf-8")
    checklists.write_text(text.replace("营业二班: {lead: lead2", "营业二班: {lead: keeper"),
                          encoding="utf-8")
    rules = BusinessRules(load_ruleset(home / "rules"))
    f = home / "events-late.csv"
    f.write_text("户号,流程编号,业务类型,环节,完成时间,责任人,班组,供电单位\n"
                 "0600000003,P3,迁址,受理,2026-02-25 09:00,someone,营业二班,城东供电所\n",
                 encoding="utf-8")
    import_events(f, Actor("t", "t", "admin"), rules)
    remind_pass(rules, Actor("t", "t", "admin"), to_utc(NOW))  # P1, P3 red; P3 to keeper
    return rules


def _column(table: DataTable, key: str) -> list[str]:
    return [str(table.get_cell(row, key)) for row in table.rows]


async def test_mine_includes_what_was_escalated_and_my_reminders_fit_80x24(desk_archive,
                                                                         make_desk):
    _escalating_team(desk_archive.home)
    app = make_desk("keeper")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_board(pilot)
        counts = app.screen.query_one("#wb-counts", DataTable)
        rows = app.screen.query_one("#wb-list", DataTable)
        assert str(counts.get_cell("待添加", "red")) == "2" and rows.row_count == 3  # everyone
        await pilot.press("m")  # my tasks: mine (P1) and the one escalated to me (P3)
        await settle(pilot)
        assert app.screen.scope == "mine"
        assert str(counts.get_cell("待添加", "red")) == "2"
        assert str(counts.get_cell("待添加", "green")) == "0"  # P2 is someone else's, not red
        assert sorted(zip(_column(rows, "customer"), _column(rows, "why"))) == [
            ("0600000002", "本人"), ("0600000003", "升级")]
        await pilot.press("m")  # my reminders, newest first, with where they came from
        await settle(pilot)
        assert app.screen.scope == "reminders"
        assert sorted(zip(_column(rows, "customer"), _column(rows, "why"),
                          _column(rows, "now"))) == [("0600000002", "本人", "未办"),
                                                     ("0600000003", "升级 营业二班", "未办")]
        text = screen_text(app)
        # 80×24: counts, scores, the list and the footer all on screen
        assert "我的提醒 · 待添加：2 条" in text and "0600000003" in text
        assert "正常" in text and "归档及时率" in text and "m 全部/我的/提醒" in text
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.scope == "all" and rows.row_count == 3
