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
    label_layout: str = "a4"  # a4 (sheets of 2 x 7) / roll (one label per page)
    label_roll_size: str = "60x40"  # roll labels in mm: 60x40 / 100x50
    session_idle_minutes: int = 30  # a CLI sign-in ends after this long unused
    signin_max_failures: int = 5  # failed sign-ins in a row that lock an account
    signin_lock_minutes: int = 15
    signin_failure_delay_ms: int = 1000  # each failed sign-in waits this long
    card_only_signin: bool = False  # a staff card alone signs a keeper in at the desk
    statement_timeout_ms: int = 30000  # PostgreSQL cancels any statement running longer
    config_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def as_rows(self) -> list[tuple[str, str, str]]:
        """Rows of (name, value, source) for `hudang config show`."""
        rows = []
        for f in fields(self):
            if f.name in ("sources",):
                continue
            value = str(getattr(self, f.name))
            if f.name == "database_url":
                value = mask_url_password(value)
            rows.append((f.name, value, self.sources.get(f.name, "default")))
        return rows


def mask_url_password(url: str) -> str:
    """`postgresql://user:***@host/db`: a URL fit to print (the password never shows)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


_INT_KEYS = {"idle_lock_minutes", "session_idle_minutes", "signin_max_failures",
             "signin_lock_minutes", "signin_failure_delay_ms", "statement_timeout_ms"}
_BOOL_KEYS = {"card_only_signin"}
_PATH_KEYS = {"home", "rules_dir", "scan_store"}
_KEYS = ("home", "database_url", "rules_dir", "scan_store", "language", "terminal",
         "idle_lock_minutes", "customer_number_pattern", "label_layout", "label_roll_size",
         "session_idle_minutes", "signin_max_failures", "signin_lock_minutes",
         "signin_failure_delay_ms", "card_only_signin", "statement_timeout_ms")


def default_home() -> Path:
    """The per-user data directory (platformdirs)."""
    return Path(platformdirs.user_data_dir("hudang", appauthor=False))


def _coerce(key: str, value: Any, origin: str) -> Any:
    if key in _INT_KEYS:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{origin}: {key} must be a whole number, got {value!r}") from None
    if key in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{origin}: {key} must be true or false, got {value!r}")
    if key in _PATH_KEYS:
        return Path(str(value)).expanduser()
    if key == "language" and str(value) not in ("zh", "en"):
        raise SettingsError(f"{origin}: language must be 'zh' or 'en', got {value!r}")
    if key == "label_layout" and str(value) not in ("a4", "roll"):
        raise SettingsError(f"{origin}: label_layout must be 'a4' or 'roll', got {value!r}")
    if key == "label_roll_size" and str(value) not in ("60x40", "100x50"):
        raise SettingsError(f"{origin}: label_roll_size must be '60x40' or '100x50', "
                            f"got {value!r}")
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
