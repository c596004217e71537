"""Putting a file into error/, duplicates/ or done/ with its sidecar, whatever its name.

Names are bytes on disk: any bytes, up to the filesystem's limit. A name that leaves no room
for " (2)" or for ".reason.json" is shortened (keeping whole UTF-8 characters and the
extension, with a short hash so shortened names stay distinct); a name the target refuses
(a share that takes only UTF-8) falls back to the claim's own ASCII name. If even the sidecar
cannot be written, the reason goes to `reasons.jsonl` in the same folder and to the log.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
from pathlib import Path

log = logging.getLogger("hudang.scanners")

REASONS_LOG = "reasons.jsonl"
_NAME_ERRNOS = {errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL}


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the filesystem of `folder` accepts."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def _cut(raw: bytes, limit: int) -> bytes:
    """`raw` cut to at most `limit` bytes, on a UTF-8 character boundary when it is UTF-8."""
    if len(raw) <= limit:
        return raw
    cut = raw[:max(0, limit)]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return cut
    return cut.decode("utf-8", "ignore").encode("utf-8")


def fit_name(raw: bytes, limit: int, tail: bytes = b"") -> bytes:
    """`raw` + `tail` in at most `limit` bytes: unchanged when it fits, else shortened + hash."""
    if len(raw) + len(tail) <= limit:
        return raw + tail
    stem, dot, ext = raw.rpartition(b".")
    if not dot or not stem or len(ext) > 16:
        stem, ext = raw, b""
    mark = b"~" + hashlib.sha1(raw).hexdigest()[:8].encode()
    ext_part = b"." + ext if ext else b""
    room = limit - len(tail) - len(mark) - len(ext_part)
    return _cut(stem, room) + mark + ext_part + tail


def unique_dest(folder: Path, name: str, reserve: int = 0) -> str:
    """A free path in `folder` for `name`, leaving `reserve` bytes of the name for a suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    base, limit = os.fsencode(folder), name_max(folder) - reserve
    raw = os.fsencode(name) or b"_"
    stem, dot, ext = raw.rpartition(b".")
    if not dot or not stem:
        stem, ext = raw, b""
    candidate, n = os.path.join(base, fit_name(raw, limit)), 1
    while os.path.lexists(candidate):
        n += 1
        tail = f" ({n})".encode() + (b"." + ext if ext else b"")
        candidate = os.path.join(base, fit_name(stem, limit, tail))
    return os.fsdecode(candidate)


def sidecar_path(dest: str, suffix: str) -> str:
    """`DEST<suffix>`, with DEST's name shortened when the two together are too long."""
    folder, name = os.path.split(os.fsencode(dest))
    limit = name_max(Path(os.fsdecode(folder) or "."))
    tail = suffix.encode()
    return os.fsdecode(os.path.join(folder, fit_name(name, limit, tail)))


def write_sidecar(dest: str, suffix: str, payload: dict) -> str:
    """Write `DEST<suffix>` (e.g. NAME.reason.json) durably; return its path."""
    path = sidecar_path(dest, suffix)
    tmp = path[:-len(suffix)] + ".tmp"
    with open(tmp, "w", encoding="utf-8", errors="backslashreplace") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def place(work: Path, folder: Path, name: str, fallback: str, suffix: str,
          payload: dict) -> str:
    """Move `work` into `folder` under `name` (or `fallback`) with its sidecar; return the path.

    The sidecar is written first so a file never sits in the folder without its reason; if
    no sidecar can be written the reason is appended to `reasons.jsonl` and logged.
    """
    reserve = 0  # the file keeps its own name; a sidecar that does not fit is shortened
    dest = ""
    try:
        dest = unique_dest(folder, name, reserve)
        payload = {**payload, "file": os.fsdecode(os.path.basename(os.fsencode(dest)))}
        _record_reason(dest, suffix, payload)
        os.rename(work, dest)
        return dest
    except OSError as exc:
        if exc.errno not in _NAME_ERRNOS:
            raise
        if dest:
            try:
                os.unlink(sidecar_path(dest, suffix))
            except OSError:
                pass
        log.warning("cannot use the name %r in %s (%s): keeping it as %s", name, folder,
                    exc.strerror, fallback)
    dest = unique_dest(folder, fallback, reserve)
    payload = {**payload, "file": fallback}
    _record_reason(dest, suffix, payload)
    os.rename(work, dest)
    return dest


def _record_reason(dest: str, suffix: str, payload: dict) -> None:
    try:
        write_sidecar(dest, suffix, payload)
        return
    except OSError as exc:
        if exc.errno not in _NAME_ERRNOS:
            raise
        log.error("cannot write the sidecar for %s (%s): reason kept in %s: %s",
                  payload.get("original_name") or ascii(dest), exc.strerror, REASONS_LOG,
                  json.dumps(payload, ensure_ascii=True, default=str))
    line = json.dumps(payload, ensure_ascii=False, default=str)
    with open(os.path.join(os.path.dirname(dest), REASONS_LOG), "a", encoding="utf-8",
              errors="backslashreplace") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
