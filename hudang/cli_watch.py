"""CLI commands of the scanning side: watch, fsck, coversheet, attention list/assign."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import click

from hudang.cliparams import OutputFile, json_option
from hudang.cliutil import cli_actor, echo_clean, echo_json, open_db, settings_of
from hudang.store.audit import Actor
from hudang.store.i18n import t


def _ruleset(settings):
    """The rules in settings.rules_dir (None when there is no such directory)."""
    rules_dir = getattr(settings, "rules_dir", None)
    if rules_dir is None or not Path(rules_dir).is_dir():
        return None
    from hudang.rules import RulesError, load_ruleset

    try:
        return load_ruleset(rules_dir)
    except RulesError as exc:
        raise click.ClickException(t("规则无效，未归档：\n{e}", "the rules are invalid; nothing "
                                     "filed:\n{e}", e=exc)) from None


@click.command("watch")
@click.option("--once", is_flag=True, help="Process what is present now, then exit.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Page worker processes (default: cores; 0: in this process).")
@click.pass_context
def watch(ctx: click.Context, once: bool, workers: int | None) -> None:
    """Run the hot-folder daemon for the folders in [watch] of the config file."""
    import dataclasses

    from hudang.scanners.config import WatchConfigError, load_watch_config
    from hudang.scanners.daemon import Daemon, setup_logging

    settings = settings_of(ctx)
    try:
        config = load_watch_config(settings)
    except WatchConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if workers is not None:
        config = dataclasses.replace(config, workers=workers)
    if not config.folders and not config.events_folders:
        raise click.ClickException(t(
            "配置文件中没有热文件夹：请在 {f} 添加 [[watch.folders]]",
            "no hot folders configured: add [[watch.folders]] to {f}",
            f=settings.config_file or settings.home / "config.toml"))
    from hudang.cli_site import check_decoder

    check_decoder(config.decoder)  # says what to install when the zbar library is missing
    open_db(settings)
    account = cli_actor("keeper")  # the daemon's service account (HUDANG_SERVICE_USER)
    try:
        setup_logging(config.log_file or settings.home / "logs" / "watch.log")
    except (OSError, RuntimeError) as exc:  # an unusable log folder
        raise click.ClickException(str(exc)) from None
    from hudang.cli_business import start_events_folders  # issue 14: events folders

    boxes = start_events_folders(settings, config.events_folders, once, account)
    if not config.folders:
        sys.exit(0 if once else _wait_for(boxes))
    try:
        daemon = Daemon(config, settings.scan_store,
                        actor=Actor(account.username, f"watch@{socket.gethostname()}",
                                    account.role),
                        rules_dir=settings.rules_dir)
    except (OSError, RuntimeError) as exc:  # an unusable folder, a missing decoder
        raise click.ClickException(str(exc)) from None
    code = daemon.run(once=once)
    for box in boxes:
        box.stop()
    sys.exit(code)


def _wait_for(boxes) -> int:
    """Only events folders configured: run until interrupted."""
    try:
        for box in boxes:
            box.thread.join()
    except KeyboardInterrupt:
        for box in boxes:
            box.stop()
    return 0


@click.command("fsck")
@click.option("--repair", is_flag=True, help="Quarantine strays and re-queue damaged scans.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def fsck(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check the scan store against the archive (orphans, missing or altered scan files)."""
    from hudang.store.services.ingest import ScanStore
    from hudang.store.services.ingest import fsck as run_fsck

    from hudang.progress import progress_for

    settings = settings_of(ctx)
    open_db(settings)
    actor = cli_actor("keeper")
    with progress_for(t("扫描库核对", "fsck"), quiet=as_json) as progress:
        report = run_fsck(ScanStore(settings.scan_store), repair=repair, actor=actor,
                          progress=progress)
    if as_json:
        click.echo(json.dumps({**report.__dict__, "ok": report.ok}, ensure_ascii=False,
                              indent=2))
    else:
        click.echo(t("已检查 {n} 个扫描文件", "checked {n} scan files", n=report.checked))
        for label, items in ((t("无引用", "orphan"), report.orphans),
                             (t("丢失", "missing"), report.missing),
                             (t("被改动", "altered"), report.altered),
                             (t("残留临时文件", "leftover temp file"), report.temp_files)):
            for item in items:
                click.echo(f"  {label}: {item}")
        for line in report.repaired:
            click.echo(t("  已修复：{l}", "  repaired: {l}", l=line))
    if not report.ok and not repair:
        sys.exit(1)


