"""Reading a document's scanned pages at the desk: page by page, zoom, and a PDF copy to print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.widgets import Static

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.pages import PRINT_DPI, SCREEN_DPI, DocumentPages
from hudang.tui import imaging
from hudang.tui.footer import SteadyFooter
from hudang.tui.page_services import desk_pages
from hudang.tui.reuse import ReusableScreen, show_reused
from hudang.tui.screens.main import top_bar_text
from hudang.tui.widgets import StatusLine

ZOOMS = (1.0, 1.5, 2.0, 3.0, 4.0)


@dataclass
class PageLoaded(Message):
    """Page `seq`'s image was read (or why it could not be)."""

    document_id: int
    seq: int
    image: Any = None
    error: str | None = None


@dataclass
class PageShown(Message):
    """Page `seq` of a document is on screen (the benchmark listens)."""

    document_id: int
    seq: int


@dataclass
class CopyWritten(Message):
    path: str | None
    error: str | None = None


class PageScroller(ScrollableContainer, can_focus=False):
    """Holds the page; scrolled by the screen's keys so the arrows stay free for paging."""


class PageViewerScreen(ReusableScreen):
    """One document's pages; Esc returns to the customer file."""

    DEFAULT_CSS = """
    PageViewerScreen #pg-info { height: 1; padding: 0 2; color: $text-muted; }
    PageViewerScreen #pg-scroll { height: 1fr; align-horizontal: center; }
    """

    def __init__(self, doc: DocumentPages, first_image: Any = None) -> None:
        """`first_image`, read by the caller's worker, is shown without another trip."""
        super().__init__()
        for keys, action, label in (
                ("escape", "back", t("返回", "Back")),
                ("right,pagedown,n,space", "page(1)", t("下一页", "Next page")),
                ("left,pageup,p", "page(-1)", t("上一页", "Previous page")),
                ("home", "first", ""), ("end", "last", ""),
                ("plus,equals_sign", "zoom(1)", t("放大", "Zoom in")),
                ("minus", "zoom(-1)", t("缩小", "Zoom out")),
                ("0", "fit", t("适合", "Fit")),
                ("up", "scroll(0, -3)", ""), ("down", "scroll(0, 3)", ""),
                ("shift+left", "scroll(-6, 0)", ""), ("shift+right", "scroll(6, 0)", ""),
                ("w", "write_copy", t("导出PDF", "Write PDF"))):
            self._bindings.bind(keys, action, label, show=bool(label))
        self.doc = doc
        self.seq = 1
        self.zoom_level = 0
        self.first_image = first_image
        self.image: Any = None
        self.pending = True  # a document to show when the screen is (re)shown

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("阅览", "Reading")), id="topbar")
        yield StatusLine(Text(self._title()), id="status")
        yield Static("", id="pg-info")
        with PageScroller(id="pg-scroll"):
            yield imaging.prepare()(id="pg-image")
        yield SteadyFooter()

    def _title(self) -> str:
        d = self.doc
        return " · ".join(x for x in (d.customer_number, d.customer_name, d.doc_type, d.title,
                                      d.barcode or "") if x)

    @property
    def page_count(self) -> int:
        return len(self.doc.pages)

    def show_document(self, doc: DocumentPages, first_image: Any = None) -> None:
        """Show `doc` from its first page, at fit, next time this screen is shown."""
        self.doc, self.first_image, self.pending = doc, first_image, True
        self.seq, self.zoom_level, self.image = 1, 0, None
        if self.is_current:
            self._start()

    def on_screen_resume(self) -> None:
        self.query_one("#topbar", Static).update(top_bar_text(self.app, t("阅览", "Reading")))
        if self.pending:
            self._start()

    def _start(self) -> None:
        self.pending = False
        self.status.show(self._title())
        self.query_one("#pg-image").image = None
        if not self.doc.pages:
            self.status.show(t("这份文件没有扫描页", "This document has no scanned pages"), "warn")
            self._info()
            return
        self._info()
        if self.first_image is not None:
            image, self.first_image = self.first_image, None
            self._loaded(PageLoaded(self.doc.document_id, 1, image))
        else:
            self.load(1)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def _info(self) -> None:
        zoom = ZOOMS[self.zoom_level]
        text = t("第 {n}/{m} 页 · 缩放 {z:g}× · ←/→ 翻页  +/- 缩放  0 适合  W 导出PDF",
                 "page {n}/{m} · zoom {z:g}× · ←/→ pages  +/- zoom  0 fit  W write PDF",
                 n=self.seq if self.page_count else 0, m=self.page_count, z=zoom)
        self.query_one("#pg-info", Static).update(Text(text))

    # --- loading ----------------------------------------------------------------------------
    def _dpi(self) -> int:
        zoom = ZOOMS[self.zoom_level]
        return SCREEN_DPI if zoom <= 1.5 else min(PRINT_DPI, int(SCREEN_DPI * zoom))

    @work(thread=True, exclusive=True, exit_on_error=False, group="page")
    def load(self, seq: int) -> None:
        """Read page `seq` (and then the next one into the cache, for a quick page turn)."""
        pages, doc = desk_pages(self.app), self.doc
        dpi = self._dpi()
        try:
            image = pages.image(doc.pages[seq - 1], dpi)
        except ArchiveError as exc:
            self.post_message(PageLoaded(doc.document_id, seq, error=str(exc)))
            return
        self.post_message(PageLoaded(doc.document_id, seq, image))
        if seq < len(doc.pages):
            try:
                pages.image(doc.pages[seq], dpi)
            except ArchiveError:
                pass  # said when that page is asked for

    @on(PageLoaded)
    def _loaded(self, message: PageLoaded) -> None:
        if message.seq != self.seq or message.document_id != self.doc.document_id:
            return  # the keeper has turned on (or opened another document) meanwhile
        if message.error:
            self.status.show(message.error, "error")
            self.image = None
            self.query_one("#pg-image").image = None
            return
        self.image = message.image
        self.status.show(self._title())
        self._place()
        self._info()
        self.call_after_refresh(self.post_message, PageShown(self.doc.document_id, message.seq))

    def _place(self) -> None:
        """Size the page for the zoom: at 1× the whole page fits the height of the view."""
        widget = self.query_one("#pg-image")
        widget.image = self.image
        if self.image is None:
            return
        view = self.query_one("#pg-scroll").size
        rows = max(4, view.height or self.app.size.height - 4)
        height = max(4, round(rows * ZOOMS[self.zoom_level]))
        widget.styles.height = height
        if isinstance(widget, imaging.FallbackImage):
            # Terminal cells are about twice as high as wide.
            widget.styles.width = max(4, round(height * 2 * self.image.width
                                               / max(1, self.image.height)))
        else:
            widget.styles.width = "auto"

    def on_resize(self) -> None:
        if self.image is not None:
            self.call_after_refresh(self._place)

    # --- keys -------------------------------------------------------------------------------
    def _go(self, seq: int) -> None:
        if not self.page_count:
            return
        seq = max(1, min(self.page_count, seq))
        if seq == self.seq:
            return
        self.seq = seq
        self._info()
        self.query_one("#pg-scroll").scroll_home(animate=False)
        self.load(seq)

    def action_page(self, delta: int) -> None:
        self._go(self.seq + delta)

    def action_first(self) -> None:
        self._go(1)

    def action_last(self) -> None:
        self._go(self.page_count)

    def action_zoom(self, delta: int) -> None:
        level = max(0, min(len(ZOOMS) - 1, self.zoom_level + delta))
        if level == self.zoom_level or not self.page_count:
            return
        sharper = self._dpi()
        self.zoom_level = level
        self._place()
        self._info()
        if self._dpi() != sharper:
            self.load(self.seq)  # more pixels for a closer look

    def action_fit(self) -> None:
        self.action_zoom(-len(ZOOMS))

    def action_scroll(self, dx: int, dy: int) -> None:
        self.query_one("#pg-scroll").scroll_relative(dx, dy, animate=False)

    def action_write_copy(self) -> None:
        if not self.page_count:
            return
        self.status.show(t("正在写入 PDF…", "Writing the PDF…"))
        self.write_copy()

    @work(thread=True, exclusive=True, exit_on_error=False, group="copy")
    def write_copy(self) -> None:
        try:
            path = desk_pages(self.app).write_copy(self.doc, self.app.actor, self.app.clock())
        except (ArchiveError, OSError) as exc:
            self.post_message(CopyWritten(None, str(exc)))
            return
        self.post_message(CopyWritten(str(path)))

    @on(CopyWritten)
    def _copy_written(self, message: CopyWritten) -> None:
        if message.error:
            self.status.show(message.error, "error")
        else:
            self.status.show(t("已写入 PDF（{n} 页）：{p}", "PDF written ({n} pages): {p}",
                               n=self.page_count, p=message.path), "ok")

    def action_back(self) -> None:
        self.app.pop_screen()


def open_viewer(app, doc: DocumentPages, first_image: Any = None) -> None:
    """Show `doc` on the app's one page viewer, built on first use."""
    show_reused(app, "page-viewer", lambda: PageViewerScreen(doc, first_image),
                lambda screen: screen.show_document(doc, first_image))
