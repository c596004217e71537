"""Typed, layered settings: defaults < config file < HUDANG_* environment variables.

`Settings` is a pydantic-settings model: every value is validated by its type (a whole
number, true/false, one of a few words, a path). `load_settings` layers three sources —
the `HUDANG_*` environment, then the `[hudang]` table of `HOME/config.toml`, then the
defaults — and records for each setting where its value came from (`hudang config show`).
Built directly (`Settings(home=…, …)`, as tests and benchmarks do), it reads nothing but
the values given: no environment, no file.

This module is a leaf: it imports no room, so the desk and the daemon may take settings
from it without reaching into the shell.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "HUDANG_"
NOT_SETTINGS = ("config_file", "sources")  # facts about the load, not settings to set


class SettingsError(Exception):
    """A setting has a value the program cannot use."""


class Settings(BaseSettings):
    """Effective settings plus, for each, where its value came from."""

    model_config = SettingsConfigDict(extra="forbid", arbitrary_types_allowed=True)

    home: Path
    database_url: str = ""  # default: sqlite:///HOME/hudang.sqlite3
    rules_dir: Path | None = None  # default: HOME/rules
    scan_store: Path | None = None  # default: HOME/scans
    language: Literal["zh", "en"] = "zh"
    terminal: str = "desk-1"
    idle_lock_minutes: int = Field(15, ge=0)
    customer_number_pattern: str = r"^\d{10}$"
    label_layout: Literal["a4", "roll"] = "a4"  # sheets of 2 x 7 / one label per page
    label_roll_size: Literal["60x40", "100x50"] = "60x40"  # roll labels in mm
    # CSV exports (CLI default and the desk): UTF-8 with BOM, or GBK for older Chinese Excel
    csv_encoding: Literal["utf-8-sig", "gbk"] = "utf-8-sig"
    session_idle_minutes: int = Field(30, ge=1)  # a CLI sign-in ends after this long unused
    signin_max_failures: int = Field(5, ge=1)  # failed sign-ins in a row that lock an account
    signin_lock_minutes: int = Field(15, ge=0)
    signin_failure_delay_ms: int = Field(1000, ge=0)  # each failed sign-in waits this long
    card_only_signin: bool = False  # a staff card alone signs a keeper in at the desk
    statement_timeout_ms: int = Field(30000, ge=0)  # PostgreSQL bound on any statement (0: none)
    config_file: Path | None = None
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("home", "rules_dir", "scan_store", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _under_home(self) -> Settings:
        """Paths and the database that were not set live under the data directory."""
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'hudang.sqlite3'}"
        if self.rules_dir is None:
            self.rules_dir = self.home / "rules"
        if self.scan_store is None:
            self.scan_store = self.home / "scans"
        return self

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        """Direct construction reads only its arguments; `load_settings` adds its layers."""
        layers = _layers.get()
        if layers is None:
            return (init_settings,)
        env, file_values, cfg_path = layers
        return (init_settings, _EnvSource(settings_cls, env),
                _ConfigFileSource(settings_cls, file_values, cfg_path))

    def as_rows(self) -> list[tuple[str, str, str]]:
        """Rows of (name, value, source) for `hudang config show` (passwords masked)."""
        rows = []
        for name in type(self).model_fields:
            if name == "sources":
                continue
            value = str(getattr(self, name))
            if name == "database_url":
                value = mask_url_password(value)
            rows.append((name, value, self.sources.get(name, "default")))
        return rows


def setting_names() -> tuple[str, ...]:
    """Every setting a config file or the environment may give."""
    return tuple(n for n in Settings.model_fields if n not in NOT_SETTINGS)


class _EnvSource(PydanticBaseSettingsSource):
    """HUDANG_<NAME> variables of one environment mapping (the process's, or a test's)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env = env

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        key = ENV_PREFIX + field_name.upper()
        return self.env.get(key), key, False

    def __call__(self) -> dict[str, Any]:
        return {name: self.env[ENV_PREFIX + name.upper()] for name in setting_names()
                if name != "home" and ENV_PREFIX + name.upper() in self.env}


class _ConfigFileSource(PydanticBaseSettingsSource):
    """The `[hudang]` table of config.toml, already read and checked for unknown keys."""

    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any],
                 path: Path | None) -> None:
        super().__init__(settings_cls)
        self.values, self.path = values, path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


_layers: ContextVar[tuple[Mapping[str, str], dict[str, Any], Path | None] | None] = ContextVar(
    "hudang_settings_layers", default=None)


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


def default_home() -> Path:
    """The per-user data directory (platformdirs)."""
    return Path(platformdirs.user_data_dir("hudang", appauthor=False))


def _read_config(cfg_path: Path) -> tuple[bool, dict[str, Any]]:
    """Whether the config file exists, and its `[hudang]` settings (unknown keys refused)."""
    try:
        exists = cfg_path.is_file()
    except OSError as exc:  # a home this user may not even look into
        raise SettingsError(f"{cfg_path}: {exc.strerror or exc}") from None
    if not exists:
        return False, {}
    try:
        with cfg_path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise SettingsError(f"{cfg_path}: {exc}") from None
    section = data.get("hudang", data)
    if not isinstance(section, dict):
        raise SettingsError(f"{cfg_path}: [hudang] must be a table")
    known = set(setting_names())
    unknown = sorted(set(k for k in section if not isinstance(section[k], dict)) - known)
    if unknown:
        raise SettingsError(f"{cfg_path}: unknown setting(s): {', '.join(unknown)}")
    values = {k: v for k, v in section.items() if k in known}
    values.pop("home", None)  # the home is where the file is: it cannot move itself
    return True, values


_PROBLEMS = {  # pydantic's error type -> what to say (English: settings errors stay plain)
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "greater_than_equal": "is too small",
}


def _explain(exc: ValidationError, sources: dict[str, str]) -> SettingsError:
    """The first problem as one line: where the value came from, which setting, what is wrong."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "?"
    origin = sources.get(name, "default")
    what = _PROBLEMS.get(err["type"], err["msg"].lower())
    if err["type"] == "literal_error":
        what = f"must be one of {err['ctx']['expected']}"
    elif err["type"] == "greater_than_equal":
        what = f"must be at least {err['ctx']['ge']}"
    return SettingsError(f"{origin}: {name} {what}, got {err.get('input')!r}")


def load_settings(env: Mapping[str, str] | None = None,
                  config_file: Path | None = None) -> Settings:
    """Build the effective settings from defaults, the config file and the environment."""
    env = dict(os.environ if env is None else env)
    home_env = env.get(ENV_PREFIX + "HOME")
    home = Path(home_env).expanduser() if home_env else default_home()
    cfg_path = config_file or Path(env.get(ENV_PREFIX + "CONFIG", str(home / "config.toml")))
    cfg_exists, file_values = _read_config(cfg_path)

    sources = {name: "default" for name in setting_names()}
    sources["home"] = "env HUDANG_HOME" if home_env else "default"
    for name in file_values:
        sources[name] = f"file {cfg_path}"
    for name in _EnvSource(Settings, env)():
        sources[name] = f"env {ENV_PREFIX}{name.upper()}"

    token = _layers.set((env, file_values, cfg_path if cfg_exists else None))
    try:
        return Settings(home=home, config_file=cfg_path if cfg_exists else None,
                        sources=sources)
    except ValidationError as exc:
        raise _explain(exc, sources) from None
    finally:
        _layers.reset(token)
