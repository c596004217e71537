"""Small dialogs of the loan desk: a reason (or note) to type, and the register export format."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from hudang.tui.i18n import bind_labelled
from hudang.tui.loans_i18n import LL
from hudang.tui.screens.base import DeskModal
from hudang.tui.widgets import StatusLine, TextField


class ReasonScreen(DeskModal[str | None]):
    """Ask for a reason or note; Enter answers with the text, Esc with None."""

    DEFAULT_CSS = """
    ReasonScreen { align: center middle; }
    ReasonScreen #reason { margin: 1 0 0 0; }
    """

    def __init__(self, question: str, *, required: bool) -> None:
        super().__init__()
        self.question = question
        self.required = required
        bind_labelled(self, [("escape", "close", "cancel")])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), id="question")
            yield TextField(id="reason")
            yield StatusLine("", id="reason-status")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one("#reason", Input)
        field.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)
        field.focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#reason-status", StatusLine).show(LL("reason_needed"), "error")
            return
        self.dismiss(text)

    def action_close(self) -> None:
        self.dismiss(None)


class ExportFormatScreen(DeskModal[str | None]):
    """CSV (C) or Excel (X) for the loan register; Esc cancels."""

    DEFAULT_CSS = "ExportFormatScreen { align: center middle; }"

    def __init__(self) -> None:
        super().__init__()
        bind_labelled(self, [("c", "choose('csv')", None), ("x", "choose('xlsx')", None),
                             ("escape", "choose('')", "cancel")])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # the CSV's encoding is the site's csv_encoding setting: say which it will be
            encoding = getattr(self.app.services, "csv_encoding", "utf-8-sig")
            yield Static(Text(LL("export_ask", e=encoding.upper())))
        yield Footer()

    def action_choose(self, fmt: str) -> None:
        self.dismiss(fmt or None)
