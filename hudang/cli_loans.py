"""`hudang loan …`: the loan desk from the shell, and the adapter from the YAML rules' policy.

The store's loan services take any policy answering `LoanPolicyLike`; `load_loan_policy`
gives them the `loans:` section of the rules directory's policies.yaml when there is one
(through `RulesLoanPolicy`), and the built-in defaults otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from hudang.cliparams import (
    GRANT_STATUSES,
    LOAN_STATUSES,
    POSITIVE,
    OutputFile,
    as_option,
    csv_encoding,
    csv_encoding_option,
    echo_csv_note,
    json_option,
)
from hudang.cliutil import cli_actor, echo_clean, echo_json, open_db
from hudang.settings import Settings
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.loan_policy import DEFAULT_POLICY, USE_KINDS, LoanPolicyLike
from hudang.wiring import (  # noqa: F401  (old names, kept for callers)
    GENERIC_APPROVERS,
    RULES_USE,
    RulesLoanPolicy,
    load_loan_policy,
)



def _audit_views(viewer, numbers, what: str, path: Path) -> None:
    """Every important customer written to an export or slip is a view, in the audit log."""
    from hudang.store.services import access

    for number in dict.fromkeys(n for n in numbers if n):
        access.record_view(viewer, number, what, {"file": path.name})


def _describe(loan, policy: LoanPolicyLike = DEFAULT_POLICY) -> str:
    """A few readable lines about a slip and its items."""
    zh, en = USE_KINDS.get(loan.use_kind, (loan.use_kind, loan.use_kind))
    lines = [f"{loan.slip_no}  {loan.status}  {loan.requester_name}（{loan.requester}）"
             f"  {loan.department}  {t(zh, en)}",
             t("  目的：{p}", "  purpose: {p}", p=loan.purpose),
             t("  应还：{d}  续借 {n} 次", "  due: {d}  renewed {n}x", d=loan.due_on or "—",
               n=loan.renewals)]
    if loan.approval_reasons:
        lines.append(t("  需审批：{r}", "  needs approval: {r}",
                       r="；".join(policy.reason_text(r) for r in loan.approval_reasons)))
    if loan.approver:
        lines.append(t("  审批：{a} {n}", "  decided by {a}: {n}", a=loan.approver_name,
                       n=loan.decision_note))
    for i in loan.items:
        home = i.home.code if i.home else "—"
        extra = (t(" 损坏", " damaged") if i.damaged else "") + (
            t(" 缺失：", " missing: ") + i.missing if i.missing else "")
        lines.append(f"  - {i.status:<9} {i.box_barcode}  {home}  {i.customer_number or ''} "
                     f"{i.customer_name or ''}  {i.title}{extra}")
    return "\n".join(lines)


@click.group("loan")
def loan() -> None:
    """出借：申请、审批、出库、归还、逾期、台帐 / loans: request, approve, check out, return."""


@loan.command("request")
@click.argument("requester")
@click.argument("codes", nargs=-1, required=True)
@click.option("--purpose", required=True, help="借阅目的 / why the files are needed.")
@click.option("--use", "use_kind", type=click.Choice(list(USE_KINDS)), default="reading",
              show_default=True)
@click.option("--days", type=POSITIVE, default=None,
              help="Period wanted (default: the most allowed).")
@click.option("--reader-type", default=None)
@click.option("--department", default=None)
@click.option("--override-by", default=None, help="Approver lifting an overdue/limit block.")
@click.option("--override-reason", default="")
@as_option
@json_option
@click.pass_obj
def request_cmd(settings: Settings, requester: str, codes: tuple[str, ...], purpose: str,
                use_kind: str, days: int | None, reader_type: str | None,
                department: str | None, override_by: str | None, override_reason: str,
                as_user: str | None, as_json: bool) -> None:
    """Register a slip for REQUESTER; CODES: customer numbers, volume/document/box barcodes."""
    from hudang.store.services import loans

    policy = load_loan_policy(settings)
    open_db(settings)
    info = loans.request_loan(requester, codes, purpose=purpose, use_kind=use_kind,
                              actor=cli_actor(as_user=as_user), wanted_days=days,
                              reader_type=reader_type,
                              department=department, policy=policy, override_by=override_by,
                              override_reason=override_reason)
    echo_json(info) if as_json else echo_clean(_describe(info, policy))


@loan.command("list")
@click.option("--status", type=click.Choice(LOAN_STATUSES), default=None)
@click.option("--requester", default=None)
@json_option
@click.pass_obj
def list_cmd(settings: Settings, status: str | None, requester: str | None, as_json: bool) -> None:
    """List slips, newest first."""
    from hudang.store.services import loans

    open_db(settings)
    rows = loans.list_loans(status, requester)
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        echo_clean(f"{r.slip_no}  {r.status:<9} {r.requester_name:<8} {r.use_kind:<9} "
                   f"{r.due_on or '—'}  {len(r.items)}")


@loan.command("show")
@click.argument("slip")
@json_option
@click.pass_obj
def show_cmd(settings: Settings, slip: str, as_json: bool) -> None:
    """Show one slip with its items."""
    from hudang.store.services import loans

    policy = load_loan_policy(settings)
    open_db(settings)
    info = loans.get_loan(slip)
    echo_json(info) if as_json else echo_clean(_describe(info, policy))


@loan.command("approve")
@click.argument("slip")
@click.option("--note", default="")
@as_option
@click.pass_obj
def approve_cmd(settings: Settings, slip: str, note: str, as_user: str | None) -> None:
    """Approve a pending slip (as an approver who is not the requester)."""
    from hudang.store.services import loans

    policy = load_loan_policy(settings)
    open_db(settings)
    info = loans.approve(slip, cli_actor(as_user=as_user), note, policy)
    click.echo(t("已批准 {s}", "approved {s}", s=info.slip_no))


@loan.command("reject")
@click.argument("slip")
@click.option("--reason", required=True)
@as_option
@click.pass_obj
def reject_cmd(settings: Settings, slip: str, reason: str, as_user: str | None) -> None:
    """Reject a pending slip with a reason."""
    from hudang.store.services import loans

    policy = load_loan_policy(settings)
    open_db(settings)
    info = loans.reject(slip, cli_actor(as_user=as_user), reason, policy)
    click.echo(t("已驳回 {s}", "rejected {s}", s=info.slip_no))


@loan.command("checkout")
@click.argument("slip")
@click.argument("codes", nargs=-1)
@as_option
@json_option
@click.pass_obj
def checkout_cmd(settings: Settings, slip: str, codes: tuple[str, ...],
                 as_user: str | None, as_json: bool) -> None:
    """Without CODES print the pick list (walking order); with CODES scan each one out."""
    from hudang.store.services import loan_desk

    policy = load_loan_policy(settings)
    open_db(settings)
    if not codes:
        picks = loan_desk.pick_list(slip)
        if as_json:
            echo_json(picks)
            return
        for n, i in enumerate(picks, 1):
            echo_clean(f"{n:>3}. {i.home.label if i.home else '—'}  {i.box_barcode}  "
                       f"{i.customer_number or ''} {i.customer_name or ''}  {i.title}")
        return
    results, failed = [], False
    for code in codes:
        try:
            out = loan_desk.checkout_item(slip, code, cli_actor(as_user=as_user), policy)
        except ArchiveError as exc:
            click.echo(t("{c}：{m}", "{c}: {m}", c=code, m=exc), err=True)
            results.append({"code": code, "ok": False, "error": str(exc)})
            failed = True
            continue
        results.append({"code": code, "ok": True, "box": out.item.box_barcode,
                        "due_on": out.loan.due_on, "remaining": out.remaining})
        if not as_json:
            click.echo(t("已出库 {b}，应还 {d}，剩余 {n} 项", "out: {b}, due {d}, {n} left",
                         b=out.item.box_barcode, d=out.loan.due_on, n=out.remaining))
    if as_json:
        echo_json(results)
    if failed:
        sys.exit(1)


@loan.command("return")
@click.argument("codes", nargs=-1, required=True)
@click.option("--damaged", is_flag=True, help="The item came back damaged.")
@click.option("--missing", default="", help="What did not come back.")
@click.option("--note", default="")
@as_option
@json_option
@click.pass_obj
def return_cmd(settings: Settings, codes: tuple[str, ...], damaged: bool, missing: str,
               note: str, as_user: str | None, as_json: bool) -> None:
    """Take items back; each box then waits to be reshelved at its home position."""
    from hudang.store.services import loan_desk

    open_db(settings)
    results, failed = [], False
    for code in codes:
        try:
            out = loan_desk.return_item(code, cli_actor(as_user=as_user), damaged=damaged,
                                        missing=missing,
                                        note=note)
        except ArchiveError as exc:
            click.echo(t("{c}：{m}", "{c}: {m}", c=code, m=exc), err=True)
            results.append({"code": code, "ok": False, "error": str(exc)})
            failed = True
            continue
        home = out.home.code if out.home else None
        results.append({"code": code, "ok": True, "box": out.item.box_barcode,
                        "slip_no": out.loan.slip_no, "reshelve_at": home,
                        "still_out": out.still_out})
        if not as_json:
            click.echo(t("已归还 {b} → 待归架：{h}", "back: {b} -> reshelve at {h}",
                         b=out.item.box_barcode, h=out.home.label if out.home else "—"))
    if as_json:
        echo_json(results)
    if failed:
        sys.exit(1)


@loan.command("reshelve")
@click.argument("box")
@click.argument("position")
@as_option
@click.pass_obj
def reshelve_cmd(settings: Settings, box: str, position: str, as_user: str | None) -> None:
    """Scan a returned box onto its shelf position."""
    from hudang.store.services import loan_desk

    open_db(settings)
    out = loan_desk.reshelve(box, position, cli_actor(as_user=as_user))
    click.echo(f"{out.action}: {out.box.barcode} -> {out.position.label}")


@loan.command("renew")
@click.argument("slip")
@as_option
@click.pass_obj
def renew_cmd(settings: Settings, slip: str, as_user: str | None) -> None:
    """Extend a slip's due date within policy."""
    from hudang.store.services import loans

    policy = load_loan_policy(settings)
    open_db(settings)
    info = loans.renew(slip, cli_actor(as_user=as_user), policy)
    click.echo(t("已续借 {s}，应还 {d}", "renewed {s}, due {d}", s=info.slip_no, d=info.due_on))


