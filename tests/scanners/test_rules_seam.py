"""The daemon classifying with the YAML rules: real observer, real pyzbar, live rule reloads."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hudang.rules import load_ruleset
from hudang.scanners import samples
from hudang.scanners.decode import Barcode
from hudang.scanners.linking import ScanInfo
from hudang.scanners.rules_linking import RulesLinker
from hudang.store import audit
from hudang.store import barcodes as barcodes_mod
from hudang.store.models import AttentionItem, AuditEvent, Customer, Document
from hudang.store.services import customers, ingest

from hudang.cli import cli
from tests.clihelp import service_account_env
from tests.scanners.conftest import KEEPER, wait_for, watch_config
from tests.scanners.test_daemon import records, running

SAMPLE_RULES = Path(__file__).resolve().parents[2] / "sample_data" / "rules"

RULES_V1 = """
rules:
  - id: named-bill
    priority: 50
    when:
      all:
        - hot_folder: hot
        - file_name: '^(?P<customer>\\d{10})_(?P<doctype>[^_.]+)\\.(?:pdf|png|tif)$'
    then:
      category: DF
      doc_type_from: doctype
      customer_from: customer
      business_process: 更名过户
      title: "{doc_type}（{customer}）"
  - id: cover-customer
    priority: 5
    when:
      barcode: {symbology: CODE128, page: 1, regex: '^(?P<customer>\\d{10})$'}
    then:
      customer_from: customer
"""

RULES_V2 = RULES_V1.replace("category: DF", "category: YJ").replace(
    "doc_type_from: doctype", "doc_type: 安全用电检查记录")

RULES_BROKEN = RULES_V2.replace("priority: 50", "prority: 50")


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    """The shipped rule set with a test classification.yaml; the barcode scheme is restored."""
    target = tmp_path / "rules"
    shutil.copytree(SAMPLE_RULES, target)
    (target / "classification.yaml").write_text(RULES_V1, encoding="utf-8")
    before = barcodes_mod.default_scheme()
    yield target
    barcodes_mod.set_default_scheme(before)


def _drop(tmp_path: Path, folder: Path, name: str, seed: int, codes=None) -> None:
    """Write a scanned PNG elsewhere and move it into the hot folder, as stations do."""
    src = samples.write_image(tmp_path / f"src{seed}.png",
                              samples.page_image(codes, seed=seed), dpi=200)
    os.replace(src, folder / name)


def _doc(number: str) -> Document:
    (doc,) = Document.select().join(Customer).where((Customer.number == number)
                                                   & Document.barcode.is_null())
    return doc


def test_rules_classify_reload_live_and_survive_a_broken_file(archive, hot, store_dir, tmp_path,
                                                             rules_dir, caplog):
    caplog.set_level(logging.INFO, logger="hudang")
    customers.cancel_customer("3300099999", dt.date(2024, 3, 1), KEEPER)
    with running(watch_config(hot), store_dir, rules_dir=rules_dir) as daemon:
        v1 = daemon.rules.version
        assert v1 and v1 == load_ruleset(rules_dir).version
        _drop(tmp_path, hot.path, "3300099999_电费通知单.png", seed=1)
        wait_for(lambda: records("filed") == 1, what="the first file filed by rule")
        bill = _doc("3300099999")
        assert (bill.category, bill.doc_type, bill.business_process, bill.title) == \
            ("DF", "电费通知单", "更名过户", "电费通知单（3300099999）")
        # cancelled LV customer: billing 10 years from next January beats cancelled-lv 3 years
        assert bill.retention_class == "billing-10y"
        assert bill.retention_eligible_on == dt.date(bill.filed_on.year + 11, 1, 1)
        assert bill.retention_note.startswith("[dated]") and "cancelled-lv" in \
            bill.retention_note
        assert bill.retention_ruleset == v1

        (rules_dir / "classification.yaml").write_text(RULES_V2, encoding="utf-8")
        wait_for(lambda: daemon.rules.version not in ("", v1), what="the changed rules")
        v2 = daemon.rules.version
        _drop(tmp_path, hot.path, "3300054321_检查.png", seed=2)
        wait_for(lambda: records("filed") == 2, what="a file under the changed rules")
        check = _doc("3300054321")
        assert (check.category, check.doc_type) == ("YJ", "安全用电检查记录")
        # active customer: waiting for 销户, never a guessed date
        assert (check.retention_class, check.retention_eligible_on) == ("cancelled-lv", None)
        assert check.retention_note.startswith("[waiting_for_trigger]")
        assert check.retention_ruleset == v2

        (rules_dir / "classification.yaml").write_text(RULES_BROKEN, encoding="utf-8")
        wait_for(lambda: daemon.rules.last_error is not None, what="the broken rules reported")
        assert daemon.rules.version == v2  # the last good rules stay active
        _drop(tmp_path, hot.path, "3300012345_检查.png", seed=3)
        wait_for(lambda: records("filed") == 3, what="a file under the last good rules")
        kept = _doc("3300012345")
        assert (kept.category, kept.retention_ruleset) == ("YJ", v2)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"classifying with rules version {v1}" in logged
    assert f"classifying with rules version {v2}" in logged
    assert re.search(r"classification\.yaml:\d+:\d+: rules\[0\]\.prority", logged), logged
    assert f"still classifying with rules version {v2}" in logged
    created = [json.loads(e.after) for e in AuditEvent.select()
               .where(AuditEvent.action == "document.created")]
    assert [(e["rules"], e["retention_ruleset"]) for e in created] == \
        [(["named-bill"], v1), (["named-bill"], v2), (["named-bill"], v2)]
    assert audit.verify().ok


def test_no_rule_match_goes_to_attention_with_the_trace_then_assignment_files_it(
        archive, hot, store_dir, tmp_path, rules_dir):
    with running(watch_config(hot), store_dir, rules_dir=rules_dir) as daemon:
        _drop(tmp_path, hot.path, "scan001.png", seed=4)
        wait_for(lambda: records("attention") == 1, what="the attention item")
        ruleset = daemon.rules.current
    (item,) = ingest.list_attention()
    assert (item.original_name, item.reason_code, item.page_nos) == ("scan001.png", "no_rule",
                                                                     [1])
    assert "named-bill ✗" in item.reason and "cover-customer ✗" in item.reason
    assert ruleset.version in item.reason
    filed = ingest.assign_attention(item.id, KEEPER, customer_number="3300054321",
                                    category="DF", doc_type="电费发票", ruleset=ruleset)
    doc = Document.get_by_id(filed.document_id)
    assert (doc.category, doc.doc_type, doc.retention_ruleset) == ("DF", "电费发票",
                                                                   ruleset.version)
    assert doc.retention_class == "cancelled-lv" and doc.retention_eligible_on is None
    assert filed.retention_ruleset == ruleset.version
    assert AttentionItem.get_by_id(item.id).status == "assigned"
    assert audit.verify().ok


def test_a_cover_barcode_names_the_customer_and_a_separator_wins_over_rules(
        archive, hot, store_dir, tmp_path, rules_dir):
    """A CODE128 customer barcode read by pyzbar feeds the rules; a separator's facts win."""
    ruleset = load_ruleset(rules_dir)
    linker = RulesLinker(ruleset)
    sep = Barcode("HDS-3300054321-JL", "CODE128", 1, (0, 0, 1, 1))
    info = ScanInfo("3300099999_工单.pdf", "S1", [[sep], [], []], hot_folder="hot",
                    media_type="application/pdf")
    (seg,) = linker.link(info).segments
    assert (seg.customer_number, seg.category, seg.doc_type, seg.pages) == \
        ("3300054321", "JL", "工单", [2, 3])
    with running(watch_config(hot), store_dir, rules_dir=rules_dir):
        _drop(tmp_path, hot.path, "cover.png", seed=5, codes=["3300012345"])
        wait_for(lambda: records() == 1, what="the cover-barcode file")
    (item,) = ingest.list_attention()  # a customer, but no rule gives a category
    assert item.reason_code == "no_rule" and item.hints["customer"] == "3300012345"
    assert "cover-customer ✓" in item.reason


