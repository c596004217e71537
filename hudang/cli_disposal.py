"""`hudang hold`, `disposal`, `fixity`, `check four-properties`, `export bag` (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from tabulate import tabulate

from hudang.cliparams import as_option, csv_encoding, csv_encoding_option, json_option
from hudang.cliutil import cli_actor, echo_json, open_db, settings_of
from hudang.progress import progress_for
from hudang.store.i18n import t

_DATE = click.DateTime(["%Y-%m-%d"])


def _open(ctx: click.Context):
    settings = settings_of(ctx)
    open_db(settings)
    return settings


def destroy_classes(settings) -> list[str]:
    """Retention classes the active rules destroy after review (the rest are reviewed)."""
    from hudang.cli_rules import _load

    rs = _load(settings.rules_dir)
    return [s.id for s in rs.retention.schedules if s.disposition == "destroy_after_review"]


# --- holds -----------------------------------------------------------------------------------
@click.group("hold")
def hold_group() -> None:
    """法律冻结 / Legal holds: place, release, list."""


@hold_group.command("place")
@click.argument("target")
@click.option("--reason", required=True, help="Why (case number, dispute, audit …).")
@as_option
@json_option
@click.pass_context
def hold_place(ctx: click.Context, target: str, reason: str, as_user: str | None,
               as_json: bool) -> None:
    """Hold a customer's whole file (户号) or one document (barcode)."""
    from hudang.store.services import holds

    _open(ctx)
    h = holds.place(target, reason, cli_actor("keeper", as_user))
    if as_json:
        echo_json(h)
        return
    click.echo(t("已冻结 #{i}：{s}（{r}）", "hold #{i} placed: {s} ({r})", i=h.id, s=h.scope,
                 r=h.reason))


@hold_group.command("release")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True)
@as_option
@click.pass_context
def hold_release(ctx: click.Context, hold_id: int, reason: str, as_user: str | None) -> None:
    """Release a hold (with a reason)."""
    from hudang.store.services import holds

    _open(ctx)
    h = holds.release(hold_id, reason, cli_actor("keeper", as_user))
    click.echo(t("已解除冻结 #{i}：{s}", "hold #{i} released: {s}", i=h.id, s=h.scope))


@hold_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Released holds too.")
@click.option("--customer", default=None)
@json_option
@click.pass_context
def hold_list(ctx: click.Context, show_all: bool, customer: str | None, as_json: bool) -> None:
    """Active holds (or all), newest first."""
    from hudang.store.services import holds

    _open(ctx)
    rows = holds.list_holds(active_only=not show_all, customer_number=customer)
    if as_json:
        echo_json(rows)
        return
    click.echo(tabulate([[h.id, h.scope, h.customer_name, h.status, h.placed_by,
                          h.placed_at.strftime("%Y-%m-%d %H:%M"), h.reason,
                          h.released_by or "", h.release_reason] for h in rows],
                        headers=["#", t("范围", "scope"), t("户名", "name"), t("状态", "status"),
                                 t("冻结人", "by"), t("时间", "at"), t("原因", "reason"),
                                 t("解除人", "released by"), t("解除原因", "release reason")]))


# --- disposal --------------------------------------------------------------------------------
@click.group("disposal")
def disposal_group() -> None:
    """销毁 / Disposal: propose, appraise, approve, witness, register, execute."""


_WORDS = {"destroy": ("销毁", "destroy"), "review": ("复审", "review"),
          "pending": ("未鉴定", "pending"), "keep": ("延长保管", "keep"),
          "transfer": ("移交", "transfer"), "open": ("待执行", "open"),
          "destroyed": ("已销毁", "destroyed"), "kept": ("已延长", "kept"),
          "transferred": ("已移交", "transferred"), "held": ("冻结未销毁", "held"),
          "state": ("状态", "state")}


def _count_label(key: str) -> str:
    """'destroy/pending' or 'state:open' in the current language."""
    parts = key.replace(":", "/").split("/")
    words = [t(*_WORDS.get(p, (p, p))) for p in parts]
    return (t("{a}清单 · {b}", "{a} list · {b}", a=words[0], b=words[1])
            if ":" not in key else f"{words[0]}：{words[1]}")