@loan.command("cancel")
@click.argument("slip")
@click.option("--reason", default="")
@as_option
@click.pass_obj
def cancel_cmd(settings: Settings, slip: str, reason: str, as_user: str | None) -> None:
    """Cancel a pending or approved slip (or drop the items never taken)."""
    from hudang.store.services import loans

    open_db(settings)
    info = loans.cancel(slip, cli_actor(as_user=as_user), reason)
    click.echo(t("{s} 现为 {st}", "{s} is now {st}", s=info.slip_no, st=info.status))


@loan.command("overdue")
@click.option("--reminders", type=OutputFile((".pdf",)), default=None,
              help="Also write reminder slips (PDF) here.")
@json_option
@click.pass_obj
def overdue_cmd(settings: Settings, reminders: Path | None, as_json: bool) -> None:
    """The overdue list: borrower, items, days overdue."""
    from hudang.store.services import loan_slip, loans

    open_db(settings)
    today = dt.date.today()
    rows = loans.overdue_list(today)
    if as_json:
        echo_json(rows)
    else:
        for r in rows:
            echo_clean(t("{s}  {n}（{d}）  应还 {due}  逾期 {k} 天", "{s}  {n} ({d})  due {due}  "
                         "{k} day(s) overdue", s=r.slip_no, n=r.borrower_name, d=r.department,
                         due=r.due_on, k=r.days_overdue))
            for i in r.items:
                echo_clean(f"    {i.box_barcode}  {i.customer_number or ''} {i.title}")
        if not rows:
            click.echo(t("没有逾期的出借单", "no overdue loans"))
    if reminders:
        reminders.write_bytes(loan_slip.reminder_slips_pdf(rows, today))
        click.echo(t("催还单已写入 {p}", "reminders written to {p}", p=reminders), err=as_json)


