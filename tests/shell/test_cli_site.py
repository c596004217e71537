"""`hudang backup`, `hudang restore` and `hudang db copy` from the command line."""

from __future__ import annotations

import json

from hudang.store import archive

from tests.clihelp import ADMIN, ADMIN_PASSWORD, cli_home, run_cli, sign_in  # noqa: F401

CSV = "户号,户名,电压等级,台区\n3300012345,张三,低压,禅城1号\n3300054321,李四,高压,\n"


def test_backup_then_restore_into_a_new_home(cli_home, tmp_path, monkeypatch):  # noqa: F811
    src = tmp_path / "c.csv"
    src.write_text(CSV, encoding="utf-8")
    assert run_cli("import", "customers", str(src)).exit_code == 0
    (cli_home / "rules").mkdir()
    (cli_home / "rules" / "site.yaml").write_text("version: 1\n", encoding="utf-8")
    result = run_cli("backup", str(tmp_path / "bk"), "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["counts"]["customer"] == 2 and made["audit_events"] >= 1
    again = run_cli("backup", str(tmp_path / "bk"))
    assert again.exit_code == 1 and "不为空" in again.output
    assert _last_action() == "archive.backup"  # recorded after the snapshot, not inside it
    archive.close_archive()

    monkeypatch.setenv("HUDANG_HOME", str(tmp_path / "new"))
    result = run_cli("restore", str(tmp_path / "bk"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["counts"] == made["counts"]
    assert report["audit_head"] == made["audit_head"]
    assert (tmp_path / "new" / "rules" / "site.yaml").read_text("utf-8") == "version: 1\n"
    assert _last_action() == "archive.restore"
    assert json.loads(run_cli("audit", "verify", "--json").output)["ok"]
    refused = run_cli("restore", str(tmp_path / "bk"))
    assert refused.exit_code == 1 and "--force" in refused.output
    unsigned = run_cli("restore", str(tmp_path / "bk"), "--force")
    assert unsigned.exit_code == 1 and "login" in unsigned.output  # replacing needs an admin
    sign_in(ADMIN, ADMIN_PASSWORD)  # the restored archive's own administrator
    forced = run_cli("restore", str(tmp_path / "bk"), "--force")
    assert forced.exit_code == 0 and "审计链完整" in forced.output
    sign_in(ADMIN, ADMIN_PASSWORD)  # sessions live in the archive, which was just replaced
    search = run_cli("search", "张三", "--json")
    assert json.loads(search.output)[0]["number"] == "3300012345"
    archive.close_archive()


def _last_action() -> str:
    from hudang.store.models import AuditEvent

    return AuditEvent.select().order_by(AuditEvent.seq.desc()).get().action


def test_db_copy_refuses_a_bad_url(cli_home):  # noqa: F811
    result = run_cli("db", "copy", "--to", "mysql://nowhere/x")
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_reports_have_json(cli_home, tmp_path):  # noqa: F811
    from hudang.sample_data import RULES_DIR

    src = tmp_path / "c.csv"
    src.write_text(CSV, encoding="utf-8")
    imported = json.loads(run_cli("import", "customers", str(src), "--json").output)
    assert imported["imported"] == 2 and imported["hv"] == 1
    chain = json.loads(run_cli("audit", "verify", "--json").output)
    assert chain["ok"] and chain["events"] >= 1
    assert json.loads(run_cli("db", "upgrade", "--json").output)["applied"] == []
    check = run_cli("rules", "check", str(RULES_DIR), "--json")
    assert check.exit_code == 0 and json.loads(check.output)["ok"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "classification.yaml").write_text("rules: [oops", encoding="utf-8")
    bad = run_cli("rules", "check", str(broken), "--json")
    assert bad.exit_code == 1 and json.loads(bad.output)["errors"]
    tested = run_cli("rules", "test", str(RULES_DIR), "--json")
    assert json.loads(tested.output)["failed"] == 0
    recomputed = run_cli("retention", "recompute", "--dir", str(RULES_DIR), "--json")
    assert recomputed.exit_code == 0, recomputed.output
    assert json.loads(recomputed.output)["examined"] == 0
    assert json.loads(run_cli("loan", "reading-room", "--json").output) == []
    archive.close_archive()


def test_the_daemon_says_what_to_install_when_its_decoder_is_missing(cli_home):  # noqa: F811
    import importlib.util

    if importlib.util.find_spec("zxingcpp") is not None:
        import pytest

        pytest.skip("zxing-cpp is installed here")
    (cli_home / "hot").mkdir()
    (cli_home / "config.toml").write_text(
        f'[watch]\ndecoder = "zxing"\n[[watch.folders]]\npath = "{cli_home / "hot"}"\n'
        'station = "S1"\n', encoding="utf-8")
    result = run_cli("watch", "--once")
    assert result.exit_code == 1
    assert "pip install zxing-cpp" in result.output and "Traceback" not in result.output
