"""The `hudang` command: parses arguments, wires settings to the rooms, prints results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tabulate import tabulate

from hudang import __version__
from hudang.cliutil import (
    as_plain,
    clean_text,
    cli_actor,
    cli_viewer,
    dump_json,
    open_db,
    read_secret,
)
from hudang.settings import Settings, SettingsError, load_settings
from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import set_language, t


class HudangGroup(click.Group):
    """Turns errors a user can cause into one clear line and a non-zero exit."""

    def main(self, *args, **kwargs):
        from hudang.helptext import help_language, localise_help

        localise_help(self, help_language())  # help text in the user's language (issue 16)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ArchiveError, SettingsError) as exc:
            click.echo(t("错误：{m}", "error: {m}", m=exc), err=True)
            problems = getattr(exc, "problems", None)
            if problems:
                for row, message in problems[:50]:
                    click.echo(t("  第 {r} 行：{m}", "  row {r}: {m}", r=row, m=message), err=True)
                if len(problems) > 50:
                    click.echo(t("  …… 另有 {n} 处", "  … and {n} more", n=len(problems) - 50),
                               err=True)
            ctx.exit(1)
        except _db_errors() as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            if _is_damage(exc):
                click.echo(t("错误：数据库文件已损坏或不是户档数据库：{m}",
                             "error: the database is damaged or not a hudang archive: {m}",
                             m=first), err=True)
            else:
                click.echo(t("错误：数据库不可用：{m}", "error: database unavailable: {m}",
                             m=first), err=True)
            ctx.exit(1)


def _db_errors() -> tuple[type[BaseException], ...]:
    import peewee

    # DatabaseError covers a database file damaged after it was opened ("disk image is
    # malformed"): one line, never a traceback
    return (peewee.OperationalError, peewee.InterfaceError, peewee.DatabaseError)


def _is_damage(exc: BaseException) -> bool:
    """A database error that says the file itself is bad (not that the server is away)."""
    import peewee

    return not isinstance(exc, (peewee.OperationalError, peewee.InterfaceError))


def actor_for(settings: Settings, role: str = "keeper") -> Actor:
    """The signed-in user, named in audit events; refused without a session or below `role`."""
    return cli_actor(role)


def emit(rows: list[dict], as_json: bool, headers: dict[str, str] | None = None) -> None:
    """Print rows as a table (tabulate) or as JSON for scripts."""
    if as_json:
        click.echo(dump_json(rows))
        return
    if not rows:
        click.echo(t("（无结果）", "(nothing found)"))
        return
    rows = clean_text(rows)
    keys = list(rows[0].keys())
    hdr = [headers.get(k, k) if headers else k for k in keys]
    click.echo(tabulate([[r[k] for k in keys] for r in rows], headers=hdr))


@click.group(cls=HudangGroup)
@click.version_option(__version__, "--version", "-V", prog_name="hudang",
                      message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """户档 hudang — 电力客户档案阅览室系统 / reading-room system for a customer archive."""
    settings = load_settings()
    set_language(settings.language)
    ctx.obj = settings


@cli.command()
@click.option("--admin", "admin_name", default="admin", show_default=True,
              help="Username of the first administrator (only when the archive has no users).")
@click.option("--admin-password-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Read the first administrator's password from this file.")
@click.pass_obj
def init(settings: Settings, admin_name: str, admin_password_file: Path | None) -> None:
    """Create the data directory, the latest schema and the first administrator (safe to rerun).

    The first administrator's password is asked for on a terminal, read from one line of
    standard input otherwise, or from `--admin-password-file`.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    from hudang.store import schema
    from hudang.store.services import users

    open_db(settings, create=True)
    click.echo(t("档案库就绪：{u}（结构版本 {v}）", "archive ready: {u} (schema version {v})",
                 u=_masked_url(settings.database_url), v=schema.current_version()))
    if users.list_users():
        return
    password = (_first_line(admin_password_file) if admin_password_file else
                read_secret(t("首个管理员 {u} 的密码", "Password for the first administrator {u}",
                              u=admin_name), confirm=True))
    info = users.bootstrap_admin(admin_name, password)
    if info is not None:
        click.echo(t("已创建管理员 {u}：请 hudang login {u}", "created administrator {u}: "
                     "run `hudang login {u}`", u=info.username))


