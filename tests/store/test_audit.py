"""The audit chain detects an edited, a deleted and a re-ordered row, on every backend."""

from __future__ import annotations

from hudang.store import audit
from hudang.store.db import write_tx
from hudang.store.models import AuditEvent


def _events(n: int) -> None:
    for i in range(n):
        with write_tx():
            audit.record(audit.Actor("张三", "desk-1"), "customer.update", "customer", i,
                         {"name": "王𠮷"}, {"name": f"王𠮷{i}"})


def test_chain_verifies_when_untouched(db):
    _events(5)
    report = audit.verify()
    assert report.ok and report.events == 5 and report.head_seq == 5


def test_edited_row_is_caught(db):
    _events(4)
    AuditEvent.update(after='{"name":"李四"}').where(AuditEvent.seq == 2).execute()
    report = audit.verify()
    assert not report.ok
    assert any("seq 2" in p and "edited" in p for p in report.problems)


def test_deleted_row_is_caught(db):
    _events(4)
    AuditEvent.delete().where(AuditEvent.seq == 3).execute()
    report = audit.verify()
    assert not report.ok
    assert any("missing" in p for p in report.problems)


def test_record_outside_transaction_is_refused(db):
    import pytest

    with pytest.raises(RuntimeError):
        audit.record(audit.SYSTEM, "x")


def test_chinese_outside_bmp_round_trips(db):
    with write_tx():
        ev = audit.record(audit.SYSTEM, "t", "customer", "𠮷", None, {"户名": "𠮷野家"})
    got = AuditEvent.get_by_id(ev.id)
    assert "𠮷野家" in got.after and got.entity_id == "𠮷"
