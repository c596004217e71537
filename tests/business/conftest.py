"""Fixtures for business-event tests: the shipped rules, customers, event files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hudang.rules import load_ruleset
from hudang.rules.checklists import BusinessRules
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.models import Document
from hudang.store.services.business_rules import local_offset
from tests.store.helpers import customer

SAMPLE_RULES = Path(__file__).resolve().parents[2] / "sample_data" / "rules"
ADMIN = Actor("admin1", "test", "admin")
HEADER = "户号,流程编号,业务类型,环节,完成时间,责任人,班组,供电单位\n"


@pytest.fixture(scope="session")
def brules():
    return BusinessRules(load_ruleset(SAMPLE_RULES))


@pytest.fixture
def people(db):
    """Three low-voltage customers in the archive."""
    for n in ("3300000001", "3300000002", "3300000003"):
        customer(n)
    return ["3300000001", "3300000002", "3300000003"]


def scanned(number: str, doc_type: str, at_local: dt.datetime, *, volume=None,
            filed_on: dt.date | None = None) -> int:
    """A document of `doc_type` the daemon filed for customer `number` at local time `at_local`."""
    from hudang.store.models import Customer

    with dbmod.write_tx():
        c = Customer.get(Customer.number == number)
        doc = Document.create(customer=c, category="YK", doc_type=doc_type, volume=volume,
                              scanned_at=at_local - local_offset(), filed_on=filed_on)
    return doc.id


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes((HEADER + "".join(r + "\n" for r in rows)).encode(encoding))
    return path