def _echo_batch(info, as_json: bool) -> None:
    if as_json:
        echo_json(info)
        return
    from hudang.store.services.disposal import status_name

    click.echo(t("批次 {b}：{s}，截至 {d}，共 {n} 份（提出人 {p}）",
                 "batch {b}: {s}, as of {d}, {n} items (proposed by {p})", b=info.number,
                 s=status_name(info.status), d=info.as_of, n=info.items, p=info.proposed_by))
    for key, n in sorted(info.counts.items()):
        click.echo(f"  {_count_label(key)}: {n}")
    click.echo(t("  审批：{a}", "  approvals: {a}",
                 a=", ".join(s.username for s in info.approvals) or "—"))
    click.echo(t("  监销人：{w}", "  witnesses: {w}",
                 w=", ".join(s.username for s in info.witnesses) or "—"))


@disposal_group.command("propose")
@click.option("--as-of", "as_of", type=_DATE, default=None, help="Due on or before (today).")
@as_option
@json_option
@click.pass_context
def disposal_propose(ctx: click.Context, as_of, as_user: str | None, as_json: bool) -> None:
    """Make a batch of what is due (destroy list + review list; held/active never)."""
    from hudang.store.services import disposal

    settings = _open(ctx)
    day = as_of.date() if as_of else dt.date.today()
    info = disposal.propose(day, cli_actor("keeper", as_user), destroy_classes(settings))
    _echo_batch(info, as_json)


@disposal_group.command("list")
@json_option
@click.pass_context
def disposal_list(ctx: click.Context, as_json: bool) -> None:
    """Every batch and its state."""
    from hudang.store.services import disposal

    _open(ctx)
    rows = disposal.list_batches()
    if as_json:
        echo_json(rows)
        return
    click.echo(tabulate([[b.number, disposal.status_name(b.status), b.as_of, b.items,
                          b.pending_decisions, len(b.approvals), len(b.witnesses)]
                         for b in rows],
                        headers=[t("批次", "batch"), t("状态", "status"), t("截至", "as of"),
                                 t("份数", "items"), t("未鉴定", "pending"),
                                 t("审批", "approvals"), t("监销", "witnesses")]))


@disposal_group.command("show")
@click.argument("batch")
@click.option("--items", "with_items", is_flag=True, help="List every item.")
@json_option
@click.pass_context
def disposal_show(ctx: click.Context, batch: str, with_items: bool, as_json: bool) -> None:
    """A batch's state (and its items)."""
    from hudang.store.services import disposal

    _open(ctx)
    info = disposal.batch_info(batch)
    items = disposal.batch_items(batch) if with_items else []
    if as_json:
        echo_json({"batch": info, "items": items} if with_items else info)
        return
    _echo_batch(info, False)
    if items:
        click.echo(tabulate([[i.document_id, i.list_kind, i.customer_number, i.barcode,
                              i.category, i.doc_type, i.retention_class, i.eligible_on,
                              i.decision, i.state] for i in items],
                            headers=["doc", t("清单", "list"), t("户号", "customer"),
                                     t("条码", "barcode"), t("类别", "cat"), t("类型", "type"),
                                     t("保管类别", "class"), t("可处置日", "eligible"),
                                     t("鉴定", "decision"), t("状态", "state")]))


@disposal_group.command("decide")
@click.argument("batch")
@click.argument("decision", type=click.Choice(["destroy", "keep", "transfer"]))
@click.argument("documents", nargs=-1)
@click.option("--reason", required=True, help="The appraisal's reason.")
@click.option("--until", "keep_until", type=_DATE, default=None, help="keep: the new date.")
@click.option("--list", "list_kind", type=click.Choice(["destroy", "review"]), default=None,
              help="Without DOCUMENTS: only pending items of this list.")
@as_option
@click.pass_context
def disposal_decide(ctx: click.Context, batch: str, decision: str, documents: tuple[str, ...],
                    reason: str, keep_until, list_kind: str | None, as_user: str | None) -> None:
    """Appraise items (document ids or barcodes; none given: every pending item)."""
    from hudang.store.services import disposal

    _open(ctx)
    n = disposal.decide(batch, list(documents) or None, decision, reason,
                        cli_actor("keeper", as_user),
                        keep_until=keep_until.date() if keep_until else None, list_kind=list_kind)
    click.echo(t("已记录 {n} 份的鉴定结论：{d}", "{n} items appraised: {d}", n=n, d=decision))


