"""Opening the archive: connect from a URL, check the schema, optionally create it."""

from __future__ import annotations

import peewee as pw

from hudang.store import db as dbmod
from hudang.store import schema


def open_archive(url: str, *, create: bool = False) -> pw.Database:
    """Connect to the archive at `url`; with `create`, bring its schema up to date first."""
    db = dbmod.init_database(url)
    db.connect(reuse_if_open=True)
    if create:
        schema.upgrade()
    schema.check_compatible()
    return db


def close_archive() -> None:
    db = dbmod.database.obj
    if db is not None and not db.is_closed():
        db.close()
