"""Classification: conditions, priorities, stop, named groups, traces and needs-attention."""

from __future__ import annotations

import time

from hudang.rules import ClassificationInput, classify
from hudang.rules.classification import ClassificationFile
from hudang.rules.saferegex import MAX_INPUT


def _rules(yaml_rules: list[dict]) -> ClassificationFile:
    return ClassificationFile.model_validate({"rules": yaml_rules})


def test_contract_qr_code_decides_everything(ruleset):
    d = classify(ruleset, ClassificationInput(
        hot_folder="合同", relative_path="a/b.pdf", file_name="b.pdf", page_count=4,
        barcodes=[("HT-3300123456-G1", "QRCODE", 1), ("3300999999", "CODE128", 1)]))
    assert (d.category, d.doc_type, d.customer_number) == ("YK", "供用电合同", "3300123456")
    assert d.matched_rules == ["contract-qr"]
    assert d.ruleset_version == ruleset.version and not d.needs_attention
    skipped = [tr for tr in d.trace if tr.skipped]
    assert skipped and all("contract-qr" in tr.skipped for tr in skipped)


def test_qr_on_the_wrong_page_does_not_count(ruleset):
    d = classify(ruleset, ClassificationInput(
        hot_folder="contracts", relative_path="x.pdf",
        barcodes=[("HT-3300123456-G1", "QRCODE", 2)]))
    assert d.needs_attention
    trace = next(tr for tr in d.trace if tr.rule_id == "contract-qr")
    assert not trace.matched and "no barcode matches" in trace.reasons[0]


def test_any_not_and_globs():
    rules = _rules([{
        "id": "r", "when": {"all": [
            {"any": [{"path_glob": "计量/*.pdf"}, {"station": ["s9"]}]},
            {"not": {"media_type": "image/jpeg"}},
            {"page_count": {"min": 1, "max": 3}}]},
        "then": {"category": "计量"}}])
    base = dict(relative_path="计量/2025/x.pdf", file_name="x.pdf", media_type="application/pdf",
                page_count=2)
    assert classify(rules, ClassificationInput(**base)).category == "JL"
    assert classify(rules, ClassificationInput(**{**base, "page_count": 4})).needs_attention
    assert classify(rules, ClassificationInput(**{**base, "media_type": "image/jpeg"})
                    ).needs_attention
    other = {**base, "relative_path": "other/x.pdf"}
    assert classify(rules, ClassificationInput(**other)).needs_attention
    assert classify(rules, ClassificationInput(**other, station="s9")).category == "JL"


def test_priority_first_writer_wins_and_disabled_rules_are_skipped():
    rules = _rules([
        {"id": "low", "priority": 1, "when": {"hot_folder": "yk"},
         "then": {"category": "QT", "doc_type": "低"}},
        {"id": "high", "priority": 9, "when": {"hot_folder": "yk"}, "then": {"doc_type": "高"}},
        {"id": "off", "priority": 99, "enabled": False, "when": {"hot_folder": "yk"},
         "then": {"category": "DF"}},
    ])
    d = classify(rules, ClassificationInput(hot_folder="YK", relative_path="a.pdf"))
    assert (d.category, d.doc_type, d.matched_rules) == ("QT", "高", ["high", "low"])
    assert [tr.rule_id for tr in d.trace] == ["off", "high", "low"]
    assert d.trace[0].skipped == "disabled"


def test_groups_fill_customer_type_process_and_title(ruleset):
    d = classify(ruleset, ClassificationInput(hot_folder="yk",
                                              relative_path="3300123456_更名过户_客户信息变更单.pdf"))
    assert (d.customer_number, d.business_process, d.doc_type, d.title) == (
        "3300123456", "更名过户", "客户信息变更单", "更名过户 客户信息变更单")


def test_no_match_needs_attention_with_reasons(ruleset):
    d = classify(ruleset, ClassificationInput(hot_folder="inbox", relative_path="scan.pdf",
                                              media_type="application/pdf"))
    assert d.needs_attention and d.matched_rules == []
    assert len(d.trace) == len(ruleset.classification.rules)
    assert all(not tr.matched and tr.reasons for tr in d.trace)


def test_regex_sees_a_bounded_input_and_stays_fast():
    rules = _rules([{"id": "r", "when": {"file_name": r"^\d+\d+\d+x$"},
                     "then": {"category": "QT"}}])
    started = time.perf_counter()
    d = classify(rules, ClassificationInput(relative_path="1" * 100_000 + "x"))
    elapsed = time.perf_counter() - started
    assert d.needs_attention  # the 'x' lies beyond MAX_INPUT characters
    assert MAX_INPUT == 512
    assert elapsed < 30  # a sanity bound only: unbounded input would run for hours


def test_a_failed_any_branch_leaves_no_groups():
    rules = _rules([{
        "id": "r", "when": {"any": [
            {"all": [{"file_name": r"^(?P<customer>\d{10})"}, {"hot_folder": "nowhere"}]},
            {"hot_folder": "yk"}]},
        "then": {"category": "YK", "customer_from": "customer"}}])
    d = classify(rules, ClassificationInput(hot_folder="yk", relative_path="3300123456.pdf"))
    assert d.category == "YK" and d.customer_number is None
