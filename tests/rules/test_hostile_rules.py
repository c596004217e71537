"""A broken-file corpus unlike the project's own (issue 11): every file ends in file:line:column,
never a traceback, at `hudang rules check` and in a running holder's reload."""

from __future__ import annotations

import logging
import shutil

import pytest

from hudang.rules.errors import RulesError
from hudang.rules.holder import RulesHolder
from hudang.rules.loader import load_ruleset, validate_text
from hudang.rules.saferegex import compile_rule_regex
from tests import clihelp
from tests.clihelp import run_cli

cli_home = clihelp.cli_home  # the shared fixture


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        ref = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{ref}]")
    return "\n".join(lines) + "\n"


HOSTILE = {  # name: (target file, content, line, words in the message)
    "impossible_date": ("calendar.yaml", ("years:\n  2023:\n    holidays:\n"
                                          "      - {name: x, dates: [2023-02-29]}\n"),
                        4, "2023-02-29"),
    "huge_repeat": ("classification.yaml", ("rules:\n  - id: a\n    when: {file_name: "
                                            "'a{99999999999}'}\n    then: {category: YK}\n"),
                    3, "too large"),
    "deep_nesting": ("classification.yaml", "rules: " + "[" * 10000 + "]" * 10000 + "\n", 1,
                     "64"),
    "form_feed": ("classification.yaml", "rules:\n\x0c  - id: a\n", 2, "U+000C"),
    "nul_byte": ("classification.yaml", "rules: []\n# note\x00\n", 2, "U+0000"),
    "gbk": ("classification.yaml", "rules: []\n# 中文\n".encode("gbk"), 2, "GBK"),
    "utf16": ("classification.yaml", "rules: []\n".encode("utf-16"), 1, "UTF-16"),
    "alias_bomb": ("classification.yaml", _bomb(), 1, "200000"),
    "python_tag_list": ("classification.yaml", "rules: !!python/list []\n", 1, "python/list"),
    "python_tag_map": ("classification.yaml", "rules:\n  - !!python/object:os.system {id: a}\n",
                       2, "python/object"),
    "lookaround": ("classification.yaml", ("rules:\n  - id: a\n    when: {file_name: "
                                          "'(?<!x)y'}\n    then: {category: YK}\n"),
                   3, "RE2"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_file_is_named_by_line(case):
    target, content, line, words = HOSTILE[case]
    model, _, issues = validate_text(target, content, f"{case}.yaml")
    assert model is None and issues
    first = min(issues, key=lambda i: (i.line, i.column))
    assert first.line == line, [str(i) for i in issues]
    assert str(first).startswith(f"{case}.yaml:{line}:{first.column}:") and first.column >= 1
    assert words in str(first)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_rules_check_prints_file_and_line(rules_dir, case, cli_home):
    target, content, line, _ = HOSTILE[case]
    path = rules_dir / target
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = run_cli("rules", "check", str(rules_dir))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{path}:{line}:" in result.output


def test_a_slow_shape_that_passed_the_old_check_runs_in_linear_time():
    # polynomial in Python's re: ~n^3 steps on a long name; RE2 cannot backtrack
    rx = compile_rule_regex(r"^\d*\d*\d*\d*\d*x$")  # no nesting: the old check let it in
    assert rx.search("1" * 400 + "y") is None


def test_a_reload_that_fails_is_logged_with_file_and_line_and_kept(rules_dir, caplog):
    caplog.set_level(logging.ERROR, logger="hudang")
    holder = RulesHolder(rules_dir)
    assert holder.reload() and holder.current is not None
    good = holder.version
    for case in ("nul_byte", "deep_nesting", "impossible_date"):
        target, content, line, _ = HOSTILE[case]
        backup = (rules_dir / target).read_bytes()
        (rules_dir / target).write_bytes(content.encode("utf-8"))
        assert holder.reload() is False
        assert holder.version == good  # the last good set stays
        assert f"{rules_dir / target}:{line}:" in str(holder.last_error)  # what the desk shows
        assert f"{rules_dir / target}:{line}:" in caplog.text
        (rules_dir / target).write_bytes(backup)
    assert holder.reload() is False and holder.last_error is None  # same content again


def test_a_bad_rule_set_at_start_is_one_line(rules_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(rules_dir, broken)
    (broken / "classification.yaml").write_bytes(b"rules: []\n\x00")
    with pytest.raises(RulesError) as info:
        load_ruleset(broken)
    assert f"{broken / 'classification.yaml'}:2:" in str(info.value)


def _edit(rules_dir, name: str, old: str, new: str) -> int:
    """Replace `old` by `new` in a shipped rule file; return the line `new` starts on."""
    path = rules_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[:text.index(new)].count("\n") + 1


ACCEPTED_BUT_WRONG = {  # each was silently accepted; now it is an error on its line
    "quoted_year_key": ("calendar.yaml", "  2026:\n", '  "2025":\n    holidays: []\n  2026:\n',
                        0, "2025"),
    "title_format_spec": ("classification.yaml", 'title: "供用电合同 {contract}（{customer}）"',
                          'title: "供用电合同 {contract}（{customer:d}）"', 0, "customer"),
    "empty_any": ("classification.yaml", "        - hot_folder: [contracts, 合同]\n",
                  "        - any: []\n", 0, "any"),
    "month_warning_on_hours": ("policies.yaml", "    warning_before: PT12H",
                               "    warning_before: P1M", 0, "PT48H"),
    "warning_longer_in_days": ("policies.yaml", "    warning_working_days: 1",
                               "    warning_working_days: 5", 0, "5"),
    "unknown_example_approver": ("policies.yaml", "approvers: [archive_leader, archive_leader]",
                                 "approvers: [archive_leader, nobody]", 0, "nobody"),
    "unknown_example_schedule": ("classification.yaml", "retention_schedule: active-customer ",
                                 "retention_schedule: no-such-one ", 0, "no-such-one"),
    "example_year_uncovered": ("calendar.yaml", "    start: 2025-01-24",
                               "    start: 2031-01-24", 0, "2031"),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED_BUT_WRONG))
def test_accepted_but_wrong_is_rejected_on_its_line(rules_dir, case):
    name, old, new, offset, words = ACCEPTED_BUT_WRONG[case]
    line = _edit(rules_dir, name, old, new) + offset
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    errors = [e for e in info.value.errors if e.file.endswith(name)]
    assert errors and "Traceback" not in str(info.value)
    assert any(e.line == line and words in str(e) for e in errors), \
        (line, [str(e) for e in info.value.errors])


def test_page_count_min_above_max_and_empty_schedule_lists():
    _, _, issues = validate_text("classification.yaml", "rules:\n  - id: a\n    when:\n"
                                 "      page_count: {min: 5, max: 2}\n"
                                 "    then: {category: YK}\n")
    assert [i.line for i in issues] == [4] and "max" in str(issues[0])
    _, _, issues = validate_text("retention.yaml", "triggers:\n  filed: {date_field: filed_on}\n"
                                 "schedules:\n  - id: s\n    match: {categories: []}\n"
                                 "    trigger: filed\n    period: P5Y\n"
                                 "    disposition: review\n")
    assert any(i.line == 5 and "categories" in str(i) for i in issues), [str(i) for i in issues]


def test_a_month_warning_on_a_month_deadline_counts_back_on_the_calendar():
    import datetime as dt
    from types import SimpleNamespace

    from hudang.rules.policies import Deadline, deadline_due

    d = Deadline.model_validate({"name": "x", "within": "P3M", "warning_before": "P1M"})
    rules = SimpleNamespace(policies=SimpleNamespace(deadlines={"x": d}))
    due = deadline_due(rules, "x", dt.datetime(2026, 1, 31, 9, 0))
    assert due.due_at == dt.datetime(2026, 4, 30, 9, 0)
    assert due.warning_from == dt.datetime(2026, 3, 30, 9, 0)


def test_a_pipe_or_device_named_like_a_rule_file_never_blocks(rules_dir):
    import os

    (rules_dir / "calendar.yaml").unlink()
    os.mkfifo(rules_dir / "calendar.yaml")  # reading it would wait for a writer forever
    (rules_dir / "policies.yaml").unlink()
    (rules_dir / "policies.yaml").symlink_to("/dev/zero")  # reading it would never end
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    bad = {e.file.rsplit("/", 1)[-1] for e in info.value.errors if "regular file" in str(e)}
    assert bad == {"calendar.yaml", "policies.yaml"}
