"""CLI for administrators' rules: `rules check/explain/test` and `retention recompute/due`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import click

from hudang.cliutil import cli_actor, open_db, settings_of
from hudang.store.i18n import t


def _rules_dir(ctx: click.Context, directory: Path | None) -> Path:
    settings = settings_of(ctx)
    return directory if directory is not None else settings.rules_dir


def _load(directory: Path, as_json: bool = False):
    """Load the rules or print every error (as JSON with `as_json`) and exit 1."""
    from hudang.rules import RulesError, load_ruleset

    try:
        return load_ruleset(directory)
    except RulesError as exc:
        if as_json:
            click.echo(json.dumps({"ok": False, "directory": str(directory),
                                   "errors": [str(e) for e in exc.errors]},
                                  ensure_ascii=False, indent=2))
            sys.exit(1)
        click.echo(t("规则无效（{n} 处错误）：", "rules are invalid ({n} errors):",
                     n=len(exc.errors)), err=True)
        for issue in exc.errors:
            click.echo(f"  {issue}", err=True)
        sys.exit(1)


@click.group("rules")
def rules_group() -> None:
    """管理员规则 / Administrators' YAML rules: check, explain, test."""


@rules_group.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def rules_check(ctx: click.Context, directory: Path | None, as_json: bool) -> None:
    """Validate every rule file; list every error and exit 1 if there is any."""
    root = _rules_dir(ctx, directory)
    rs = _load(root, as_json)
    today = dt.date.today()
    uncovered = [y for y in (today.year, today.year + 1) if not rs.calendar.covers(y)]
    if as_json:
        click.echo(json.dumps({"ok": True, "directory": str(root), "version": rs.version,
                               "errors": [], "calendar_missing_years": uncovered},
                              ensure_ascii=False, indent=2))
        return
    click.echo(t("规则有效：{d}，版本 {v}", "rules are valid: {d}, version {v}", d=root,
                 v=rs.version))
    for year in uncovered:
        click.echo(t("警告：calendar.yaml 未包含 {y} 年的节假日，按工作日计算的时限将只扣除周末",
                     "warning: calendar.yaml does not cover {y}; working-day deadlines will "
                     "skip weekends only", y=year), err=True)


@rules_group.command("test")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List passing examples too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def rules_test(ctx: click.Context, directory: Path | None, verbose: bool, as_json: bool) -> None:
    """Run the `examples:` written in the rule files; exit 1 if any fails."""
    from hudang.rules.examples import run_examples

    rs = _load(_rules_dir(ctx, directory), as_json)
    results = run_examples(rs)
    failed = [r for r in results if not r.ok]
    if as_json:
        click.echo(json.dumps({"version": rs.version, "passed": len(results) - len(failed),
                               "failed": len(failed),
                               "results": [{**r.__dict__, "ok": r.ok} for r in results]},
                              ensure_ascii=False, indent=2))
        if failed:
            sys.exit(1)
        return
    for r in results:
        if r.ok and not verbose:
            continue
        mark = "PASS" if r.ok else "FAIL"
        click.echo(f"{mark} {r.file}:{r.line} {r.name}")
        for p in r.problems:
            click.echo(f"     {p}")
    click.echo(t("{p} 条通过，{f} 条失败（规则版本 {v}）", "{p} passed, {f} failed (rules {v})",
                 p=len(results) - len(failed), f=len(failed), v=rs.version))
    if failed:
        sys.exit(1)


@rules_group.command("explain")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dir", "directory", type=click.Path(path_type=Path), help="Rules directory.")
@click.option("--hot-folder", default="", help="Hot folder the file arrived in.")
@click.option("--station", default="", help="Scanning station id.")
@click.option("--relative-path", default=None, help="Path relative to the hot folder.")
@click.option("--barcode", "barcodes", multiple=True,
              help="VALUE[@SYMBOLOGY[@PAGE]] (repeatable); adds to decoded barcodes.")
