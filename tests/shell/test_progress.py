"""The one progress display: a bar on a terminal, plain lines in a log, silence for --json."""

from __future__ import annotations

import io
import json

from hudang.progress import progress_for
from hudang.store.i18n import set_language
from tests.clihelp import cli_home, run_cli  # noqa: F401  (fixture)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream, quiet: bool = False) -> None:
    with progress_for("导入", quiet=quiet, stream=stream) as progress:
        for done in range(0, 100_001, 10_000):
            progress("customers", done, 100_000)
        progress("index", 100_000, 100_000)


def test_plain_lines_when_not_a_terminal():
    set_language("zh")
    stream = io.StringIO()
    _run(stream)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("导入 客户: 0/100000")
    assert any(line.startswith("导入 客户: 100000/100000") for line in lines)
    assert lines[-1].startswith("导入 索引: 100000/100000")
    assert len(lines) < 8  # periodic, not one line per call


def test_a_bar_with_rate_and_time_left_on_a_terminal():
    set_language("en")
    stream = _Terminal()
    _run(stream)
    text = stream.getvalue()
    assert "导入 customers" in text and "100000/100000" in text and "100%" in text
    assert "0:00:00" in text  # time left
    set_language("zh")


def test_nothing_with_json(capsys):
    stream = _Terminal()
    _run(stream, quiet=True)
    assert stream.getvalue() == "" and capsys.readouterr().err == ""


def test_long_checks_report_progress_in_a_log_and_nothing_with_json(cli_home):
    """audit verify, fsck and the archive's four-properties check walk everything."""
    for args, line in ((("audit", "verify"), "审计链 事件: "),
                       (("fsck",), "扫描库核对 扫描文件: 0"),
                       (("check", "four-properties"), "四性检测 事件: ")):
        said = run_cli(*args)
        assert said.exit_code == 0, said.output
        assert line in said.stderr, (args, said.stderr)
        quiet = run_cli(*args, "--json")
        assert quiet.exit_code == 0 and quiet.stderr == "", (args, quiet.stderr)
    events = json.loads(run_cli("audit", "verify", "--json").stdout)["events"]
    assert f"审计链 事件: {events}/{events}" in run_cli("audit", "verify").stderr
