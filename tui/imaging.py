"""How the desk draws a scanned page in the terminal: Kitty or Sixel graphics, else characters.

textual-image asks the terminal what it supports when first imported, and that question
can only be asked before Textual takes over the terminal: `prepare()` is called while the
app is built. Where the library cannot be used at all (no terminal, an import failure),
the page is drawn with Unicode half blocks by `HalfBlockImage`, so a page always shows.
"""

from __future__ import annotations

import logging

from PIL import Image
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget

log = logging.getLogger("hudang.desk")
_chosen: dict[str, type[Widget]] = {}


class HalfBlockImage:
    """A Rich renderable: two pixel rows per text row with "▀" (foreground top, background bottom)."""

    def __init__(self, image: Image.Image, width: int, height: int) -> None:
        self.image = image.convert("RGB").resize((max(1, width), max(2, height * 2)),
                                                 Image.Resampling.BOX)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        px = self.image.load()
        w, h = self.image.size
        for y in range(0, h - 1, 2):
            for x in range(w):
                top, bottom = px[x, y], px[x, y + 1]
                yield Segment("▀", Style(color=f"rgb({top[0]},{top[1]},{top[2]})",
                                         bgcolor=f"rgb({bottom[0]},{bottom[1]},{bottom[2]})"))
            yield Segment.line()


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
            from textual_image.widget import Image as TerminalImage

            _chosen["widget"] = TerminalImage
        except Exception:  # noqa: BLE001 - no terminal to ask: draw with characters
            log.info("textual-image unavailable here; pages are drawn with half blocks")
            _chosen["widget"] = FallbackImage
    return _chosen["widget"]


def renderer_name() -> str:
    """What pages are drawn with, for the status line (Sixel, TGP, half blocks, characters)."""
    cls = prepare()
    if cls is FallbackImage:
        return "halfblock"
    renderable = getattr(cls, "_Renderable", None)
    return getattr(renderable, "__module__", "").rsplit(".", 1)[-1] or "sixel"