@loan.command("reading-room")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def reading_room_cmd(settings: Settings, as_json: bool) -> None:
    """Items still in the reading room (check at closing)."""
    from hudang.store.services import loan_desk

    open_db(settings)
    rows = loan_desk.in_reading_room()
    if as_json:
        echo_json(rows)
        return
    for i in rows:
        echo_clean(f"{i.slip_no}  {i.box_barcode}  {i.customer_number or ''} {i.title}")
    if not rows:
        click.echo(t("阅览室内没有未归还的档案", "nothing is left in the reading room"))


@loan.command("export")
@click.argument("path", type=OutputFile((".csv", ".xlsx")))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--status", type=click.Choice(LOAN_STATUSES), default=None)
@csv_encoding_option
@click.pass_obj
def export_cmd(settings: Settings, path: Path, since, until, status: str | None,
               encoding: str | None) -> None:
    """Export the loan register (台帐) to PATH: .csv or .xlsx."""
    from hudang.store.services import loan_export

    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter(t("文件名须以 .csv 或 .xlsx 结尾", "use a .csv or .xlsx name"))
    open_db(settings)
    viewer = cli_actor()
    rows = loan_export.register_rows(since.date() if since else None,
                                     until.date() if until else None, status)
    if path.suffix.lower() == ".xlsx":
        n = loan_export.export_xlsx(path, rows)
    else:
        written = loan_export.export_csv(path, rows, csv_encoding(settings, encoding))
        echo_csv_note(written)
        n = written.rows
    _audit_views(viewer, [r.get("customer_number") for r in rows], "loan export", path)
    click.echo(t("已导出 {n} 行到 {p}", "exported {n} rows to {p}", n=n, p=path))


