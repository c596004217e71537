"""Issue 12's attacks at the command line, each now refused, masked or audited."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from hudang.store import archive
from hudang.store.models import AuditEvent
from tests.clihelp import ADMIN, ADMIN_PASSWORD, add_user, cli_home, run_cli, sign_in  # noqa: F401, F811

ID_NUMBER = "440602198001051234"
PHONE = "13800138000"


def _import(home, rows: str) -> None:
    csv = home / "c.csv"
    csv.write_text("户号,户名,电压等级,用电地址,身份证号,联系电话,重要客户,线路,台区\n" + rows,
                   encoding="utf-8")
    r = run_cli("import", "customers", str(csv))
    assert r.exit_code == 0, r.output


def _events(action: str) -> list[AuditEvent]:
    archive.close_archive()
    run_cli("whoami")  # reopen the archive the way the CLI does
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def test_without_a_session_nothing_changes_and_nobody_is_believed(cli_home):
    run_cli("logout")
    r = run_cli("user", "add", "mallory", "--role", "admin", input="password-123\n")
    assert r.exit_code == 1 and "未登录" in r.output
    assert run_cli("lookup", "3300000001").exit_code == 1
    assert run_cli("whoami").exit_code == 1
    r = run_cli("login", "admin", input="wrong-password\n")
    assert r.exit_code == 1 and "密码不正确" in r.output
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert run_cli("whoami").output.split()[0] == "admin"


def test_session_file_is_private_and_belongs_to_its_data_directory(cli_home, monkeypatch,
                                                                    tmp_path_factory):
    files = list((cli_home / ".sessions").iterdir())
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    other = tmp_path_factory.mktemp("other-home")
    monkeypatch.setenv("HUDANG_HOME", str(other))
    archive.close_archive()
    assert run_cli("init", input="other-pass-1\n").exit_code == 0
    r = run_cli("user", "add", "x", "--role", "keeper", input="password-123\n")
    assert r.exit_code == 1 and "未登录" in r.output  # the first home's session does not count here
    monkeypatch.setenv("HUDANG_HOME", str(cli_home))
    archive.close_archive()
    assert run_cli("whoami").exit_code == 0


def test_only_an_administrator_manages_users_and_as_cannot_switch(cli_home):
    add_user("keeper1", "keeper")
    sign_in("keeper1", "password-123")
    r = run_cli("user", "add", "mallory", "--role", "admin", input="password-123\n")
    assert r.exit_code == 1 and "无权" in r.output
    r = run_cli("loan", "cancel", "L0000000001", "--as", "admin")
    assert r.exit_code == 1 and "--as" in r.output
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert run_cli("user", "role", "keeper1", "approver").exit_code == 0
    assert run_cli("user", "deactivate", "keeper1").exit_code == 0
    r = run_cli("login", "keeper1", input="password-123\n")
    assert r.exit_code == 1
    assert run_cli("user", "activate", "keeper1").exit_code == 0
    assert run_cli("user", "passwd", "keeper1", input="another-pass-1\n").exit_code == 0
    sign_in("keeper1", "another-pass-1")
    assert run_cli("whoami", "--json").output.count("approver") == 1


def test_wrong_passwords_are_audited_and_lock_the_account(cli_home, monkeypatch):
    monkeypatch.setenv("HUDANG_SIGNIN_MAX_FAILURES", "3")
    add_user("keeper1", "keeper")
    for _ in range(3):
        assert run_cli("login", "keeper1", input="guess-guess\n").exit_code == 1
    r = run_cli("login", "keeper1", input="password-123\n")
    assert r.exit_code == 1 and "锁定" in r.output
    assert len(_events("auth.failed")) == 4 and len(_events("auth.locked")) == 1
    sign_in(ADMIN, ADMIN_PASSWORD)
    rows = {u["username"]: u for u in json.loads(run_cli("user", "list", "--json").output)}
    assert rows["keeper1"]["locked_until"]
    run_cli("user", "activate", "keeper1")  # an administrator unlocks
    sign_in("keeper1", "password-123")


def test_personal_data_is_masked_for_keepers_and_id_fragments_find_nobody(cli_home):
    _import(cli_home,
            f"3300000001,张三,低压,佛山市祖庙路1号,{ID_NUMBER},{PHONE},否,10kV祖庙线,祖庙1号\n")
    full = json.loads(run_cli("lookup", "3300000001", "--json").output)["customer"]
    assert full["id_number"] == ID_NUMBER and full["phone"] == PHONE  # the administrator
    assert [h["number"] for h in json.loads(run_cli("search", "19800105", "--json").output)] \
        == ["3300000001"]
    add_user("keeper1", "keeper")
    sign_in("keeper1", "password-123")
    shown = run_cli("lookup", "3300000001", "--json").output
    assert ID_NUMBER not in shown and PHONE not in shown and "4406" in shown
    assert json.loads(run_cli("search", "19800105", "--json").output) == []
    assert json.loads(run_cli("search", "张三", "--json").output)[0]["number"] == "3300000001"


def test_important_customers_need_a_grant_and_every_view_is_audited(cli_home):
    _import(cli_home, "3300000002,重要客户甲,高压,佛山市,,,是,10kV祖庙线,\n")
    assert run_cli("lookup", "3300000002").exit_code == 0  # the administrator may
    add_user("keeper1", "keeper")
    sign_in("keeper1", "password-123")
    r = run_cli("lookup", "3300000002")
    assert r.exit_code == 1 and "重要客户" in r.output
    views = _events("customer.view")
    assert [(e.actor, e.entity_id) for e in views] == [("admin", "3300000002")]
    assert views[0].terminal.startswith("cli@") and "cli lookup" in views[0].after
    assert [e.actor for e in _events("customer.view_refused")] == ["keeper1"]


def test_archive_text_reaches_the_terminal_without_control_characters(cli_home):
    evil = "张\x1b[2J\x1b]0;pwned\x07三\x9b31m"
    csv = cli_home / "evil.csv"
    csv.write_text(f"户号,户名,电压等级,线路\n3300000003,\"{evil}\",高压,10kV线\n",
                   encoding="utf-8")
    r = run_cli("import", "customers", str(csv))
    assert r.exit_code == 1 and "控制字符" in r.output and "\x1b" not in r.output
    _import(cli_home, "3300000003,张三,高压,佛山,,,否,10kV祖庙线,\n")
    archive.close_archive()
    con = sqlite3.connect(cli_home / "hudang.sqlite3")  # a name stored by an older version
    con.execute("UPDATE customer SET name = ? WHERE number = '3300000003'", (evil,))
    con.commit()
    con.close()
    text = run_cli("lookup", "3300000003").output + run_cli("search", "3300000003").output
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "张" in text
    raw = run_cli("lookup", "3300000003", "--json").output
    assert "\x1b" not in raw and "\x9b" not in raw and "\\u001b" in raw


def test_config_show_never_prints_the_database_password(cli_home, monkeypatch):
    monkeypatch.setenv("HUDANG_DATABASE_URL", "postgresql://archive:s3cr3t-pw@db.example:5432/h")
    for args in (("config", "show"), ("config", "show", "--json")):
        out = run_cli(*args).output
        assert "s3cr3t-pw" not in out and "archive:***@db.example:5432" in out


def test_audit_anchor_catches_deleted_newest_rows(cli_home):
    add_user("keeper1", "keeper")
    r = run_cli("audit", "anchor")
    assert r.exit_code == 0 and (cli_home / "audit.anchors").is_file()
    anchored = int(run_cli("audit", "anchor", "--print").output.split()[0])
    assert run_cli("audit", "verify").exit_code == 0
    assert (cli_home / "audit.key").stat().st_mode & 0o777 == 0o600
    archive.close_archive()
    con = sqlite3.connect(cli_home / "hudang.sqlite3")
    con.execute("INSERT INTO audit_event (seq, at, actor, terminal, action, entity, entity_id, "
                "before, after, prev_hash, hash) SELECT seq + 100, at, 'x', '', 'x', '', '', '',"
                " '', hash, substr(hash, 2) || 'x' FROM audit_event ORDER BY seq DESC LIMIT 1")
    con.commit()
    with_forgery = run_cli("audit", "verify")
    assert with_forgery.exit_code == 1
    con.execute("DROP TRIGGER audit_event_no_delete")
    con.execute("DELETE FROM audit_event WHERE seq >= ?", (anchored - 1,))
    con.commit()
    con.close()
    r = run_cli("audit", "verify")
    assert r.exit_code == 1 and "newest rows" in r.output
    assert os.path.getsize(cli_home / "audit.anchors") > 0


def test_staff_card_and_pin_sign_in_at_the_command_line(cli_home):
    add_user("keeper1", "keeper")
    assert run_cli("user", "pin", "keeper1", input="2468\n").exit_code == 0
    card = {u["username"]: u for u in json.loads(run_cli("user", "list", "--json").output)}[
        "keeper1"]["staff_card"]
    assert run_cli("login", "--card", card, input="1111\n").exit_code == 1
    r = run_cli("login", "--card", card, input="2468\n")
    assert r.exit_code == 0 and "keeper1" in r.output
    assert run_cli("whoami").output.startswith("keeper1")


def test_a_service_account_acts_from_a_password_file_but_never_at_a_desk(cli_home, monkeypatch):
    from hudang.store.services import users

    add_user("scanner", "keeper", "svc-password-1", "--service")
    secret = cli_home / "scanner.password"
    secret.write_text("svc-password-1\n", encoding="utf-8")
    run_cli("logout")
    monkeypatch.setenv("HUDANG_SERVICE_USER", "scanner")
    monkeypatch.setenv("HUDANG_SERVICE_PASSWORD_FILE", str(secret))
    assert run_cli("whoami").output.startswith("scanner")
    with pytest.raises(users.AuthenticationFailed):
        users.authenticate("scanner", "svc-password-1", desk=True,
                           policy=users.SignInPolicy(failure_delay_seconds=0))
    secret.write_text("wrong-password\n", encoding="utf-8")
    assert run_cli("whoami").exit_code == 1
