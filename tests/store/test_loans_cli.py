"""`hudang loan …` end to end against a real archive: request, approve, checkout, return, export."""

from __future__ import annotations

import csv
import json

import pytest
from hudang.store import archive

from tests.clihelp import prepare_env, run_cli
from tests.store.test_loans_setup import build_archive


@pytest.fixture
def env(db, archive_url, tmp_path, monkeypatch):
    """HUDANG_* settings pointing the CLI at the test archive (no rules dir: built-in policy)."""
    prepare_env(monkeypatch, tmp_path / "home")
    values = {"HUDANG_DATABASE_URL": archive_url,
              "HUDANG_RULES_DIR": str(tmp_path / "no-rules"), "HUDANG_LANGUAGE": "zh"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return build_archive()


def run(*args: str, ok: bool = True, input: str | None = None):
    result = run_cli(*args, input=input)
    assert (result.exit_code == 0) is ok, result.output
    archive.close_archive()  # the CLI opens its own connection each time
    return result


def login(username: str) -> None:
    run("login", username, input="password-123\n")


def test_cli_lifecycle(env, tmp_path, monkeypatch):
    assert "未登录" in run("loan", "request", "zhang", env.lv_a_doc, "--purpose", "x",
                          ok=False).output
    login("keeper1")
    assert "--as" in run("loan", "request", "zhang", env.lv_a_doc, "--purpose", "x",
                         "--as", "li", ok=False).output  # --as no longer switches users
    out = run("loan", "request", "zhang", env.lv_a_doc, env.lv_box2, "--use", "take_out",
              "--purpose", "诉讼取证", "--as", "keeper1").output
    slip = out.split()[0]
    assert slip.startswith("L") and "原件出库" in out
    login("zhang")
    assert "申请人不能审批" in run("loan", "approve", slip, ok=False).output
    login("li")
    run("loan", "approve", slip, "--note", "同意")
    login("keeper1")
    picks = run("loan", "checkout", slip).output.splitlines()
    assert env.lv_box2 in picks[0] and env.lv_box in picks[1]  # walking order
    listed = json.loads(run("loan", "checkout", slip, "--json").stdout)
    assert [i["box_barcode"] for i in listed] == [env.lv_box2, env.lv_box]
    out = json.loads(run("loan", "checkout", slip, env.lv_box2, env.lv_a_doc, "--json").stdout)
    assert [(r["ok"], r["box"], r["remaining"]) for r in out] == [(True, env.lv_box2, 1),
                                                                 (True, env.lv_box, 0)]
    again = run("loan", "checkout", slip, env.lv_box2, ok=False)
    assert "已按本出借单出库" in again.output
    back = json.loads(run("loan", "return", env.lv_box2, "--damaged", "--missing", "第3页",
                          "--json").stdout)
    assert back == [{"code": env.lv_box2, "ok": True, "box": env.lv_box2, "slip_no": slip,
                     "reshelve_at": env.homes[env.lv_box2], "still_out": 1}]
    assert "没有借出" in run("loan", "return", env.lv_box2, ok=False).output
    shown = run("loan", "show", slip).output
    assert "损坏" in shown and "第3页" in shown and "active" in shown
    run("loan", "export", str(tmp_path / "reg.csv"))
    with (tmp_path / "reg.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["户名"] for r in rows] == ["李𠮷祥", "李𠮷祥"] and rows[1]["缺失"] == "第3页"
    gbk = run("loan", "export", str(tmp_path / "gbk.csv"), "--encoding", "gbk")
    data = (tmp_path / "gbk.csv").read_bytes()
    assert "出借单号".encode("gbk") in data and "李𠮷祥" in data.decode("gb18030")
    assert "不在 GBK 字符集中" in gbk.stderr and "第 2 行「户名」𠮷" in gbk.stderr
    assert "已导出 2 行" in gbk.stdout
    monkeypatch.setenv("HUDANG_CSV_ENCODING", "gbk")  # a site on older Chinese Excel
    run("loan", "export", str(tmp_path / "site.csv"))
    assert (tmp_path / "site.csv").read_bytes() == data
    run("loan", "slip", slip, str(tmp_path / "slip.pdf"))
    assert (tmp_path / "slip.pdf").read_bytes().startswith(b"%PDF")
    assert "reshelved" in run("loan", "reshelve", env.lv_box2, env.homes[env.lv_box2]).output
    assert "没有逾期" in run("loan", "overdue").output


def test_cli_reading_grant(env):
    login("keeper1")
    asked = json.loads(run("loan", "grant", "request", "zhang", env.hv_customer, "--reason",
                           "核对", "--days", "2", "--json").stdout)
    assert (asked["username"], asked["status"]) == ("zhang", "pending")
    assert run("loan", "grant", "check", "zhang", env.hv_customer, ok=False).exit_code == 1
    denied = run("loan", "grant", "check", "zhang", env.hv_customer, "--json", ok=False)
    assert json.loads(denied.stdout)["may_view"] is False
    login("li")
    run("loan", "grant", "approve", str(asked["id"]))
    assert "可以查看" in run("loan", "grant", "check", "zhang", env.hv_customer).output
    assert json.loads(run("loan", "grant", "check", "zhang", env.hv_customer,
                          "--json").stdout)["may_view"] is True
