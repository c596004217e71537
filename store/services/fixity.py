"""Fixity: SHA-256 and SM3 of every stored scan, recorded at filing and re-checked later.

DA/T 70 asks for authenticity and integrity checks at filing, before transfer and in
long-term keeping; a check names every file that is missing or no longer what was filed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.models import ScanFile, utcnow
from hudang.store.models_disposal import ScanFixity
from hudang.store.progress import Progress, no_progress

_CHUNK = 1 << 20


class FixityFailed(ArchiveError):
    """A stored scan is missing or is no longer the file that was filed."""

    code = "fixity_failed"
_WRITE_BATCH = 500
_IN_LIMIT = 10_000  # beyond this, read every row and filter (SQLite caps bound variables)


def digests(path: Path) -> tuple[str, str]:
    """(SHA-256, SM3) of a file's content, read once."""
    sha, sm3 = hashlib.sha256(), hashlib.new("sm3")
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            sm3.update(chunk)
    return sha.hexdigest(), sm3.hexdigest()


def destroyed_scans():
    """A subquery of scan-file ids whose files a disposal batch removed on purpose."""
    return ScanFixity.select(ScanFixity.scan_file).where(ScanFixity.status == "destroyed")


def sm3_of(path: Path) -> str:
    """The SM3 digest of a file (GB/T 32905)."""
    return digests(path)[1]


def record_filed(scan_file_id: int, sha256: str, sm3: str = "") -> None:
    """Record a newly stored scan's digests; runs inside the filing transaction."""
    ScanFixity.insert(scan_file=scan_file_id, sha256=sha256, sm3=sm3,
                      status="ok" if sm3 else "unchecked").on_conflict_ignore().execute()


@dataclass
class FixityProblem:
    sha256: str
    scan_file_id: int
    problem: str  # missing / altered
    detail: str = ""


@dataclass
class FixityReport:
    """What one check found; `ok` when no stored scan is missing or altered."""

    total: int = 0
    checked: int = 0
    intact: int = 0
    backfilled: int = 0
    problems: list[FixityProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        return {"total": self.total, "checked": self.checked, "intact": self.intact,
                "backfilled": self.backfilled,
                "missing": [p.sha256 for p in self.problems if p.problem == "missing"][:100],
                "altered": [p.sha256 for p in self.problems if p.problem == "altered"][:100]}


def _rows(scan_file_ids: Iterable[int] | None) -> list[tuple[int, str, str]]:
    """(scan file id, sha256, sm3) of every kept scan (destroyed ones are gone on purpose)."""
    _backfill_missing_rows()
    query = (ScanFixity.select(ScanFixity.scan_file, ScanFixity.sha256, ScanFixity.sm3)
             .where(ScanFixity.status != "destroyed"))
    wanted = None
    if scan_file_ids is not None:
        wanted = set(scan_file_ids)
        if not wanted:
            return []
        if len(wanted) <= _IN_LIMIT:
            query = query.where(ScanFixity.scan_file.in_(sorted(wanted)))
    rows = query.order_by(ScanFixity.scan_file).tuples()
    return [(r[0], r[1], r[2]) for r in rows if wanted is None or r[0] in wanted]


def _backfill_missing_rows() -> None:
    """Scans stored before fixity was recorded (or by an old daemon) get a row, SM3 pending."""
    missing = ScanFile.select(ScanFile.id, ScanFile.sha256).where(
        ScanFile.id.not_in(ScanFixity.select(ScanFixity.scan_file)))
    rows = [{"scan_file": i, "sha256": s, "sm3": ""} for i, s in missing.tuples()]
    if rows:
        with dbmod.write_tx():
            for start in range(0, len(rows), _WRITE_BATCH):
                (ScanFixity.insert_many(rows[start:start + _WRITE_BATCH])
                 .on_conflict_ignore().execute())


def _verify(root: Path, sf_id: int, sha: str, sm3: str) -> tuple[str, str, FixityProblem | None]:
    """(status, sm3 to store, problem) for one stored scan."""
    path = root / sha[:2] / sha
    try:
        got_sha, got_sm3 = digests(path)
    except FileNotFoundError:
        return "missing", sm3, FixityProblem(sha, sf_id, "missing")
    except OSError as exc:
        return "missing", sm3, FixityProblem(sha, sf_id, "missing", str(exc))
    if got_sha != sha:
        return "altered", sm3, FixityProblem(sha, sf_id, "altered", "sha256")
    if sm3 and got_sm3 != sm3:
        return "altered", sm3, FixityProblem(sha, sf_id, "altered", "sm3")
    return "ok", sm3 or got_sm3, None


def verify_scans(scan_root: Path, scan_file_ids: Iterable[int] | None = None, *,
                 sample_percent: float | None = None, seed: int | None = None,
                 progress: Progress = no_progress) -> FixityReport:
    """Recompute the digests of stored scans (all, the given ones, or a random sample)."""
    rows = _rows(scan_file_ids)
    report = FixityReport(total=len(rows))
    if sample_percent is not None and rows:
        k = max(1, round(len(rows) * min(max(sample_percent, 0.0), 100.0) / 100))
        rows = sorted(random.Random(seed).sample(rows, k))
    updates: list[tuple] = []
    now = utcnow()
    progress("scans", 0, len(rows))
    for sf_id, sha, sm3 in rows:
        status, new_sm3, problem = _verify(Path(scan_root), sf_id, sha, sm3)
        report.checked += 1
        if report.checked % 500 == 0:
            progress("scans", report.checked, len(rows))
        if problem:
            report.problems.append(problem)
        else:
            report.intact += 1
            report.backfilled += int(not sm3)
        updates.append((status, new_sm3, now, sf_id))
        if len(updates) >= _WRITE_BATCH:
            _store(updates)
            updates = []
    _store(updates)
    progress("scans", report.checked, len(rows))
    return report


def _store(updates: list[tuple]) -> None:
    if not updates:
        return
    with dbmod.write_tx() as db:
        p = db.param
        db.cursor().executemany(
            f"UPDATE scan_fixity SET status = {p}, sm3 = {p}, checked_at = {p} "
            f"WHERE scan_file_id = {p}", [(s, m, n.isoformat(sep=" "), i) for s, m, n, i in updates])


def check(scan_root: Path, actor: Actor, *, sample_percent: float | None = None,
          scan_file_ids: Iterable[int] | None = None, purpose: str = "scheduled",
          seed: int | None = None, progress: Progress = no_progress) -> FixityReport:
    """A fixity check that is itself audited (who ran it, why, what it found)."""
    report = verify_scans(scan_root, scan_file_ids, sample_percent=sample_percent, seed=seed,
                          progress=progress)
    with dbmod.write_tx():
        audit.record(actor, "fixity.check", "scan_store", purpose,
                     after=report.summary() | {"sample_percent": sample_percent,
                                               "ok": report.ok})
    return report


def require_intact(scan_root: Path, sha256s: Iterable[str], actor: Actor, purpose: str) -> int:
    """Check the given stored scans before they leave the archive; raise if any is not intact."""
    shas = sorted(set(sha256s))
    ids = [i for (i,) in ScanFile.select(ScanFile.id).where(ScanFile.sha256.in_(shas)).tuples()]
    report = check(scan_root, actor, scan_file_ids=ids, purpose=purpose)
    if not report.ok:
        shown = ", ".join(f"{p.sha256[:12]} {p.problem}" for p in report.problems[:5])
        raise FixityFailed(t("{n} 个扫描文件丢失或被改动（{s}）：已停止",
                             "{n} stored scans are missing or altered ({s}): stopped",
                             n=len(report.problems), s=shown))
    return report.checked
