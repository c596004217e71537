"""The append-only audit log: every change writes one hash-chained event in its transaction.

Each event's hash covers the previous one. Once an archive has an audit key (a secret kept in
a 0600 file under the data directory, never in the database), every new event's hash is an
HMAC under that key, so someone who can write to the database but cannot read the key cannot
recompute the chain after editing, deleting or appending rows. Anchors (head seq, hash, time)
written outside the database catch the deletion of the newest rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from peewee import fn

from hudang.store import db as dbmod
from hudang.store.models import AuditEvent
from hudang.store.progress import Progress, no_progress

GENESIS = "0" * 64
_PROGRESS_EVERY = 20_000  # events walked between progress reports
_PG_AUDIT_LOCK = 72_600_001  # advisory lock key that serialises chain appends on PostgreSQL


@dataclass(frozen=True)
class Actor:
    """Who did it, from which terminal or scanning station."""

    username: str
    terminal: str = ""
    role: str = ""


SYSTEM = Actor("system", "cli", "admin")


@dataclass(frozen=True)
class AuditKey:
    """The secret that keys event hashes, and where in the chain keyed hashes start."""

    secret: bytes
    from_seq: int | None = None  # filled from the database's keying record

    @property
    def fingerprint(self) -> str:
        """A public name of the key (an HMAC of a fixed text), stored in the database."""
        return hmac.new(self.secret, b"hudang audit key fingerprint", hashlib.sha256).hexdigest()


_key: dict[str, AuditKey | None] = {"current": None}


def use_key(key: AuditKey | None) -> None:
    """Key every event recorded from now on (None: unkeyed, for archives without a key yet)."""
    _key["current"] = key


def current_key() -> AuditKey | None:
    return _key["current"]


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str,
                      separators=(",", ":"))


def _digest(prev_hash: str, seq: int, at: str, actor: str, terminal: str, action: str,
            entity: str, entity_id: str, before: str, after: str,
            secret: bytes | None = None) -> str:
    payload = json.dumps([prev_hash, seq, at, actor, terminal, action, entity, entity_id,
                          before, after], ensure_ascii=False, separators=(",", ":"))
    if secret is None:
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    key = _key["current"]
    b, a = _canonical(before), _canonical(after)
    fields = dict(seq=seq, at=_now_text(), actor=actor.username[:64],
                  terminal=actor.terminal[:64], action=action, entity=entity,
                  entity_id=str(entity_id)[:64], before=b, after=a)
    digest = _digest(prev_hash, **fields, secret=key.secret if key else None)
    return AuditEvent.create(prev_hash=prev_hash, hash=digest, **fields)


@dataclass
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problems: list[str]
    anchors_checked: int = 0
    keyed_from: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment, kept outside the database."""

    seq: int
    hash: str
    at: str

    def line(self) -> str:
        return f"{self.seq} {self.hash} {self.at}"

    @classmethod
    def parse(cls, line: str) -> Anchor:
        seq, digest, at = line.split()
        if len(digest) != 64:
            raise ValueError(digest)
        return cls(int(seq), digest, at)


def head() -> Anchor:
    """The newest event as an anchor (seq 0 and the genesis hash for an empty log)."""
    with dbmod.read_tx():
        last = (AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
                .order_by(AuditEvent.seq.desc()).limit(1).first())
    if last is None:
        return Anchor(0, GENESIS, _now_text())
    return Anchor(int(last.seq), last.hash, _now_text())


def _keyed_from(problems: list[str], notes: list[str]) -> tuple[int | None, bytes | None]:
    """Where keyed hashes start per the database, checked against the key we hold."""
    from hudang.store.models_security import AuditKeying

    key = _key["current"]
    has_table = dbmod.require_database().table_exists(AuditKeying._meta.table_name)
    rows = list(AuditKeying.select().order_by(AuditKeying.from_seq)) if has_table else []
    if not rows:
        if key is not None and key.from_seq is not None:
            problems.append(f"keying record missing: keyed hashes should start at seq "
                            f"{key.from_seq}")
        return None, None
    row = rows[0]
    if key is None:
        notes.append(f"no audit key here: events from seq {row.from_seq} cannot be checked")
        return int(row.from_seq), None
    if row.fingerprint != key.fingerprint:
        problems.append("the audit key here is not the key this archive's chain uses")
        return int(row.from_seq), None
    return int(row.from_seq), key.secret


def verify(anchors: list[Anchor] | None = None,
           progress: Progress = no_progress) -> ChainReport:
    """Walk the chain; report any row whose hash, link or sequence does not hold.

    Events before the keyed part are checked by plain SHA-256; from the keying point on each
    must carry an HMAC under the key. Every anchor must still be in the chain with its hash.
    `progress` hears ("events", walked, newest seq) every few thousand rows.
    """
    problems: list[str] = []
    notes: list[str] = []
    keyed_from, secret = _keyed_from(problems, notes)
    wanted = {a.seq: a for a in anchors or []}
    prev_hash, expected_seq, count, head_hash = GENESIS, 1, 0, GENESIS
    total = AuditEvent.select(fn.MAX(AuditEvent.seq)).scalar() or 0
    progress("events", 0, total)
    for ev in AuditEvent.select().order_by(AuditEvent.seq).iterator():
        count += 1
        if count % _PROGRESS_EVERY == 0:
            progress("events", count, max(total, count))
        if ev.seq != expected_seq:
            problems.append(f"seq {expected_seq}..{ev.seq - 1}: missing (deleted?) before id {ev.id}")
        if ev.prev_hash != prev_hash:
            problems.append(f"seq {ev.seq}: link broken (previous row changed or deleted)")
        keyed = keyed_from is not None and ev.seq >= keyed_from
        if not keyed or secret is not None:
            digest = _digest(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.terminal, ev.action,
                             ev.entity, ev.entity_id, ev.before, ev.after,
                             secret=secret if keyed else None)
            if not hmac.compare_digest(digest, ev.hash):
                problems.append(f"seq {ev.seq}: content does not match its hash "
                                f"(row edited or forged)")
        if keyed and ev.seq == keyed_from and ev.action != "audit.keyed":
            problems.append(f"seq {ev.seq}: the keyed chain must start with its keying event")
        if ev.seq in wanted and wanted[ev.seq].hash != ev.hash:
            problems.append(f"seq {ev.seq}: differs from the anchor taken {wanted[ev.seq].at}")
        prev_hash, expected_seq, head_hash = ev.hash, ev.seq + 1, ev.hash
    head_seq = expected_seq - 1
    progress("events", count, max(total, count))
    for a in wanted.values():
        if a.seq > head_seq:
            problems.append(f"seq {head_seq + 1}..{a.seq}: missing; the anchor taken {a.at} "
                            f"saw the chain reach seq {a.seq} (newest rows deleted?)")
    return ChainReport(not problems, count, head_seq, head_hash, problems,
                       anchors_checked=len(wanted), keyed_from=keyed_from, notes=notes)
