"""The desk's import graph: no cycles inside `hudang.tui`, and no import of the shell.

The rooms are installed under `hudang` through setuptools' package-dir mapping, which grimp
(the import-linter engine) does not follow; the test lays the package out as installed, in a
temporary folder, and builds the graph there in a fresh interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("store", "rules", "scanners", "tui", "sample_data")

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


def test_the_desk_has_no_import_cycles_and_never_imports_the_shell(tmp_path):
    package = tmp_path / "hudang"
    shutil.copytree(ROOT / "hudang", package, ignore=shutil.ignore_patterns("__pycache__"))
    for room in ROOMS:
        shutil.copytree(ROOT / room, package / room,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pdf", "*.png", "*.tif*"))
    out = subprocess.run([sys.executable, "-c", GRAPH], cwd=tmp_path, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(tmp_path),
                                                     "PATH": "/usr/bin:/bin"})
    found = json.loads(out.stdout)
    assert "hudang.tui.app" in found["desk"] and "hudang.tui.screens.main" in found["desk"]
    assert found["cycles"] == []
    assert found["shell"] == []
