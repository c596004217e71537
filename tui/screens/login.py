"""Sign-in: a staff card plus PIN (alone only for keepers where the site allows), or a password.

Failed attempts are audited and lock the account after the configured count (the store does
both); after sign-out the next person signs in here.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.services.users import PinRequired
from hudang.tui.i18n import L
from hudang.tui.messages import SignedIn, SignInFailed
from hudang.tui.widgets import ScanField, StatusLine


class PinAsked(Message):
    """The scanned card needs its PIN (or the password) before it signs anyone in."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class LoginScreen(Screen):
    """Who is at the desk: a staff card (with its PIN where required) or username and password."""

    pending_card: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(Text(L("title"), style="bold"), id="login-title")
            yield Static(Text(L("login_hint")))
            note = getattr(self.app, "login_note", "")
            if note:
                yield Static(Text(note, style="dim"), id="login-note")
            yield ScanField(L("username"), id="username")
            yield Input(placeholder=L("password"), password=True, id="password")
            yield StatusLine("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#username").focus()

    @on(Input.Submitted, "#username")
    def _username(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        try:
            scan = default_scheme().parse(value)
        except ArchiveError as exc:
            self._fail(str(exc))
            return
        if scan.kind == "staff_card":
            event.input.value = ""
            self.pending_card = None
            self.sign_in_card(scan.code)
        else:
            self.pending_card = None
            self.query_one("#password").focus()

    @on(Input.Submitted, "#password")
    def _password(self, event: Input.Submitted) -> None:
        username = self.query_one("#username", Input).value.strip()
        if self.pending_card and not username and event.value:
            self.sign_in_card(self.pending_card, event.value)
        elif username:
            self.sign_in(username, event.value)
        event.input.value = ""

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def sign_in(self, username: str, password: str) -> None:
        try:
            user = self.app.services.authenticate(username, password)
        except ArchiveError as exc:
            self.post_message(SignInFailed(str(exc)))
            return
        self.post_message(SignedIn(user))

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def sign_in_card(self, code: str, pin: str | None = None) -> None:
        try:
            user = (self.app.services.authenticate_card(code) if pin is None
                    else self.app.services.authenticate_card(code, pin))
        except PinRequired:
            self.post_message(PinAsked(code))
            return
        except ArchiveError as exc:
            self.post_message(SignInFailed(str(exc)))
            return
        self.post_message(SignedIn(user))

    @on(PinAsked)
    def _pin_asked(self, message: PinAsked) -> None:
        self.pending_card = message.code
        self.query_one("#status", StatusLine).show(L("pin_prompt"), "warn")
        field = self.query_one("#password", Input)
        field.placeholder = L("pin")
        field.focus()

    @on(SignInFailed)
    def _failed(self, message: SignInFailed) -> None:
        self._fail(message.error)

    def _fail(self, error: str) -> None:
        self.pending_card = None
        self.query_one("#password", Input).placeholder = L("password")
        self.query_one("#status", StatusLine).show(error, "error")
        self.query_one("#username").focus()

    @on(SignedIn)
    def _signed_in(self, message: SignedIn) -> None:
        self.app.signed_in(message.user)
