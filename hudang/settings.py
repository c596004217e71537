"""Typed, layered settings: defaults < config file < HUDANG_* environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

ENV_PREFIX = "HUDANG_"


class SettingsError(Exception):
    """A setting has a value the program cannot use."""


@dataclass
class Settings:
    """Effective settings plus, for each, where its value came from."""

    home: Path
    database_url: str
    rules_dir: Path
    scan_store: Path
    language: str = "zh"
    terminal: str = "desk-1"
    idle_lock_minutes: int = 15
    customer_number_pattern: str = r"^\d{10}$"
    config_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def as_rows(self) -> list[tuple[str, str, str]]:
        """Rows of (name, value, source) for `hudang config show`."""
        rows = []
        for f in fields(self):
            if f.name in ("sources",):
                continue
            rows.append((f.name, str(getattr(self, f.name)), self.sources.get(f.name, "default")))
        return rows


_INT_KEYS = {"idle_lock_minutes"}
_PATH_KEYS = {"home", "rules_dir", "scan_store"}
_KEYS = ("home", "database_url", "rules_dir", "scan_store", "language", "terminal",
         "idle_lock_minutes", "customer_number_pattern")


def default_home() -> Path:
    """The per-user data directory (platformdirs)."""
    return Path(platformdirs.user_data_dir("hudang", appauthor=False))


def _coerce(key: str, value: Any, origin: str) -> Any:
    if key in _INT_KEYS:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{origin}: {key} must be a whole number, got {value!r}") from None
    if key in _PATH_KEYS:
        return Path(str(value)).expanduser()
    if key == "language" and str(value) not in ("zh", "en"):
        raise SettingsError(f"{origin}: language must be 'zh' or 'en', got {value!r}")
    return str(value)


def load_settings(env: dict[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Build the effective settings from defaults, the config file and the environment."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    home_env = env.get(ENV_PREFIX + "HOME")
    home = Path(home_env).expanduser() if home_env else default_home()
    sources["home"] = "env HUDANG_HOME" if home_env else "default"

    cfg_path = config_file or Path(env.get(ENV_PREFIX + "CONFIG", str(home / "config.toml")))
    file_values: dict[str, Any] = {}
    try:
        cfg_exists = cfg_path.is_file()
    except OSError as exc:  # a home this user may not even look into
        raise SettingsError(f"{cfg_path}: {exc.strerror or exc}") from None
    if cfg_exists:
        try:
            with cfg_path.open("rb") as fh:
                data = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise SettingsError(f"{cfg_path}: {exc}") from None
        section = data.get("hudang", data)
        if not isinstance(section, dict):
            raise SettingsError(f"{cfg_path}: [hudang] must be a table")
        unknown = sorted(set(k for k in section if not isinstance(section[k], dict)) - set(_KEYS))
        if unknown:
            raise SettingsError(f"{cfg_path}: unknown setting(s): {', '.join(unknown)}")
        file_values = {k: v for k, v in section.items() if k in _KEYS}
        file_values.pop("home", None)

    for key in _KEYS:
        if key == "home":
            continue
        env_key = ENV_PREFIX + key.upper()
        if env_key in env:
            values[key] = _coerce(key, env[env_key], f"env {env_key}")
            sources[key] = f"env {env_key}"
        elif key in file_values:
            values[key] = _coerce(key, file_values[key], str(cfg_path))
            sources[key] = f"file {cfg_path}"

    for key in _KEYS:
        sources.setdefault(key, "default")
    values.setdefault("database_url", f"sqlite:///{home / 'hudang.sqlite3'}")
    values.setdefault("rules_dir", home / "rules")
    values.setdefault("scan_store", home / "scans")
    settings = Settings(home=home, config_file=cfg_path if cfg_exists else None,
                        sources=sources, **values)
    return settings
