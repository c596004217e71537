"""The audit anchor file: heads of the chain appended outside the database, one per line."""

from __future__ import annotations

import os
from pathlib import Path

from hudang.store.audit import Anchor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t


def append_anchor(path: Path, head: Anchor) -> Path:
    """Append `seq hash time` to the anchor file (opened append-only, mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (head.line() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file (none when it does not exist); a bad line is an error."""
    if not path.is_file():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="ascii", errors="replace")
                                  .splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            anchors.append(Anchor.parse(line))
        except ValueError:
            raise ArchiveError(t("锚点文件 {p} 第 {n} 行无法读取", "anchor file {p}: line {n} "
                                 "is not `seq hash time`", p=path, n=number)) from None
    return anchors
