"""The house, checked mechanically: layer contracts, no import cycles, a complete package list.

The rooms live in top-level folders but install as `hudang.*` (setuptools package-dir); the
links hudang/store, hudang/rules … give the checkout the same shape, so `lint-imports` and
grimp run on it as it is.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIR = PYPROJECT["tool"]["setuptools"]["package-dir"]


def test_the_checkout_has_the_installed_shape():
    """hudang/<room> links to each top-level room, so tools run at the root see `hudang.*`."""
    for package, folder in PACKAGE_DIR.items():
        if package == "hudang":
            continue
        link = ROOT.joinpath(*package.split("."))
        assert link.resolve() == (ROOT / folder).resolve(), f"{link} must link to {folder}/"


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child,
                                 iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_between_product_modules():
    import grimp

    graph = grimp.build_graph("hudang", include_external_packages=False, cache_dir=None)
    assert {"hudang.store.models", "hudang.tui.app", "hudang.rules.loader"} <= graph.modules
    cycles = _cycles(graph)
    assert cycles == [], "import cycles (function-level imports count):\n" + "\n".join(
        " <-> ".join(c) for c in cycles)


def test_every_shell_module_is_named_in_the_shell_contract():
    contract = next(c for c in PYPROJECT["tool"]["importlinter"]["contracts"]
                    if "command-line" in c["name"])
    leaves = {"__init__", "settings"}
    shell = {f"hudang.{p.stem}" for p in (ROOT / "hudang").glob("*.py") if p.stem not in leaves}
    assert shell - set(contract["forbidden_modules"]) == set()


def test_every_package_folder_is_in_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = set()
    for package, folder in PACKAGE_DIR.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]))
    assert found - listed == set(), "add these to [tool.setuptools] packages"
