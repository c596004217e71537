"""The systemd units of docs/systemd run as docs/deploy.md installs them.

Each timer's service is started the way systemd would (its Environment= and ExecStart=
lines, with the deployment's paths mapped into a temporary site): every one must sign in
as the timers' service account and succeed. A unit that forgot the account fails here,
as it would have failed every night at a real site.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clihelp import ADMIN_PASSWORD, prepare_env, run_cli, sign_in

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "docs" / "systemd"
DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
HUDANG = Path(sys.executable).with_name("hudang")


def _unit(path: Path) -> tuple[dict[str, str], list[str]]:
    """(Environment=, and the ExecStartPre=, ExecStart= and ExecStartPost= commands) of a unit."""
    env: dict[str, str] = {}
    commands: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "Environment":
            name, _, setting = value.partition("=")
            env[name] = setting
        elif key in ("ExecStartPre", "ExecStart", "ExecStartPost"):
            commands.append(value.replace("%%", "%"))
    return env, commands


def test_every_unit_is_installed_by_the_deploy_guide():
    names = sorted(p.name for p in UNITS.iterdir())
    assert "hudang-watch.service" in names
    for name in names:
        assert name in DEPLOY or name.removesuffix(".timer") + ".timer" in DEPLOY, name
        if name.endswith(".timer"):
            assert (UNITS / name.replace(".timer", ".service")).is_file(), name
    assert "sudo cp docs/systemd/*.service docs/systemd/*.timer" in DEPLOY


@pytest.mark.parametrize("unit", sorted(p.name for p in UNITS.glob("*.service")))
def test_every_service_signs_in_and_uses_the_installed_command(unit):
    env, commands = _unit(UNITS / unit)
    assert env.get("HUDANG_HOME") == "/var/lib/hudang"
    assert env.get("HUDANG_CONFIG") == "/etc/hudang/config.toml"
    assert env.get("HUDANG_SERVICE_USER") and env.get("HUDANG_SERVICE_PASSWORD_FILE")
    assert env["HUDANG_SERVICE_PASSWORD_FILE"] in DEPLOY
    assert commands and all("/opt/hudang/bin/hudang" in c for c in commands
                            if "hudang" in c.split()[0] or "sh -c" in c)
    assert ".venv" not in (UNITS / unit).read_text(encoding="utf-8")


def test_the_timers_run_on_a_site_with_their_service_account(tmp_path, monkeypatch):
    site = tmp_path / "site"
    home, backups, etc = site / "var-lib-hudang", site / "backup", site / "etc"
    for folder in (home, backups, etc):
        folder.mkdir(parents=True)
    prepare_env(monkeypatch, home)
    assert run_cli("init", input=ADMIN_PASSWORD + "\n").exit_code == 0
    sign_in("admin", ADMIN_PASSWORD)
    (home / "rules").symlink_to(ROOT / "sample_data" / "rules")
    (etc / "config.toml").write_text('[hudang]\nlanguage = "zh"\n', encoding="utf-8")
    secret = etc / "timers.password"
    secret.write_text("timers-secret-123\n", encoding="utf-8")
    secret.chmod(0o640)
    made = run_cli("user", "add", "timers", "--role", "admin", "--service",
                   input="timers-secret-123\n")
    assert made.exit_code == 0, made.output
    assert run_cli("logout").exit_code == 0
    mapping = {"/opt/hudang/bin/hudang": str(HUDANG), "/etc/hudang": str(etc),
               "/var/lib/hudang": str(home), "/srv/backup/hudang": str(backups)}

    def mapped(text: str) -> str:
        for deployed, here in mapping.items():
            text = text.replace(deployed, here)
        return text

    ran = []
    for timer in sorted(UNITS.glob("*.timer")):
        env, commands = _unit(timer.with_suffix(".service"))
        process_env = {k: v for k, v in os.environ.items() if not k.startswith("HUDANG_")}
        process_env.update({k: mapped(v) for k, v in env.items()})
        process_env.update(HUDANG_SESSION_DIR=str(site / "no-sessions"),
                           HUDANG_SIGNIN_FAILURE_DELAY_MS="0")
        for command in commands:
            result = subprocess.run(shlex.split(mapped(command)), env=process_env,
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, (timer.name, command, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr
            ran.append(timer.stem)
    assert {"hudang-backup", "hudang-remind", "hudang-fixity", "hudang-fsck",
            "hudang-overdue"} <= set(ran)
    assert any(p.is_dir() for p in backups.iterdir())  # the nightly backup wrote its folder