@disposal_group.command("approve")
@click.argument("batch")
@click.option("--note", default="")
@as_option
@json_option
@click.pass_context
def disposal_approve(ctx: click.Context, batch: str, note: str, as_user: str | None,
                     as_json: bool) -> None:
    """Approve a batch (two different approvers, never the proposer)."""
    from hudang.store.services import disposal

    _open(ctx)
    _echo_batch(disposal.approve(batch, cli_actor("approver", as_user), note), as_json)


@disposal_group.command("witness")
@click.argument("batch")
@click.option("--note", default="")
@as_option
@json_option
@click.pass_context
def disposal_witness(ctx: click.Context, batch: str, note: str, as_user: str | None,
                     as_json: bool) -> None:
    """Sign as a witness (监销人) of an approved batch."""
    from hudang.store.services import disposal

    _open(ctx)
    _echo_batch(disposal.witness(batch, cli_actor("", as_user), note), as_json)


@disposal_group.command("register")
@click.argument("batch")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@as_option
@json_option
@click.pass_context
def disposal_register(ctx: click.Context, batch: str, out: Path, as_user: str | None,
                      as_json: bool) -> None:
    """Print the destruction register (销毁清册) PDF; a copy is kept permanently."""
    from hudang.store.services.disposal_register import save_register

    settings = _open(ctx)
    r = save_register(batch, out, settings.scan_store, cli_actor("keeper", as_user))
    if as_json:
        echo_json(r)
        return
    click.echo(t("销毁清册 {b}：{n} 项 → {p}（SHA-256 {s}，已永久保存）",
                 "register {b}: {n} items -> {p} (SHA-256 {s}, kept permanently)",
                 b=r.batch, n=r.items, p=r.path, s=r.sha256[:16]))


@disposal_group.command("execute")
@click.argument("batch")
@click.option("--chunk", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="Items per transaction.")
@as_option
@json_option
@click.pass_context
def disposal_execute(ctx: click.Context, batch: str, chunk: int, as_user: str | None,
                     as_json: bool) -> None:
    """Destroy an approved, witnessed batch (fixity first; re-running finishes it)."""
    from hudang.store.services.disposal_execute import execute

    settings = _open(ctx)
    actor = cli_actor("keeper", as_user)
    with progress_for(t("销毁", "disposal"), quiet=as_json) as progress:
        r = execute(batch, settings.scan_store, actor, chunk=chunk, progress=progress)
    if as_json:
        echo_json(r)
        return
    click.echo(t("批次 {b}：销毁 {d} 份，延长保管 {k}，移交 {tr}，因冻结未销毁 {h}，"
                 "删除扫描文件 {f} 个（核验 {c} 个）",
                 "batch {b}: destroyed {d}, kept {k}, transferred {tr}, held back {h}, "
                 "removed {f} scan files (checked {c})", b=r.number, d=r.destroyed, k=r.kept,
                 tr=r.transferred, h=r.held, f=r.blobs_removed, c=r.fixity_checked))


# --- fixity ----------------------------------------------------------------------------------
@click.group("fixity")
def fixity_group() -> None:
    """固定性校验 / Fixity: SHA-256 and SM3 of every stored scan."""


@fixity_group.command("check")
@click.option("--sample", "sample", type=click.FloatRange(0.01, 100), default=None,
              help="Check a random PERCENT of the stored scans.")
@click.option("--all", "check_all", is_flag=True, help="Check every stored scan (default).")
@as_option
@json_option
@click.pass_context
def fixity_check(ctx: click.Context, sample: float | None, check_all: bool, as_user: str | None,
                 as_json: bool) -> None:
    """Recompute digests; report missing or altered files (exit 1 if any)."""
    from hudang.store.services import fixity

    settings = _open(ctx)
    actor = cli_actor("keeper", as_user)
    with progress_for(t("固定性校验", "fixity check"), quiet=as_json) as progress:
        r = fixity.check(settings.scan_store, actor,
                         sample_percent=None if check_all else sample,
                         purpose="all" if check_all or sample is None else f"sample {sample}%",
                         progress=progress)
    if as_json:
        echo_json(r.summary() | {"ok": r.ok})
    else:
        click.echo(t("检查 {c}/{n} 个扫描文件：完好 {i}，补记 SM3 {b}，问题 {p}",
                     "checked {c} of {n} stored scans: {i} intact, {b} SM3 back-filled, "
                     "{p} problems", c=r.checked, n=r.total, i=r.intact, b=r.backfilled,
                     p=len(r.problems)))
        for p in r.problems:
            what = t("丢失", "missing") if p.problem == "missing" else t("被改动", "altered")
            click.echo(f"  {p.sha256}  {what}")
    if not r.ok:
        ctx.exit(1)


