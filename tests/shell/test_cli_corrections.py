"""`hudang import customers` keeps rows with bad ID numbers; `customer corrections` lists them."""

from __future__ import annotations

import json

from tests.clihelp import cli_home, run_cli  # noqa: F401

CSV = ("户号,户名,证件号码,电压等级,台区\n"
       "3300012345,张三,440604198001181234,低压,禅城1号\n"
       "3300054321,李四,440604198001011234,高压,\n")


def test_bad_id_numbers_are_kept_reported_and_listed(cli_home, tmp_path):  # noqa: F811
    src = tmp_path / "c.csv"
    src.write_text(CSV, encoding="utf-8")
    imported = run_cli("import", "customers", str(src))
    assert imported.exit_code == 0, imported.output
    assert "第 3 行" in imported.output and "3300054321" in imported.output
    listed = json.loads(run_cli("customer", "corrections", "--json").output)
    assert [(r["customer_number"], r["field"]) for r in listed] == [("3300054321", "id_number")]
    refused = run_cli("customer", "add", "3300099999", "--name", "王五", "--voltage", "HV",
                      "--id-number", "440604198001011234")
    assert refused.exit_code == 1 and "--accept-invalid-id" in refused.output
    assert "Traceback" not in refused.output
    fixed = run_cli("customer", "update", "3300054321", "--id-number", "440604198001181234")
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(run_cli("customer", "corrections", "--json").output) == []
