"""Anything a user can type or leave lying around ends in one line and a non-zero exit (issue 11).

`run_cli` re-raises exceptions, so a traceback fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hudang.store import archive
from tests import clihelp
from tests.clihelp import run_cli

cli_home = clihelp.cli_home  # the shared fixture

# every command that opens the database (with arguments that get it that far)
DB_COMMANDS = [
    ("search", "张"), ("lookup", "3300012345"), ("shelve", "B000000011", "P000000011"),
    ("user", "list"), ("audit", "verify"), ("loan", "list"), ("loan", "show", "L000000017"),
    ("loan", "overdue"), ("loan", "reading-room"), ("loan", "grant", "list"),
    ("attention", "list"), ("fsck",), ("retention", "due"), ("db", "upgrade"), ("init",),
]


def _one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-folder"])
@pytest.mark.parametrize("command", DB_COMMANDS, ids=lambda c: "-".join(c))
def test_a_damaged_database_file_is_one_line_for_every_command(cli_home, damage, command):
    db_file = cli_home / "hudang.sqlite3"
    archive.close_archive()
    for extra in ("-wal", "-shm"):
        Path(str(db_file) + extra).unlink(missing_ok=True)
    if damage == "garbage":
        db_file.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        data = db_file.read_bytes()
        db_file.write_bytes(data[: len(data) // 3])
    else:
        db_file.unlink()
        db_file.mkdir()
    if command == ("init",) and damage != "empty-folder":
        pass  # init on a damaged file must refuse too, never paper over it
    out = _one_line_error(run_cli(*command))
    assert "hudang" in out or "database" in out or "数据库" in out or "文件夹" in out


def test_a_mistyped_home_is_no_archive_and_creates_nothing(tmp_path, monkeypatch):
    home = tmp_path / "typo" / "home"
    monkeypatch.setenv("HUDANG_HOME", str(home))
    monkeypatch.delenv("HUDANG_DATABASE_URL", raising=False)
    for command in [("search", "张"), ("lookup", "3300012345"), ("user", "list"),
                    ("audit", "verify"), ("loan", "list"), ("attention", "list"),
                    ("db", "upgrade")]:
        out = _one_line_error(run_cli(*command))
        assert str(home / "hudang.sqlite3") in out and ("no archive" in out or "没有档案库" in out)
    assert not (tmp_path / "typo").exists()


def test_output_paths_in_missing_folders_and_bad_categories(cli_home, tmp_path):
    missing = tmp_path / "no" / "such"
    for args in [("coversheet", str(missing / "c.pdf"), "--customer", "3300012345"),
                 ("loan", "slip", "L000000017", str(missing / "s.pdf")),
                 ("loan", "export", str(missing / "r.csv")),
                 ("loan", "export", str(missing / "r.xlsx")),
                 ("loan", "overdue", "--reminders", str(missing / "o.pdf"))]:
        out = _one_line_error(run_cli(*args), code=2)
        assert str(missing) in out
    out = _one_line_error(run_cli("coversheet", str(tmp_path / "c.pdf"), "--category", "XX"))
    assert "XX" in out and not (tmp_path / "c.pdf").exists()
    for customer in ("33\x0000", "9" * 5000, "12345"):  # NUL, a QR overflow, a short number
        _one_line_error(run_cli("coversheet", str(tmp_path / "c.pdf"), "--customer", customer))
        assert not (tmp_path / "c.pdf").exists()
    made = run_cli("coversheet", str(tmp_path / "c.pdf"), "--customer", "３３００１２３４５６")
    assert made.exit_code == 0 and (tmp_path / "c.pdf").exists()


def test_nonsense_option_values_are_refused(cli_home):
    for args in [("loan", "list", "--status", "bogus"), ("search", "张", "--limit", "-5"),
                 ("retention", "due", "--limit", "0"), ("loan", "grant", "list", "--status", "x"),
                 ("loan", "export", "out.txt"), ("watch", "--workers", "-1")]:
        _one_line_error(run_cli(*args), code=2)


@pytest.mark.parametrize("section", [
    '[watch]\nworkers = "many"\n',
    '[watch]\nrescan_seconds = nan\n',
    '[[watch.folders]]\npath = "/tmp/x"\nstation = "S1"\nquiet_seconds = inf\n',
    '[[watch.folders]]\npath = "/tmp/x"\nstation = "S1"\ncustomer = 3300012345\n',
    '[[watch.folders]]\npath = "~nosuchuser/x"\nstation = "S1"\n',
    '[[watch.folders]]\npath = "/tmp/x"\nstation = "S1"\ndone_dir = "."\n',
    '[[watch.folders]]\npath = "/proc/hudang-cannot-be-here"\nstation = "S1"\n',
    '[watch]\nlog_file = 3\n[[watch.folders]]\npath = "/tmp/x"\nstation = "S1"\n',
    '[watch\nbroken',
])
def test_every_mistake_in_the_watch_section_is_one_line(cli_home, section):
    (cli_home / "config.toml").write_text(section, encoding="utf-8")
    out = _one_line_error(run_cli("watch", "--once"))
    assert out.strip() and len(out.strip().splitlines()) <= 2


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the command as another user")
def test_a_read_only_or_closed_home_says_why(monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="hudang-ro-", dir="/tmp"))
    try:
        monkeypatch.setenv("HUDANG_HOME", str(home))
        monkeypatch.delenv("HUDANG_DATABASE_URL", raising=False)
        assert run_cli("init").exit_code == 0
        archive.close_archive()
        os.chmod(home, 0o755)  # readable by everyone, writable only by its owner
        assert "read-only for user" in _as_nobody(home) and str(home) in _as_nobody(home)
        os.chmod(home, 0o700)  # not even readable
        assert "Permission denied" in _as_nobody(home)
    finally:
        shutil.rmtree(home)


def _as_nobody(home: Path) -> str:
    """`hudang search` run as user nobody: its stderr, after checking it is one clean line."""
    env = {**os.environ, "HUDANG_HOME": str(home), "HUDANG_LANGUAGE": "en"}
    hudang = Path(sys.executable).with_name("hudang")
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           str(hudang), "search", "张"], env=env, capture_output=True,
                          text=True, cwd="/", timeout=120, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr
