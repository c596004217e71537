"""Intake from the shell: customers, handover (移交), cataloguing (著录), boxing (装盒), labels."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import click

from tabulate import tabulate

from hudang.cliparams import as_option, json_option
from hudang.cliutil import clean_text, cli_actor, echo_json, open_db, settings_of
from hudang.progress import progress_for
from hudang.store.domain import CATEGORIES, CUSTOMER_STATUSES, HV, LV
from hudang.store.errors import ValidationError
from hudang.store.i18n import t
from hudang.store.services import users
from hudang.store.services.customers import mask_id_number



def _ctx_open(ctx: click.Context):
    settings = settings_of(ctx)
    open_db(settings)
    return settings


def _date(value: str | None, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(t("{w}日期格式应为 YYYY-MM-DD，而不是 {v}",
                                "{w} must be a date YYYY-MM-DD, not {v}", w=what,
                                v=value)) from None


def _category(value: str | None) -> str | None:
    from hudang.store.domain import category_code

    if not value:
        return None
    try:
        return category_code(value)
    except ValueError:
        raise ValidationError(t("未知类别 {c}（应为 YK/YJ/JL/DF/QT 或 业扩/用检/计量/电费/其它）",
                                "unknown category {c} (YK/YJ/JL/DF/QT)", c=value)) from None


def _customer_line(c) -> str:
    from hudang.store.services.customers import mask_id_number, mask_phone

    return (f"{c.number}  {c.name}  {c.voltage_class}  {c.line} {c.area}  "
            f"{CUSTOMER_STATUSES.get(c.status, c.status)}  {mask_phone(c.phone)}  "
            f"{mask_id_number(c.id_number)}")


def _masked(c) -> dict:
    from hudang.cliutil import as_plain
    from hudang.store.services.customers import mask_id_number, mask_phone

    row = as_plain(c)
    row["phone"], row["id_number"] = mask_phone(c.phone), mask_id_number(c.id_number)
    return row


# --- customers ---------------------------------------------------------------------------------
@click.group("customer")
def customer_group() -> None:
    """Customers (一户一档): add, update, cancel (销户)."""


def _customer_fields(f):
    for opt in (click.option("--name", default=None, help="户名"),
                click.option("--voltage", "voltage_class", type=click.Choice([HV, LV]),
                             default=None, help="HV 高压 / LV 低压"),
                click.option("--line", default=None, help="线路"),
                click.option("--area", default=None, help="台区"),
                click.option("--address", default=None), click.option("--phone", default=None),
                click.option("--id-number", default=None),
                click.option("--tariff", default=None),
                click.option("--supply-voltage", default=None),
                click.option("--important/--not-important", default=None)):
        f = opt(f)
    return f


def _given(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if v is not None}


accept_invalid_id_option = click.option(
    "--accept-invalid-id", is_flag=True,
    help="Keep an ID number that fails its check (it goes on the correction list).")


@customer_group.command("add")
@click.argument("number")
@_customer_fields
@accept_invalid_id_option
@as_option
@json_option
@click.pass_context
def customer_add(ctx: click.Context, number: str, as_user: str | None, as_json: bool,
                 accept_invalid_id: bool, **fields) -> None:
    """Register a new customer file."""
    from hudang.store.services.customers import create_customer

    settings = _ctx_open(ctx)
    info = create_customer({"number": number, **_given(fields)}, cli_actor(as_user=as_user),
                           settings.customer_number_pattern,
                           accept_invalid_id=accept_invalid_id)
    echo_json(_masked(info)) if as_json else click.echo(_customer_line(info))


@customer_group.command("update")
@click.argument("number")
@_customer_fields
@accept_invalid_id_option
@as_option
@json_option
@click.pass_context
def customer_update(ctx: click.Context, number: str, as_user: str | None, as_json: bool,
                    accept_invalid_id: bool, **fields) -> None:
    """Change a customer's details (only the options given)."""
    from hudang.store.services.customers import update_customer

    _ctx_open(ctx)
    changes = _given(fields)
    if not changes:
        raise ValidationError(t("没有要修改的字段", "nothing to change: give at least one option"))
    info = update_customer(number, changes, cli_actor(as_user=as_user),
                           accept_invalid_id=accept_invalid_id)
    echo_json(_masked(info)) if as_json else click.echo(_customer_line(info))


@customer_group.command("corrections")
@click.option("--all", "include_resolved", is_flag=True, help="Include corrected ones.")
@json_option
@click.pass_context
def customer_corrections(ctx: click.Context, include_resolved: bool, as_json: bool) -> None:
    """List customers whose values failed a check on import or entry, to correct them."""
    from hudang.store.services.corrections import list_corrections

    _ctx_open(ctx)
    viewer = cli_actor("keeper")  # signed-in staff only; the numbers are masked by role
    rows = list_corrections(include_resolved=include_resolved)
    if not users.can_see_personal_data(viewer.role):
        rows = [dataclasses.replace(r, value=mask_id_number(r.value)) for r in rows]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("没有待更正的客户", "no customers to correct"))
        return
    click.echo(tabulate([[r.customer_number, clean_text(r.customer_name), r.field,
                          clean_text(r.value), r.problem, r.source,
                          r.resolved_at or t("待更正", "open")] for r in rows],
                        headers=[t("户号", "Customer"), t("户名", "Name"), t("字段", "Field"),
                                 t("值", "Value"), t("问题", "Problem"), t("来源", "Source"),
                                 t("状态", "State")]))


def _ruleset_or_none(settings):
    """The rules for retention, or None when the rules directory has no retention.yaml."""
    from hudang.rules import RulesError, load_ruleset

    if not (Path(settings.rules_dir) / "retention.yaml").is_file():
        return None
    try:
        return load_ruleset(settings.rules_dir)
    except RulesError as exc:
        raise ValidationError(t("规则无效（{n} 处错误），请先运行 hudang rules check",
                                "the rules are invalid ({n} errors): run hudang rules check",
                                n=len(exc.errors))) from None


@customer_group.command("cancel")
@click.argument("number")
@click.option("--on", "on", default=None, help="销户日期 YYYY-MM-DD (default: today).")
@click.option("--reason", required=True, help="销户原因")
@as_option
@json_option
@click.pass_context
def customer_cancel(ctx: click.Context, number: str, on: str | None, reason: str,
                    as_user: str | None, as_json: bool) -> None:
    """销户: date retention now, free the box positions, make move tasks to the cancelled area."""
    from hudang.store.services import cancellation

    when = _date(on, t("销户", "cancellation")) or dt.date.today()
    if not reason.strip():
        raise ValidationError(t("销户必须写明原因", "a cancellation needs a reason"))
    settings = _ctx_open(ctx)
    ruleset = _ruleset_or_none(settings)
    out = cancellation.cancel(number, when, reason, cli_actor(as_user=as_user), ruleset)
    if ruleset is None:
        click.echo(t("注意：{d} 没有 retention.yaml，保管期限未计算（之后运行 hudang retention recompute）",
                     "note: {d} has no retention.yaml; retention not computed (run hudang "
                     "retention recompute later)", d=settings.rules_dir), err=True)
    if as_json:
        from hudang.cliutil import as_plain

        echo_json(as_plain(out) | {"customer": _masked(out.customer)})
        return
    click.echo(t("已销户：{c}（{d}）", "cancelled: {c} ({d})", c=_customer_line(out.customer),
                 d=out.customer.cancelled_on))
    click.echo(t("  保管期限：{a} 件已定，{b} 件未定", "  retention: {a} dated, {b} undated",
                 a=out.documents_dated, b=out.documents_undated))
    for task in out.tasks:
        click.echo("  " + _task_line(task))


def _task_line(task) -> str:
    if task.kind == "take_out":
        return t("任务：从档案盒 {b} 取出 {c} 的案卷（{f}）", "task: take {c}'s volumes out of box {b} "
                 "({f})", b=task.box, c=task.customer_number, f=task.from_code or "—")
    return t("任务：档案盒 {b} 从 {f} 移到销户区，建议 {s}", "task: move box {b} from {f} to the "
             "cancelled area, suggested {s}", b=task.box, f=task.from_code or "—",
             s=task.suggested_code or t("（销户区已满）", "(cancelled area full)"))


# --- handover ----------------------------------------------------------------------------------
@click.group("handover")
def handover_group() -> None:
    """Handover (移交/接收): batches, receiving by scan, to-supply (待补交), lists."""


def _print_batch(info, as_json: bool) -> None:
    from hudang.store.services.handover import BATCH_STATUSES, status_name

    if as_json:
        echo_json(info)
        return
    click.echo(t("移交批次 {n}  {s}  {a} → {b}", "handover {n}  {s}  {a} -> {b}", n=info.number,
                 s=status_name(info.status, BATCH_STATUSES), a=info.sender, b=info.receiver))
    for i in info.items:
        pages = i.page_count if i.received_pages is None else f"{i.page_count}/{i.received_pages}"
        click.echo(f"  {i.seq:>3}  {i.customer_number or '—'} {i.customer_name or ''}  "
                   f"{CATEGORIES.get(i.category, i.category or '—')}  {i.doc_type}  "
                   f"{i.barcode or '—'}  {pages}p  {status_name(i.status)}"
                   + (f"（{i.owed_by}）" if i.owed_by else ""))
    signs = [f"{t('移交人', 'sender')}: {info.sender_signed_by or '—'}",
             f"{t('接收人', 'receiver')}: {info.receiver_signed_by or '—'}"]
    click.echo("  " + "  ".join(signs))


@handover_group.command("new")
@click.option("--from", "sender", required=True, help="移交人 / 部门")
@click.option("--to", "receiver", required=True, help="接收人")
@click.option("--note", default="")
@click.option("--barcode", default=None, help="A pre-printed handover barcode.")
@as_option
@json_option
@click.pass_context
def handover_new(ctx: click.Context, sender: str, receiver: str, note: str,
                 barcode: str | None, as_user: str | None, as_json: bool) -> None:
    """Open a handover batch; prints its number (a barcode)."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    info = handover.new_batch(sender, receiver, cli_actor(as_user=as_user), note, barcode)
    echo_json(info) if as_json else click.echo(info.number)


@handover_group.command("add")
@click.argument("batch")
@click.argument("customer")
@click.option("--category", required=True, help="YK/YJ/JL/DF/QT or 业扩/用检/计量/电费/其它")
@click.option("--type", "doc_type", required=True, help="文件类型, e.g. 用电申请书")
@click.option("--title", default="")
@click.option("--pages", type=click.IntRange(min=0), default=0)
@click.option("--barcode", default=None, help="The document's barcode, if it carries one.")
@as_option
@json_option
@click.pass_context
def handover_add(ctx: click.Context, batch: str, customer: str, category: str, doc_type: str,
                 title: str, pages: int, barcode: str | None, as_user: str | None,
                 as_json: bool) -> None:
    """Add one item to a batch's checklist."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    item = handover.add_item(batch, customer, category, doc_type, cli_actor(as_user=as_user),
                             title=title, page_count=pages, barcode=barcode)
    echo_json(item) if as_json else click.echo(
        t("第 {n} 项：{c} {d} {p} 页", "item {n}: {c} {d} {p} pages", n=item.seq,
          c=item.customer_number, d=item.doc_type, p=item.page_count))


@handover_group.command("import")
@click.argument("batch")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@as_option
@json_option
@click.pass_context
def handover_import(ctx: click.Context, batch: str, path: Path, as_user: str | None,
                    as_json: bool) -> None:
    """Add a whole checklist from CSV (户号,类别,文件类型,题名,页数,条码); all rows or none."""
    from hudang.store.services.handover_import import import_checklist

    _ctx_open(ctx)
    actor = cli_actor(as_user=as_user)
    with progress_for(t("导入清单", "checklist import"), quiet=as_json) as progress:
        n = import_checklist(batch, path.read_bytes(), actor, progress=progress)
    if as_json:
        echo_json({"batch": batch, "added": n})
        return
    click.echo(t("已加入 {n} 项", "added {n} item(s)", n=n))


_RECEIVE_WORDS = {"received": ("已接收", "received"), "corrected": ("已接收，页数已更正",
                                                                  "received, pages corrected"),
                  "already": ("早已接收", "already received"),
                  "unexpected": ("清单外文件，已标记", "NOT ON THE LIST, flagged"),
                  "supplied": ("补交已接收", "supplied late, received")}


@handover_group.command("receive")
@click.argument("batch")
@click.argument("codes", nargs=-1, required=True)
@click.option("--pages", type=click.IntRange(min=0), default=None,
              help="Pages counted (one code only); default: as listed.")
@as_option
@json_option
@click.pass_context
def handover_receive(ctx: click.Context, batch: str, codes: tuple[str, ...], pages: int | None,
                     as_user: str | None, as_json: bool) -> None:
    """Receive items by document barcode (or list line number, e.g. #3)."""
    from hudang.store.services import handover

    if pages is not None and len(codes) != 1:
        raise ValidationError(t("--pages 只能用于一个条码", "--pages goes with exactly one code"))
    _ctx_open(ctx)
    actor = cli_actor(as_user=as_user)
    results = [handover.receive(batch, code, actor, pages) for code in codes]
    if as_json:
        echo_json(results)
        return
    for r in results:
        zh, en = _RECEIVE_WORDS[r.action]
        click.echo(f"{r.item.seq:>3}  {r.item.barcode or '—'}  {t(zh, en)}")


@handover_group.command("supply")
@click.argument("batch")
@click.option("--item", "items", type=int, multiple=True,
              help="List line(s); default: every item not received.")
@click.option("--owed-by", default="", help="Who owes them (default: the sender).")
@as_option
@click.pass_context
def handover_supply(ctx: click.Context, batch: str, items: tuple[int, ...], owed_by: str,
                    as_user: str | None) -> None:
    """Put items that did not arrive on the to-supply list (待补交)."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    moved = handover.to_supply(batch, cli_actor(as_user=as_user), list(items) or None, owed_by)
    click.echo(t("待补交 {n} 项", "{n} item(s) to supply", n=len(moved)))


@handover_group.command("owed")
@json_option
@click.pass_context
def handover_owed(ctx: click.Context, as_json: bool) -> None:
    """The to-supply list (待补交) across all batches."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    rows = handover.supply_list()
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("（无待补交）", "(nothing owed)"))
    for r in rows:
        i = r.item
        click.echo(f"{r.batch}  {i.seq:>3}  {i.customer_number} {i.customer_name}  "
                   f"{i.doc_type}  {i.page_count}p  {i.owed_by}")


@handover_group.command("sign")
@click.argument("batch")
@click.option("--side", type=click.Choice(["sender", "receiver"]), required=True)
@click.option("--name", required=True, help="签字人")
@as_option
@click.pass_context
def handover_sign(ctx: click.Context, batch: str, side: str, name: str,
                  as_user: str | None) -> None:
    """Record the sender's or the receiver's sign-off."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    handover.sign(batch, side, name, cli_actor(as_user=as_user))
    click.echo(t("已签字", "signed"))


@handover_group.command("close")
@click.argument("batch")
@as_option
@json_option
@click.pass_context
def handover_close(ctx: click.Context, batch: str, as_user: str | None, as_json: bool) -> None:
    """Close a batch (every item received or to-supply, both sides signed)."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    info = handover.close(batch, cli_actor(as_user=as_user))
    if as_json:
        _print_batch(info, True)
        return
    click.echo(t("批次 {n} 已关闭：接收 {r} 项，待补交 {s} 项，清单外 {u} 项",
                 "batch {n} closed: {r} received, {s} to supply, {u} not on the list",
                 n=info.number, r=info.count("received"), s=info.count("to_supply"),
                 u=info.count("unexpected")))


@handover_group.command("catalogue")
@click.argument("batch")
@as_option
@json_option
@click.pass_context
def handover_catalogue(ctx: click.Context, batch: str, as_user: str | None,
                       as_json: bool) -> None:
    """Register every received item into its customer's volume (著录)."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    codes = handover.catalogue(batch, cli_actor(as_user=as_user))
    if as_json:
        echo_json({"batch": batch, "documents": list(codes)})
        return
    for code in codes:
        click.echo(code)


@handover_group.command("show")
@click.argument("batch")
@json_option
@click.pass_context
def handover_show(ctx: click.Context, batch: str, as_json: bool) -> None:
    """A batch and its checklist."""
    from hudang.store.services import handover

    _ctx_open(ctx)
    _print_batch(handover.get_batch(batch), as_json)


@handover_group.command("list")
@click.option("--status", type=click.Choice(["open", "closed"]), default=None)
@json_option
@click.pass_context
def handover_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """Handover batches, newest first."""
    from hudang.store.services import handover
    from hudang.store.services.handover import BATCH_STATUSES, status_name

    _ctx_open(ctx)
    batches = handover.list_batches(status)
    if as_json:
        echo_json(batches)
        return
    for b in batches:
        click.echo(f"{b.number}  {status_name(b.status, BATCH_STATUSES)}  {b.sender} → "
                   f"{b.receiver}  {len(b.items)}  {b.created_at:%Y-%m-%d}")


@handover_group.command("pdf")
@click.argument("batch")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def handover_pdf_cmd(ctx: click.Context, batch: str, out: Path) -> None:
    """Write the printable handover list (移交清单) to OUT."""
    from hudang.store.services.handover_pdf import handover_pdf

    _ctx_open(ctx)
    _write(out, handover_pdf(batch))


def _write(out: Path, data: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise ValidationError(t("无法写入 {p}：{e}", "cannot write {p}: {e}", p=out,
                                e=exc.strerror or exc)) from None
    click.echo(str(out))


# --- cataloguing -------------------------------------------------------------------------------
@click.group("document")
def document_group() -> None:
    """Documents (件)."""


@document_group.command("add")
@click.argument("customer")
@click.option("--category", required=True)
@click.option("--type", "doc_type", required=True)
@click.option("--title", default="")
@click.option("--pages", type=click.IntRange(min=0), default=0)
@click.option("--filed-on", default=None, help="YYYY-MM-DD (default: today)")
@click.option("--process", "business_process", default="", help="业务流程, e.g. 新装")
@click.option("--volume", default=None, help="The volume (卷) to file it in.")
@click.option("--barcode", default=None, help="Its pre-printed barcode.")
@as_option
@json_option
@click.pass_context
def document_add(ctx: click.Context, customer: str, category: str, doc_type: str, title: str,
                 pages: int, filed_on: str | None, business_process: str, volume: str | None,
                 barcode: str | None, as_user: str | None, as_json: bool) -> None:
    """Register a document (著录) in a customer's file; prints its barcode."""
    from hudang.store.services import registry
    from hudang.store.services.lookup import lookup

    _ctx_open(ctx)
    code = registry.register_document(customer, _category(category), doc_type,
                                      cli_actor(as_user=as_user), title=title,
                                      volume_code=volume, page_count=pages,
                                      filed_on=_date(filed_on, t("归档", "filing")),
                                      business_process=business_process, barcode=barcode)
    echo_json(lookup(code).document) if as_json else click.echo(code)


@click.group("volume")
def volume_group() -> None:
    """Volumes (卷)."""


@volume_group.command("new")
@click.argument("customer")
@click.option("--category", default=None)
@click.option("--title", default="")
@click.option("--box", default=None, help="Put it straight into this box.")
@click.option("--barcode", default=None)
@as_option
@json_option
@click.pass_context
def volume_new(ctx: click.Context, customer: str, category: str | None, title: str,
               box: str | None, barcode: str | None, as_user: str | None, as_json: bool) -> None:
    """Make up a new volume of a customer's file; prints its barcode."""
    from hudang.store.services import boxing, registry
    from hudang.store.services.lookup import lookup

    _ctx_open(ctx)
    actor = cli_actor(as_user=as_user)
    code = registry.register_volume(customer, actor, None, _category(category), title, barcode)
    if box:
        boxing.add_to_box(box, code, actor)
    echo_json(lookup(code).volume) if as_json else click.echo(code)


# --- boxes -------------------------------------------------------------------------------------
@click.group("box")
def box_group() -> None:
    """Boxes (盒): new, add, remove, contents, move tasks."""


@box_group.command("new")
@click.option("--class", "voltage_class", type=click.Choice([HV, LV]), required=True)
@click.option("--label", default="")
@click.option("--barcode", default=None)
@as_option
@json_option
@click.pass_context
def box_new(ctx: click.Context, voltage_class: str, label: str, barcode: str | None,
            as_user: str | None, as_json: bool) -> None:
    """Register a new, unplaced box; prints its barcode."""
    from hudang.store.services import registry
    from hudang.store.services.lookup import lookup

    _ctx_open(ctx)
    code = registry.register_box(voltage_class, cli_actor(as_user=as_user), barcode, label)
    echo_json(lookup(code).box) if as_json else click.echo(code)


_BOXING_WORDS = {"volume_in": ("案卷已装盒", "volume boxed"),
                 "document_in": ("文件已装盒（入卷 {v}）", "document boxed (in volume {v})"),
                 "already": ("已在盒内", "already in the box"),
                 "taken_out": ("已取出", "taken out")}


def _boxing(ctx, box: str, codes: tuple[str, ...], as_user: str | None, as_json: bool,
            remove: bool) -> None:
    from hudang.store.services import boxing

    _ctx_open(ctx)
    actor = cli_actor(as_user=as_user)
    fn = boxing.remove_from_box if remove else boxing.add_to_box
    results = []
    for code in codes:
        r = fn(box, code, actor)
        results.append(r)
        if not as_json:
            zh, en = _BOXING_WORDS[r.action]
            click.echo(f"{r.code}  {r.customer_number}  {t(zh, en, v=r.volume)}")
    if as_json:
        echo_json(results)


