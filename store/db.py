"""One DatabaseProxy for the whole archive, initialised from a URL; nothing connects at import."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import peewee as pw

from hudang.store.errors import NotConfigured, SchemaTooNew

database = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "full",  # a commit survives power loss: the daemon deletes originals after it
    "cache_size": -64 * 1024,
    "temp_store": "memory",
}

_state = threading.local()
_flags = {"read_only_reason": None}


def sqlite_file(url: str) -> Path | None:
    """The file behind a `sqlite:///` URL (None for other databases and `:memory:`)."""
    parsed = urlparse(url)
    if parsed.scheme.split("+")[0] != "sqlite":
        return None
    path = unquote(parsed.path[1:]) if parsed.path.startswith("/") else unquote(parsed.path)
    if url.startswith("sqlite:////"):
        path = "/" + path.lstrip("/")
    return Path(path) if path and path != ":memory:" else None


def make_database(url: str, statement_timeout_ms: int | None = None) -> pw.Database:
    """Build (but do not connect) a Peewee database for `sqlite:///path` or `postgresql://...`.

    On PostgreSQL every statement of the session is bounded by `statement_timeout_ms` (the
    server cancels it), so nothing a user types keeps the server busy after they gave up.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(parsed.path[1:]) if parsed.path.startswith("/") else unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        if not path:
            path = ":memory:"
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, check_same_thread=False,
                                 timeout=10)
    if scheme in ("postgres", "postgresql"):
        kwargs = dict(parse_qsl(parsed.query))
        if statement_timeout_ms and statement_timeout_ms > 0:
            bound = f"-c statement_timeout={int(statement_timeout_ms)}"
            kwargs["options"] = f"{kwargs.get('options', '')} {bound}".strip()
        return pw.PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            **kwargs,
        )
    raise NotConfigured(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")


def init_database(url: str, statement_timeout_ms: int | None = None) -> pw.Database:
    """Point the shared proxy at the database behind `url` and return it."""
    db = make_database(url, statement_timeout_ms)
    if isinstance(database.obj, pw.Database) and not database.obj.is_closed():
        database.obj.close()
    database.initialize(db)
    _flags["read_only_reason"] = None
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, pw.SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


def require_database() -> pw.Database:
    if database.obj is None:
        raise NotConfigured("the archive database is not initialised (call init_database first)")
    return database.obj


def is_read_only() -> bool:
    return _flags["read_only_reason"] is not None


def set_read_only(reason: str | None) -> None:
    """Refuse writes (e.g. the schema is newer than this program) with `reason`."""
    _flags["read_only_reason"] = reason


@contextlib.contextmanager
def write_tx():
    """One write transaction: BEGIN IMMEDIATE on SQLite so writers queue instead of racing."""
    db = require_database()
    if _flags["read_only_reason"]:
        raise SchemaTooNew(_flags["read_only_reason"])
    if db.in_transaction():
        with db.atomic():
            yield db
        return
    if isinstance(db, pw.SqliteDatabase):
        with db.atomic("IMMEDIATE"):
            yield db
    else:
        with db.atomic():
            yield db


def read_tx():
    """A consistent read (one snapshot)."""
    return require_database().atomic()
