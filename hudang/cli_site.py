"""Running a site: `hudang backup`, `hudang restore`, `hudang db copy` (moving to PostgreSQL)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from hudang.cliutil import cli_actor, echo_json, open_db, settings_of, terminal_name
from hudang.progress import progress_for
from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t


def _hide_password(url: str) -> str:
    from hudang.store.services.backup import _public_url

    return _public_url(url)


@click.command("backup")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def backup(ctx: click.Context, out: Path, as_json: bool) -> None:
    """Back up database, scan store, rules and settings into a new folder (while running)."""
    from hudang.store.services.backup import make_backup

    settings = settings_of(ctx)
    open_db(settings)
    with progress_for(t("备份", "backup"), quiet=as_json) as progress:
        report = make_backup(out, settings.database_url, settings.scan_store,
                             settings.rules_dir, settings.config_file, progress,
                             actor=cli_actor("admin"), home=settings.home)
    if as_json:
        echo_json(report)
        return
    click.echo(t("备份完成：{p}\n  {f} 个文件，{mb:.1f} MB，扫描文件 {b} 个，"
                 "审计事件 {e} 条（末条 {h}）",
                 "backup written: {p}\n  {f} files, {mb:.1f} MB, {b} scan files, {e} audit "
                 "events (head {h})", p=report.path, f=report.files, mb=report.bytes / 1e6,
                 b=report.blobs, e=report.audit_events, h=report.audit_head[:16]))


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an archive that is already there.")
@click.option("--fixity-sample", type=int, default=200, show_default=True,
              help="Scan files to re-hash after restoring (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def restore(ctx: click.Context, folder: Path, force: bool, fixity_sample: int,
            as_json: bool) -> None:
    """Restore a backup into this site, then verify the audit chain and sample the scan files."""
    from hudang.store.services.backup import restore_backup

    settings = settings_of(ctx)
    settings.home.mkdir(parents=True, exist_ok=True)
    actor = _restore_actor(settings, force)
    with progress_for(t("恢复", "restore"), quiet=as_json) as progress:
        report = restore_backup(folder, settings.database_url, settings.scan_store,
                                settings.rules_dir, settings.home, force=force,
                                fixity_sample=fixity_sample or None, progress=progress,
                                actor=actor)
    if as_json:
        echo_json({**report.__dict__, "fixity": {**report.fixity.__dict__,
                                                 "ok": report.fixity.ok}, "ok": report.ok})
    else:
        _describe_restore(report)
    if not report.ok:
        sys.exit(1)


def _restore_actor(settings, force: bool) -> Actor:
    """Who restores: over an archive (`--force`), its signed-in administrator; into an empty
    home, the operating-system user (nobody to sign in as yet, and nothing is replaced)."""
    from hudang.store.services.backup import archive_present

    if force and archive_present(settings.database_url):
        return cli_actor("admin")
    return Actor(f"os:{getpass.getuser()}", terminal_name(), "admin")


def _describe_restore(report) -> None:
    fx = report.fixity
    click.echo(t("已恢复：{n} 张表，扫描文件 {b} 个", "restored: {n} tables, {b} scan files",
                 n=len(report.counts), b=report.blobs))
    click.echo(t("  记录数与备份清单一致" if report.counts_match else "  记录数与备份清单不一致！",
                 "  row counts match the manifest" if report.counts_match
                 else "  row counts DIFFER from the manifest!"))
    click.echo(t("  审计链完整：{n} 条" if report.audit_ok else "  审计链被破坏（{n} 条）！",
                 "  audit chain intact: {n} events" if report.audit_ok
                 else "  audit chain BROKEN ({n} events)!", n=report.audit_events))
    click.echo(t("  抽检扫描文件 {c}/{a} 个：缺失 {m}，被改动 {x}",
                 "  fixity sample {c}/{a} scan files: {m} missing, {x} altered",
                 c=fx.checked, a=fx.total, m=len(fx.missing), x=len(fx.altered)))
    for note in report.notes:
        click.echo("  " + note)


@click.command("copy")
@click.option("--to", "target_url", required=True,
              help="Target database URL, e.g. postgresql://user@host/hudang (must be empty).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def db_copy(ctx: click.Context, target_url: str, as_json: bool) -> None:
    """Copy the whole archive into an empty database (moving a growing site to PostgreSQL)."""
    from hudang.store.services.dbcopy import copy_archive

    settings = settings_of(ctx)
    open_db(settings)
    with progress_for(t("复制", "copy"), quiet=as_json) as progress:
        report = copy_archive(settings.database_url, target_url, progress,
                              actor=cli_actor("admin"))
    rows = [{"table": name, "source": n, "target": report.target_counts.get(name)}
            for name, n in report.source_counts.items()]
    if as_json:
        echo_json({"target": _hide_password(target_url), "tables": rows, "ok": report.ok,
                   "audit_ok": report.audit_ok, "audit_events": report.audit_events,
                   "indexed_customers": report.indexed})
    else:
        from tabulate import tabulate

        click.echo(tabulate([[r["table"], r["source"], r["target"]] for r in rows],
                            headers=[t("表", "table"), t("源", "source"), t("目标", "target")]))
        click.echo(t("审计链 {n} 条：{s}；已重建搜索索引 {c} 户",
                     "audit chain {n} events: {s}; search index rebuilt for {c} customers",
                     n=report.audit_events, s=t("完整", "intact") if report.audit_ok
                     else t("被破坏", "BROKEN"), c=report.indexed))
        click.echo(t("复制完成，各表记录数一致。把 database_url 改为新地址即可切换。",
                     "Copy complete, every table's count matches. Point database_url at the "
                     "new URL to switch.") if report.ok
                   else t("复制结果不一致，请勿切换！", "The copy does NOT match; do not switch!"))
    if not report.ok:
        sys.exit(1)


class DecoderMissing(ArchiveError):
    """The barcode decoder the daemon is configured for cannot be loaded on this machine."""


def check_decoder(name: str) -> None:
    """Stop with what to install when the barcode decoder's system library is missing."""
    from hudang.scanners.decode import make_decoder

    try:
        make_decoder(name)
    except (ImportError, OSError, RuntimeError) as exc:
        hint = ("sudo apt-get install -y libzbar0" if name == "pyzbar"
                else "pip install zxing-cpp")
        raise DecoderMissing(t(
            "无法加载条码识别库（{e}）。请安装：{h}（Debian/Ubuntu；"
            "macOS: brew install zbar），然后重新启动守护进程。",
            "cannot load the barcode decoder ({e}). Install it: {h} (Debian/Ubuntu; "
            "macOS: brew install zbar), then start the daemon again.", e=exc, h=hint)) from None


def register(cli: click.Group) -> None:
    """Add the site commands to the `hudang` group (and `copy` to its `db` group)."""
    cli.add_command(backup)
    cli.add_command(restore)
    db_group = cli.commands.get("db")
    if isinstance(db_group, click.Group):
        db_group.add_command(db_copy)
