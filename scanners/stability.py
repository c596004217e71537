"""File stability: when a file in a hot folder has stopped changing long enough to be taken."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from hudang.scanners.config import FolderConfig


class Signature(NamedTuple):
    """What says a file is still the same file with the same bytes: size, mtime and inode."""

    size: int
    mtime_ns: int
    inode: int


def signature(path: Path | str) -> Signature | None:
    """The file's signature now, or None when it is gone or not a regular file."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not os.path.isfile(path):
        return None
    return Signature(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class Pending:
    """A file seen in a hot folder and not yet claimed: its signature and when it last changed."""

    folder: FolderConfig
    path: Path
    sig: Signature
    since: float
    next_check: float
    attempts: int = 0
    last_error: str = ""


class StabilityTracker:
    """Files seen but not taken yet; a change to size, mtime or inode restarts the quiet period."""

    def __init__(self) -> None:
        self.pending: dict[Path, Pending] = {}

    def __len__(self) -> int:
        return len(self.pending)

    def observe(self, path: Path, folder: FolderConfig, now: float) -> None:
        """Note the file's signature; forget it when it is gone."""
        sig = signature(path)
        if sig is None:
            self.pending.pop(path, None)
            return
        entry = self.pending.get(path)
        if entry is None:
            self.pending[path] = Pending(folder, path, sig, now, now + folder.quiet_seconds)
        elif entry.sig != sig:
            entry.sig, entry.since = sig, now
            entry.next_check = max(entry.next_check, now + folder.quiet_seconds)

    def settled(self, now: float) -> Iterator[Pending]:
        """Entries unchanged for their folder's quiet period, looked at once more just now."""
        for path, entry in list(self.pending.items()):
            if now < entry.next_check or now - entry.since < entry.folder.quiet_seconds:
                continue
            self.observe(path, entry.folder, now)
            entry = self.pending.get(path)
            if entry is not None and now - entry.since >= entry.folder.quiet_seconds:
                yield entry

    def unchanged(self, entry: Pending) -> bool:
        """True when the file still has the signature the quiet period ended with."""
        return signature(entry.path) == entry.sig

    def postpone(self, entry: Pending, until: float) -> None:
        entry.next_check = until

    def forget(self, path: Path) -> None:
        self.pending.pop(path, None)
