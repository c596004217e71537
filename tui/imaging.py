"""How the desk draws a scanned page in the terminal: Kitty or Sixel graphics, else characters.

textual-image asks the terminal what it supports when first imported, and that question
can only be asked before Textual takes over the terminal: `prepare()` is called while the
app is built. Where the library cannot be used at all (no terminal, an import failure),
the page is drawn with Unicode half blocks by `HalfBlockImage`, so a page always shows.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.color import Color
from rich.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger("hudang.desk")
_chosen: dict[str, type[Widget]] = {}


class HalfBlockImage:
    """A Rich renderable: two pixel rows per text row with "▀" (foreground top, background bottom).

    Colours are rounded to steps of 8 and runs of equal cells become one segment: a scanned
    page is mostly paper, so a screenful is a few hundred segments, not thousands.
    """

    def __init__(self, image: Image.Image, width: int, height: int) -> None:
        from PIL import Image

        self.image = image.convert("RGB").resize((max(1, width), max(2, height * 2)),
                                                 Image.Resampling.BOX)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        quantised = self.image.point(lambda v: min(255, (v + 4) & ~7))
        data = quantised.tobytes()
        w, h = quantised.size
        row_bytes = w * 3
        for y in range(0, h - 1, 2):
            top_row = data[y * row_bytes:(y + 1) * row_bytes]
            bottom_row = data[(y + 1) * row_bytes:(y + 2) * row_bytes]
            run_style, run = None, 0
            for x in range(0, row_bytes, 3):
                style = _style(top_row[x:x + 3], bottom_row[x:x + 3])
                if style is run_style:
                    run += 1
                    continue
                if run:
                    yield Segment("▀" * run, run_style)
                run_style, run = style, 1
            if run:
                yield Segment("▀" * run, run_style)
            yield Segment.line()


_STYLES: dict[bytes, Style] = {}


def _style(top: bytes, bottom: bytes) -> Style:
    """One shared Style per colour pair (the same object, so runs compare by identity)."""
    key = top + bottom
    found = _STYLES.get(key)
    if found is None:
        if len(_STYLES) > 50_000:
            _STYLES.clear()
        found = _STYLES[key] = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
    return found


class FallbackImage(Widget):
    """A page drawn with half blocks, sized by the widget's own width and height."""

    DEFAULT_CSS = "FallbackImage { width: 1fr; height: 1fr; }"

    def __init__(self, image: Image.Image | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._image = image

    @property
    def image(self) -> Image.Image | None:
        return self._image

    @image.setter
    def image(self, value: Image.Image | None) -> None:
        self._image = value
        self.refresh(layout=True)

    def render(self):
        if self._image is None:
            return ""
        size = self.content_size
        return HalfBlockImage(self._image, size.width, size.height)


def prepare() -> type[Widget]:
    """The widget class pages are drawn with on this terminal (asks the terminal once)."""
    if "widget" not in _chosen:
        try:
            from textual_image.renderable import HalfcellImage, Image as Best
            from textual_image.widget import Image as TerminalImage

            # Without Sixel or Kitty graphics, our half blocks draw the same picture faster.
            _chosen["widget"] = FallbackImage if Best is HalfcellImage else TerminalImage
        except Exception:  # noqa: BLE001 - no terminal to ask: draw with characters
            log.info("textual-image unavailable here; pages are drawn with half blocks")
            _chosen["widget"] = FallbackImage
    return _chosen["widget"]


def prepare_if_terminal() -> None:
    """Ask the terminal now when there is one; elsewhere (tests, pipes) choose on first use."""
    stdout = sys.__stdout__
    if stdout is not None and stdout.isatty():
        prepare()


def renderer_name() -> str:
    """What pages are drawn with, for the status line (Sixel, TGP, half blocks, characters)."""
    cls = prepare()
    if cls is FallbackImage:
        return "halfblock"
    renderable = getattr(cls, "_Renderable", None)
    return getattr(renderable, "__module__", "").rsplit(".", 1)[-1] or "sixel"
