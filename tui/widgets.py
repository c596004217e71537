"""The desk's widgets: the scan field, the big position block, the result pane, the scan list."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.cells import set_cell_size
from rich.console import RenderableType
from rich.segment import Segment, SegmentLines
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import visualize
from textual.widget import Widget
from textual.widgets import Digits, Input, Static

from hudang.store.i18n import language
from hudang.store.services.dto import LocationInfo, LookupResult
from hudang.tui import render
from hudang.tui.i18n import L
from hudang.tui.messages import ResultRendered


def render_promptly(screen: Screen) -> None:
    """Let `screen` paint as soon as it has changes, not one or two frame periods later.

    Textual repaints a screen from an interval timer that is paused while nothing changes.
    With the timer's default "skip" mode, a resume after an idle spell waits for the slot
    after next (17-33 ms at 60 fps): most of the scan-to-screen latency. Without skipping,
    a timer that is behind its schedule (as it is after any idle spell) fires as soon as it
    is resumed; changes still coalesce into one paint per idle moment of the screen.
    (Harmless no-op if a Textual release renames these internals.)
    """
    timer = getattr(screen, "_update_timer", None)
    if timer is not None and hasattr(timer, "_skip"):
        timer._skip = False


class ScanField(Input):
    """The one input a handheld scanner types into; Enter commits the scan.

    On a screen that takes scans (`handle_scan`), Enter hands the text to the app's scan
    stream and empties the field at that moment, before any later key is read: keys a fast
    scanner sends after Enter start the next scan instead of being wiped or merged. Elsewhere
    (the login screen) it is a plain Input that posts `Submitted`.
    """

    def __init__(self, placeholder: str | None = None, **kwargs) -> None:
        super().__init__(placeholder=placeholder or L("scan_placeholder"), **kwargs)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)

    def _stream(self):
        """The app's scan stream when this field's screen takes scans, else None."""
        submit = getattr(self.app, "submit_scan", None)
        return submit if getattr(self.screen, "handle_scan", None) is not None else None

    async def _on_key(self, event: events.Key) -> None:
        # Enter is taken here, in the field's own key order: a binding would run only after
        # the key bubbled up to the app, by when the next code's keys are already typed in.
        submit = self._stream() if event.key == "enter" else None
        if submit is not None:
            event.stop()
            event.prevent_default()
            raw, self.value = self.value, ""
            submit(raw)
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        submit = self._stream()
        if submit is None:
            await super().action_submit()
            return
        raw, self.value = self.value, ""
        submit(raw)

    def on_blur(self) -> None:
        """A screen opened while a code was half typed: its first keys go with the rest."""
        carry = getattr(self.app, "carry_keys", None)
        if self.value and carry is not None and getattr(self.screen, "handle_scan", None):
            carry(self.value)
            self.value = ""


class TextField(Input):
    """A form's text field that a scanner may fire into: a code at its end becomes a scan.

    Enter is looked at in the field's own key order, so the code is cut off before the next
    keys arrive; `keep` names the kinds of code that belong in this field (a staff card in
    the borrower field) and stay typed.
    """

    def __init__(self, *args, keep: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keep = keep

    async def _on_key(self, event: events.Key) -> None:
        submit = getattr(self.app, "submit_scan", None)
        if event.key == "enter" and submit is not None:
            from hudang.tui.scanstream import trailing_code

            split = trailing_code(self.value)
            if split is not None and not (self.keep and not split[0].strip()
                                          and _kind(split[1]) in self.keep):
                event.stop()
                event.prevent_default()
                self.value = split[0]
                submit(split[1])
                return
        await super()._on_key(event)


def _kind(code: str) -> str:
    from hudang.store.barcodes import default_scheme

    return default_scheme().parse(code).kind


class StatusLine(Static):
    """One line saying what just happened: plain, ok (green), warn (yellow) or error (red)."""

    STYLES: ClassVar[dict[str, str]] = {"info": "", "ok": "green", "warn": "bold yellow",
                                        "error": "bold red"}

    def show(self, message: str, level: str = "info") -> None:
        # A styled Text, not a CSS class: changing classes restyles the node (slow per scan).
        self.update(Text(message, style=self.STYLES.get(level, "")), layout=False)
        self.message_text = message
        self.level = level

    def on_mount(self) -> None:
        self.message_text = ""
        self.level = "info"


class PositionBig(Vertical):
    """A position code in large type with its full name underneath."""

    def __init__(self, caption: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.caption = caption

    def compose(self) -> ComposeResult:
        yield Static(Text(self.caption), classes="caption")
        yield Digits("", classes="big")
        yield Static("", classes="where")

    def show(self, loc: LocationInfo | None, caption: str | None = None) -> None:
        self.query_one(".caption", Static).update(Text(caption or self.caption), layout=False)
        self.query_one(Digits).update(loc.code if loc else "-")
        set_text(self.query_one(".where", Static), render.position_line(loc))


def set_text(static: Static, text: Text) -> None:
    """Update a Static holding `text`, laying the screen out again only if its height changes."""
    width = static.content_size.width
    height = visualize(static, text).get_height(static.styles, width) if width > 0 else -1
    static.update(text, layout=height < 0 or height != getattr(static, "text_height", -1))
    static.text_height = height


class ResultBody(Static):
    """The result's details: Rich lays the tables out once per result, at the pane's width.

    (A Static given the tables renders them twice, once to measure its height and once to
    paint, and asks for a new screen layout even when the height stays the same.)
    """

    def on_mount(self) -> None:
        self.source: RenderableType = ""
        self.rendered_width = 0
        self.line_count = -1

    def show(self, renderable: RenderableType) -> None:
        self.source = renderable
        self._render_source()

    def _render_source(self) -> None:
        width = self.content_size.width
        if width <= 0:  # not laid out yet: let the Static measure it
            self.rendered_width, self.line_count = 0, -1
            self.update(self.source)
            return
        options = self.app.console_options.update(highlight=False, width=width, height=None)
        lines = list(Segment.split_and_crop_lines(self.app.console.render(self.source, options),
                                                  width, include_new_lines=False, pad=False))
        self.update(SegmentLines(lines, new_lines=True), layout=len(lines) != self.line_count)
        self.rendered_width, self.line_count = width, len(lines)

    def on_resize(self) -> None:
        if self.content_size.width != self.rendered_width:
            self._render_source()


class ResultPane(VerticalScroll):
    """What the last scan was: title, home/current position in large type, details."""

    def compose(self) -> ComposeResult:
        yield Static(Text(L("ready")), id="result-title")
        with Vertical(id="positions"):
            yield PositionBig(L("home"), id="home-big")
            yield PositionBig(L("current"), id="current-big")
        yield ResultBody("", id="result-body")

    def on_mount(self) -> None:
        self.query_one("#positions").display = False
        self.shown: LookupResult | None = None

    def show(self, seq: int, result: LookupResult, loan: object | None = None) -> None:
        """Render `result`, then tell listeners once it is on screen."""
        self.shown = result
        self.query_one("#result-title", Static).update(render.result_title(result), layout=False)
        positions = self.query_one("#positions")
        home, current = self._positions(result)
        positions.display = home is not None or current is not None
        if positions.display:
            same = home is not None and current is not None and home.id == current.id
            self.query_one("#home-big", PositionBig).show(
                home, f"{L('home')} = {L('current')}" if same else None)
            current_big = self.query_one("#current-big", PositionBig)
            current_big.display = not same and result.position is None
            if current_big.display:  # shown again only through here, so a hidden one can wait
                current_big.show(current)
        self.query_one("#result-body", ResultBody).show(render.result_body(result, loan))
        if self.scroll_y:
            self.scroll_home(animate=False)
        self.call_after_refresh(self.post_message, ResultRendered(seq))

    def show_error(self, seq: int, message: str) -> None:
        self.shown = None
        self.query_one("#result-title", Static).update(Text(message, style="bold red"),
                                                       layout=False)
        self.query_one("#positions").display = False
        self.query_one("#result-body", ResultBody).show("")
        self.call_after_refresh(self.post_message, ResultRendered(seq))

    @staticmethod
    def _positions(result: LookupResult) -> tuple[LocationInfo | None, LocationInfo | None]:
        if result.position is not None:
            return result.position.location, None
        if result.box is not None:
            return result.box.home, result.box.current
        return None, None


class ScanList(Widget):
    """This session's scans, newest first, drawn line by line from per-scan cached strips.

    (A DataTable or one big Static repaints every visible row when a scan is added, which
    cost more than the lookup itself; here each scan's line is rendered once.)
    """

    DEFAULT_CSS = "ScanList { height: 1fr; }"

    def on_mount(self) -> None:
        self.entries: list[tuple[str, str, str, str, bool]] = []
        self._seqs: list[int] = []
        self.kind_width = 9 if language() == "en" else 6
        self._strips: dict[tuple[int, int], Strip] = {}

    def add_scan(self, when: dt.datetime, kind: str, code: str, summary: str,
                 error: bool = False, seq: int = 0) -> None:
        """Add a scan in scan order (lookups may finish out of order); newest shows first."""
        entry = (f"{when:%H:%M:%S}", kind, code, summary, error)
        at = len(self._seqs)
        while at and self._seqs[at - 1] > seq:
            at -= 1
        self._seqs.insert(at, seq)
        self.entries.insert(at, entry)
        if at != len(self.entries) - 1:
            self._strips.clear()  # lines moved: the cached strips are keyed by index
        self.refresh()

    def _line(self, index: int) -> Text:
        if self.size.width < 40:  # compact (80×24): code and result only
            if index < 0:
                return Text.assemble((set_cell_size(L("code"), 11), "bold"), (L("result"), "bold"))
            _time, _kind, code, summary, error = self.entries[index]
            return Text.assemble((f"{code:<10} ", "bold"), (summary, "red" if error else ""))
        if index < 0:
            return Text.assemble((set_cell_size(L("time"), 8), "bold"), " ",
                                 (set_cell_size(L("kind"), self.kind_width), "bold"), " ",
                                 (set_cell_size(L("code"), 10), "bold"), " ",
                                 (L("result"), "bold"))
        time_s, kind, code, summary, error = self.entries[index]
        return Text.assemble((time_s, "dim"), " ", set_cell_size(render.kind_name(kind), self.kind_width),
                             " ", (f"{code:<10}", "bold"), " ",
                             (summary, "red" if error else ""))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = -1 if y == 0 else len(self.entries) - y
        if (y > 0 and index < 0) or width <= 0:
            return Strip.blank(width, self.rich_style)
        key = (index, width)
        strip = self._strips.get(key)
        if strip is None:
            console = self.app.console
            options = console.options.update(width=width, no_wrap=True, overflow="ellipsis")
            text = self._line(index)
            text.no_wrap, text.overflow, text.end = True, "ellipsis", ""
            segments = list(console.render(text, options))
            strip = Strip(segments).crop_extend(0, width, self.rich_style)
            strip = strip.apply_style(self.rich_style)
            if index >= 0:
                self._strips[key] = strip
        return strip
