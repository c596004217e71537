"""Opening the archive: connect from a URL, check the schema, optionally create it."""

from __future__ import annotations

from pathlib import Path

import peewee as pw

from hudang.store import db as dbmod
from hudang.store import schema


def open_archive(url: str, *, create: bool = False, audit_key_file: Path | None = None,
                 statement_timeout_ms: int | None = None) -> pw.Database:
    """Connect to the archive at `url`; with `create`, bring its schema up to date first.

    With `audit_key_file`, new audit events are keyed with the secret in that file (made on
    first use); without it, they are not (stores opened by tests and benchmarks).
    """
    from hudang.store import audit

    audit.use_key(None)
    db = dbmod.init_database(url, statement_timeout_ms)
    db.connect(reuse_if_open=True)
    if create:
        schema.upgrade()
    version = schema.check_compatible()
    if audit_key_file is not None and version >= 5 and not dbmod.is_read_only():
        from hudang.store.audit_key import attach_key

        attach_key(Path(audit_key_file), create=True)
    return db


def close_archive() -> None:
    db = dbmod.database.obj
    if db is not None and not db.is_closed():
        db.close()
