"""Versioned schema migrations. `upgrade()` is idempotent; a newer schema than we know is read-only."""

from __future__ import annotations


from hudang.store import db as dbmod
from hudang.store.errors import SchemaTooOld
from hudang.store.i18n import t
from hudang.store.migrations import MIGRATIONS, Migration
from hudang.store.models import SchemaVersion

__all__ = ["MIGRATIONS", "Migration", "check_compatible", "current_version", "latest_version",
           "upgrade"]


def latest_version() -> int:
    return max(m.version for m in MIGRATIONS)


def current_version() -> int:
    """The schema version of the connected database (0 when empty): its newest migration."""
    return max(applied_versions(), default=0)


def applied_versions() -> set[int]:
    """Every migration version recorded in the connected database."""
    db = dbmod.require_database()
    if not db.table_exists(SchemaVersion._meta.table_name):
        return set()
    return {int(v) for (v,) in SchemaVersion.select(SchemaVersion.version).tuples()}


def _unknown(applied: set[int]) -> set[int]:
    """Versions a newer build recorded that this program does not know."""
    return applied - {m.version for m in MIGRATIONS}


def upgrade() -> list[int]:
    """Apply every migration the database lacks, each in its own transaction; return them.

    Every listed migration that is not recorded is applied, not only those newer than the
    newest recorded, so a migration numbered below one already applied is not skipped.
    """
    db = dbmod.require_database()
    applied: list[int] = []
    have = applied_versions()
    if _unknown(have):
        raise dbmod.SchemaTooNew(_too_new_message(max(have)))
    for migration in MIGRATIONS:
        if migration.version in have:
            continue
        with dbmod.write_tx():
            if migration.version in applied_versions():  # another process got there first
                continue
            migration.apply(db)
            SchemaVersion.create(version=migration.version, description=migration.description)
        applied.append(migration.version)
    return applied


def _too_new_message(have: int) -> str:
    return t("数据库结构版本 {have} 比本程序支持的 {latest} 更新：为防止损坏数据，本程序不会写入。"
             "请升级 hudang。",
             "The database schema is version {have}, newer than this program knows ({latest}); "
             "it will not write to it. Upgrade hudang.", have=have, latest=latest_version())


def check_compatible() -> int:
    """Check the connected schema; make the process read-only if it is newer than we know."""
    applied = applied_versions()
    have = max(applied, default=0)
    missing = [m.version for m in MIGRATIONS if m.version not in applied]
    if _unknown(applied):
        dbmod.set_read_only(_too_new_message(have))
    elif missing:
        raise SchemaTooOld(t("数据库结构版本 {have} 较旧（需要 {latest}）：请运行 hudang db upgrade。",
                             "The database schema is version {have}, older than {latest}: "
                             "run `hudang db upgrade`.", have=have, latest=latest_version()))
    return have
