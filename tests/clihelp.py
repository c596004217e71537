"""One way for tests to drive the `hudang` command on a temporary home.

Every CLI test goes through `run_cli`, so how the command line signs a user in is made
here once, not in each test module: `cli_home` initialises the archive with a first
administrator and signs them in; `sign_in` switches to another account.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from hudang.cli import cli
from hudang.store import archive

ADMIN = "admin"
ADMIN_PASSWORD = "admin-pass-1"


def prepare_env(monkeypatch, home) -> None:
    """Point HUDANG_HOME and the session directory at `home`; no waits on failed sign-ins."""
    monkeypatch.setenv("HUDANG_HOME", str(home))
    monkeypatch.setenv("HUDANG_SESSION_DIR", str(home / ".sessions"))
    monkeypatch.setenv("HUDANG_SIGNIN_FAILURE_DELAY_MS", "0")
    for name in ("HUDANG_DATABASE_URL", "HUDANG_SERVICE_USER", "HUDANG_SERVICE_PASSWORD",
                 "HUDANG_SERVICE_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)


def init_home() -> None:
    """`hudang init` with the first administrator, then sign them in."""
    result = run_cli("init", input=ADMIN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    sign_in(ADMIN, ADMIN_PASSWORD)


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    """A fresh, initialised HUDANG_HOME on SQLite, with the administrator signed in."""
    prepare_env(monkeypatch, tmp_path)
    init_home()
    yield tmp_path
    archive.close_archive()


def run_cli(*args: str, input: str | None = None) -> Result:
    """Run `hudang ARGS…` in-process; exceptions a user could cause must not escape."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def sign_in(username: str, password: str) -> Result:
    """`hudang login USER` with the password on standard input; asserts it worked."""
    result = run_cli("login", username, input=password + "\n")
    assert result.exit_code == 0, result.output
    return result


def add_user(username: str, role: str, password: str = "password-123", *extra: str) -> Result:
    """`hudang user add` as the signed-in administrator."""
    result = run_cli("user", "add", username, "--role", role, *extra, input=password + "\n")
    assert result.exit_code == 0, result.output
    return result


def service_account_env(folder, role: str = "keeper", username: str = "scanner-svc") -> dict:
    """Make a service account in the open archive; the variables a script or daemon runs with.

    The password is in a 0600 file (never on a command line), as a deployment would keep it.
    """
    from hudang.store.services import users

    password = "svc-password-1"
    if username not in {u.username for u in users.list_users()}:
        users.add_user(username, username, role, password, service=True)
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / f"{username}.password"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    return {"HUDANG_SERVICE_USER": username, "HUDANG_SERVICE_PASSWORD_FILE": str(secret),
            "HUDANG_SIGNIN_FAILURE_DELAY_MS": "0"}
