"""The daemon's hot folders: the `[watch]` section of HUDANG_HOME/config.toml, typed and checked."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hudang.store.domain import category_code

SYMBOLOGIES = ("code128", "qrcode", "code39", "code93", "ean13", "ean8", "i25", "pdf417",
               "codabar", "upca", "upce", "databar")
DEFAULT_SYMBOLOGIES = ("code128", "qrcode")
EXPECT_MODES = ("none", "first_page", "every_page")
NETWORK_FS = {"cifs", "smb3", "smbfs", "smb2", "nfs", "nfs4", "afs", "9p", "fuse.sshfs",
              "ncpfs", "davfs", "fuse.davfs2", "glusterfs", "ceph", "fuse.rclone", "virtiofs"}


class WatchConfigError(Exception):
    """The `[watch]` section has a value the daemon cannot use; the message names file and key."""


@dataclass(frozen=True)
class FolderConfig:
    """One hot folder: where it is, which station feeds it, and how files there are handled."""

    path: Path
    station: str
    category: str | None = None  # default hint (YK/YJ/JL/DF/QT) for unlinked pages
    customer: str | None = None  # default hint, e.g. a station dedicated to one customer
    quiet_seconds: float = 5.0
    polling: bool | None = None  # None: decide from the filesystem type
    poll_interval: float = 2.0
    done_dir: Path | None = None  # None: delete originals once filed
    dpi: int = 200
    retry_dpi: int = 300
    expect_barcode: str = "first_page"
    symbologies: tuple[str, ...] = DEFAULT_SYMBOLOGIES
    max_attempts: int = 5
    name: str = ""  # how classification rules call it (`hot_folder:`); default: folder name

    @property
    def hot_folder(self) -> str:
        """The name classification rules match with `hot_folder:`."""
        return self.name or self.path.name

    @property
    def work_dir(self) -> Path:
        """The claim folder: inside the hot folder, hence on the same filesystem."""
        return self.path / ".hudang-work"

    @property
    def error_dir(self) -> Path:
        return self.path / "error"

    @property
    def duplicates_dir(self) -> Path:
        return self.path / "duplicates"


@dataclass(frozen=True)
class WatchConfig:
    """Daemon-wide options plus the hot folders."""

    folders: tuple[FolderConfig, ...] = ()
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    rescan_seconds: float = 60.0
    decoder: str = "pyzbar"  # or "zxing" (optional zxing-cpp package)
    log_file: Path | None = None
    network_quiet_seconds: float = 15.0
    events_folders: tuple[Path, ...] = ()  # business-event files (issue 14), not scans


_FOLDER_KEYS = {"path", "station", "category", "customer", "quiet_seconds", "polling",
                "poll_interval", "done_dir", "dpi", "retry_dpi", "expect_barcode",
                "symbologies", "max_attempts", "name"}
_WATCH_KEYS = {"events_folders", "folders", "workers", "rescan_seconds", "decoder", "log_file",
               "network_quiet_seconds", "defaults"}


def _number(where: str, key: str, value: Any, *, minimum: float, integer: bool = False,
            maximum: float = 1e6) -> Any:
    ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not ok or not minimum <= value <= maximum:  # also refuses nan and inf
        kind = "a whole number" if integer else "a number"
        raise WatchConfigError(f"{where}: {key} must be {kind} from {minimum} to {maximum:g}, "
                               f"got {value!r}")
    return value


def _path(where: str, key: str, value: Any) -> Path:
    """A path setting: a non-empty string without NUL, `~` expanded where it can be."""
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise WatchConfigError(f"{where}: {key} must be a non-empty path string, got {value!r}")
    try:
        return Path(value).expanduser()
    except RuntimeError as exc:  # ~user that does not exist
        raise WatchConfigError(f"{where}: {key}: {exc} ({value!r})") from None


def _folder(where: str, raw: dict[str, Any], defaults: dict[str, Any],
            watch: WatchConfig) -> FolderConfig:
    if not isinstance(raw, dict):
        raise WatchConfigError(f"{where}: expected a table with path and station")
    merged = {**defaults, **raw}
    unknown = sorted(set(merged) - _FOLDER_KEYS)
    if unknown:
        raise WatchConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; expected "
                               + ", ".join(sorted(_FOLDER_KEYS)))
    for key in ("path", "station"):
        if not isinstance(merged.get(key), str) or not merged[key].strip():
            raise WatchConfigError(f"{where}: {key} is required (a non-empty string)")
    kw: dict[str, Any] = {"path": _path(where, "path", merged["path"]).absolute(),
                          "station": merged["station"].strip()}
    if merged.get("category") is not None:
        try:
            kw["category"] = category_code(str(merged["category"]))
        except ValueError as exc:
            raise WatchConfigError(f"{where}: category: {exc}") from None
    if raw.get("name") is not None:  # a folder's own name, never inherited from defaults
        if not isinstance(raw["name"], str) or not raw["name"].strip():
            raise WatchConfigError(f"{where}: name must be a non-empty string")
        kw["name"] = raw["name"].strip()
    if merged.get("customer") is not None:
        if not isinstance(merged["customer"], str):
            raise WatchConfigError(f"{where}: customer must be a string (quote the number)")
        kw["customer"] = merged["customer"].strip()
    for key in ("quiet_seconds", "poll_interval"):
        if key in merged:
            kw[key] = float(_number(where, key, merged[key], minimum=0))
    for key in ("dpi", "retry_dpi"):
        if key in merged:
            kw[key] = _number(where, key, merged[key], minimum=72, integer=True, maximum=1200)
    if "max_attempts" in merged:
        kw["max_attempts"] = _number(where, "max_attempts", merged["max_attempts"], minimum=1,
                                     integer=True, maximum=1000)
    if "polling" in merged:
        if not isinstance(merged["polling"], bool):
            raise WatchConfigError(f"{where}: polling must be true or false")
        kw["polling"] = merged["polling"]
    if merged.get("done_dir") is not None:
        done = _path(where, "done_dir", merged["done_dir"])
        kw["done_dir"] = done if done.is_absolute() else kw["path"] / done
        if kw["done_dir"].absolute() == kw["path"]:
            raise WatchConfigError(f"{where}: done_dir must not be the hot folder itself")
    if "expect_barcode" in merged:
        if merged["expect_barcode"] not in EXPECT_MODES:
            raise WatchConfigError(f"{where}: expect_barcode must be one of "
                                   f"{', '.join(EXPECT_MODES)}, got {merged['expect_barcode']!r}")
        kw["expect_barcode"] = merged["expect_barcode"]
    if "symbologies" in merged:
        syms = merged["symbologies"]
        if not isinstance(syms, list) or not syms:
            raise WatchConfigError(f"{where}: symbologies must be a non-empty list")
        bad = [s for s in syms if str(s).lower() not in SYMBOLOGIES]
        if bad:
            raise WatchConfigError(f"{where}: unknown symbolog(y/ies) {bad}; expected some of "
                                   + ", ".join(SYMBOLOGIES))
        kw["symbologies"] = tuple(str(s).lower() for s in syms)
    folder = FolderConfig(**kw)
    if "quiet_seconds" not in merged and is_network_path(folder.path):
        folder = replace(folder, quiet_seconds=watch.network_quiet_seconds)
    return folder


def parse_watch(data: dict[str, Any], origin: str = "config") -> WatchConfig:
    """Validate a parsed `[watch]` table into a WatchConfig."""
    if not isinstance(data, dict):
        raise WatchConfigError(f"{origin}: [watch] must be a table")
    unknown = sorted(set(data) - _WATCH_KEYS)
    if unknown:
        raise WatchConfigError(f"{origin}: [watch]: unknown key(s) {', '.join(unknown)}")
    kw: dict[str, Any] = {}
    if "workers" in data:
        kw["workers"] = _number(f"{origin}: [watch]", "workers", data["workers"], minimum=0,
                                integer=True, maximum=256)
    for key in ("rescan_seconds", "network_quiet_seconds"):
        if key in data:
            kw[key] = float(_number(f"{origin}: [watch]", key, data[key], minimum=0.1))
    if "decoder" in data:
        if data["decoder"] not in ("pyzbar", "zxing"):
            raise WatchConfigError(f"{origin}: [watch]: decoder must be 'pyzbar' or 'zxing', "
                                   f"got {data['decoder']!r}")
        kw["decoder"] = data["decoder"]
    if data.get("log_file") is not None:
        kw["log_file"] = _path(f"{origin}: [watch]", "log_file", data["log_file"])
    events = data.get("events_folders", [])
    if not isinstance(events, list) or not all(isinstance(e, str) and e for e in events):
        raise WatchConfigError(f"{origin}: [watch]: events_folders must be a list of paths")
    kw["events_folders"] = tuple(Path(e).expanduser() for e in events)
    watch = WatchConfig(**kw)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise WatchConfigError(f"{origin}: [watch.defaults] must be a table")
    raw_folders = data.get("folders", [])
    if not isinstance(raw_folders, list):
        raise WatchConfigError(f"{origin}: use [[watch.folders]] entries for hot folders")
    folders = [_folder(f"{origin}: [[watch.folders]] #{i + 1}", raw, defaults, watch)
               for i, raw in enumerate(raw_folders)]
    seen: set[Path] = set()
    for f in folders:
        if f.path in seen:
            raise WatchConfigError(f"{origin}: hot folder {f.path} is listed twice")
        seen.add(f.path)
    return replace(watch, folders=tuple(folders))


def load_watch_config(settings: Any) -> WatchConfig:
    """Read `[watch]` from `settings.config_file` (no file or no section: no hot folders)."""
    path = getattr(settings, "config_file", None)
    if path is None or not Path(path).is_file():
        return WatchConfig()
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise WatchConfigError(f"{path}: {exc}") from None
    watch = data.get("watch")
    if watch is None and isinstance(data.get("hudang"), dict):
        watch = data["hudang"].get("watch")
    return parse_watch(watch or {}, str(path))


def filesystem_type(path: Path, mounts_file: str = "/proc/mounts") -> str:
    """The filesystem type of the mount holding `path` ('' when unknown)."""
    try:
        target = os.path.realpath(path)
        with open(mounts_file, encoding="utf-8", errors="replace") as fh:
            rows = [line.split() for line in fh]
    except OSError:
        return ""
    best, best_type = "", ""
    for row in rows:
        if len(row) < 3:
            continue
        mount = row[1].replace("\\040", " ")
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, best_type = mount, row[2]
    return best_type


def is_network_path(path: Path) -> bool:
    """True where `path` lives on a network filesystem (SMB/CIFS, NFS, ...)."""
    fstype = filesystem_type(path)
    return fstype in NETWORK_FS or fstype.startswith(("nfs", "cifs", "smb"))
