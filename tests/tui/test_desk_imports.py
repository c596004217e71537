"""The desk's import graph: no cycles inside `hudang.tui`, and no import of the shell.

The checkout has the installed shape (hudang/<room> links to each room), so grimp builds the
graph from it directly, in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GRAPH = """
import json, sys
import grimp
graph = grimp.build_graph("hudang")
desk = sorted(m for m in graph.modules if m.startswith("hudang.tui"))
cycles = [(m, i) for m in desk for i in graph.find_modules_directly_imported_by(m)
          if i.startswith("hudang.tui") and graph.chain_exists(importer=i, imported=m)]
shell = [(m, i) for m in desk for i in graph.find_modules_directly_imported_by(m)
         if i == "hudang.wiring" or i.startswith("hudang.cli")]
print(json.dumps({"desk": desk, "cycles": cycles, "shell": shell}))
"""


def test_the_desk_has_no_import_cycles_and_never_imports_the_shell():
    out = subprocess.run([sys.executable, "-c", GRAPH], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT),
                                                     "PATH": "/usr/bin:/bin"})
    found = json.loads(out.stdout)
    assert "hudang.tui.app" in found["desk"] and "hudang.tui.screens.main" in found["desk"]
    assert found["cycles"] == []
    assert found["shell"] == []
