"""One way for tests to drive the `hudang` command on a temporary home.

Every CLI test goes through `run_cli`, so a change in how the command line signs a user
in (sessions, service accounts) is made here once, not in each test module.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from hudang.cli import cli
from hudang.store import archive


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    """A fresh, initialised HUDANG_HOME on SQLite for command-line tests."""
    monkeypatch.setenv("HUDANG_HOME", str(tmp_path))
    monkeypatch.delenv("HUDANG_DATABASE_URL", raising=False)
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    yield tmp_path
    archive.close_archive()


def run_cli(*args: str, input: str | None = None) -> Result:
    """Run `hudang ARGS…` in-process; exceptions a user could cause must not escape."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