@click.command("coversheet")
@click.argument("output", type=OutputFile((".pdf",)))
@click.option("--customer", "customers", multiple=True, help="Customer number (repeatable).")
@click.option("--category", default=None, help="Category code or name (YK/业扩 …).")
@click.option("--station", default="", help="Station id printed on the sheet.")
@click.option("--blank", is_flag=True, help="Also add a plain separator (same customer).")
@click.pass_context
def coversheet(ctx: click.Context, output: Path, customers: tuple[str, ...],
               category: str | None, station: str, blank: bool) -> None:
    """Print station cover sheets / separator pages as a PDF the daemon understands."""
    from hudang.scanners.coversheet import CoverSheet, make_coversheets
    from hudang.store.barcodes import compile_linear
    from hudang.store.domain import category_code
    from hudang.store.errors import ValidationError
    from hudang.store.textclean import ascii_identifier

    if category:
        try:
            category = category_code(category)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    pattern = settings_of(ctx).customer_number_pattern
    number_re = compile_linear(pattern)
    customers = tuple(ascii_identifier(c) for c in customers)
    for c in customers:  # a sheet the daemon could not read back is worse than none
        if not number_re.fullmatch(c):
            raise ValidationError(t("户号 {c} 格式不对（应符合 {p}）",
                                    "customer number {c} does not match {p}",
                                    c=ascii(c) if not c.isprintable() else c[:40], p=pattern))
    sheets = [CoverSheet(c, category, station=station) for c in customers]
    if blank or not sheets:
        sheets.append(CoverSheet(None, category, station=station))
    make_coversheets(output, sheets)
    click.echo(t("已生成 {n} 页：{p}", "wrote {n} sheet(s): {p}", n=len(sheets), p=output))


@click.group("attention")
def attention() -> None:
    """The needs-attention queue: scans the daemon could not link."""


@attention.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include assigned items.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def attention_list(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List items waiting for a keeper."""
    from tabulate import tabulate

    from hudang.store.services import ingest

    open_db(settings_of(ctx))
    items = ingest.list_attention(None if show_all else "open")
    rows = [{"id": i.id, "file": i.original_name, "station": i.station,
             "pages": ",".join(map(str, i.page_nos)), "reason": i.reason, "status": i.status,
             "since": i.created_at.strftime("%Y-%m-%d %H:%M")} for i in items]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif rows:
        echo_clean(tabulate([list(r.values()) for r in rows], headers=list(rows[0])))
    else:
        click.echo(t("（没有待处理项）", "(nothing needs attention)"))


@attention.command("assign")
@click.argument("item_id", type=int)
@click.option("--customer", default=None, help="Customer number (户号).")
@click.option("--category", default=None, help="Category code or name.")
@click.option("--document", "document_barcode", default=None, help="A registered document.")
@click.option("--doc-type", default="", help="Document type, e.g. 用电申请书.")
@click.option("--title", default="", help="Document title (default: the file name).")
@json_option
@click.pass_context
def attention_assign(ctx: click.Context, item_id: int, customer: str | None,
                     category: str | None, document_barcode: str | None, doc_type: str,
                     title: str, as_json: bool) -> None:
    """File an attention item's pages under a customer and category (or a document)."""
    from hudang.store.services import ingest

    settings = settings_of(ctx)
    open_db(settings)
    filed = ingest.assign_attention(item_id, cli_actor("keeper"), customer_number=customer,
                                    category=category, document_barcode=document_barcode,
                                    doc_type=doc_type, title=title,
                                    ruleset=_ruleset(settings))
    if as_json:
        echo_json(filed)
        return
    click.echo(t("已归档为文件 {d}（{c} {k}，{n} 页）",
                 "filed as document {d} ({c} {k}, {n} pages)", d=filed.document_id,
                 c=filed.customer_number, k=filed.category, n=len(filed.pages)))


COMMANDS = (watch, fsck, coversheet, attention)


def register(group: click.Group) -> None:
    """Add the scanning commands to the `hudang` group."""
    for command in COMMANDS:
        group.add_command(command)
