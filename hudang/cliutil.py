"""What every `hudang` command module shares: settings, the archive, the acting user, JSON."""

from __future__ import annotations

import dataclasses
import getpass
import json
import socket
from typing import Any

import click

from hudang.store.audit import Actor


def settings_of(ctx: click.Context):
    """The Settings the `hudang` group loaded (or load them for a sub-command run alone)."""
    obj = ctx.obj
    if obj is None or not hasattr(obj, "database_url"):
        from hudang.settings import load_settings
        from hudang.store.i18n import set_language

        obj = load_settings()
        set_language(obj.language)
        ctx.obj = obj
    return obj


def open_db(settings, create: bool = False):
    """Connect to the archive in the settings; with `create`, bring its schema up to date."""
    from hudang.store.archive import open_archive

    return open_archive(settings.database_url, create=create)


def cli_actor(role: str = "", as_user: str | None = None) -> Actor:
    """The person at this shell (or `--as USER`), named in audit events."""
    return Actor(as_user or getpass.getuser(), f"cli@{socket.gethostname()}", role)


def as_plain(obj: Any) -> Any:
    """A dataclass (or list of them) as JSON-ready values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    elif isinstance(obj, list):
        obj = [dataclasses.asdict(o) if dataclasses.is_dataclass(o) else o for o in obj]
    return json.loads(json.dumps(obj, ensure_ascii=False, default=str))


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(as_plain(obj), ensure_ascii=False, indent=2))
