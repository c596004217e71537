"""A quick fixity check: do sampled scan-store blobs still hash to what the archive recorded?

Self-contained stand-in for a fuller fixity service: `check_blob_fixity` is the one name the
restore path calls, so a later service can replace its body without touching the callers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from hudang.store.models import ScanFile
from hudang.store.progress import Progress, no_progress
from hudang.store.services.ingest import ScanStore, file_sha256


@dataclass
class FixityReport:
    """How many blobs were checked and which were missing or altered."""

    checked: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.altered


def check_blob_fixity(scan_store: Path, sample: int | None = 200, seed: int | None = None,
                      progress: Progress = no_progress) -> FixityReport:
    """Hash `sample` random recorded blobs (all when None) and compare size and SHA-256."""
    store = ScanStore(Path(scan_store))
    rows = list(ScanFile.select(ScanFile.sha256, ScanFile.size).tuples())
    report = FixityReport(total=len(rows))
    if sample is not None and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)
    for i, (sha, size) in enumerate(rows, start=1):
        path = store.path_for(sha)
        if not path.is_file():
            report.missing.append(sha)
        elif path.stat().st_size != size or file_sha256(path) != sha:
            report.altered.append(sha)
        report.checked = i
        progress("fixity", i, len(rows))
    return report
