"""The built wheel works anywhere: installed into a fresh venv, run from an unrelated folder.

The wheel is built from this checkout; the fresh venv borrows the already-installed
third-party packages (a .pth line to the test venv's site-packages, whose editable-install
hooks are not processed from there), so only the wheel can provide `hudang`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL_ROOMS = ("store", "rules", "scanners", "tui", "sample_data")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, timeout=300,
                   env={**os.environ, "PIP_BUILD_TRACKER": str(build)},
                   capture_output=True)
    wheels = list(out.glob("hudang-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory, wheel) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                    "-q", str(wheel)], check=True, timeout=300, capture_output=True)
    return env_dir


def test_wheel_installs_only_the_hudang_name_and_carries_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.startswith("hudang-")}
    assert tops == {"hudang"}, tops
    for room in TOP_LEVEL_ROOMS:
        assert f"hudang/{room}/__init__.py" in names
    assert "hudang/sample_data/rules/classification.yaml" in names
    assert "hudang/sample_data/customers_sample.csv" in names
    assert "hudang/tui/desk.tcss" in names


def _run(env_dir: Path, home: Path, *args: str, stdin: str | None = None
         ) -> subprocess.CompletedProcess:
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HUDANG_HOME": str(home),
           "HOME": str(home), "LANG": "C.UTF-8", "HUDANG_SESSION_DIR": str(home / "sessions")}
    return subprocess.run([str(env_dir / "bin" / "hudang"), *args], cwd=home, env=env,
                          input=stdin, capture_output=True, text=True, timeout=300)


def test_demo_rules_and_search_work_from_the_wheel(fresh_venv, tmp_path):
    home = tmp_path / "elsewhere"
    home.mkdir()
    version = _run(fresh_venv, home, "--version")
    assert version.returncode == 0 and version.stdout.startswith("hudang ")
    where = subprocess.run([str(fresh_venv / "bin" / "python"), "-c",
                            "import hudang.store, hudang.sample_data as d; "
                            "print(hudang.store.__file__); print(d.RULES_DIR)"],
                           cwd=home, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and str(fresh_venv) in where
    demo = _run(fresh_venv, home, "demo", "--no-tui", "--customers", "200")
    assert demo.returncode == 0, demo.stderr
    check = _run(fresh_venv, home, "rules", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    login = _run(fresh_venv, home, "login", "keeper", stdin="keeper-demo-1\n")
    assert login.returncode == 0, login.stdout + login.stderr
    search = _run(fresh_venv, home, "search", "张")
    assert search.returncode == 0, search.stderr
    assert "Traceback" not in search.stderr
