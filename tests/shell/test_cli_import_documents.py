"""`hudang import documents` at the command line: JSON, progress lines, once only, sign-in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hudang.store import archive
from hudang.store.models import AuditEvent, Document
from tests.clihelp import add_user, cli_home, run_cli, sign_in  # noqa: F401  (fixture)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
DOCUMENTS = SAMPLE / "documents_sample.csv"


def _with_customers(home: Path, rules: bool = True) -> None:
    if rules:
        shutil.copytree(SAMPLE / "rules", home / "rules")
    assert run_cli("import", "customers", str(SAMPLE / "customers_sample.csv")).exit_code == 0


def _documents() -> int:
    archive.close_archive()
    run_cli("whoami")  # reopen the archive the way the CLI does
    return Document.select().count()


def test_json_output_and_nothing_on_stderr(cli_home):
    _with_customers(cli_home)
    res = run_cli("import", "documents", str(DOCUMENTS), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["imported"] == data["count"] == 72 and data["encoding"] == "utf-8"
    assert (data["volumes_created"], data["boxes_created"]) == (22, 7)
    assert data["retention"] == {"waiting_for_trigger": 72} and data["retention_ruleset"]
    assert res.stderr == ""
    shown = json.loads(run_cli("lookup", "D000100017", "--json").output)
    assert shown["document"]["doc_type"] == "用电申请书"


def test_progress_lines_when_not_a_terminal_and_a_summary(cli_home):
    _with_customers(cli_home)
    res = run_cli("import", "documents", str(DOCUMENTS))
    assert res.exit_code == 0, res.output
    assert "已导入 72 件文件" in res.stdout and "新建案卷 22 个" in res.stdout
    assert "保管期限：等待触发 72" in res.stdout
    lines = res.stderr.splitlines()
    assert any(line.startswith("导入 行: 72/72") for line in lines), res.stderr
    assert lines[-1].startswith("导入 文件: 72/72"), res.stderr
    assert "\x1b" not in res.stderr  # plain lines, no bar


def test_without_rules_retention_is_left_for_recompute(cli_home):
    _with_customers(cli_home, rules=False)
    res = run_cli("import", "documents", str(DOCUMENTS))
    assert res.exit_code == 0 and "retention.yaml" in res.stderr


def test_the_same_file_twice_is_refused(cli_home):
    _with_customers(cli_home)
    assert run_cli("import", "documents", str(DOCUMENTS)).exit_code == 0
    again = run_cli("import", "documents", str(DOCUMENTS), "--json")
    assert again.exit_code == 1 and "导入过" in again.output and "未做任何更改" in again.output
    assert _documents() == 72


def test_a_bad_file_lists_its_rows(cli_home, tmp_path):
    _with_customers(cli_home)
    bad = tmp_path / "bad.csv"
    bad.write_text("户号,类别,文件类型,日期\n0601000001,YK,申请书,2015-01-01\n"
                   "0601000001,其他类,申请书,2015-01-01\n0699999999,YK,申请书,2015-13-01\n",
                   encoding="gbk")
    res = run_cli("import", "documents", str(bad))
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "第 3 行" in res.output and "第 4 行" in res.output and "0699999999" in res.output
    assert _documents() == 0


def test_sign_in_required_and_only_an_administrator(cli_home):
    _with_customers(cli_home)
    add_user("keeper1", "keeper")
    run_cli("logout")
    res = run_cli("import", "documents", str(DOCUMENTS))
    assert res.exit_code == 1 and "未登录" in res.output
    sign_in("keeper1", "password-123")
    res = run_cli("import", "documents", str(DOCUMENTS))
    assert res.exit_code == 1 and "无权" in res.output
    assert _documents() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "document.import").exists()
