"""The append-only audit log: every change writes one hash-chained event in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from hudang.store import db as dbmod
from hudang.store.models import AuditEvent

GENESIS = "0" * 64
_PG_AUDIT_LOCK = 72_600_001  # advisory lock key that serialises chain appends on PostgreSQL


@dataclass(frozen=True)
class Actor:
    """Who did it, from which terminal or scanning station."""

    username: str
    terminal: str = ""
    role: str = ""


SYSTEM = Actor("system", "cli", "admin")


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str,
                      separators=(",", ":"))


def _digest(prev_hash: str, seq: int, at: str, actor: str, terminal: str, action: str,
            entity: str, entity_id: str, before: str, after: str) -> str:
    payload = json.dumps([prev_hash, seq, at, actor, terminal, action, entity, entity_id,
                          before, after], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(actor: Actor, action: str, entity: str = "", entity_id: Any = "",
           before: Any = None, after: Any = None) -> AuditEvent:
    """Append one event; must run inside the caller's write transaction."""
    db = dbmod.require_database()
    if not db.in_transaction():
        raise RuntimeError("audit.record must run inside a write transaction")
    if dbmod.is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_AUDIT_LOCK,))
    last = (AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .order_by(AuditEvent.seq.desc()).limit(1).first())
    prev_hash, seq = (last.hash, last.seq + 1) if last else (GENESIS, 1)
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    b, a = _canonical(before), _canonical(after)
    fields = dict(seq=seq, at=at, actor=actor.username, terminal=actor.terminal, action=action,
                  entity=entity, entity_id=str(entity_id), before=b, after=a)
    digest = _digest(prev_hash, **fields)
    return AuditEvent.create(prev_hash=prev_hash, hash=digest, **fields)


@dataclass
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problems: list[str]


def verify() -> ChainReport:
    """Walk the chain; report any row whose hash, link or sequence does not hold."""
    problems: list[str] = []
    prev_hash, expected_seq, count, head_hash = GENESIS, 1, 0, GENESIS
    query = AuditEvent.select().order_by(AuditEvent.seq).iterator()
    for ev in query:
        count += 1
        if ev.seq != expected_seq:
            problems.append(f"seq {expected_seq}..{ev.seq - 1}: missing (deleted?) before id {ev.id}")
        if ev.prev_hash != prev_hash:
            problems.append(f"seq {ev.seq}: link broken (previous row changed or deleted)")
        digest = _digest(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.terminal, ev.action,
                         ev.entity, ev.entity_id, ev.before, ev.after)
        if digest != ev.hash:
            problems.append(f"seq {ev.seq}: content does not match its hash (row edited)")
        prev_hash, expected_seq, head_hash = ev.hash, ev.seq + 1, ev.hash
    return ChainReport(not problems, count, expected_seq - 1, head_hash, problems)
