"""Fixtures for the daemon tests: an archive with customers and a registered document, folders."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from hudang.scanners.config import FolderConfig, WatchConfig
from hudang.store.audit import Actor
from hudang.store.services import customers, registry

KEEPER = Actor("keeper1", "desk-test", "keeper")
CUSTOMERS = {"3300012345": "张三", "3300054321": "佛山市季华制衣厂", "3300099999": "李四"}


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.05,
             what: str = "condition"):
    """Poll `predicate` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


@pytest.fixture
def archive(db):
    """The `db` archive with three customers and one registered document; returns its barcode."""
    for number, name in CUSTOMERS.items():
        customers.create_customer({"number": number, "name": name, "voltage_class": "LV"},
                                  KEEPER)
    import datetime as dt

    step = dt.datetime(2026, 11, 20, 9, 0)
    return registry.register_document("3300012345", "YK", "用电申请书", KEEPER,
                                      business_step_at=step)


@pytest.fixture
def hot(tmp_path) -> FolderConfig:
    """A hot folder with short quiet periods so tests run in seconds."""
    path = tmp_path / "hot"
    path.mkdir()
    return FolderConfig(path=path, station="S1", quiet_seconds=0.3, poll_interval=0.2,
                        max_attempts=2)


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "scanstore"


def watch_config(*folders: FolderConfig, workers: int = 0, **kw) -> WatchConfig:
    kw.setdefault("rescan_seconds", 1.0)
    return WatchConfig(folders=tuple(folders), workers=workers, **kw)


def with_opts(folder: FolderConfig, **kw) -> FolderConfig:
    return replace(folder, **kw)


def reasons(folder: FolderConfig) -> list[dict]:
    """The NAME.reason.json sidecars in the folder's error/."""
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.error_dir.glob("*.reason.json"))]


def visible_files(path: Path) -> list[str]:
    """Regular files directly in `path` (what a station would still see)."""
    return sorted(p.name for p in path.iterdir() if p.is_file())
