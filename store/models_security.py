"""Tables of sign-in security: second factors and lockout per user, CLI sessions, audit keying."""

from __future__ import annotations

import peewee as pw

from hudang.store.models import BaseModel, User, utcnow


class UserCredential(BaseModel):
    """Per-user sign-in state kept beside `user`: PIN, failed attempts, lockout, service flag."""

    user = pw.ForeignKeyField(User, unique=True, on_delete="CASCADE")
    pin_hash = pw.TextField(default="")
    failed_count = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    service = pw.BooleanField(default=False)  # a script/daemon account: never signs in at a desk
    password_changed_at = pw.DateTimeField(default=utcnow)


class CliSession(BaseModel):
    """A signed-in command-line session: only the token's hash is stored."""

    token_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    terminal = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)


class AuditKeying(BaseModel):
    """Where the keyed (HMAC) part of the audit chain starts and which key it uses."""

    fingerprint = pw.CharField(max_length=64, unique=True)
    from_seq = pw.BigIntegerField()
    created_at = pw.DateTimeField(default=utcnow)


SECURITY_MODELS = [UserCredential, CliSession, AuditKeying]
