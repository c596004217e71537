"""The audit chain: append-only by trigger, keyed by a secret outside the database, anchored.

The attacks are those of issue 12, made as a database administrator would: drop the guard
triggers, then edit, delete or append rows and recompute every hash they can.
"""

from __future__ import annotations

import json

import pytest
from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit_key import AuditKeyProblem, attach_key
from hudang.store.db import write_tx
from hudang.store.models import AuditEvent


def _events(n: int) -> None:
    for i in range(n):
        with write_tx():
            audit.record(audit.Actor("张三", "desk-1"), "customer.update", "customer", i,
                         {"name": "王𠮷"}, {"name": f"王𠮷{i}"})


def drop_guards() -> None:
    """What a database administrator can do: remove the append-only triggers."""
    db = dbmod.require_database()
    if dbmod.is_postgres():
        db.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")
    else:
        db.execute_sql("DROP TRIGGER audit_event_no_update")
        db.execute_sql("DROP TRIGGER audit_event_no_delete")


def _recompute_from(seq: int, secret: bytes | None = None) -> None:
    """Rewrite every hash from `seq` on with the public algorithm (or a guessed key)."""
    prev = AuditEvent.get(AuditEvent.seq == seq - 1).hash if seq > 1 else audit.GENESIS
    for ev in AuditEvent.select().where(AuditEvent.seq >= seq).order_by(AuditEvent.seq):
        digest = audit._digest(prev, ev.seq, ev.at, ev.actor, ev.terminal, ev.action, ev.entity,
                               ev.entity_id, ev.before, ev.after, secret=secret)
        AuditEvent.update(prev_hash=prev, hash=digest).where(AuditEvent.id == ev.id).execute()
        prev = digest


@pytest.fixture
def keyed(db, tmp_path):
    key = attach_key(tmp_path / "audit.key")
    yield key
    audit.use_key(None)


def test_chain_verifies_when_untouched(db):
    _events(5)
    report = audit.verify()
    assert report.ok and report.events == 5 and report.head_seq == 5


def test_update_and_delete_are_refused_by_the_database(db):
    _events(2)
    with pytest.raises(Exception, match="append-only"), write_tx():
        AuditEvent.update(actor="mallory").where(AuditEvent.seq == 1).execute()
    with pytest.raises(Exception, match="append-only"), write_tx():
        AuditEvent.delete().where(AuditEvent.seq == 2).execute()
    assert AuditEvent.select().count() == 2 and audit.verify().ok


def test_edited_row_is_caught(db):
    _events(4)
    drop_guards()
    AuditEvent.update(after='{"name":"李四"}').where(AuditEvent.seq == 2).execute()
    report = audit.verify()
    assert not report.ok
    assert any("seq 2" in p and "edited" in p for p in report.problems)


def test_deleted_row_is_caught(db):
    _events(4)
    drop_guards()
    AuditEvent.delete().where(AuditEvent.seq == 3).execute()
    report = audit.verify()
    assert not report.ok
    assert any("missing" in p for p in report.problems)


def test_key_file_is_private_and_its_fingerprint_is_in_the_chain(keyed, tmp_path):
    assert (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600
    first = AuditEvent.get(AuditEvent.seq == keyed.from_seq)
    assert first.action == "audit.keyed"
    assert json.loads(first.after)["fingerprint"] == keyed.fingerprint
    _events(3)
    assert audit.verify().ok


def test_edit_and_recompute_the_rest_is_caught_with_a_key(keyed):
    _events(4)
    drop_guards()
    AuditEvent.update(after='{"name":"李四"}').where(AuditEvent.seq == 3).execute()
    _recompute_from(3)  # without the key: plain SHA-256
    report = audit.verify()
    assert not report.ok and any("seq 3" in p for p in report.problems)
    _recompute_from(3, secret=b"guessed" * 5)
    assert not audit.verify().ok


def test_forged_appended_row_is_caught(keyed):
    _events(2)
    last = AuditEvent.select().order_by(AuditEvent.seq.desc()).get()
    fields = dict(seq=last.seq + 1, at=last.at, actor="mallory", terminal="x",
                  action="loan.approve", entity="loan", entity_id="L1", before="", after="")
    AuditEvent.create(prev_hash=last.hash, hash=audit._digest(last.hash, **fields), **fields)
    report = audit.verify()
    assert not report.ok and any(f"seq {last.seq + 1}" in p for p in report.problems)


def test_deleting_the_newest_rows_is_caught_by_an_anchor(keyed):
    _events(3)
    anchor = audit.head()
    assert audit.verify([anchor]).ok and audit.verify([anchor]).anchors_checked == 1
    drop_guards()
    AuditEvent.delete().where(AuditEvent.seq >= anchor.seq - 1).execute()
    assert audit.verify().ok  # the chain alone cannot tell its tail was cut ...
    report = audit.verify([anchor])  # ... the anchor taken outside the database can
    assert not report.ok and any("newest rows" in p for p in report.problems)


def test_a_station_without_the_key_may_not_write(keyed, tmp_path):
    with pytest.raises(AuditKeyProblem):
        attach_key(tmp_path / "elsewhere" / "audit.key")
    (tmp_path / "wrong.key").write_text("ab" * 32)
    with pytest.raises(AuditKeyProblem):
        attach_key(tmp_path / "wrong.key")
    attach_key(tmp_path / "audit.key")
    assert audit.verify().ok


def test_record_outside_transaction_is_refused(db):
    with pytest.raises(RuntimeError):
        audit.record(audit.SYSTEM, "x")


def test_chinese_outside_bmp_round_trips(db):
    with write_tx():
        ev = audit.record(audit.SYSTEM, "t", "customer", "𠮷", None, {"户名": "𠮷野家"})
    got = AuditEvent.get_by_id(ev.id)
    assert "𠮷野家" in got.after and got.entity_id == "𠮷"
