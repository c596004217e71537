"""A corpus of broken rule files: each gives its specific message at the right line."""

from __future__ import annotations

import re
import shutil

import pytest

from hudang.rules import RulesError, load_ruleset
from hudang.rules.loader import validate_text
from tests.rules.conftest import BROKEN

CASES = sorted(BROKEN.glob("*.yaml"))


def test_the_corpus_covers_every_kind_of_mistake():
    names = {p.stem.split("__")[1] for p in CASES}
    for kind in ("yaml_syntax", "wrong_type", "unknown_key", "bad_regex", "lookaround_regex",
                 "huge_repeat_regex",
                 "duplicate_id", "dangling_trigger", "dangling_approver", "zero_duration",
                 "impossible_date", "duplicate_key"):
        assert kind in names


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_file_names_line_and_problem(path):
    text = path.read_text(encoding="utf-8")
    line = int(re.search(r"^# expect-line: (\d+)$", text, re.M).group(1))
    expected = re.search(r"^# expect: (.*)$", text, re.M).group(1)
    target = path.name.split("__")[0] + ".yaml"
    model, _, issues = validate_text(target, text, path.name)
    assert model is None
    assert len(issues) == 1, [str(i) for i in issues]
    issue = issues[0]
    assert issue.line == line, str(issue)
    assert expected in str(issue)
    assert str(issue).startswith(f"{path.name}:{line}:")


def test_every_error_of_a_directory_is_listed(rules_dir):
    """Several broken files at once: nothing is hidden behind the first error."""
    picks = {"classification.yaml": "classification__unknown_key.yaml",
             "retention.yaml": "retention__dangling_trigger.yaml",
             "calendar.yaml": "calendar__workday_not_weekend.yaml",
             "policies.yaml": "policies__dangling_approver.yaml"}
    for target, case in picks.items():
        shutil.copy(BROKEN / case, rules_dir / target)
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    files = sorted({e.file.rsplit("/", 1)[-1] for e in info.value.errors})
    assert files == sorted(picks)
    assert len(info.value.errors) == 4


def test_several_errors_in_one_file_are_all_listed():
    text = ("rules:\n"
            "  - id: a\n"
            "    priority: high\n"
            "    when: {file_name: '(a)\\1'}\n"
            "    then: {category: 营销, colour: red}\n"
            "  - id: a\n"
            "    when: {hot_folder: yk}\n"
            "    then: {}\n")
    _, _, issues = validate_text("classification.yaml", text)
    found = sorted((i.line, i.path) for i in issues)
    assert found == [(3, "rules[0].priority"), (4, "rules[0].when.file_name"),
                     (5, "rules[0].then.category"), (5, "rules[0].then.colour"),
                     (6, "rules[1].id")]


def test_non_utf8_and_alias_bombs_are_refused():
    _, _, issues = validate_text("calendar.yaml", "years: {}\n# \xff".encode("latin-1"))
    assert "expected UTF-8 text" in str(issues[0])
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    _, _, issues = validate_text("calendar.yaml", bomb)
    assert len(issues) == 1 and "aliases expand too far" in str(issues[0])
