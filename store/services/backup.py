"""Backing up and restoring a whole site while the desk and the daemon keep running.

A backup is a folder: `archive.sqlite3` (one consistent snapshot of the database: SQLite's
online backup API, or for PostgreSQL a REPEATABLE READ snapshot copied table by table into
SQLite, which restores into either backend), the scan-store blobs that snapshot refers to
(content-addressed and never changed, so copying them after the snapshot is consistent),
the rule files, the config file, and `manifest.json` with the size and SHA-256 of every file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee as pw

from hudang.store import archive, audit
from hudang.store import db as dbmod
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.progress import Progress, no_progress
from hudang.store.services import dbcopy
from hudang.store.services.fixity_sample import FixityReport, check_blob_fixity
from hudang.store.services.ingest import ScanStore, file_sha256

FORMAT = "hudang-backup/1"
DB_FILE = "archive.sqlite3"
MANIFEST = "manifest.json"


class BackupError(ArchiveError):
    """A backup cannot be written or restored as asked."""


@dataclass
class BackupReport:
    """Where the backup went and what it holds."""

    path: str
    counts: dict[str, int]
    audit_events: int
    audit_head: str
    blobs: int
    files: int
    bytes: int


@dataclass
class RestoreReport:
    """What was restored and whether the archive checks out afterwards."""

    counts: dict[str, int]
    counts_match: bool
    audit_ok: bool
    audit_events: int
    audit_head: str
    fixity: FixityReport
    blobs: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.counts_match and self.audit_ok and self.fixity.ok


def _sqlite_path(url: str) -> Path | None:
    db = dbmod.make_database(url)
    return Path(db.database) if isinstance(db, pw.SqliteDatabase) else None


def _public_url(url: str) -> str:
    """The URL without its password, for the manifest."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(":" + parsed.password + "@", ":***@")
        parsed = parsed._replace(netloc=netloc)
    return urlunparse(parsed)


def _sha256(path: Path) -> str:
    return file_sha256(path)


def _stage(copy_stage: str) -> str:
    """A stage of the database copy as backup and restore report it: rows are "database"."""
    return "database" if copy_stage == "rows" else copy_stage


