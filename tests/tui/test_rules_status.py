"""Rules at the desk: the active version, a rejected change with its line, live reload.

The real `rules.holder.RulesHolder` watches a copy of the shipped sample rules with the real
watchdog observer; waiting is polling `pilot.pause()` against a deadline, never a bare sleep.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from hudang.rules.loader import load_ruleset
from hudang.store import barcodes
from tests.tui.conftest import scan, screen_text, settle
from hudang.tui.deskinfo import RulesNotice
from hudang.tui.screens.customer import CustomerFileScreen

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)
SAMPLE_RULES = Path(__file__).resolve().parents[2] / "sample_data" / "rules"


async def wait_until(pilot, predicate, what: str, timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def edit(path: Path, old: str, new: str) -> None:
    """Write as an editor does: a temporary file renamed over the original."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    tmp = path.with_name(path.name + ".swp")
    tmp.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def rules_dir(desk_archive):
    """The sample rules copied to where the desk's settings look (`<home>/rules`)."""
    target = desk_archive.home / "rules"
    shutil.copytree(SAMPLE_RULES, target)
    return target


async def test_without_a_rules_directory_the_desk_says_built_in_defaults(make_desk):
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.desk_status.holder is None and app.desk_status.ruleset is None
        assert "规则 内置默认规则" in screen_text(app)
        assert not app.screen.query_one(RulesNotice).display


async def test_version_then_a_broken_file_then_the_fix(make_desk, rules_dir):
    before = barcodes.default_scheme()
    first = load_ruleset(rules_dir).version
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        status = app.desk_status
        await wait_until(pilot, lambda: status.ruleset is not None and not status.loading,
                         "the first load")
        await settle(pilot)
        assert status.ruleset.version == first
        assert f"规则 {first}" in screen_text(app)
        assert barcodes.default_scheme() == status.ruleset.barcode_scheme()
        notice = app.screen.query_one(RulesNotice)
        assert not notice.display

        line = next(n for n, text in enumerate(
            (rules_dir / "classification.yaml").read_text(encoding="utf-8").splitlines(), 1)
            if "priority: 100" in text)
        edit(rules_dir / "classification.yaml", "priority: 100", "prority: 100")
        await wait_until(pilot, lambda: notice.display, "the rejected change on screen")
        await settle(pilot)  # let the layout take the notice in before reading the screen
        text = screen_text(app)
        assert f"classification.yaml:{line}:" in text and "prority" in text
        assert f"继续使用版本 {first}" in text
        assert f"规则 {first}" in text  # the last good rules stay active
        assert status.ruleset.version == first

        edit(rules_dir / "classification.yaml", "prority: 100", "priority: 101")
        await wait_until(pilot, lambda: not notice.display, "the fix")
        second = load_ruleset(rules_dir).version
        assert second != first and status.ruleset.version == second
        await settle(pilot)
        text = screen_text(app)
        assert f"规则 {second}" in text and "prority" not in text
    assert barcodes.default_scheme() is before  # put back when the desk stops


async def test_rules_invalid_at_start_show_the_error_and_no_version(make_desk, rules_dir):
    (rules_dir / "calendar.yaml").write_text("years: [\n", encoding="utf-8")
    app = make_desk()
    async with app.run_test(size=SIZE) as pilot:
        status = app.desk_status
        await wait_until(pilot, lambda: not status.loading, "the first load attempt")
        await settle(pilot)
        text = screen_text(app)
        assert status.ruleset is None
        assert "规则 无有效规则" in text and "calendar.yaml:" in text
        assert "规则无效，暂用内置默认值" in text
        await scan(pilot, "0600000002")  # the desk keeps working on the built-in scheme
        assert isinstance(app.screen, CustomerFileScreen)
