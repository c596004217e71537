"""The scanning CLI commands through click: coversheet, watch --once, attention, fsck."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hudang.cli import cli
from hudang.scanners import samples
from hudang.scanners.decode import make_decoder
from hudang.scanners.pages import PageJob, read_page
from hudang.store.services.ingest import ScanStore
from tests.clihelp import service_account_env


def _env(tmp_path, archive_url, hot, store_dir) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[watch]\nworkers = 0\n[[watch.folders]]\npath = "{hot}"\nstation = "S9"\n'
        f'quiet_seconds = 0.1\n', encoding="utf-8")
    return {"HUDANG_HOME": str(home), "HUDANG_DATABASE_URL": archive_url,
            "HUDANG_SCAN_STORE": str(store_dir), "HUDANG_LANGUAGE": "en",
            **service_account_env(tmp_path / "secrets")}


def test_coversheet_prints_what_the_daemon_reads(tmp_path):
    out = tmp_path / "sheets.pdf"
    result = CliRunner().invoke(cli, ["coversheet", str(out), "--customer", "3300012345",
                                      "--category", "电费", "--station", "S1", "--blank"])
    assert result.exit_code == 0, result.output
    decoder = make_decoder()
    values = [{b.value for b in read_page(PageJob(str(out), "pdf", n), decoder).barcodes}
              for n in (1, 2)]
    assert values == [{"HDS-3300012345-DF"}, {"HDS"}]


def test_watch_once_then_attention_assign_then_fsck(archive, archive_url, hot, store_dir,
                                                    tmp_path):
    env = _env(tmp_path, archive_url, hot.path, store_dir)
    samples.write_image(hot.path / "unlabelled.png", samples.page_image(seed=1), dpi=200)
    runner = CliRunner()
    watched = runner.invoke(cli, ["watch", "--once"], env=env)
    assert watched.exit_code == 0, watched.output
    listed = runner.invoke(cli, ["attention", "list", "--json"], env=env)
    (item,) = json.loads(listed.output)
    assert item["file"] == "unlabelled.png" and item["station"] == "S9"
    assigned = runner.invoke(cli, ["attention", "assign", str(item["id"]), "--customer",
                                   "3300054321", "--category", "DF", "--json"], env=env)
    assert assigned.exit_code == 0, assigned.output
    filed = json.loads(assigned.stdout)
    assert (filed["customer_number"], filed["category"], filed["created"]) == (
        "3300054321", "DF", True)
    again = runner.invoke(cli, ["attention", "assign", str(item["id"]), "--customer",
                                "3300054321"], env=env)
    assert again.exit_code == 1 and "already handled" in again.output
    clean = runner.invoke(cli, ["fsck", "--json"], env=env)
    assert clean.exit_code == 0 and json.loads(clean.output)["ok"]
    (sha,) = [p.name for p in ScanStore(store_dir).root.glob("*/*")]
    ScanStore(store_dir).path_for(sha).write_bytes(b"changed")
    broken = runner.invoke(cli, ["fsck"], env=env)
    assert broken.exit_code == 1 and "altered" in broken.output
