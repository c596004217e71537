"""The CLI end to end on a temp archive: clear one-line errors, tables and JSON."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hudang.store import archive

from tests.clihelp import ADMIN_PASSWORD, add_user, init_home, prepare_env, run_cli


@pytest.fixture
def env(tmp_path, monkeypatch):
    prepare_env(monkeypatch, tmp_path)
    yield tmp_path
    archive.close_archive()


def run(*args, input=None):
    return run_cli(*args, input=input)


def test_init_is_idempotent_and_config_show(env):
    assert run("init", input=ADMIN_PASSWORD + "\n").exit_code == 0
    assert run("init").exit_code == 0  # the administrator exists: no password asked
    again = run("db", "upgrade")
    assert again.exit_code == 0 and "最新" in again.output
    shown = run("config", "show", "--json")
    rows = {r["setting"]: r for r in json.loads(shown.output)}
    assert rows["home"]["source"] == "env HUDANG_HOME"


def test_user_errors_are_one_line_and_non_zero(env):
    init_home()
    r = run("lookup", "B000000000")
    assert r.exit_code == 1
    assert r.output.strip().count("\n") == 0 and "校验位" in r.output
    r = run("shelve", "B000000429", "P000000017")
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_import_lookup_search_and_audit(env, tmp_path):
    init_home()
    csv = tmp_path / "c.csv"
    csv.write_text("户号,户名,电压等级,用电地址,线路,台区\n"
                   "3300000001,𠮷田明,低压,佛山市禅城区祖庙路1号,10kV祖庙线,祖庙1号台区\n",
                   encoding="utf-8-sig")
    r = run("import", "customers", str(csv))
    assert r.exit_code == 0, r.output
    r = run("lookup", "3300000001", "--json")
    assert json.loads(r.output)["customer"]["name"] == "𠮷田明"
    r = run("search", "田明", "--json")
    assert [h["number"] for h in json.loads(r.output)] == ["3300000001"]
    r = add_user("zhang", "keeper", "password123", "--name", "张三")
    assert r.exit_code == 0 and "S" in r.output
    r = run("audit", "verify")
    assert r.exit_code == 0 and "完整" in r.output
    con = sqlite3.connect(env / "hudang.sqlite3")
    con.execute("DROP TRIGGER audit_event_no_update")  # as a database administrator could
    con.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1")
    con.commit()
    con.close()
    archive.close_archive()
    r = run("audit", "verify")
    assert r.exit_code == 1 and "edited" in r.output


def test_bad_import_lists_rows_and_imports_nothing(env, tmp_path):
    init_home()
    csv = tmp_path / "bad.csv"
    csv.write_text("户号,户名,电压等级\n3300000001,张三,低压\nabc,李四,中压\n", encoding="utf-8")
    r = run("import", "customers", str(csv))
    assert r.exit_code == 1 and "3" in r.output
    r = run("lookup", "3300000001")
    assert r.exit_code == 1


def test_user_list_shows_cards(env):
    init_home()
    add_user("li", "approver", "password123", "--name", "李四")
    rows = {r["username"]: r for r in json.loads(run("user", "list", "--json").output)}
    assert rows["li"]["role"] == "approver" and rows["li"]["staff_card"].startswith("S")
    assert rows["admin"]["role"] == "admin"


_SITE_BARCODES = """\
check_character: iso7064_mod37_36
prefixes: {document: WD, volume: WV, box: WB, position: WP, loan_slip: WL, staff_card: WS,
           handover: WH}
digits: 7
customer_number_pattern: '^\\\\d{10}$'
"""


def test_the_cli_makes_and_reads_barcodes_by_the_sites_barcodes_yaml(env):
    from hudang.common.barcodes import default_scheme

    init_home()
    rules = env / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "barcodes.yaml").write_text(_SITE_BARCODES, encoding="utf-8")
    made = run_cli("box", "new", "--class", "LV", "--json")
    assert made.exit_code == 0, made.output
    code = json.loads(made.output)["barcode"]
    assert code.startswith("WB") and len(code) == 2 + 7 + 1  # the site's, as the desk makes
    found = run_cli("lookup", code.lower())
    assert found.exit_code == 0, found.output
    assert code in found.output
    assert default_scheme().prefixes["box"] == "B"  # put back when the command ended


def test_a_broken_barcodes_yaml_is_named_and_the_command_still_runs(env):
    init_home()
    rules = env / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "barcodes.yaml").write_text(_SITE_BARCODES.replace("digits: 7", "digits: seven"),
                                         encoding="utf-8")
    made = run_cli("box", "new", "--class", "LV")
    assert made.exit_code == 0, made.output
    assert "barcodes.yaml:4:9: digits" in made.output and "hudang rules check" in made.output
    assert "B0" in made.output  # the built-in scheme, said so
