"""Opening the archive: connect from a URL, check the schema, optionally create it."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import peewee as pw

from hudang.store import db as dbmod
from hudang.store import schema
from hudang.store.errors import DatabaseUnusable, NoArchive
from hudang.store.i18n import t


def open_archive(url: str, *, create: bool = False, audit_key_file: Path | None = None,
                 statement_timeout_ms: int | None = None) -> pw.Database:
    """Connect to the archive at `url`; with `create`, bring its schema up to date first.

    Without `create`, a SQLite file that does not exist is an error and nothing is created
    (a mistyped HUDANG_HOME must not leave an empty archive behind). With `audit_key_file`,
    new audit events are keyed with the secret in that file (made on first use); without
    it, they are not (stores opened by tests and benchmarks).
    """
    from hudang.store import audit

    audit.use_key(None)
    path = dbmod.sqlite_file(url)
    if path is not None:
        check_sqlite_file(path, create=create)
    db = dbmod.init_database(url, statement_timeout_ms)
    try:
        db.connect(reuse_if_open=True)
        if create:
            schema.upgrade()
        version = schema.check_compatible()
    except pw.OperationalError:
        raise  # locked, unreachable: "database unavailable" at the shell
    except pw.DatabaseError as exc:
        db.close()
        raise DatabaseUnusable(t("数据库文件已损坏或不是户档数据库：{p}（{e}）",
                                 "the database is damaged or not a hudang archive: {p} ({e})",
                                 p=path or url, e=str(exc).strip())) from None
    if audit_key_file is not None and version >= 5 and not dbmod.is_read_only():
        from hudang.store.audit_key import attach_key

        attach_key(Path(audit_key_file), create=True)
    return db


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a missing archive (unless creating) and say why a read-only one cannot open."""
    if not path.exists():
        if not create:
            raise NoArchive(t("没有档案库：{p}（请检查 HUDANG_HOME，或先运行 hudang init）",
                              "no archive at {p} (check HUDANG_HOME, or run `hudang init`)",
                              p=path))
        return
    if path.is_dir():
        raise DatabaseUnusable(t("{p} 是文件夹，不是数据库文件", "{p} is a folder, not a database "
                                 "file", p=path))
    folder = path.parent
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(folder, os.W_OK | os.X_OK)):
        raise DatabaseUnusable(t(
            "档案库 {p} 对用户 {u} 只读：SQLite 需要能写入该文件及其所在文件夹 {d}"
            "（用于写前日志），请改用有写权限的账户或调整权限",
            "the archive {p} is read-only for user {u}: SQLite needs write access to the file "
            "and to its folder {d} (for its write-ahead log); use an account that may write "
            "there or change the permissions", p=path, u=getpass.getuser(), d=folder))


def close_archive() -> None:
    db = dbmod.database.obj
    if db is not None and not db.is_closed():
        db.close()