def _first_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(t("无法读取 {p}：{e}", "cannot read {p}: {e}", p=path, e=exc)) from None
    if not lines or not lines[0]:
        raise ArchiveError(t("{p} 是空的", "{p} is empty", p=path))
    return lines[0]


def _masked_url(url: str) -> str:
    from hudang.settings import mask_url_password

    return mask_url_password(url)


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def db_upgrade(settings: Settings, as_json: bool) -> None:
    """Apply any schema migrations this database lacks (idempotent)."""
    from hudang.store import schema
    from hudang.store.archive import check_sqlite_file
    from hudang.store.db import sqlite_file

    from hudang.store import db as dbmod

    path = sqlite_file(settings.database_url)
    if path is not None:
        check_sqlite_file(path, create=False)
    dbmod.init_database(settings.database_url).connect(reuse_if_open=True)
    applied = schema.upgrade()
    if as_json:
        click.echo(json.dumps({"applied": applied, "version": schema.current_version()}))
        return
    if applied:
        click.echo(t("已升级：{v}", "applied migrations: {v}", v=", ".join(map(str, applied))))
    else:
        click.echo(t("已是最新（版本 {v}）", "already up to date (version {v})",
                     v=schema.current_version()))


@cli.command()
@click.pass_obj
def desk(settings: Settings) -> None:
    """Open the reading-room desk on this site's archive (keepers sign in at its screen)."""
    from hudang.tui.app import make_app
    from hudang.wiring import load_loan_policy

    open_db(settings)  # never creates or fills an archive: `hudang init` does that
    make_app(settings, loan_policy=lambda: load_loan_policy(settings)).run()


@cli.command()
@click.option("--no-tui", is_flag=True, help="Only build the demo archive.")
@click.option("--customers", default=2000, show_default=True, help="Demo size.")
@click.pass_obj
def demo(settings: Settings, no_tui: bool, customers: int) -> None:
    """Build the demo archive if absent, then open the desk."""
    from hudang.store.services.customers import count_customers

    settings.home.mkdir(parents=True, exist_ok=True)
    open_db(settings, create=True)
    if sum(count_customers().values()) == 0:
        from hudang.progress import progress_for
        from hudang.store import generator

        click.echo(t("正在生成演示档案（{n} 户）……", "building the demo archive ({n} customers) ...",
                     n=customers))
        with progress_for(t("演示档案", "demo")) as progress:
            counts = generator.build_archive(customers, seed=1, progress=progress)
        click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
        _install_demo_rules(settings)
        from hudang.cli_business import add_demo_events  # noqa: PLC0415  (issue 14)

        add_demo_events(settings)  # a year of business events, tasks and the work done on them
    else:
        click.echo(t("演示档案已存在：{u}", "demo archive present: {u}", u=settings.database_url))
    if not no_tui:
        from hudang.tui.app import make_app
        from hudang.wiring import load_loan_policy

        note = t("演示账号：keeper / keeper-demo-1（档案管理员）· approver / approver-demo-1（审批人）",
                 "Demo accounts: keeper / keeper-demo-1 (keeper) · approver / approver-demo-1 "
                 "(approver)")
        make_app(settings, login_note=note,
                 loan_policy=lambda: load_loan_policy(settings)).run()


def _install_demo_rules(settings: Settings) -> None:
    """Copy the shipped rule set into the rules directory if it has none yet."""
    import shutil

    from hudang.sample_data import RULES_DIR as source

    if source.is_dir() and not settings.rules_dir.exists():
        shutil.copytree(source, settings.rules_dir)


@cli.group("import")
def import_() -> None:
    """Import data from files."""


@import_.command("customers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_customers(settings: Settings, path: Path, as_json: bool) -> None:
    """Import customers from CSV (UTF-8, UTF-8 with BOM, or GBK); all rows or none."""
    from hudang.progress import progress_for
    from hudang.store.services.customer_import import import_customers_csv

    open_db(settings, bounded=False)  # a long job: no statement timeout
    actor = actor_for(settings, "admin")
    with progress_for(t("导入", "import"), quiet=as_json) as progress:
        result = import_customers_csv(path, actor, progress=progress)
    if as_json:
        click.echo(json.dumps({**as_plain(result), "imported": result.imported},
                              ensure_ascii=False, indent=2))
        return
    click.echo(t("已导入 {n} 户（{e}）", "imported {n} customers ({e})", n=result.imported,
                 e=result.encoding))
    if result.corrections:
        click.echo(t("证件号码校验不通过 {n} 行（已导入，列入待更正清单：hudang customer "
                     "corrections）：", "{n} row(s) with an ID number that fails its check "
                     "(imported, listed by `hudang customer corrections`):",
                     n=len(result.corrections)))
        for row, number, problem in result.corrections[:50]:
            click.echo(t("  第 {r} 行 户号 {c}：{p}", "  row {r}, customer {c}: {p}",
                         r=row, c=number, p=problem))
        if len(result.corrections) > 50:
            click.echo(t("  …… 另有 {n} 行", "  … and {n} more", n=len(result.corrections) - 50))


_RETENTION_WORDS = {"dated": ("已定期限", "dated"), "waiting_for_trigger": ("等待触发", "waiting"),
                    "permanent": ("永久", "permanent"), "no_schedule": ("无适用规则", "no schedule")}


@import_.command("documents")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_documents(settings: Settings, path: Path, as_json: bool) -> None:
    """Import the catalogue of existing paper documents from CSV (UTF-8, UTF-8 with BOM, or
    GBK); all rows or none, and the same file only once."""
    from hudang.cli_intake import _ruleset_or_none
    from hudang.progress import progress_for
    from hudang.store.services.document_import import import_documents_csv

    open_db(settings, bounded=False)  # a long job: no statement timeout
    actor = actor_for(settings, "admin")
    ruleset = _ruleset_or_none(settings)
    scheme = ruleset.barcode_scheme() if ruleset is not None else None
    with progress_for(t("导入", "import"), quiet=as_json) as progress:
        result = import_documents_csv(path, actor, ruleset, scheme=scheme, progress=progress)
    if as_json:
        click.echo(json.dumps({**as_plain(result), "imported": result.imported},
                              ensure_ascii=False, indent=2))
        return
    click.echo(t("已导入 {n} 件文件（{e}），{c} 户；新建案卷 {v} 个、档案盒 {b} 个；生成条码 {g} 个",
                 "imported {n} documents ({e}) of {c} customers; {v} new volume(s), {b} new "
                 "box(es); {g} barcode(s) generated", n=result.imported, e=result.encoding,
                 c=result.customers, v=result.volumes_created, b=result.boxes_created,
                 g=result.barcodes_generated))
    if ruleset is None:
        click.echo(t("注意：{d} 没有 retention.yaml，保管期限未计算（之后运行 hudang retention recompute）",
                     "note: {d} has no retention.yaml; retention not computed (run hudang "
                     "retention recompute later)", d=settings.rules_dir), err=True)
        return
    click.echo(t("保管期限：", "retention: ") + ", ".join(
        f"{t(*_RETENTION_WORDS.get(s, (s, s)))} {n}" for s, n in result.retention.items()))


@cli.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lookup(settings: Settings, code: str, as_json: bool) -> None:
    """Show what a barcode or customer number is, where it lives and what it holds."""
    from hudang.store.services import access
    from hudang.store.services.lookup import lookup as do_lookup

    open_db(settings)
    viewer = cli_viewer()
    result = do_lookup(code)
    for number in access.customer_numbers_of(result):
        if result.kind == "customer":
            access.open_customer_file(viewer, number, "cli lookup")
        else:
            access.record_view(viewer, number, "cli lookup", {"code": result.code})
    result = access.masked(result, viewer.role)
    if as_json:
        click.echo(dump_json(as_plain(result)))
        return
    click.echo(clean_text(describe_lookup(result)))


def describe_lookup(result) -> str:
    """A few readable lines about a lookup result."""
    from hudang.store.barcodes import kind_name
    from hudang.store.domain import BOX_STATUSES, CATEGORIES

    lines = [f"{kind_name(result.kind)}  {result.code}"]
    if result.customer:
        c = result.customer
        lines.append(f"{c.number}  {c.name}  {c.voltage_class}  {c.address}  {c.status}")
        if result.customer_contents:
            lines.append("  " + "  ".join(f"{CATEGORIES.get(k, k)} {n}" for k, n in
                                          sorted(result.customer_contents.items())))
        for b in result.customer_boxes or []:
            lines.append(t("  档案盒 {b}  {s}  {h}", "  box {b}  {s}  {h}", b=b.barcode,
                           s=BOX_STATUSES.get(b.status, b.status),
                           h=b.home.label if b.home else "—"))
    if result.document:
        d = result.document
        lines.append(f"{d.customer_number} {d.customer_name}  {CATEGORIES.get(d.category)}  "
                     f"{d.doc_type}  {d.title}  {d.page_count}p  {d.filed_on}")
    if result.volume:
        v = result.volume
        lines.append(f"{v.customer_number} {v.customer_name}  {v.title}")
    if result.box:
        b = result.box
        lines.append(t("档案盒 {b}  {s}", "box {b}  {s}", b=b.barcode,
                       s=BOX_STATUSES.get(b.status, b.status)))
        lines.append(t("  存放位置：{h}", "  home: {h}", h=b.home.label if b.home else "—"))
        lines.append(t("  当前位置：{c}", "  now:  {c}", c=b.current.label if b.current else "—"))
        for number, name in b.customers:
            lines.append(f"  {number} {name}")
        if b.contents:
            lines.append("  " + "  ".join(f"{CATEGORIES.get(k, k)} {n}"
                                          for k, n in sorted(b.contents.items())))
    if result.position:
        p = result.position
        lines.append(f"{p.location.label}  {p.location.used}/{p.location.capacity}")
        for b in p.home_boxes:
            lines.append(f"  {b.barcode}  {', '.join(n for _, n in b.customers)}")
    if result.user:
        u = result.user
        lines.append(f"{u.username}  {u.display_name}  {u.role}")
    return "\n".join(lines)


@cli.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search(settings: Settings, text: str, limit: int, as_json: bool) -> None:
    """Keyword search over customers: name, number, address, phone, ID (fuzzy, Chinese)."""
    from hudang.store.domain import CUSTOMER_STATUSES, VOLTAGE_CLASSES
    from hudang.store.search import search_customers
    from hudang.store.services.users import can_see_personal_data

    open_db(settings)
    viewer = cli_viewer()
    hits = search_customers(text, limit=min(limit, 500),
                            personal=can_see_personal_data(viewer.role))
    if as_json:
        emit([as_plain(h) for h in hits], True)
        return
    zh = settings.language == "zh"
    rows = [{"number": h.number, "name": h.name,
             "voltage": VOLTAGE_CLASSES.get(h.voltage_class, h.voltage_class) if zh
             else h.voltage_class,
             "status": CUSTOMER_STATUSES.get(h.status, h.status) if zh else h.status,
             "important": ("★" if h.important else ""), "address": h.address,
             "matched": h.matched} for h in hits]
    headers = {"number": "户号", "name": "户名", "voltage": "电压", "status": "状态",
               "important": "重要", "address": "地址", "matched": "匹配"} if zh else None
    emit(rows, False, headers)


@cli.command()
@click.argument("box")
@click.argument("position")
@click.option("--move", is_flag=True, help="Move the box if it already lives elsewhere.")
@click.pass_obj
def shelve(settings: Settings, box: str, position: str, move: bool) -> None:
    """Put a box on a shelf position (HV/LV zones and capacity are checked)."""
    from hudang.store.services import shelving

    open_db(settings)
    actor = actor_for(settings)
    outcome = (shelving.move_box if move else shelving.place_box)(box, position, actor)
    click.echo(t("{a}：{b} → {p}", "{a}: {b} -> {p}", a=outcome.action, b=outcome.box.barcode,
                 p=outcome.position.label))


@cli.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@click.option("--anchors", "anchor_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Anchor file to check against (default: HOME/audit.anchors).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit_verify(settings: Settings, anchor_file: Path | None, as_json: bool) -> None:
    """Check every audit row against the keyed chain and the anchors; exit 1 if tampered."""
    from hudang.cli_audit import read_anchors
    from hudang.store import audit as audit_log

    open_db(settings)
    from hudang.progress import progress_for

    anchors = read_anchors(anchor_file or settings.home / "audit.anchors")
    with progress_for(t("审计链", "audit chain"), quiet=as_json) as progress:
        report = audit_log.verify(anchors, progress=progress)
    if as_json:
        click.echo(dump_json(as_plain(report)))
        if not report.ok:
            sys.exit(1)
        return
    for note in report.notes:
        click.echo(t("注意：{n}", "note: {n}", n=note), err=True)
    if report.ok:
        click.echo(t("审计链完整：{n} 条，末条 #{s} {h}，核对锚点 {a} 个",
                     "audit chain intact: {n} events, head #{s} {h}, {a} anchors checked",
                     n=report.events, s=report.head_seq, h=report.head_hash,
                     a=report.anchors_checked))
        return
    click.echo(t("审计链被破坏：", "audit chain BROKEN:"), err=True)
    for p in report.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(1)


@audit.command("anchor")
@click.option("--file", "anchor_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Append-only anchor file (default: HOME/audit.anchors).")
@click.option("--print", "print_only", is_flag=True, help="Print the head instead (for signing).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit_anchor(settings: Settings, anchor_file: Path | None, print_only: bool,
                 as_json: bool) -> None:
    """Write the chain's head (seq, hash, time) outside the database, so later loss shows."""
    from hudang.cli_audit import append_anchor
    from hudang.store import audit as audit_log

    open_db(settings)
    head = audit_log.head()
    if print_only:
        click.echo(dump_json(as_plain(head)) if as_json else head.line())
        return
    path = append_anchor(anchor_file or settings.home / "audit.anchors", head)
    if as_json:
        click.echo(dump_json(as_plain(head) | {"file": str(path)}))
        return
    click.echo(t("已写入锚点 #{s} 到 {p}", "anchored head #{s} in {p}", s=head.seq, p=path))


@cli.group()
def config() -> None:
    """Settings."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def config_show(settings: Settings, as_json: bool) -> None:
    """Print the effective settings and where each came from."""
    rows = [{"setting": k, "value": v, "source": s} for k, v, s in settings.as_rows()]
    emit(rows, as_json)


from hudang.cli_watch import register as _register_watch

_register_watch(cli)  # watch, fsck, coversheet, attention
from hudang.cli_rules import register as _register_rules

_register_rules(cli)  # rules check/explain/test, retention recompute/due

from hudang.cli_users import register as _register_users  # noqa: E402  (issues 12, 16)

_register_users(cli)  # login, logout, whoami, user list/add/passwd/pin/role/deactivate/activate
from hudang.cli_loans import loan as _loan  # noqa: E402  (issue 4)

cli.add_command(_loan)  # loan request/approve/checkout/return/overdue/export/slip
from hudang.cli_site import register as _register_site

_register_site(cli)  # backup, restore, db copy
from hudang.cli_intake import register as _register_intake  # noqa: E402  (issue 13)

_register_intake(cli)  # customer, handover, document, volume, box, label
from hudang.cli_disposal import register as _register_disposal  # noqa: E402  (issue 15)

_register_disposal(cli)  # hold, disposal, fixity, check four-properties, export bag
from hudang.cli_business import register as _register_business  # (issue 14)

_register_business(cli)  # events, tasks, task waive, remind, process status, kpi, quality


def main() -> None:
    cli(prog_name="hudang")


if __name__ == "__main__":
    main()
