"""`hudang hold/disposal/fixity` on a temporary home, including a disposal killed mid-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from hudang.store import archive
from hudang.store.models import DocumentPage
from hudang.store.models_disposal import DisposalItem, ScanFixity, Tombstone
from hudang.store.services import disposal, ingest
from hudang.store.services.disposal import FAULT_ENV

from hudang.settings import load_settings
from tests.clihelp import ADMIN_PASSWORD, cli_home, run_cli, sign_in  # noqa: F401
from tests.rules.conftest import SAMPLE_RULES
from tests.store.disposal_world import build


@pytest.fixture
def world(cli_home):
    settings = load_settings()
    shutil.copytree(SAMPLE_RULES, settings.rules_dir)
    archive.open_archive(settings.database_url)
    w = build(cli_home)
    archive.close_archive()
    return w


def _run(*args: str):
    """`hudang ARGS…`; `--as USER` here means: sign in as USER first (each signs for themself)."""
    args = list(args)
    if "--as" in args:
        at = args.index("--as")
        user = args[at + 1]
        del args[at:at + 2]
        sign_in(user, "password123" if user != "admin" else ADMIN_PASSWORD)
    return run_cli(*args)


def _ok(*args: str) -> str:
    result = _run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def _approved(world) -> str:
    out = _ok("disposal", "propose", "--as-of", "2026-01-01", "--as", "boss")
    number = out.split("：")[0].split()[-1] if "：" in out else out.split(":")[0].split()[-1]
    _ok("disposal", "decide", number, "destroy", "--list", "destroy", "--reason", "到期",
        "--as", "keeper1")
    _ok("disposal", "decide", number, "transfer", world.barcodes["d7"], "--reason", "移交市档案馆",
        "--as", "keeper1")
    bad = _run("disposal", "approve", number, "--as", "boss")
    assert bad.exit_code == 1 and "提出" in bad.output
    _ok("disposal", "approve", number, "--as", "app1")
    approved = json.loads(_ok("disposal", "approve", number, "--as", "app2", "--json"))
    assert [s["username"] for s in approved["approvals"]] == ["app1", "app2"]
    _ok("disposal", "witness", number, "--as", "wit1")
    witnessed = json.loads(_ok("disposal", "witness", number, "--as", "wit2", "--json"))
    assert [s["username"] for s in witnessed["witnesses"]] == ["wit1", "wit2"]
    sign_in("keeper1", "password123")  # the keeper carries the batch out
    return number


def test_hold_commands(world):
    out = _ok("hold", "place", world.barcodes["d2"], "--reason", "审计", "--as", "keeper1")
    assert "已冻结" in out
    listing = _ok("hold", "list")
    assert "审计" in listing and "3300000004" in listing
    hold_id = out.split("#")[1].split("：")[0]
    assert "已解除" in _ok("hold", "release", hold_id, "--reason", "审计结束")
    bad = _run("hold", "place", "NOPE-1", "--reason", "x")
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_register_and_fixity_commands(world, cli_home):
    number = _approved(world)
    out = _ok("disposal", "register", number, str(cli_home / "r.pdf"))
    assert number in out and (cli_home / "r.pdf").is_file()
    again = json.loads(_ok("disposal", "register", number, str(cli_home / "r2.pdf"), "--json"))
    assert again["batch"] == number and len(again["sha256"]) == 64 and again["items"] > 0
    assert "问题 0" in _ok("fixity", "check", "--all")
    (cli_home / "scans" / world.scans["s2"][:2] / world.scans["s2"]).write_bytes(b"x")
    bad = _run("fixity", "check")
    assert bad.exit_code == 1 and world.scans["s2"] in bad.output
    refused = _run("disposal", "execute", number)
    assert refused.exit_code == 1 and "未销毁任何文件" in refused.output


def _execute_in_subprocess(home, number: str, kill_after: int | None,
                           stderr: list | None = None) -> int:
    env = dict(os.environ, HUDANG_HOME=str(home), HUDANG_LANGUAGE="zh")
    env.pop("HUDANG_DATABASE_URL", None)
    if kill_after:
        env[FAULT_ENV] = str(kill_after)
    proc = subprocess.run([sys.executable, "-m", "hudang.cli", "disposal", "execute", number,
                           "--chunk", "1"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    if stderr is not None:
        stderr.append(proc.stderr)
    return proc.returncode


def test_killed_execution_leaves_items_whole_and_resumes(world, cli_home):
    number = _approved(world)
    # one item per transaction: the process is killed after the first one commits, before
    # its files leave the scan store
    assert _execute_in_subprocess(cli_home, number, kill_after=1) == -signal.SIGKILL
    settings = load_settings()
    archive.open_archive(settings.database_url)
    try:
        states = {i.document_id: i.state for i in DisposalItem.select()}
        done = [d for d, s in states.items() if s != "open"]
        assert len(done) == 1 and len(states) == 4
        for doc_id, state in states.items():  # each item: wholly destroyed or untouched
            tomb = Tombstone.select().where(Tombstone.document == doc_id).exists()
            pages = DocumentPage.select().where(DocumentPage.document == doc_id).exists()
            assert (state == "destroyed") == tomb
            if state == "open" and doc_id != world.docs["d7"]:  # d7 has no scanned pages
                assert pages
            if state == "destroyed":
                assert not pages
        assert disposal.batch_info(number).status == "executing"
        assert done == [world.docs["d1"]]  # killed before its file left the store:
        assert (cli_home / "scans" / world.scans["s1"][:2] / world.scans["s1"]).exists()
    finally:
        archive.close_archive()
    said: list[str] = []
    assert _execute_in_subprocess(cli_home, number, None, said) == 0
    # not a terminal: plain progress lines (the fixity re-check, then the items) on stderr
    assert "销毁 校验: 2/2" in said[0] and "销毁 文件: 3/3" in said[0]
    archive.open_archive(settings.database_url)
    try:
        assert {i.state for i in DisposalItem.select()} == {"destroyed", "transferred"}
        gone = [f.sha256 for f in ScanFixity.select().where(ScanFixity.status == "destroyed")]
        assert sorted(gone) == sorted([world.scans["s1"], world.scans["s2"]])
        assert all(not (cli_home / "scans" / s[:2] / s).exists() for s in gone)
        assert ingest.fsck(ingest.ScanStore(cli_home / "scans")).ok
        assert disposal.batch_info(number).status == "executed"
    finally:
        archive.close_archive()
    assert "(0," not in _ok("disposal", "execute", number)  # a third run is harmless
    quiet = _run("disposal", "execute", number, "--json")
    assert quiet.exit_code == 0 and quiet.stderr == ""  # --json: no progress at all
    assert "Traceback" not in _ok("disposal", "show", number, "--items")