# --- four properties and export ----------------------------------------------------------------
def render_page(path: Path, media_type: str, page_no: int) -> None:
    """Open and render one page at low resolution (usability); raises if it cannot."""
    from hudang.scanners.pages import load_frame, render_pdf_page

    if media_type == "application/pdf":
        image, _dpi = render_pdf_page(str(path), page_no, 36, native=False)
    else:
        image, _dpi = load_frame(str(path), page_no)
    if image.width < 1 or image.height < 1:
        raise ValueError("empty page")


def _filing_scope(settings):
    """The rules' filing scope (归档范围), or None when the rules cannot be read."""
    from hudang.rules import RulesError, load_ruleset

    try:
        return load_ruleset(settings.rules_dir).retention.filing_scope
    except (RulesError, OSError):
        return None


@click.group("check")
def check_group() -> None:
    """四性检测 / Checks of the archive."""


@check_group.command("four-properties")
@click.argument("customer", required=False)
@json_option
@click.pass_context
def check_four(ctx: click.Context, customer: str | None, as_json: bool) -> None:
    """Authenticity, integrity, usability, security of a customer's file (or the archive)."""
    from hudang.store.services import four_properties

    settings = _open(ctx)
    if customer:
        r = four_properties.check_customer(customer, settings.scan_store, render_page,
                                           _filing_scope(settings))
    else:
        with progress_for(t("四性检测", "four properties"), quiet=as_json) as progress:
            r = four_properties.check_archive(progress)
    if as_json:
        echo_json(r)
    else:
        click.echo(t("四性检测：{s}", "four properties: {s}", s=r.scope))
        for prop in (r.authenticity, r.integrity, r.usability, r.security):
            mark = t("通过", "pass") if prop.ok else t("不通过", "FAIL")
            click.echo(t("  {n}：{m}（检查 {c} 项）", "  {n}: {m} ({c} checked)", n=prop.name,
                         m=mark, c=prop.checked))
            for finding in prop.findings:
                click.echo(f"    - {finding}")
    if not r.ok:
        ctx.exit(1)


@click.group("export")
def export_group() -> None:
    """导出 / Export for transfer."""


@export_group.command("bag")
@click.argument("customer")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--approved-by", default=None, help="Approver (required for important customers).")
@csv_encoding_option
@as_option
@json_option
@click.pass_context
def export_bag_cmd(ctx: click.Context, customer: str, out_dir: Path, approved_by: str | None,
                   encoding: str | None, as_user: str | None, as_json: bool) -> None:
    """Write a BagIt bag of a customer's file: pages, catalogue (CSV, JSON), audit events."""
    from hudang.store.services.export_bag import export_bag

    settings = _open(ctx)
    info = export_bag(customer, out_dir, settings.scan_store, cli_actor("keeper", as_user),
                      approved_by=approved_by, csv_encoding=csv_encoding(settings, encoding))
    if info.catalogue_note:
        click.echo(info.catalogue_note, err=True)
    if as_json:
        echo_json(info)
        return
    click.echo(t("已导出 {c}：{d} 份文件，{p} 页，{s} 个扫描文件，{e} 条审计事件 → {o}（已校验）",
                 "exported {c}: {d} documents, {p} pages, {s} scan files, {e} audit events -> "
                 "{o} (validated)", c=info.customer, d=info.documents, p=info.pages,
                 s=info.scans, e=info.events, o=info.path))


def register(cli: click.Group) -> None:
    """Add the hold, disposal, fixity, check and export groups to the main `hudang` command."""
    cli.add_command(hold_group)
    cli.add_command(disposal_group)
    cli.add_command(fixity_group)
    cli.add_command(check_group)
    cli.add_command(export_group)
