"""The business commands end to end on a temporary home: import, tasks, remind, status, kpi."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from openpyxl import load_workbook

from tests.clihelp import add_user, cli_home, run_cli, sign_in  # noqa: F401  (fixture)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _setup(home: Path) -> None:
    shutil.copytree(SAMPLE / "rules", home / "rules")
    assert run_cli("import", "customers", str(SAMPLE / "customers_sample.csv")).exit_code == 0
    res = run_cli("events", "import", str(SAMPLE / "events_sample.csv"))
    assert res.exit_code == 0, res.output
    assert "10" in res.output


def test_import_twice_then_tasks_and_status(cli_home):
    _setup(cli_home)
    again = run_cli("events", "import", str(SAMPLE / "events_sample.csv"), "--json")
    data = json.loads(again.output)
    assert data["imported"] == 0 and data["already_known"] == 10
    res = run_cli("tasks", "--kind", "待添加", "--state", "red", "--json")
    rows = json.loads(res.output)
    assert rows and all(r["reminder_kind"] == "待添加" and r["state"] == "red" for r in rows)
    staff = json.loads(run_cli("tasks", "--staff", "zhaolei", "--json").output)
    assert staff and {r["staff"] for r in staff} == {"zhaolei"}
    st = json.loads(run_cli("process", "status", "YK2026030003", "--json").output)
    assert st["complete"] is False
    assert st["missing"] == ["受理:客户信息变更单", "受理:身份证明", "签订合同:供用电合同"]
    bad = run_cli("process", "status", "NOPE")
    assert bad.exit_code == 1 and "NOPE" in bad.output


def test_bad_file_exit_one_with_rows(cli_home, tmp_path):
    shutil.copytree(SAMPLE / "rules", cli_home / "rules")
    f = tmp_path / "bad.csv"
    f.write_text("户号,流程编号,业务类型,环节,完成时间\n0601000001,P,新装,受理,昨天\n", encoding="utf-8")
    res = run_cli("events", "import", str(f))
    assert res.exit_code == 1
    assert "第 2 行" in res.output
    missing = run_cli("events", "import", str(tmp_path / "nothing.csv"))
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_remind_kpi_and_xlsx(cli_home, tmp_path):
    _setup(cli_home)
    first = run_cli("remind", "--json")
    assert first.exit_code == 0, first.output
    s1 = json.loads(first.output)
    assert s1["new_reminders"]["red"] > 0
    assert s1["escalated"]  # red items went to team leads named in checklists.yaml
    s2 = json.loads(run_cli("remind", "--json").output)
    assert s2["new_reminders"] == {}
    text = run_cli("remind")
    assert "待添加" in text.output and "业扩时限预警" in text.output
    out = tmp_path / "kpi.xlsx"
    res = run_cli("kpi", "--month", "2026-03", "--by", "staff", "--xlsx", str(out))
    assert res.exit_code == 0, res.output
    assert "wangfang" in res.output
    assert "考核 查询: 12/12" in res.stderr  # three groupings for the workbook, 4 passes each
    quiet = run_cli("kpi", "--month", "2026-03", "--json")
    assert json.loads(quiet.stdout)["month"] == "2026-03" and quiet.stderr == ""
    book = load_workbook(out)
    assert book.sheetnames == ["责任人", "班组", "供电单位"]
    sheet = book["班组"]
    assert sheet.cell(1, 5).value == "归档及时率(48h)"
    assert sheet.cell(2, 1).value.year == 2026 and isinstance(sheet.cell(2, 6).value, int)
    assert sheet.cell(2, 1).number_format == "yyyy-mm"  # the month is a date, not text
    assert sheet.cell(2, 4).number_format == "0.0%" and sheet.cell(2, 5).number_format == "0.0%"
    assert all(isinstance(sheet.cell(2, c).value, (int, float)) or sheet.cell(2, c).value is None
               for c in range(4, sheet.max_column + 1))  # numbers stay numbers
    assert sheet.column_dimensions["E"].width >= 16  # "归档及时率(48h)" fits
    for name in book.sheetnames:  # a bar chart for every rate on every grouping's sheet
        titles = [_title(c) for c in book[name]._charts]
        assert titles == [f"2026-03 {r}" for r in ("归档及时率(48h)", "环节完成率",
                                                  "纸质移交及时率", "超时限率", "抽查合格率")]
    assert run_cli("kpi", "--month", "2026-13").exit_code == 1


def _title(chart) -> str:
    return "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))


def test_waive_and_quality_from_the_shell(cli_home):
    _setup(cli_home)
    task = json.loads(run_cli("tasks", "--kind", "digitise", "--json").output)[0]
    ok = run_cli("task", "waive", str(task["id"]), "--reason", "客户未提供，已电话确认")
    assert ok.exit_code == 0, ok.output
    add_user("k1", "keeper", "keeper-pass-1")
    sign_in("k1", "keeper-pass-1")
    denied = run_cli("task", "waive", str(task["id"] + 1), "--reason", "x")
    assert denied.exit_code == 1 and "admin/approver" in denied.output
    res = run_cli("quality", "sample", "--month", "2026-03", "--percent", "10", "--seed", "3")
    assert res.exit_code == 0, res.output
    assert "抽查 抽样: 0" in res.stderr  # progress (the sample data has no scans that month)


def test_watch_once_takes_the_events_folder(cli_home, tmp_path):
    shutil.copytree(SAMPLE / "rules", cli_home / "rules")
    assert run_cli("import", "customers", str(SAMPLE / "customers_sample.csv")).exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE / "events_sample.csv", inbox / "marketing.csv")
    (cli_home / "config.toml").write_text(f'[watch]\nevents_folders = ["{inbox}"]\n',
                                          encoding="utf-8")
    res = run_cli("watch", "--once")
    assert res.exit_code == 0, res.output
    assert "marketing.csv: imported 10 new" in res.output
    assert (inbox / "done" / "marketing.csv").is_file()
    shutil.copy(SAMPLE / "events_sample.csv", inbox / "again.csv")
    alone = run_cli("events", "watch", str(inbox), "--once", "--json")
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.stdout) == [{"name": "again.csv", "status": "imported",
                                         "detail": json.loads(alone.stdout)[0]["detail"]}]
    assert run_cli("events", "watch", str(inbox), "--json").exit_code == 2  # needs --once


def test_english_output_names_kinds_in_english(cli_home, monkeypatch):
    _setup(cli_home)
    monkeypatch.setenv("HUDANG_LANGUAGE", "en")
    out = run_cli("remind").output
    assert "to digitise" in out and "step time limit" in out and "new reminders" in out
    assert "待添加" not in out and "红" not in out
    tasks = run_cli("tasks", "--kind", "待添加", "--limit", "3").output
    assert "to digitise" in tasks and "red" in tasks
