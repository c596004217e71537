"""The audit key file: a secret under the data directory that keys the audit chain's hashes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import peewee as pw

from hudang.store import audit
from hudang.store.audit import AuditKey
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.models import AuditEvent
from hudang.store.models_security import AuditKeying

KEY_FILE_NAME = "audit.key"


class AuditKeyProblem(ArchiveError):
    """The audit key is missing, unreadable or not the one this archive's chain uses."""


def _read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError):
        raise AuditKeyProblem(t("审计密钥文件 {p} 无法读取", "cannot read the audit key file {p}",
                                p=path)) from None
    if len(secret) < 32:
        raise AuditKeyProblem(t("审计密钥文件 {p} 太短", "the audit key file {p} is too short",
                                p=path))
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # the key is only for the account that runs hudang
    return secret


def _write_new(path: Path) -> bytes:
    """A fresh 32-byte key in a new file only its owner can read (never overwrites)."""
    secret = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret.hex() + "\n")
    return secret


def attach_key(path: Path, *, create: bool = True) -> AuditKey | None:
    """Key this archive's audit chain with the key in `path` (made, with `create`, if absent).

    The database keeps the key's fingerprint and the seq where keyed hashes start, written by
    an `audit.keyed` event that is itself keyed. A station without the file may read but its
    writes are refused (the key must be copied from the first station).
    """
    with read_tx():
        registered = list(AuditKeying.select().order_by(AuditKeying.from_seq))
    if path.is_file():
        secret = _read(path)
    elif registered:
        audit.use_key(None)
        raise AuditKeyProblem(t(
            "本档案库的审计密钥不在 {p}：请从首个工作站复制 audit.key（权限 0600）",
            "this archive's audit key is not at {p}: copy audit.key from the first station "
            "(mode 0600)", p=path))
    elif create:
        secret = _write_new(path)
    else:
        audit.use_key(None)
        return None
    if not registered:
        try:
            return _register(secret, path)
        except pw.IntegrityError:  # another station registered the same key just now
            pass
        with read_tx():
            registered = list(AuditKeying.select().order_by(AuditKeying.from_seq))
    return _use_registered(registered[0], secret, path)


def _use_registered(first: AuditKeying, secret: bytes, path: Path) -> AuditKey:
    """Use `secret` if it is the key this archive's chain was keyed with."""
    key = AuditKey(secret)
    if first.fingerprint != key.fingerprint:
        audit.use_key(None)
        raise AuditKeyProblem(t("{p} 不是本档案库的审计密钥",
                                "{p} is not this archive's audit key", p=path))
    key = AuditKey(secret, int(first.from_seq))
    audit.use_key(key)
    return key


def _register(secret: bytes, path: Path) -> AuditKey:
    """Key the chain from the next event on, unless a station did so since we looked.

    Stations starting together on a new archive race here: SQLite serialises the write
    transactions (the second sees the first's row); on PostgreSQL the unique fingerprint
    makes the loser's insert fail, and `attach_key` then uses the winner's registration.
    """
    with write_tx():
        first = AuditKeying.select().order_by(AuditKeying.from_seq).first()
        if first is not None:
            return _use_registered(first, secret, path)
        last = AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).first()
        from_seq = (last.seq + 1) if last else 1
        key = AuditKey(secret, from_seq)
        audit.use_key(key)
        AuditKeying.create(fingerprint=key.fingerprint, from_seq=from_seq)
        audit.record(audit.SYSTEM, "audit.keyed", "audit", from_seq, None,
                     {"from_seq": from_seq, "fingerprint": key.fingerprint})
    return key
