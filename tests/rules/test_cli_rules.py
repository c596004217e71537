"""`hudang rules check/test/explain` and `hudang retention recompute/due` through click."""

from __future__ import annotations

import shutil

import click
import pytest
from click.testing import CliRunner
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from hudang.cli_rules import register
from hudang.store.models import Customer, Document
from tests.clihelp import service_account_env
from tests.rules.conftest import BROKEN, SAMPLE_RULES


@pytest.fixture
def cli():
    @click.group()
    def root() -> None:
        """A bare group, so these tests do not depend on other rooms' commands."""

    register(root)
    return root


@pytest.fixture
def env(tmp_path):
    return {"HUDANG_HOME": str(tmp_path / "home"), "HUDANG_LANGUAGE": "en"}


def test_main_command_has_the_groups():
    from hudang.cli import cli as main_cli

    assert {"rules", "retention"} <= set(main_cli.commands)


def test_check_ok_and_every_error_listed(cli, env, rules_dir):
    runner = CliRunner()
    ok = runner.invoke(cli, ["rules", "check", str(SAMPLE_RULES)], env=env)
    assert ok.exit_code == 0 and "rules are valid" in ok.output
    shutil.copy(BROKEN / "classification__unknown_key.yaml", rules_dir / "classification.yaml")
    shutil.copy(BROKEN / "retention__zero_duration.yaml", rules_dir / "retention.yaml")
    bad = runner.invoke(cli, ["rules", "check", str(rules_dir)], env=env)
    assert bad.exit_code == 1
    assert "2 errors" in bad.output
    assert "classification.yaml:5:5: rules[0].prority" in bad.output
    assert "retention.yaml:8:13: schedules[0].period" in bad.output


def test_rules_test_passes_and_fails(cli, env, rules_dir):
    runner = CliRunner()
    ok = runner.invoke(cli, ["rules", "test", str(rules_dir)], env=env)
    assert ok.exit_code == 0 and "0 failed" in ok.output
    path = rules_dir / "classification.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("business_process: 增容",
                                                              "business_process: 新装"),
                    encoding="utf-8")
    bad = runner.invoke(cli, ["rules", "test", str(rules_dir)], env=env)
    assert bad.exit_code == 1
    line = 1 + path.read_text(encoding="utf-8").splitlines().index("  - name: 业扩文件名")
    assert f"FAIL classification.yaml:{line} 业扩文件名" in bad.output
    assert "business_process: expected '新装', got '增容'" in bad.output


def _qr_pdf(path, payload: str) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    widget = QrCodeWidget(payload)
    x0, y0, x1, y1 = widget.getBounds()
    size = 160
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, 60, 600)
    c.drawString(60, 560, "contract")
    c.showPage()
    c.drawString(60, 700, "page 2")
    c.showPage()
    c.save()


def test_explain_decodes_a_real_qr_code_and_dates_retention(cli, env, tmp_path):
    pdf = tmp_path / "scan0001.pdf"
    _qr_pdf(pdf, "HT-3300123456-G2025001")
    result = CliRunner().invoke(cli, [
        "rules", "explain", str(pdf), "--dir", str(SAMPLE_RULES), "--hot-folder", "contracts",
        "--voltage", "HV", "--status", "cancelled", "--filed-on", "2018-01-01",
        "--cancelled-on", "2020-05-05", "--contract-expires-on", "2021-06-30"], env=env)
    assert result.exit_code == 0, result.output
    assert "application/pdf, 2p" in result.output
    assert "('HT-3300123456-G2025001', 'QRCODE', 1)" in result.output
    assert "✔ contract-qr" in result.output
    assert "YK / 供用电合同 / 3300123456" in result.output
    assert "retention: dated contract-after-expiry -> 2026-06-30" in result.output


def test_explain_without_a_match_says_needs_attention(cli, env, tmp_path):
    pdf = tmp_path / "blank.pdf"
    _qr_pdf(pdf, "NOTHING")
    result = CliRunner().invoke(cli, ["rules", "explain", str(pdf), "--dir", str(SAMPLE_RULES),
                                      "--hot-folder", "inbox"], env=env)
    assert result.exit_code == 0 and "needs attention" in result.output
    assert "✘ contract-qr" in result.output


def test_retention_commands_against_the_archive(cli, env, db, archive_url, tmp_path):
    customer = Customer.create(number="3300000001", name="甲", voltage_class="HV",
                               status="cancelled", cancelled_on=dt_date(2019, 3, 3))
    doc = Document.create(customer=customer, category="YK", doc_type="用电申请书",
                          filed_on=dt_date(2015, 1, 1), barcode="D00000429K")
    runner = CliRunner()
    env = {**env, "HUDANG_DATABASE_URL": archive_url,
           **service_account_env(tmp_path / "secrets", role="admin", username="rules-svc")}
    rec = runner.invoke(cli, ["retention", "recompute", "--dir", str(SAMPLE_RULES)], env=env)
    assert rec.exit_code == 0, rec.output
    assert "examined 1, updated 1" in rec.output
    listed = runner.invoke(cli, ["retention", "due", "--before", "2030-01-01"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "D00000429K" in listed.output and "2025-01-01" in listed.output
    summary = runner.invoke(cli, ["retention", "due", "--before", "2024-12-31", "--summary",
                                  "--json"], env=env)
    assert summary.output.strip() == "{}"
    assert Document.get_by_id(doc.id).retention_class == "cancelled-hv"


def dt_date(y: int, m: int, d: int):
    import datetime

    return datetime.date(y, m, d)


def test_explain_as_json(cli, env, tmp_path):
    import json

    pdf = tmp_path / "scan0002.pdf"
    _qr_pdf(pdf, "HT-3300123456-G2025001")
    result = CliRunner().invoke(cli, [
        "rules", "explain", str(pdf), "--dir", str(SAMPLE_RULES), "--hot-folder", "contracts",
        "--voltage", "HV", "--status", "cancelled", "--filed-on", "2018-01-01",
        "--cancelled-on", "2020-05-05", "--contract-expires-on", "2021-06-30", "--json"],
        env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["decision"]["customer_number"] == "3300123456"
    assert "contract-qr" in report["decision"]["matched_rules"]
    assert report["retention"]["eligible_on"] == "2026-06-30"
    assert report["barcodes"] == [["HT-3300123456-G2025001", "QRCODE", 1]]