@loan.command("slip")
@click.argument("slip")
@click.argument("path", type=OutputFile((".pdf",)))
@click.pass_obj
def slip_cmd(settings: Settings, slip: str, path: Path) -> None:
    """Write the printable borrowing slip (出借单, PDF) of SLIP to PATH."""
    from hudang.store.services import loan_slip, loans

    open_db(settings)
    viewer = cli_actor()
    info = loans.get_loan(slip)
    loan_slip.write_loan_slip(info, path)
    _audit_views(viewer, [getattr(i, "customer_number", None) for i in info.items], "loan slip",
                 path)
    click.echo(t("出借单已写入 {p}", "slip written to {p}", p=path))


@loan.group("grant")
def grant() -> None:
    """重要客户电子档案阅览授权 / reading grants for important customers' scanned pages."""


@grant.command("request")
@click.argument("username")
@click.argument("customer")
@click.option("--reason", required=True)
@click.option("--days", type=POSITIVE, default=1, show_default=True)
@as_option
@json_option
@click.pass_obj
def grant_request_cmd(settings: Settings, username: str, customer: str, reason: str, days: int,
                      as_user: str | None, as_json: bool) -> None:
    """Ask for USERNAME to read CUSTOMER's scanned pages for some days."""
    from hudang.store.services import loan_grants

    policy = load_loan_policy(settings)
    open_db(settings)
    g = loan_grants.request_reading(username, customer, reason, days,
                                    cli_actor(as_user=as_user), policy)
    if as_json:
        echo_json(g)
        return
    click.echo(t("授权申请 #{i} 已登记", "grant request #{i} registered", i=g.id))


@grant.command("approve")
@click.argument("grant_id", type=int)
@click.option("--note", default="")
@as_option
@click.pass_obj
def grant_approve_cmd(settings: Settings, grant_id: int, note: str, as_user: str | None) -> None:
    """Approve a reading grant; it runs from now for its days."""
    from hudang.store.services import loan_grants

    policy = load_loan_policy(settings)
    open_db(settings)
    g = loan_grants.approve_reading(grant_id, cli_actor(as_user=as_user), note, policy)
    click.echo(t("授权 #{i} 有效至 {u}（UTC）", "grant #{i} valid until {u} (UTC)", i=g.id,
                 u=g.valid_until))


@grant.command("reject")
@click.argument("grant_id", type=int)
@click.option("--reason", required=True)
@as_option
@click.pass_obj
def grant_reject_cmd(settings: Settings, grant_id: int, reason: str, as_user: str | None) -> None:
    """Refuse a reading grant."""
    from hudang.store.services import loan_grants

    policy = load_loan_policy(settings)
    open_db(settings)
    g = loan_grants.reject_reading(grant_id, cli_actor(as_user=as_user), reason, policy)
    click.echo(t("授权 #{i} 已驳回", "grant #{i} rejected", i=g.id))


@grant.command("revoke")
@click.argument("grant_id", type=int)
@click.option("--reason", default="")
@as_option
@click.pass_obj
def grant_revoke_cmd(settings: Settings, grant_id: int, reason: str, as_user: str | None) -> None:
    """End a reading grant now."""
    from hudang.store.services import loan_grants

    open_db(settings)
    g = loan_grants.revoke_reading(grant_id, cli_actor(as_user=as_user), reason)
    click.echo(t("授权 #{i} 已撤销", "grant #{i} revoked", i=g.id))


@grant.command("list")
@click.option("--status", type=click.Choice(GRANT_STATUSES), default=None)
@json_option
@click.pass_obj
def grant_list_cmd(settings: Settings, status: str | None, as_json: bool) -> None:
    """List reading grants."""
    from hudang.store.services import loan_grants

    open_db(settings)
    rows = loan_grants.list_grants(status)
    if as_json:
        echo_json(rows)
        return
    for g in rows:
        echo_clean(f"#{g.id}  {g.status:<9} {g.username}  {g.customer_number} {g.customer_name}"
                   f"  {g.valid_until or '—'}")


@grant.command("check")
@click.argument("username")
@click.argument("customer")
@json_option
@click.pass_obj
def grant_check_cmd(settings: Settings, username: str, customer: str, as_json: bool) -> None:
    """Say whether USERNAME may see CUSTOMER's scanned pages now (exit 1 if not)."""
    from hudang.store.services import loan_grants

    open_db(settings)
    may = loan_grants.can_view_pages(username, customer)
    if as_json:
        echo_json({"username": username, "customer": customer, "may_view": may})
        sys.exit(0 if may else 1)
    if may:
        click.echo(t("可以查看", "may view"))
        return
    click.echo(t("无权查看（需经批准的阅览授权）", "may not view (needs an approved grant)"))
    sys.exit(1)
