"""The shipped rule set validates, its examples pass, and its version tracks content."""

from __future__ import annotations

import pytest

from hudang.rules import RulesError, load_ruleset
from hudang.rules.examples import run_examples
from hudang.rules.loader import FILES, validate_text
from tests.rules.conftest import SAMPLE_RULES


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_shipped_file_validates(name):
    model, src, issues = validate_text(name, (SAMPLE_RULES / name).read_bytes())
    assert issues == []
    assert model is not None


def test_every_shipped_example_passes(ruleset):
    results = run_examples(ruleset)
    assert {r.file for r in results} == set(FILES), "every file carries examples"
    assert len(results) >= 20
    assert [(r.file, r.line, r.name, r.problems) for r in results if not r.ok] == []


def test_a_wrong_example_fails_with_its_line(rules_dir):
    path = rules_dir / "retention.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "eligible_on: 2030-01-01", "eligible_on: 2029-01-01"), encoding="utf-8")
    results = run_examples(load_ruleset(rules_dir))
    failed = [r for r in results if not r.ok]
    assert len(failed) == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    line = 1 + lines.index("  - name: 销户高压客户：次年 1 月 1 日起算 5 年")
    assert failed[0].file == "retention.yaml" and failed[0].line == line
    assert "expected datetime.date(2029, 1, 1), got datetime.date(2030, 1, 1)" in \
        failed[0].problems[0]


def test_version_is_a_content_hash(rules_dir, ruleset):
    assert load_ruleset(rules_dir).version == ruleset.version
    path = rules_dir / "barcodes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment changes the version\n",
                    encoding="utf-8")
    assert load_ruleset(rules_dir).version != ruleset.version


def test_barcode_scheme_comes_from_the_file(rules_dir):
    path = rules_dir / "barcodes.yaml"
    text = path.read_text(encoding="utf-8").replace("digits: 8", "digits: 6").replace(
        "box: B ", "box: BX").replace("- {scan: B000004298, kind: box, serial: 429}", "")
    path.write_text(text, encoding="utf-8")
    scheme = load_ruleset(rules_dir).barcode_scheme()
    assert scheme.prefixes["box"] == "BX" and scheme.digits == 6
    code = scheme.make("box", 7)
    assert code.startswith("BX000007") and scheme.parse(code).kind == "box"
    assert scheme.parse("3300123456").kind == "customer"


def test_missing_and_unknown_files_are_errors(rules_dir):
    (rules_dir / "policies.yaml").unlink()
    (rules_dir / "clasification.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    text = str(info.value)
    assert "policies.yaml: (file): expected a rule file, found no such file" in text
    assert "found clasification.yaml" in text


def test_an_unreadable_file_is_an_issue_not_a_crash(rules_dir):
    (rules_dir / "calendar.yaml").unlink()
    (rules_dir / "calendar.yaml").mkdir()
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    assert [e.expected for e in info.value.errors] == ["a readable rule file"]
