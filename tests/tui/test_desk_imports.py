"""The desk's import graph: no cycles inside `hudang.tui`, and no import of the shell."""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp")  # the import-linter engine; in the test extras with it


def test_the_desk_has_no_import_cycles_and_never_imports_the_shell():
    graph = grimp.build_graph("hudang")
    desk = sorted(m for m in graph.modules if m.startswith("hudang.tui"))
    cycles = [(m, i) for m in desk for i in graph.find_modules_directly_imported_by(m)
              if i.startswith("hudang.tui") and graph.chain_exists(importer=i, imported=m)]
    assert cycles == []
    shell = [(m, i) for m in desk for i in graph.find_modules_directly_imported_by(m)
             if i == "hudang.wiring" or i.startswith("hudang.cli")]
    assert shell == []