def test_watch_once_uses_the_rules_directory(archive, archive_url, hot, store_dir, tmp_path,
                                             rules_dir):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[watch]\nworkers = 0\n[[watch.folders]]\npath = "{hot.path}"\nstation = "S9"\n'
        f'quiet_seconds = 0.1\n', encoding="utf-8")
    env = {"HUDANG_HOME": str(home), "HUDANG_DATABASE_URL": archive_url,
           "HUDANG_SCAN_STORE": str(store_dir), "HUDANG_LANGUAGE": "en",
           "HUDANG_RULES_DIR": str(rules_dir), **service_account_env(tmp_path / "secrets")}
    _drop(tmp_path, hot.path, "3300054321_电费发票.png", seed=6)
    result = CliRunner().invoke(cli, ["watch", "--once"], env=env)
    assert result.exit_code == 0, result.output
    doc = _doc("3300054321")
    assert (doc.category, doc.doc_type) == ("DF", "电费发票")
    assert doc.retention_ruleset == load_ruleset(rules_dir).version
    (rules_dir / "classification.yaml").write_text(RULES_BROKEN, encoding="utf-8")
    _drop(tmp_path, hot.path, "3300099999_电费发票.png", seed=7)
    refused = CliRunner().invoke(cli, ["watch", "--once"], env=env)
    assert refused.exit_code == 2
    assert (hot.path / "3300099999_电费发票.png").exists()  # not taken: it waits


def test_rules_invalid_at_start_up_make_files_wait_until_they_are_fixed(archive, hot, store_dir,
                                                                        tmp_path, rules_dir):
    (rules_dir / "classification.yaml").write_text(RULES_BROKEN, encoding="utf-8")
    with running(watch_config(hot), store_dir, rules_dir=rules_dir) as daemon:
        assert daemon.rules.current is None and daemon.rules.last_error is not None
        _drop(tmp_path, hot.path, "3300054321_电费发票.png", seed=8)
        reloads = daemon.rules.reloads
        (rules_dir / "policies.yaml").touch()  # any event: the holder loads (and fails) again
        wait_for(lambda: daemon.rules.reloads > reloads, what="a reload attempt")
        assert records() == 0 and (hot.path / "3300054321_电费发票.png").exists()
        (rules_dir / "classification.yaml").write_text(RULES_V1, encoding="utf-8")
        wait_for(lambda: records("filed") == 1, what="filing once the rules are fixed")
    doc = _doc("3300054321")
    assert (doc.category, doc.doc_type, doc.retention_ruleset) == \
        ("DF", "电费发票", load_ruleset(rules_dir).version)
