"""rules/ stays pure: importing it pulls in neither textual nor the database layer's writers."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["hudang.rules", "hudang.rules.loader", "hudang.rules.holder", "hudang.rules.examples",
           "hudang.rules.fileinfo", "hudang.store.services.retention"]


def test_rules_never_import_textual():
    code = ("import importlib, sys\n"
            f"for m in {MODULES!r}: importlib.import_module(m)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_rules_package_has_no_database_writes():
    code = ("import importlib, sys\n"
            "for m in ['hudang.rules', 'hudang.rules.loader', 'hudang.rules.holder', 'hudang.rules.examples']:\n"
            "    importlib.import_module(m)\n"
            "print(','.join(sorted(m for m in sys.modules if m.startswith('hudang.store.services')"
            " or m == 'peewee')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