@box_group.command("add")
@click.argument("box")
@click.argument("codes", nargs=-1, required=True)
@as_option
@json_option
@click.pass_context
def box_add(ctx: click.Context, box: str, codes: tuple[str, ...], as_user: str | None,
            as_json: bool) -> None:
    """Put volumes or documents into a box (HV: one customer; LV: one 台区)."""
    _boxing(ctx, box, codes, as_user, as_json, remove=False)


@box_group.command("remove")
@click.argument("box")
@click.argument("codes", nargs=-1, required=True)
@as_option
@json_option
@click.pass_context
def box_remove(ctx: click.Context, box: str, codes: tuple[str, ...], as_user: str | None,
               as_json: bool) -> None:
    """Take volumes or documents out of a box."""
    _boxing(ctx, box, codes, as_user, as_json, remove=True)


@box_group.command("contents")
@click.argument("box")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the contents list (盒内目录) PDF here.")
@json_option
@click.pass_context
def box_contents_cmd(ctx: click.Context, box: str, pdf: Path | None, as_json: bool) -> None:
    """What a box holds, volume by volume (盒内目录 / 卷内目录)."""
    from hudang.store.services import boxing

    _ctx_open(ctx)
    contents = boxing.box_contents(box)
    if pdf is not None:
        data = boxing.box_contents_pdf(box)
        _write(pdf, data) if not as_json else pdf.write_bytes(data)
    if as_json:
        echo_json(contents)
        return
    b = contents.box
    click.echo(f"{b.barcode}  {b.voltage_class}  {b.home.label if b.home else '—'}")
    for v in contents.volumes:
        click.echo(f"  {v.barcode}  {v.customer_number} {v.customer_name}  {v.title}")
        for d in v.documents:
            click.echo(f"    {d.barcode or '—'}  {CATEGORIES.get(d.category, d.category)}  "
                       f"{d.doc_type}  {d.page_count}p  {d.filed_on or ''}")


@box_group.command("tasks")
@click.option("--all", "include_done", is_flag=True, help="Include finished tasks.")
@json_option
@click.pass_context
def box_tasks(ctx: click.Context, include_done: bool, as_json: bool) -> None:
    """Boxes to move (e.g. to the cancelled area after 销户) with a suggested position."""
    from hudang.store.services import cancellation

    _ctx_open(ctx)
    tasks = cancellation.move_tasks(include_done)
    if as_json:
        echo_json(tasks)
        return
    if not tasks:
        click.echo(t("（没有待办移动任务）", "(no open move tasks)"))
    for task in tasks:
        click.echo(_task_line(task) + (t("（已完成）", " (done)") if task.done else ""))


# --- labels ------------------------------------------------------------------------------------
@click.command("label")
@click.argument("codes", nargs=-1, required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(["a4", "roll"]), default=None,
              help="a4 sheets or single roll labels (default: setting label_layout).")
@click.option("--size", type=click.Choice(["60x40", "100x50"]), default=None,
              help="Roll label size in mm (default: setting label_roll_size).")
@click.option("--start", type=int, default=1, show_default=True,
              help="First free label on the A4 sheet (1-14).")
@click.pass_context
def label_cmd(ctx: click.Context, codes: tuple[str, ...], out: Path, layout: str | None,
              size: str | None, start: int) -> None:
    """Print labels for boxes, volumes, documents or shelf positions to OUT (a PDF)."""
    from hudang.store.services import labels

    settings = _ctx_open(ctx)
    if out.suffix.lower() != ".pdf":
        raise ValidationError(t("最后一个参数是输出的 PDF 文件，而不是 {p}",
                                "the last argument is the PDF to write, not {p}", p=out))
    lay = labels.LabelLayout(layout or settings.label_layout, start,
                             size or settings.label_roll_size)
    _write(out, labels.render_pdf(labels.labels_for(list(codes)), "labels", lay))


def register(cli: click.Group) -> None:
    """Add the intake commands to the `hudang` group."""
    for command in (customer_group, handover_group, document_group, volume_group, box_group,
                    label_cmd):
        cli.add_command(command)

