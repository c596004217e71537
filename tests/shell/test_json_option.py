"""Every command that prints records or a report takes --json (issue 16).

The test walks the whole click tree: a command without `--json` must be in NO_JSON with the
reason it has nothing for a script to read. A command added later fails here until it gets
`--json` (hudang.cliparams.json_option) or a reason.
"""

from __future__ import annotations

import json

import click

from hudang.cli import cli
from hudang.helptext import walk
from tests.clihelp import cli_home, run_cli  # noqa: F401  (fixture)

CONFIRMS = "prints one line confirming a change; the record is read back with a listing's --json"
WRITES_FILE = "writes a file (PDF, CSV, xlsx) and says where; the file is the output"

NO_JSON: dict[str, str] = {
    # interactive, or runs until stopped
    "demo": "opens the desk (a full-screen terminal program)",
    "desk": "opens the desk (a full-screen terminal program)",
    "watch": "the scanning daemon: it logs; what it filed is in lookup / attention list --json",
    "login": "asks for a password and starts a session; whoami --json says who",
    "logout": "ends the session; whoami --json says who",
    "init": "creates the archive and its first administrator; db upgrade --json reports schema",
    # files
    "coversheet": WRITES_FILE, "label": WRITES_FILE, "loan export": WRITES_FILE,
    "loan slip": WRITES_FILE, "handover pdf": WRITES_FILE,
    # confirmations of a state change
    "shelve": CONFIRMS + " (lookup BOX --json)",
    "loan approve": CONFIRMS + " (loan show --json)",
    "loan reject": CONFIRMS + " (loan show --json)",
    "loan renew": CONFIRMS + " (loan show --json)",
    "loan cancel": CONFIRMS + " (loan show --json)",
    "loan reshelve": CONFIRMS + " (lookup BOX --json)",
    "loan grant approve": CONFIRMS + " (loan grant list --json)",
    "loan grant reject": CONFIRMS + " (loan grant list --json)",
    "loan grant revoke": CONFIRMS + " (loan grant list --json)",
    "hold release": CONFIRMS + " (hold list --all --json)",
    "task waive": CONFIRMS + " (tasks --json)",
    "quality record": CONFIRMS + " (quality list --json)",
    "disposal decide": CONFIRMS + " (disposal show --items --json)",
    "handover sign": CONFIRMS + " (handover show --json)",
    "handover supply": CONFIRMS + " (handover owed --json)",
    "user passwd": CONFIRMS + " (user list --json)",
    "user pin": CONFIRMS + " (user list --json)",
    "user role": CONFIRMS + " (user list --json)",
    "user activate": CONFIRMS + " (user list --json)",
    "user deactivate": CONFIRMS + " (user list --json)",
}


def _commands() -> dict[str, click.Command]:
    return {path: command for path, command in walk(cli)
            if path and not isinstance(command, click.Group)}


def _has_json(command: click.Command) -> bool:
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


def test_every_command_that_prints_records_or_a_report_has_json():
    missing = [path for path, command in _commands().items()
               if not _has_json(command) and path not in NO_JSON]
    assert not missing, ("add --json (hudang.cliparams.json_option), or a reason in NO_JSON: "
                         + ", ".join(sorted(missing)))


def test_the_exclusions_are_real_commands_still_without_json():
    commands = _commands()
    stale = [path for path in NO_JSON if path not in commands or _has_json(commands[path])]
    assert not stale, f"remove from NO_JSON: {stale}"


def test_new_json_outputs_parse(cli_home):
    head = json.loads(run_cli("audit", "anchor", "--print", "--json").stdout)
    assert set(head) == {"seq", "hash", "at"} and len(head["hash"]) == 64
    anchored = json.loads(run_cli("audit", "anchor", "--json").stdout)
    assert anchored["seq"] == head["seq"] and anchored["file"].endswith("audit.anchors")
    made = run_cli("user", "add", "k9", "--role", "keeper", "--json", input="pass-word-9\n")
    assert made.exit_code == 0, made.output
    user = json.loads(made.stdout)
    assert (user["username"], user["role"], user["active"]) == ("k9", "keeper", True)
    assert user["staff_card"] and "password" not in json.dumps(user)
