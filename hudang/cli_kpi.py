"""CLI for the monthly scores and the audit sample: `hudang kpi`, `hudang quality …`."""

from __future__ import annotations

from pathlib import Path

import click
from tabulate import tabulate

from hudang.cliutil import cli_actor, cli_viewer, echo_json, open_db, settings_of
from hudang.progress import progress_for
from hudang.store.i18n import t


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _chg(value: float | None) -> str:
    return "" if value is None else f" ({value * 100:+.1f})"


@click.command("kpi")
@click.option("--month", required=True, help="月份 YYYY-MM / month YYYY-MM")
@click.option("--by", type=click.Choice(["staff", "team", "unit"]), default="team",
              show_default=True)
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="同时写出 .xlsx：每种分组一页，附图表 / "
                   "Also write an .xlsx with one sheet per grouping and a chart.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def kpi_cmd(ctx: click.Context, month: str, by: str, xlsx: Path | None, as_json: bool) -> None:
    """月度考核：各项比率及完成数、总数、排名和环比（百分点）
    / Monthly rates with counts, ranking and change from last month (percentage points)."""
    from hudang.store.services.business_kpi import GROUPINGS, kpi, parse_month
    from hudang.store.services.kpi_export import GROUP_NAMES, write_kpi_xlsx

    parse_month(month)
    open_db(settings_of(ctx))
    cli_viewer()
    groups = [by] + ([g for g in GROUPINGS if g != by] if xlsx is not None else [])
    reports = {}
    with progress_for(t("考核", "kpi"), quiet=as_json) as progress:
        for n, group in enumerate(groups):
            reports[group] = kpi(month, group, progress=lambda _s, done, _n, base=4 * n:
                                 progress("queries", base + done, 4 * len(groups)))
    report = reports[by]
    if xlsx is not None:
        write_kpi_xlsx([reports[g] for g in GROUPINGS], xlsx)
    if as_json:
        echo_json(report)
        return
    rows = []
    for r in report.rows + [report.total]:
        rows.append([r.rank or "", r.group if r is not report.total else t("合计", "total"),
                     _pct(r.score)]
                    + [f"{_pct(x.rate)} {x.count}/{x.of}{_chg(r.change.get(k))}"
                       for k, x in (("timely", r.timely), ("link", r.link), ("paper", r.paper),
                                    ("over", r.over), ("quality", r.quality))])
    click.echo(t("{m} 月考核（按{b}）", "KPI {m} by {b}", m=report.month, b=t(*GROUP_NAMES[by])))
    click.echo(tabulate(rows, headers=[t("名次", "rank"), t("对象", "group"), t("得分", "score"),
                                       t("归档及时率", "timely"), t("环节完成率", "link"),
                                       t("纸质移交及时率", "paper"), t("超时限率", "over-limit"),
                                       t("抽查合格率", "quality")]))
    if xlsx is not None:
        click.echo(t("已写入 {f}", "wrote {f}", f=xlsx))


@click.group("quality")
def quality_group() -> None:
    """质量抽查 / The monthly random audit sample."""


@quality_group.command("sample")
@click.option("--month", required=True, help="月份 YYYY-MM / month YYYY-MM")
@click.option("--percent", type=float, required=True)
@click.option("--seed", type=int, default=None,
              help="随机种子，可重复抽取（默认 YYYYMM） / Reproducible draw (default: YYYYMM).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def quality_sample(ctx: click.Context, month: str, percent: float, seed: int | None,
                   as_json: bool) -> None:
    """抽取当月扫描文件的 P % 进行检查（同一种子，同一结果）
    / Draw P % of the month's scanned documents for checking (same seed, same draw)."""
    from hudang.store.services.business_quality import sample

    open_db(settings_of(ctx))
    seed = seed if seed is not None else int(month.replace("-", "")) if month[:4].isdigit() else 0
    actor = cli_actor("keeper")
    with progress_for(t("抽查", "quality sample"), quiet=as_json) as progress:
        rows = sample(month, percent, seed, actor, progress=progress)
    _print_checks(rows, as_json)


@quality_group.command("record")
@click.argument("document_id", type=int)
@click.option("--month", required=True)
@click.option("--result", type=click.Choice(["pass", "fail"]), required=True)
@click.option("--note", default="")
@click.pass_context
def quality_record(ctx: click.Context, document_id: int, month: str, result: str,
                   note: str) -> None:
    """记录一份抽查文件的检查结果 / Record the check result of one sampled document."""
    from hudang.store.services.business_quality import record_result

    open_db(settings_of(ctx))
    record_result(month, document_id, result, note, cli_actor("keeper"))
    click.echo(t("已记录", "recorded"))


@quality_group.command("list")
@click.option("--month", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def quality_list(ctx: click.Context, month: str, as_json: bool) -> None:
    """当月抽查样本及每份文件的结果 / The month's sample and each document's result."""
    from hudang.store.services.business_quality import list_checks

    open_db(settings_of(ctx))
    cli_viewer()
    _print_checks(list_checks(month), as_json)


def _print_checks(rows, as_json: bool) -> None:
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("（无结果）", "(nothing found)"))
        return
    click.echo(tabulate([[r.document_id, r.barcode, r.customer_number, r.doc_type, r.result,
                          r.note] for r in rows],
                        headers=[t("文件", "document"), t("条码", "barcode"), t("户号", "customer"),
                                 t("类型", "type"), t("结果", "result"), t("说明", "note")]))
