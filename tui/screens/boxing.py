"""Boxing mode (装盒): scan a box, then volumes or documents into it; its label prints at the end."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from hudang.store.domain import CATEGORIES, VOLTAGE_CLASSES
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.tui.intake_services import intake_desk
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import ScanField, StatusLine

ACTION_TEXT = {"volume_in": ("案卷已装盒", "volume boxed"),
               "document_in": ("文件已装盒（入卷 {v}）", "document boxed (volume {v})"),
               "already": ("已在盒内", "already in this box")}


class BoxShown(Message):
    """A worker read or changed the box; `text` says what happened, at `level`."""

    def __init__(self, contents=None, text: str = "", level: str = "ok",
                 changed: bool = False) -> None:
        super().__init__()
        self.contents, self.text, self.level, self.changed = contents, text, level, changed


class BoxingScreen(DeskScreen):
    """Box first, then its volumes / documents; the HV / LV rule refuses what does not fit."""

    def __init__(self) -> None:
        super().__init__()
        self.box: str | None = None
        self.changed = False  # something went into the current box: print its label at the end
        self.leaving = False  # back pressed: leave once the last label is written
        self._bindings.bind("escape", "back", t("返回（打印标签）", "Back (prints label)"))
        self._bindings.bind("f5", "new_box", t("新档案盒", "New box"))
        self._bindings.bind("f6", "contents_list", t("打印盒内目录", "Contents list"))
        self._bindings.bind("f8", "print_label", t("打印标签", "Print label"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("装盒", "Boxing")), id="topbar")
        yield ScanField(t("扫描档案盒，然后扫描要装入的案卷或文件", "Scan a box, then the volumes "
                          "or documents going into it"), id="scan")
        yield StatusLine(Text(t("请扫描档案盒（F5 新建）", "Scan a box (F5: new box)")), id="status")
        yield Static("", id="box-head")
        yield DataTable(id="contents", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#contents", DataTable)
        table.can_focus = False
        for key, zh, en in (("volume", "案卷", "Volume"), ("customer", "客户", "Customer"),
                            ("area", "线路/台区", "Line / area"), ("docs", "文件", "Documents"),
                            ("pages", "页数", "Pages")):
            table.add_column(t(zh, en), key=key)
        self.query_one("#scan").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def handle_scan(self, scan: DeskScan) -> bool:
        """A box opens that box; volumes and documents go into the open box."""
        if scan.kind == "box":
            self._finish_box()
            self.load(scan.code)
        elif self.box is None:
            self.status.show(t("请先扫描档案盒", "Scan a box first"), "error")
        elif scan.kind in ("volume", "document"):
            self.add(self.box, scan.code)
        else:
            return False  # looked up aside by the app, and listed
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="boxing")
    def load(self, code: str) -> None:
        try:
            contents = intake_desk(self.app).contents(code)
        except ArchiveError as exc:
            self.post_message(BoxShown(None, str(exc), "error"))
            return
        self.post_message(BoxShown(contents, t("档案盒 {b}：请扫描案卷或文件", "box {b}: scan "
                                               "volumes or documents", b=contents.box.barcode)))

    @work(thread=True, exit_on_error=False, group="boxing-items")
    def add(self, box: str, code: str) -> None:
        try:
            out, contents = intake_desk(self.app).add_to_box(box, code, self.app.actor)
        except ArchiveError as exc:
            self.post_message(BoxShown(None, str(exc), "error"))
            return
        zh, en = ACTION_TEXT[out.action]
        self.post_message(BoxShown(contents, f"{out.code} {out.customer_number} "
                                             f"{t(zh, en, v=out.volume)}",
                                   "warn" if out.action == "already" else "ok",
                                   changed=out.action != "already"))

    @on(BoxShown)
    def _shown(self, message: BoxShown) -> None:
        self.status.show(message.text, message.level)
        if self.leaving and message.contents is None:
            self.app.pop_screen()
            return
        self.changed = self.changed or message.changed
        contents = message.contents
        if contents is None:
            return
        box = contents.box
        self.box = box.barcode
        where = box.home.label if box.home else t("未上架", "not shelved")
        self.query_one("#box-head", Static).update(Text(t(
            "档案盒 {b} · {v} · {w} · {n} 卷 · {p} 页", "box {b} · {v} · {w} · {n} volumes · {p} "
            "pages", b=box.barcode, v=VOLTAGE_CLASSES.get(box.voltage_class, box.voltage_class),
            w=where, n=len(contents.volumes), p=contents.pages)))
        table = self.query_one("#contents", DataTable)
        table.clear()
        for v in contents.volumes:
            cats = sorted({d.category for d in v.documents})
            table.add_row(Text(v.barcode), Text(f"{v.customer_number} {v.customer_name}"),
                          Text(" ".join(x for x in (v.line, v.area) if x) or "—"),
                          Text(f"{len(v.documents)} " + " ".join(CATEGORIES.get(c, c)
                                                                  for c in cats)),
                          Text(str(sum(d.page_count for d in v.documents))))

    def _finish_box(self) -> None:
        """Leaving a box that received something: print its label (the end of boxing it)."""
        if self.box and self.changed:
            self.print_label(self.box)
        self.changed = False

    def action_print_label(self) -> None:
        if self.box:
            self.print_label(self.box)
            self.changed = False

    @work(thread=True, exit_on_error=False, group="boxing-print")
    def print_label(self, box: str) -> None:
        try:
            path = self.app.services.box_label(box)
        except ArchiveError as exc:
            self.post_message(BoxShown(None, str(exc), "error"))
            return
        self.post_message(BoxShown(None, t("标签已生成：{p}", "label written: {p}", p=path)))

    def action_contents_list(self) -> None:
        if self.box:
            self._contents_list(self.box)

    @work(thread=True, exit_on_error=False, group="boxing-print")
    def _contents_list(self, box: str) -> None:
        try:
            path = intake_desk(self.app).contents_list(box)
        except ArchiveError as exc:
            self.post_message(BoxShown(None, str(exc), "error"))
            return
        self.post_message(BoxShown(None, t("盒内目录已生成：{p}", "contents list written: {p}",
                                           p=path)))

    def action_new_box(self) -> None:
        from hudang.tui.screens.dialogs import BoxClassScreen

        self.app.push_screen(BoxClassScreen(), callback=self._box_class)

    def _box_class(self, voltage_class: str | None) -> None:
        self.query_one("#scan").focus()
        if voltage_class:
            self._finish_box()
            self._new_box(voltage_class)

    @work(thread=True, exclusive=True, exit_on_error=False, group="boxing")
    def _new_box(self, voltage_class: str) -> None:
        try:
            contents = intake_desk(self.app).new_box(voltage_class, self.app.actor)
        except ArchiveError as exc:
            self.post_message(BoxShown(None, str(exc), "error"))
            return
        self.post_message(BoxShown(contents, t("新档案盒 {b}：请扫描案卷或文件",
                                               "new box {b}: scan volumes or documents",
                                               b=contents.box.barcode)))

    def action_back(self) -> None:
        if self.box and self.changed:
            self.leaving = True
            self._finish_box()  # the screen closes when the label is written
            return
        self.app.pop_screen()
