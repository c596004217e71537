"""Dialogs: confirm, choose a box class, help, and the lock screen."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Static

from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.i18n import language
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import SignedIn, SignInFailed
from hudang.tui.widgets import StatusLine


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question answered with Y or N (Esc is no).

    Enter deliberately answers nothing: a scanner ends every code with Enter, and the next
    box scanned while the question is open must not say "yes" to a move.
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        bind_labelled(self, [("y", "answer(True)", "confirm"),
                             ("n,escape", "answer(False)", "cancel")])

    AUTO_FOCUS = None  # nothing focused, so Enter presses no button

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), id="question")
            with Horizontal(classes="buttons"):
                for label, key, variant in ((L("confirm"), "yes", "primary"),
                                            (L("cancel"), "no", "default")):
                    button = Button(f"{label} ({key[0].upper()})", id=key, variant=variant)
                    button.can_focus = False
                    yield button
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class BoxClassScreen(ModalScreen[str | None]):
    """High voltage (H) or low voltage (L) for a new box."""

    def __init__(self) -> None:
        super().__init__()
        bind_labelled(self, [("h", "choose('HV')", None), ("l", "choose('LV')", None),
                             ("escape", "choose('')", "cancel")])

    AUTO_FOCUS = None  # a stray scanner Enter must not pick a class

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(L("new_box_ask")))
            with Horizontal(classes="buttons"):
                for key in ("HV", "LV"):
                    button = Button(f"{key} ({key[0]})", id=key, variant="primary")
                    button.can_focus = False
                    yield button
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, value: str) -> None:
        self.dismiss(value or None)


HELP_ZH = """\
户档 · 阅览室 — 按键

任何时候：扫描条码后回车。扫描框始终等待下一次扫描。
  档案盒 / 案卷 / 文件条码 → 显示所在档案盒、归属架位与当前位置（大字）、状态、最近移动
  架位条码 → 应在此处的档案盒与空余容量
  户号 → 打开一户一档
  其他文字 → 关键词检索（户名、户号、电话、地址、拼音首字母）

F1 帮助    F2 检索    F3 上架    F4 盘点    F6 归还    F7 出借    F8 打印标签    F9 待处理
Ctrl+P 命令面板    Ctrl+L 锁定    Ctrl+Q 退出    Esc 返回
一户一档：1-5 切换类别，[ ] 上一类/下一类
上架：先扫架位，再逐个扫档案盒；F5 新档案盒（打印标签并建议架位），F6 为最后一盒建议架位
盘点：先扫描或输入范围，再扫格位、扫档案盒；F9 完成并出报告，F10 导出 CSV，F8 打印本范围架位标签
待处理（F9）：回车选中一项，扫描户号（或文件条码），按 1-5 选类别即归档
接收（F10，或扫描移交清单条码）：先扫移交批次，再逐件扫文件（条码*页数 更正页数）；F5 其余列入待补交，F6 打印移交清单，F7 双方签字并关闭
装盒（F11）：先扫档案盒（F5 新建），再扫案卷或文件；换盒或返回时打印该盒标签（F8 随时打印），F6 打印盒内目录
确认框只认 Y / N：扫描枪的回车不会替你回答；对话框打开时的扫描照样查询并记入扫描记录
借出的档案只显示为借出：按 F6 进入归还模式才会办理归还
"""
HELP_EN = """\
hudang · reading room — keys

Any time: scan a code (the scanner presses Enter). The scan field always waits for the next scan.
  box / volume / document code → its box, home and current position (large), status, moves
  shelf position code → the boxes that belong there and the free capacity
  customer number → the customer's file
  anything else → keyword search (name, number, phone, address, pinyin initials)

F1 help    F2 search    F3 shelving    F4 stocktake    F6 check-in    F7 loans    F8 print label
F9 needs attention (scans the daemon could not link: scan a customer number, 1-5 category)
Ctrl+P command palette    Ctrl+L lock    Ctrl+Q quit    Esc back
Customer file: 1-5 switch category, [ ] previous / next
Shelving: scan a position, then boxes one by one; F5 new box (prints its label, suggests a
position), F6 suggest a position for the last box
Stocktake: scan or type the scope, then positions and boxes; F9 finish and report, F10 CSV,
F8 position labels for the scope
Receiving (F10, or scan a handover list): scan the batch, then each document (code*pages
corrects pages); F5 rest to the to-supply list, F6 handover list PDF, F7 sign and close
Boxing (F11): scan a box (F5 new box), then volumes or documents; its label prints when you
move on or leave (F8 any time), F6 contents list
Questions take Y or N only: a scanner's Enter never answers them; scans made meanwhile are
still looked up and listed. An item on loan is only shown as such: F6 opens check-in
"""


class HelpScreen(ModalScreen[None]):
    """The keys and what scanning does."""

    def __init__(self) -> None:
        super().__init__()
        bind_labelled(self, [("escape,f1,q", "close", "back")])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Static(Text(HELP_EN if language() == "en" else HELP_ZH))
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


class LockScreen(Screen[None]):
    """Covers the desk until the same user scans their card or enters their password."""

    def compose(self) -> ComposeResult:
        user = self.app.user
        with Vertical(id="login-box"):
            yield Static(Text(L("locked"), style="bold"), id="login-title")
            yield Static(Text(L("unlock_hint", u=user.display_name if user else "")))
            yield Input(placeholder=f"{L('staff')} / {L('password')}", password=True,
                        id="unlock")
            yield StatusLine("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one("#unlock", Input)
        field.cursor_blink = self.app.cursor_blink_enabled
        field.focus()

    @on(Input.Submitted, "#unlock")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value
        event.input.value = ""
        if value:
            self.check(value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def check(self, value: str) -> None:
        services, user = self.app.services, self.app.user
        try:
            try:
                is_card = default_scheme().parse(value).kind == "staff_card"
            except ArchiveError:
                is_card = False
            who = (services.authenticate_card(value) if is_card
                   else services.authenticate(user.username, value))
        except ArchiveError as exc:
            self.post_message(SignInFailed(str(exc)))
            return
        if who.username != user.username:
            self.post_message(SignInFailed(L("wrong_user", u=user.display_name)))
            return
        self.post_message(SignedIn(who))

    @on(SignInFailed)
    def _failed(self, message: SignInFailed) -> None:
        self.query_one("#status", StatusLine).show(message.error, "error")

    @on(SignedIn)
    def _ok(self, message: SignedIn) -> None:
        self.dismiss(None)
