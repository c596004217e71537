"""Every registered command speaks Chinese in its help (and English with HUDANG_LANGUAGE=en)."""

from __future__ import annotations

import click

from hudang.cli import cli
from hudang.helptext import COMMANDS, OPTIONS, has_cjk, localise_help, walk
from tests.clihelp import run_cli


def test_every_command_and_option_has_chinese_help():
    localise_help(cli, "zh")
    gaps = []
    for path, command in walk(cli):
        if not has_cjk(command.help):
            gaps.append(f"command '{path}': add it to hudang.helptext.COMMANDS")
        for param in command.params:
            if isinstance(param, click.Option) and param.help and not has_cjk(param.help):
                gaps.append(f"'{path}' {param.opts[0]}: add {param.help!r} to OPTIONS")
    assert not gaps, "\n".join(gaps)


def test_catalogue_has_no_entries_for_commands_that_are_gone():
    paths = {path for path, _ in walk(cli)}
    assert set(COMMANDS) <= paths
    assert all(has_cjk(zh) for zh in list(COMMANDS.values()) + list(OPTIONS.values()))


def test_help_follows_the_language_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("HUDANG_HOME", str(tmp_path))
    monkeypatch.setenv("HUDANG_LANGUAGE", "en")
    english = run_cli("backup", "--help").output
    assert "Back up database" in english and "Usage:" in english and not has_cjk(english)
    monkeypatch.setenv("HUDANG_LANGUAGE", "zh")
    chinese = run_cli("backup", "--help").output
    assert "备份到一个新目录" in chinese and "用法：" in chinese and "显示本帮助" in chinese
    loan = run_cli("loan", "--help").output
    assert "出借：申请" in loan and "loans: request" not in loan