@click.option("--decode/--no-decode", default=True, help="Decode barcodes in the file (pyzbar).")
@click.option("--voltage", type=click.Choice(["HV", "LV"]), default="LV")
@click.option("--status", type=click.Choice(["active", "cancelled"]), default="active")
@click.option("--filed-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--cancelled-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--contract-expires-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def rules_explain(ctx: click.Context, file: Path, directory: Path | None, hot_folder: str,
                  station: str, relative_path: str | None, barcodes: tuple[str, ...],
                  decode: bool, voltage: str, status: str, filed_on, cancelled_on,
                  contract_expires_on, as_json: bool) -> None:
    """Dry run: which rules match FILE and why, and which retention date would follow."""
    from hudang.rules import ClassificationInput, classify
    from hudang.rules.fileinfo import decode_barcodes, sniff

    rs = _load(_rules_dir(ctx, directory), as_json)
    media_type, pages = sniff(file)
    found = decode_barcodes(file, media_type) if decode else []
    for spec in barcodes:
        value, _, rest = spec.partition("@")
        symbology, _, page = rest.partition("@")
        found.append((value, symbology or "CODE128", int(page or 1)))
    inp = ClassificationInput(station=station, hot_folder=hot_folder,
                              relative_path=relative_path or file.name, file_name=file.name,
                              media_type=media_type, page_count=pages, barcodes=found)
    decision = classify(rs, inp)
    if as_json:
        retention = None if decision.needs_attention else _retention_of(
            rs, decision, voltage, status, filed_on, cancelled_on, contract_expires_on)
        click.echo(json.dumps({"file": file.name, "media_type": media_type, "pages": pages,
                               "barcodes": found, "decision": dataclasses.asdict(decision),
                               "needs_attention": decision.needs_attention,
                               "retention": dataclasses.asdict(retention) if retention
                               else None}, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(t("规则版本 {v}", "rules version {v}", v=rs.version))
    click.echo(f"{file.name}: {media_type}, {pages}p, " + t("条码", "barcodes") + f" {found}")
    for tr in decision.trace:
        mark = "✔" if tr.matched else ("–" if tr.skipped else "✘")
        why = tr.skipped or "; ".join(tr.reasons)
        click.echo(f"  {mark} {tr.rule_id} (priority {tr.priority}): {why}")
    if decision.needs_attention:
        click.echo(t("→ 待处理：没有规则给出类别", "→ needs attention: no rule gave a category"))
        return
    click.echo(f"→ {decision.category} / {decision.doc_type or '—'} / "
               f"{decision.customer_number or '—'} / {decision.business_process or '—'} / "
               f"{decision.title or '—'}")
    _explain_retention(rs, decision, voltage, status, filed_on, cancelled_on, contract_expires_on)


def _retention_of(rs, decision, voltage, status, filed_on, cancelled_on, expires_on):
    """The retention decision that would follow the classification."""
    from hudang.rules.retention import RetentionFacts, evaluate

    as_date = lambda v: v.date() if v else None  # noqa: E731
    return evaluate(rs, RetentionFacts(
        category=decision.category, doc_type=decision.doc_type or "", voltage_class=voltage,
        customer_status=status, filed_on=as_date(filed_on) or dt.date.today(),
        cancelled_on=as_date(cancelled_on), contract_expires_on=as_date(expires_on)))


def _explain_retention(rs, decision, voltage, status, filed_on, cancelled_on, expires_on) -> None:
    from hudang.rules.retention import RetentionFacts, evaluate

    as_date = lambda v: v.date() if v else None  # noqa: E731
    facts = RetentionFacts(category=decision.category, doc_type=decision.doc_type or "",
                           voltage_class=voltage, customer_status=status,
                           filed_on=as_date(filed_on) or dt.date.today(),
                           cancelled_on=as_date(cancelled_on),
                           contract_expires_on=as_date(expires_on))
    r = evaluate(rs, facts)
    click.echo(t("保管：{s} {c} → {d}", "retention: {s} {c} -> {d}", s=r.status,
                 c=r.schedule_id or "—", d=r.eligible_on or "—"))
    for c in r.candidates:
        click.echo(f"    {c.schedule_id}: trigger {c.trigger_date or '—'} → "
                   f"{'permanent' if c.permanent else c.eligible_on or 'waiting'} "
                   f"({c.disposition})")


@click.group("retention")
def retention_group() -> None:
    """保管期限 / Retention: recompute from the rules, list what is due."""


@retention_group.command("recompute")
@click.option("--dir", "directory", type=click.Path(path_type=Path), help="Rules directory.")
@click.option("--confirm-shortening", is_flag=True,
              help="Apply rule changes that make documents eligible earlier.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def retention_recompute(ctx: click.Context, directory: Path | None,
                        confirm_shortening: bool, as_json: bool) -> None:
    """Re-evaluate every filed document against the current rules."""
    from hudang.progress import progress_for
    from hudang.store.services.retention import recompute

    rs = _load(_rules_dir(ctx, directory), as_json)
    open_db(settings_of(ctx), bounded=False)  # a long job: no statement timeout
    with progress_for(t("重算", "recompute"), quiet=as_json) as progress:
        r = recompute(rs, cli_actor("admin"), confirm_shortening=confirm_shortening,
                      progress=progress)
    if as_json:
        click.echo(json.dumps(r.__dict__, ensure_ascii=False, indent=2))
        return
    click.echo(t("规则 {v}：检查 {e} 份，更新 {c} 份"
                 "（有日期 {d}，等待触发 {w}，永久 {p}，无规则 {n}）",
                 "rules {v}: examined {e}, updated {c} (dated {d}, waiting {w}, permanent {p}, "
                 "no schedule {n})", v=r.ruleset_version, e=r.examined, c=r.changed, d=r.dated,
                 w=r.waiting_for_trigger, p=r.permanent, n=r.no_schedule))
    if r.pending_shortening:
        click.echo(t("{n} 份文件的期限将被缩短，未生效；确认后运行 "
                     "`hudang retention recompute --confirm-shortening`。例如：{ids}",
                     "{n} documents would become eligible earlier and were NOT changed; "
                     "confirm with `hudang retention recompute --confirm-shortening`. E.g. {ids}",
                     n=r.pending_shortening, ids=r.pending_ids[:10]))
    if r.shortened:
        click.echo(t("已确认缩短 {n} 份", "shortened {n} documents (confirmed)", n=r.shortened))


@retention_group.command("due")
@click.option("--before", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Eligible on or before this date (default: today).")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--summary", is_flag=True, help="Counts per retention class only.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def retention_due(ctx: click.Context, before, limit: int, summary: bool, as_json: bool) -> None:
    """List documents eligible for disposal (legal holds excluded), computed in the database."""
    from tabulate import tabulate

    from hudang.store.services.retention import due, due_count, due_summary

    day = before.date() if before else dt.date.today()
    open_db(settings_of(ctx))
    if summary:
        rows = due_summary(day)
        if as_json:
            click.echo(json.dumps(dict(rows), ensure_ascii=False))
        else:
            click.echo(tabulate(rows, headers=[t("保管类别", "class"), t("份数", "documents")]))
        return
    rows = due(day, limit=limit)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, default=str))
        return
    click.echo(tabulate([[r.document_id, r.barcode or "", r.customer_number, r.customer_name,
                          r.category, r.doc_type, r.retention_class, r.eligible_on]
                         for r in rows],
                        headers=["id", t("条码", "barcode"), t("户号", "customer"),
                                 t("户名", "name"), t("类别", "cat"), t("类型", "type"),
                                 t("保管类别", "class"), t("可处置日", "eligible")]))
    total = due_count(day)
    if total > len(rows):
        click.echo(t("共 {n} 份，仅显示前 {m} 份", "{n} in total, first {m} shown", n=total,
                     m=len(rows)))


def register(cli: click.Group) -> None:
    """Add the `rules` and `retention` groups to the main `hudang` command."""
    cli.add_command(rules_group)
    cli.add_command(retention_group)
