"""Click parameter types that refuse bad values with one line before any work is done."""

from __future__ import annotations

import os
from pathlib import Path

import click

from hudang.store.i18n import t

LOAN_STATUSES = ("pending", "approved", "active", "returned", "rejected", "cancelled")
GRANT_STATUSES = ("pending", "approved", "rejected", "revoked")
POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)


class OutputFile(click.Path):
    """A file to write: its folder must exist and be writable, and it must not be a folder."""

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(dir_okay=False, path_type=Path)
        self.suffixes = suffixes

    def convert(self, value, param, ctx):
        path = Path(super().convert(value, param, ctx))
        folder = path.parent if str(path.parent) else Path(".")
        if self.suffixes and path.suffix.lower() not in self.suffixes:
            self.fail(t("文件名须以 {s} 结尾：{p}", "use a name ending in {s}: {p}",
                        s=" / ".join(self.suffixes), p=path), param, ctx)
        if not folder.is_dir():
            self.fail(t("文件夹不存在：{d}", "folder does not exist: {d}", d=folder), param, ctx)
        if not os.access(folder, os.W_OK | os.X_OK) or \
                (path.exists() and not os.access(path, os.W_OK)):
            self.fail(t("没有写入权限：{p}", "no permission to write {p}", p=path), param, ctx)
        return path


# `--as` only ever names the signed-in user (or one of their roles): who acts is the session.
as_option = click.option("--as", "as_user", default=None,
                         help="Only your own username or role (sign in with `hudang login`).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
# Every CSV export: UTF-8 with BOM or GBK; unset, the `csv_encoding` setting (utf-8-sig).
csv_encoding_option = click.option(
    "--encoding", "encoding", type=click.Choice(["utf-8-sig", "gbk"]), default=None,
    help="CSV encoding: utf-8-sig (UTF-8 with BOM) or gbk for Excel on older Chinese Windows "
         "(default: setting csv_encoding, utf-8-sig).")


def csv_encoding(settings, chosen: str | None) -> str:
    """The encoding asked for on the command line, else the site's `csv_encoding` setting."""
    return chosen or getattr(settings, "csv_encoding", "utf-8-sig")


def echo_csv_note(written) -> None:
    """Say on stderr which cells hold characters GBK lacks (see store.services.exports)."""
    note = written.warning()
    if note:
        click.echo(note, err=True)
