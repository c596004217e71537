"""store/, rules/ and scanners/ never pull in Textual (checked in a clean interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    path = ROOT / package
    name = f"hudang.{package}"
    return [name] + [m.name for m in pkgutil.walk_packages([str(path)], prefix=name + ".")]


@pytest.mark.parametrize("package", ["store", "rules", "scanners"])
def test_room_does_not_import_textual(package):
    if not (ROOT / package / "__init__.py").exists():
        pytest.fail(f"{package}/ is missing")
    mods = _modules(package)
    code = ("import importlib, sys\n"
            f"for m in {mods!r}:\n"
            "    importlib.import_module(m)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{package} imports textual: {out.stdout}"
