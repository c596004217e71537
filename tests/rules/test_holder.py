"""Live reload with the real watchdog observer: a good change is adopted, a bad one reported."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hudang.rules.holder import RulesHolder


def wait_for(predicate, timeout: float = 15.0, what: str = "condition") -> None:
    """Poll `predicate` until true or fail after `timeout` seconds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _edit(path: Path, old: str, new: str) -> None:
    """Write like an editor does: a temporary file renamed over the original."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text.replace(old, new), encoding="utf-8")
    os.replace(tmp, path)


def test_good_change_is_adopted_and_bad_change_keeps_last_good(rules_dir):
    seen = []
    holder = RulesHolder(rules_dir, debounce=0.2)
    holder.subscribe(lambda rs, err: seen.append((rs.version if rs else None, err)))
    with holder:
        first = holder.version
        assert first and holder.last_error is None

        _edit(rules_dir / "policies.yaml", "period_working_days: 3", "period_working_days: 4")
        wait_for(lambda: holder.version != first, what="the good change")
        assert holder.current.policies.loans.terms[-1].period_working_days == 4
        assert holder.last_error is None
        good = holder.version

        _edit(rules_dir / "classification.yaml", "priority: 100", "prority: 100")
        wait_for(lambda: holder.last_error is not None, what="the bad change to be reported")
        assert holder.version == good  # the last good rules stay active
        status = holder.status()
        assert status.version == good and "prority" in status.error and status.error_at
        issue = holder.last_error.errors[0]
        assert issue.file.endswith("classification.yaml") and "prority" in issue.path

        _edit(rules_dir / "classification.yaml", "prority: 100", "priority: 100")
        wait_for(lambda: holder.last_error is None, what="the fix")
        assert holder.version == good  # same content as before, same version
    assert any(err is not None for _, err in seen) and any(v for v, _ in seen)


def test_start_on_a_broken_directory_has_no_rules_but_an_error(rules_dir):
    (rules_dir / "calendar.yaml").write_text("years: [\n", encoding="utf-8")
    with RulesHolder(rules_dir, debounce=0.2) as holder:
        assert holder.current is None and holder.last_error is not None
        (rules_dir / "calendar.yaml").write_text(
            (Path(__file__).resolve().parents[2] / "sample_data" / "rules" / "calendar.yaml")
            .read_text(encoding="utf-8"), encoding="utf-8")
        wait_for(lambda: holder.current is not None, what="recovery")
        assert holder.last_error is None


def test_a_missing_directory_is_an_error_not_a_crash(tmp_path):
    with RulesHolder(tmp_path / "nowhere") as holder:
        assert holder.current is None and holder.version == ""
        assert "nothing there" in str(holder.last_error)