def _snapshot_database(database_url: str, target: Path, progress: Progress) -> None:
    """Write one consistent snapshot of the archive database to the SQLite file `target`."""
    source_path = _sqlite_path(database_url)
    progress("database", 0, 1)
    if source_path is not None:
        src = sqlite3.connect(source_path, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a consistent snapshot that never blocks WAL writers
        finally:
            dst.close()
            src.close()
    else:
        source = dbmod.make_database(database_url)
        source.connect()
        previous = dbmod.database.obj  # the caller's archive, given back afterwards
        try:
            archive.open_archive(f"sqlite:///{target}", create=True)
            dbcopy.copy_into_current(source, lambda s, d, n: progress(_stage(s), d, n))
        finally:
            archive.close_archive()
            source.close()
            if previous is not None:
                dbmod.database.initialize(previous)
    progress("database", 1, 1)


def _snapshot_facts(path: Path) -> tuple[dict[str, int], list[str], tuple[int, str]]:
    """Row counts, referenced blob hashes and the audit head of a snapshot file."""
    db = pw.SqliteDatabase(str(path))
    db.connect()
    try:
        tables = dbcopy.data_tables(db)
        counts = dbcopy.count_rows(db, tables)
        blobs = [r[0] for r in db.execute_sql("SELECT sha256 FROM scan_file ORDER BY sha256")]
        head = db.execute_sql("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
                              ).fetchone() or (0, audit.GENESIS)
    finally:
        db.close()
    return counts, blobs, (int(head[0]), head[1])


def _copy_checked(src: Path, dst: Path, expected: str | None = None) -> str:
    """Copy a file, hashing it on the way; refuse a blob whose content is not its name."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(1 << 20):
            digest.update(chunk)
            fout.write(chunk)
    sha = digest.hexdigest()
    if expected is not None and sha != expected:
        raise BackupError(t("扫描文件 {s} 已损坏（内容与哈希不符），备份中止",
                            "scan file {s} is damaged (content does not match its hash); "
                            "backup stopped", s=expected[:16]))
    return sha


KEY_FILES = ("audit.key", "audit.anchors")  # under the data directory (store/audit_key.py)


def make_backup(out: Path, database_url: str, scan_store: Path, rules_dir: Path | None,
                config_file: Path | None, progress: Progress = no_progress,
                actor: audit.Actor | None = None, home: Path | None = None) -> BackupReport:
    """Write a consistent backup of database, blobs, rules and config into the new folder `out`.

    With `actor`, the archive records who took it (after the snapshot, so not inside it).
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(t("备份目录 {p} 已存在且不为空",
                            "backup folder {p} exists and is not empty", p=out))
    out.mkdir(parents=True, exist_ok=True)
    files: list[dict] = []
    db_path = out / DB_FILE
    _snapshot_database(database_url, db_path, progress)
    counts, blobs, (head_seq, head_hash) = _snapshot_facts(db_path)
    files.append({"path": DB_FILE, "size": db_path.stat().st_size, "sha256": _sha256(db_path)})
    store = ScanStore(Path(scan_store))
    for i, sha in enumerate(blobs, start=1):
        rel = f"scans/{sha[:2]}/{sha}"
        src = store.path_for(sha)
        if not src.is_file():
            raise BackupError(t("扫描库缺少文件 {s}（运行 hudang fsck）", "the scan store lacks "
                                "{s} (run `hudang fsck`)", s=sha[:16]))
        _copy_checked(src, out / rel, sha)
        files.append({"path": rel, "size": (out / rel).stat().st_size, "sha256": sha})
        progress("scans", i, len(blobs))
    extra = []
    if rules_dir is not None and Path(rules_dir).is_dir():
        extra += [(p, "rules/" + p.relative_to(rules_dir).as_posix())
                  for p in sorted(Path(rules_dir).rglob("*")) if p.is_file()]
    if config_file is not None and Path(config_file).is_file():
        extra.append((Path(config_file), "config.toml"))
    # The audit key and its anchors travel with the archive: without the key a restored
    # chain cannot be verified or extended. The backup is as secret as the archive.
    for name in KEY_FILES if home is not None else ():
        if (Path(home) / name).is_file():
            extra.append((Path(home) / name, "keys/" + name))
    for src, rel in extra:
        sha = _copy_checked(src, out / rel)
        if rel.startswith("keys/"):
            (out / rel).chmod(0o600)
        files.append({"path": rel, "size": (out / rel).stat().st_size, "sha256": sha})
    manifest = {"format": FORMAT,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": _public_url(database_url), "counts": counts,
                "audit": {"events": head_seq, "head_hash": head_hash}, "files": files}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    report = BackupReport(str(out), counts, head_seq, head_hash, len(blobs), len(files),
                          sum(f["size"] for f in files))
    if actor is not None:
        with dbmod.write_tx():
            audit.record(actor, "archive.backup", "archive", out.name, None,
                         {"path": str(out), "files": report.files, "bytes": report.bytes,
                          "audit_head": head_hash})
    return report


def read_manifest(folder: Path, progress: Progress = no_progress) -> dict:
    """The manifest of a backup folder, after checking every file's size and SHA-256."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(t("{p} 不是 hudang 备份：{e}", "{p} is not a hudang backup: {e}",
                            p=folder, e=exc)) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(t("不认识的备份格式：{f}", "unknown backup format: {f}",
                            f=manifest.get("format")))
    entries = manifest["files"]
    for i, entry in enumerate(entries, start=1):
        item = Path(folder) / entry["path"]
        if not item.is_file() or item.stat().st_size != entry["size"] \
                or _sha256(item) != entry["sha256"]:
            raise BackupError(t("备份已损坏：{p} 与清单不符", "the backup is damaged: {p} does not "
                                "match the manifest", p=entry["path"]))
        progress("verify", i, len(entries))
    return manifest


def archive_present(database_url: str) -> list[str]:
    """Tables with rows in the archive at `database_url` (empty list: nothing to overwrite)."""
    path = _sqlite_path(database_url)
    if path is not None and not path.exists():
        return []
    db = dbmod.make_database(database_url)
    db.connect()
    try:
        return [n for n in dbcopy.nonempty_tables(db) if n != "schema_version"]
    finally:
        db.close()


def _clear_postgres(database_url: str, tables: list[str]) -> None:
    """Drop the archive's tables (those in the backup, the models' and the bookkeeping) from
    the PostgreSQL schema the URL works in (restore --force); other tables are left alone."""
    from hudang.store.models import ALL_MODELS

    known = set(tables) | {m._meta.table_name for m in ALL_MODELS}
    known |= {"schema_version", "customer_search"}
    db = dbmod.make_database(database_url)
    db.connect()
    try:
        with db.atomic():
            for name in dbcopy._tables(db):
                if name in known:
                    db.execute_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    finally:
        db.close()


def _restore_database(folder: Path, database_url: str, tables: list[str],
                      progress: Progress) -> None:
    path = _sqlite_path(database_url)
    snapshot = Path(folder) / DB_FILE
    archive.close_archive()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".restoring")
        shutil.copyfile(snapshot, tmp)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.replace(tmp, path)
        archive.open_archive(database_url, create=True)
        return
    _clear_postgres(database_url, tables)
    source = pw.SqliteDatabase(str(snapshot))
    source.connect()
    try:
        archive.open_archive(database_url, create=True)
        dbcopy.copy_into_current(source, lambda s, d, n: progress(_stage(s), d, n))
    finally:
        source.close()


def _restore_tree(folder: Path, prefix: str, target: Path, manifest: dict) -> int:
    count = 0
    for entry in manifest["files"]:
        if entry["path"].startswith(prefix + "/"):
            dst = target / entry["path"][len(prefix) + 1:]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder) / entry["path"], dst)
            count += 1
    return count


def restore_backup(folder: Path, database_url: str, scan_store: Path, rules_dir: Path,
                   home: Path, force: bool = False, fixity_sample: int | None = 200,
                   progress: Progress = no_progress,
                   actor: audit.Actor | None = None) -> RestoreReport:
    """Restore the backup in `folder` into this site; then check counts, audit chain, blobs.

    With `actor`, a restore that checks out is recorded in the restored archive's audit log.
    """
    folder = Path(folder)
    manifest = read_manifest(folder, progress)
    busy = archive_present(database_url)
    if busy and not force:
        raise BackupError(t("目标已有档案（{m} 有数据）：确认覆盖请加 --force",
                            "an archive is already there ({m} hold rows): add --force to "
                            "overwrite it", m=", ".join(busy[:5])))
    notes: list[str] = []
    _restore_database(folder, database_url, list(manifest["counts"]), progress)
    store = ScanStore(Path(scan_store))
    blobs = [e for e in manifest["files"] if e["path"].startswith("scans/")]
    for i, entry in enumerate(blobs, start=1):
        store.put(folder / entry["path"])
        progress("scans", i, len(blobs))
    if any(e["path"].startswith("rules/") for e in manifest["files"]):
        if Path(rules_dir).exists() and any(Path(rules_dir).iterdir()) and not force:
            notes.append(t("规则目录 {p} 已有文件，未覆盖", "rules folder {p} not empty: left as "
                           "it was", p=rules_dir))
        else:
            _restore_tree(folder, "rules", Path(rules_dir), manifest)
    for name in KEY_FILES:
        src = folder / "keys" / name
        if src.is_file():
            dst = Path(home) / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            dst.chmod(0o600)
    if (folder / "config.toml").is_file():
        cfg = Path(home) / "config.toml"
        dst = cfg if not cfg.exists() else Path(home) / "config.restored.toml"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "config.toml", dst)
        if dst != cfg:
            notes.append(t("已有配置文件未覆盖；备份中的配置已写到 {p}",
                           "the config file was kept; the backed-up one is at {p}", p=dst))
    from hudang.store.audit_key import KEY_FILE_NAME, attach_key  # the restored chain's key

    attach_key(Path(home) / KEY_FILE_NAME, create=False)
    counts = dbcopy.count_rows(dbmod.require_database(), list(manifest["counts"]))
    chain = audit.verify(progress=progress)
    fixity = check_blob_fixity(Path(scan_store), fixity_sample,
                               progress=lambda s, d, n: progress("fixity", d, n))
    report = RestoreReport(counts, counts == manifest["counts"], chain.ok, chain.events,
                           chain.head_hash, fixity, len(blobs), notes)
    if actor is not None and report.ok:
        with dbmod.write_tx():
            audit.record(actor, "archive.restore", "archive", folder.name, None,
                         {"backup": str(folder), "taken_at": manifest.get("created_at"),
                          "source": manifest.get("source"), "audit_head": chain.head_hash})
    return report
