"""The administrator's account screen: add, change role, reset password or PIN, (de)activate."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from hudang.store.domain import ROLES
from hudang.store.errors import ArchiveError
from hudang.store.i18n import language, t
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.screens.main import top_bar_text
from hudang.tui.widgets import StatusLine


class AccountsLoaded(Message):
    def __init__(self, accounts: list, note: str = "", error: str = "") -> None:
        super().__init__()
        self.accounts, self.note, self.error = accounts, note, error


def _role_name(role: str) -> str:
    return role if language() == "en" else ROLES.get(role, role)


class UsersScreen(Screen):
    """Accounts in a table; the form below names the new user, role and password or PIN."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list = []
        bind_labelled(self, [("escape", "back", "back")])
        self._bindings.bind("f2", "add", t("添加", "Add"))
        self._bindings.bind("f4", "role", t("改角色", "Set role"))
        self._bindings.bind("f5", "password", t("重置密码", "Reset password"))
        self._bindings.bind("f6", "toggle", t("停用/启用", "Deactivate/activate"))
        self._bindings.bind("f7", "pin", t("设置 PIN", "Set PIN"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("users")), id="topbar")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="user-form"):
            yield Input(placeholder=t("新用户名", "new username"), id="new-username")
            yield Input(placeholder=t("姓名", "display name"), id="new-name")
            yield Select([(_role_name(r), r) for r in ROLES], value="keeper", allow_blank=False,
                         id="new-role")
            yield Input(placeholder=t("密码 / PIN", "password / PIN"), password=True,
                        id="new-secret")
        yield StatusLine(Text(t("F2 添加 · F4 改角色 · F5 重置密码 · F6 停用/启用 · F7 设置 PIN",
                                "F2 add · F4 role · F5 reset password · F6 (de)activate · "
                                "F7 PIN")), id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#accounts", DataTable)
        for key, label in (("username", t("用户名", "Username")), ("name", t("姓名", "Name")),
                           ("role", t("角色", "Role")), ("card", t("工作证", "Staff card")),
                           ("state", t("状态", "State")), ("pin", "PIN")):
            table.add_column(label, key=key)
        table.focus()
        self.refresh_accounts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="users")
    def refresh_accounts(self, note: str = "") -> None:
        try:
            self.post_message(AccountsLoaded(self.app.services.accounts(), note))
        except ArchiveError as exc:
            self.post_message(AccountsLoaded([], error=str(exc)))

    @on(AccountsLoaded)
    def _loaded(self, message: AccountsLoaded) -> None:
        table = self.query_one("#accounts", DataTable)
        row = table.cursor_row
        table.clear()
        self.accounts = message.accounts
        for a in message.accounts:
            state = (t("已停用", "inactive") if not a.active else
                     t("已锁定", "locked") if a.locked_until else t("正常", "active"))
            table.add_row(Text(a.username), Text(a.display_name), Text(_role_name(a.role)),
                          Text(a.staff_card or "—"), Text(state),
                          Text("✓" if a.has_pin else ""), key=a.username)
        if self.accounts:
            table.move_cursor(row=min(row, len(self.accounts) - 1))
        status = self.query_one("#status", StatusLine)
        if message.error:
            status.show(message.error, "error")
        elif message.note:
            status.show(message.note, "ok")

    def _selected(self):
        table = self.query_one("#accounts", DataTable)
        if not self.accounts:
            return None
        return self.accounts[max(0, min(table.cursor_row, len(self.accounts) - 1))]

    def _form(self) -> tuple[str, str, str, str]:
        q = self.query_one
        return (q("#new-username", Input).value.strip(), q("#new-name", Input).value.strip(),
                str(q("#new-role", Select).value), q("#new-secret", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="users-change")
    def change(self, action: str, username: str, note: str, **values) -> None:
        try:
            self.app.services.manage_user(action, username, self.app.actor, **values)
        except ArchiveError as exc:
            self.post_message(AccountsLoaded(self.accounts, error=str(exc)))
            return
        self.refresh_accounts(note)

    def _clear_secret(self) -> None:
        self.query_one("#new-secret", Input).value = ""

    def action_add(self) -> None:
        username, name, role, secret = self._form()
        self._clear_secret()
        self.change("add", username, t("已添加 {u}", "added {u}", u=username),
                    display_name=name, role=role, password=secret)
        self.query_one("#new-username", Input).value = ""
        self.query_one("#new-name", Input).value = ""

    def action_role(self) -> None:
        account = self._selected()
        if account is not None:
            role = self._form()[2]
            self.change("role", account.username, t("{u} 的角色改为 {r}", "{u} is now {r}",
                                                    u=account.username, r=_role_name(role)),
                        role=role)

    def action_password(self) -> None:
        account, secret = self._selected(), self._form()[3]
        self._clear_secret()
        if account is not None:
            self.change("password", account.username,
                        t("已重置 {u} 的密码", "password of {u} reset", u=account.username),
                        password=secret)

    def action_pin(self) -> None:
        account, secret = self._selected(), self._form()[3]
        self._clear_secret()
        if account is not None:
            self.change("pin", account.username,
                        t("已设置 {u} 的 PIN", "PIN of {u} set", u=account.username), pin=secret)

    def action_toggle(self) -> None:
        account = self._selected()
        if account is not None:
            action = "deactivate" if account.active else "activate"
            who = account.username
            note = (t("已停用 {u}（历史保留）", "{u} deactivated (history kept)", u=who)
                    if account.active else t("已启用 {u}", "{u} activated", u=who))
            self.change(action, account.username, note)

    def action_back(self) -> None:
        self.app.pop_screen()
