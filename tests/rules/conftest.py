"""Fixtures for rule tests: the shipped sample rules, copied or loaded, messages in English."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hudang.rules import load_ruleset
from hudang.store.i18n import set_language

SAMPLE_RULES = Path(__file__).resolve().parents[2] / "sample_data" / "rules"
BROKEN = Path(__file__).resolve().parent / "broken"


@pytest.fixture(autouse=True)
def english():
    """Assertions match the English messages; restore Chinese afterwards."""
    set_language("en")
    yield
    set_language("zh")


@pytest.fixture(scope="session")
def ruleset():
    return load_ruleset(SAMPLE_RULES)


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    """A writable copy of the shipped rules."""
    target = tmp_path / "rules"
    shutil.copytree(SAMPLE_RULES, target)
    return target
