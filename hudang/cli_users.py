"""Signing in at the command line and managing staff accounts (issues 12 and 16)."""

from __future__ import annotations

import click

from hudang.cliparams import json_option
from hudang.cliutil import (
    cli_actor,
    current_user,
    drop_session,
    dump_json,
    echo_json,
    open_db,
    read_secret,
    save_session,
    settings_of,
    sign_in_policy,
    terminal_name,
)
from hudang.store.i18n import t

ROLE_CHOICES = click.Choice(["keeper", "approver", "admin", "auditor"])


@click.command("login")
@click.argument("username", required=False)
@click.option("--card", default=None, help="Sign in with a staff card code; the PIN is asked for.")
@click.pass_context
def login(ctx: click.Context, username: str | None, card: str | None) -> None:
    """Sign in: the password (or the staff card's PIN) from the terminal or one stdin line."""
    from hudang.store.errors import ValidationError
    from hudang.store.services import users

    settings = settings_of(ctx)
    open_db(settings)
    policy = sign_in_policy(settings)
    if card:
        pin = read_secret(t("PIN 或密码", "PIN or password"))
        info = users.authenticate_card(card, pin, terminal=terminal_name(), policy=policy)
    elif username:
        password = read_secret(t("{u} 的密码", "Password for {u}", u=username))
        info = users.authenticate(username, password, terminal=terminal_name(), policy=policy)
    else:
        raise ValidationError(t("请给出用户名或 --card", "give a username or --card"))
    old = drop_session(settings)
    if old:
        users.close_session(old)
    save_session(settings, users.open_session(info, terminal_name()), info.username)
    click.echo(t("已登录：{u}（{r}），{m} 分钟无操作后自动退出",
                 "signed in as {u} ({r}); the session ends after {m} idle minutes",
                 u=info.username, r=info.role, m=policy.session_idle_minutes))


@click.command("logout")
@click.pass_context
def logout(ctx: click.Context) -> None:
    """End this shell's session for this data directory."""
    from hudang.store.services import users

    settings = settings_of(ctx)
    token = drop_session(settings)
    if token is None:
        click.echo(t("未登录", "not signed in"))
        return
    open_db(settings)
    who = users.close_session(token)
    click.echo(t("已退出：{u}", "signed out: {u}", u=who.username if who else "—"))


@click.command("whoami")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def whoami(ctx: click.Context, as_json: bool) -> None:
    """Print the signed-in user (exit 1 when nobody is)."""
    user = current_user(settings_of(ctx))
    if as_json:
        click.echo(dump_json({"username": user.username, "display_name": user.display_name,
                              "role": user.role}))
        return
    click.echo(f"{user.username}  {user.display_name}  {user.role}")


@click.group("user")
def user() -> None:
    """Staff accounts (changes: administrators only)."""


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """Staff accounts with roles, staff cards, and whether they are active or locked."""
    from tabulate import tabulate

    from hudang.cliutil import clean_text
    from hudang.store.domain import ROLES
    from hudang.store.services.users import list_accounts

    settings = settings_of(ctx)
    open_db(settings)
    cli_actor()
    zh = settings.language == "zh"
    rows = [{"username": a.username, "name": a.display_name,
             "role": ROLES.get(a.role, a.role) if zh and not as_json else a.role,
             "department": a.department, "staff_card": a.staff_card or "",
             "active": a.active, "service": a.service, "pin": a.has_pin,
             "locked_until": a.locked_until.isoformat(timespec="seconds")
             if a.locked_until else ""} for a in list_accounts()]
    headers = {"username": "用户名", "name": "姓名", "role": "角色", "department": "部门",
               "staff_card": "工作证", "active": "启用", "service": "服务账号", "pin": "PIN",
               "locked_until": "锁定至"} if zh else None
    if as_json:
        click.echo(dump_json(rows))
        return
    keys = list(rows[0]) if rows else []
    click.echo(tabulate([[r[k] for k in keys] for r in clean_text(rows)],
                        headers=[(headers or {}).get(k, k) for k in keys]))


@user.command("add")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICES, required=True)
@click.option("--name", "display_name", default="", help="Display name (e.g. 张三).")
@click.option("--department", default="")
@click.option("--staff-card", default=None, help="Pre-printed staff card barcode.")
@click.option("--service", is_flag=True, help="A service account for scripts and the daemon.")
@json_option
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, display_name: str, department: str,
             staff_card: str | None, service: bool, as_json: bool) -> None:
    """Add an account; the password comes from the terminal or one line of standard input."""
    from hudang.store.services.users import add_user

    settings = settings_of(ctx)
    open_db(settings)
    actor = cli_actor("admin")
    password = read_secret(t("{u} 的密码", "Password for {u}", u=username), confirm=True)
    info = add_user(username, display_name, role, password, staff_card=staff_card,
                    department=department, actor=actor, service=service)
    if as_json:
        echo_json(info)
        return
    click.echo(t("已添加用户 {u}（{r}），工作证 {c}", "added {u} ({r}), staff card {c}",
                 u=info.username, r=info.role, c=info.staff_card or "—"))


@user.command("passwd")
@click.argument("username", required=False)
@click.pass_context
def user_passwd(ctx: click.Context, username: str | None) -> None:
    """Set a new password (your own, or anyone's as an administrator); ends their sessions."""
    from hudang.store.services.users import set_password

    settings = settings_of(ctx)
    open_db(settings)
    actor = cli_actor()
    target = username or actor.username
    set_password(target, read_secret(t("新密码", "New password"), confirm=True), actor)
    click.echo(t("已更改 {u} 的密码", "password of {u} changed", u=target))


@user.command("pin")
@click.argument("username", required=False)
@click.option("--remove", is_flag=True, help="Remove the PIN.")
@click.pass_context
def user_pin(ctx: click.Context, username: str | None, remove: bool) -> None:
    """Set the PIN that goes with a staff card (4-12 digits)."""
    from hudang.store.services.users import set_pin

    settings = settings_of(ctx)
    open_db(settings)
    actor = cli_actor()
    target = username or actor.username
    set_pin(target, None if remove else read_secret("PIN", confirm=True), actor)
    click.echo(t("已更改 {u} 的 PIN", "PIN of {u} changed", u=target))


@user.command("role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICES)
@click.pass_context
def user_role(ctx: click.Context, username: str, role: str) -> None:
    """Change an account's role (ends its sessions)."""
    from hudang.store.services.users import set_role

    settings = settings_of(ctx)
    open_db(settings)
    info = set_role(username, role, cli_actor("admin"))
    click.echo(t("{u} 的角色现为 {r}", "{u} is now {r}", u=info.username, r=info.role))


def _set_active(ctx: click.Context, username: str, active: bool) -> None:
    from hudang.store.services.users import set_active

    settings = settings_of(ctx)
    open_db(settings)
    info = set_active(username, active, cli_actor("admin"))
    click.echo(t("已启用 {u}", "{u} activated", u=info.username) if active
               else t("已停用 {u}（历史记录保留）", "{u} deactivated (history kept)",
                      u=info.username))


@user.command("deactivate")
@click.argument("username")
@click.pass_context
def user_deactivate(ctx: click.Context, username: str) -> None:
    """Stop an account from signing in; its history stays."""
    _set_active(ctx, username, False)


@user.command("activate")
@click.argument("username")
@click.pass_context
def user_activate(ctx: click.Context, username: str) -> None:
    """Let an account sign in again (also clears a lockout)."""
    _set_active(ctx, username, True)


def register(cli: click.Group) -> None:
    for command in (login, logout, whoami, user):
        cli.add_command(command)
