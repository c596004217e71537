"""The claim journal: one small JSON file per claimed input, beside it in the work folder.

A claim is written ("claiming") before the atomic rename into the work folder and updated at
the steps recovery depends on (a retry's attempt count, "quarantining"), each write by temp
name, fsync and rename. "claimed" and "committed" are kept in memory only: recovery decides
from whether the claimed file is present and from the database's ingest record, so writing
them would cost two fsyncs per file and change nothing after a crash,
so a daemon killed at any moment finds on restart exactly where every file stood.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from hudang.scanners.files import display_name


class ClaimState(StrEnum):
    """How far a claim has come (only "claiming" and "quarantining" are written to disk)."""

    CLAIMING = "claiming"
    CLAIMED = "claimed"
    COMMITTED = "committed"
    QUARANTINING = "quarantining"


@dataclass
class Claim:
    """One input file taken from a hot folder, and how far its filing has come."""

    claim_id: str
    name_b64: str  # the original file name's bytes (names need not be valid UTF-8)
    display: str
    work_name: str
    kind: str
    pages: int
    mtime: float  # when the station wrote it: the scan time
    state: str = ClaimState.CLAIMING
    attempts: int = 0
    last_error: str = ""
    stage: str = ""
    claimed_at: float = 0.0
    # the signature of the bytes that were checked: the file leaves only if it still has it
    size: int = -1
    mtime_ns: int = 0
    inode: int = 0

    @property
    def original_name(self) -> str:
        """The original name as a str (surrogate-escaped where it was not UTF-8)."""
        return os.fsdecode(base64.b64decode(self.name_b64))

    @property
    def signature(self) -> tuple[int, int, int] | None:
        """(size, mtime_ns, inode) as checked; None for claims written before it was kept."""
        return None if self.size < 0 else (self.size, self.mtime_ns, self.inode)

    @property
    def fallback_name(self) -> str:
        """An ASCII name for the file where its own name cannot be used."""
        return self.work_name

    @classmethod
    def new(cls, name: str, kind: str, pages: int, mtime: float,
            sig: tuple[int, int, int] | None = None) -> Claim:
        claim_id = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
        ext = {"jpeg": "jpg", "tiff": "tif"}.get(kind, kind)
        size, mtime_ns, inode = sig if sig is not None else (-1, 0, 0)
        return cls(claim_id, base64.b64encode(os.fsencode(name)).decode("ascii"),
                   display_name(name), f"{claim_id}.{ext}", kind, pages, mtime,
                   claimed_at=time.time(), size=size, mtime_ns=mtime_ns, inode=inode)


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """The claims of one hot folder, stored as `<work>/<claim_id>.json`."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def _path(self, claim: Claim | str) -> Path:
        cid = claim if isinstance(claim, str) else claim.claim_id
        return self.work_dir / f"{cid}.json"

    def file_path(self, claim: Claim) -> Path:
        """Where the claimed file lives while it is being filed."""
        return self.work_dir / claim.work_name

    def write(self, claim: Claim) -> None:
        """Persist `claim` atomically."""
        target = self._path(claim)
        tmp = target.with_suffix(".json.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(claim), fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(self.work_dir)

    def remove(self, claim: Claim) -> None:
        self._path(claim).unlink(missing_ok=True)
        fsync_dir(self.work_dir)

    def clean_temp(self) -> None:
        """Remove half-written journal entries left by a kill during `write` (start-up only)."""
        for path in self.work_dir.glob("*.json.tmp"):
            path.unlink(missing_ok=True)

    def entries(self) -> list[Claim]:
        """Every claim on disk, oldest first (unreadable leftovers are skipped)."""
        claims = []
        for path in sorted(self.work_dir.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                claims.append(Claim(**data))
            except (OSError, ValueError, TypeError):
                continue
        return claims
