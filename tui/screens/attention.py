"""The needs-attention queue (待处理): scans the daemon could not link, assigned by a keeper.

The list shows each open item (station, file name, pages, reason — all as text). Enter
opens the assign dialog: scan or type a customer number (or a document barcode), pick one
of the five categories (1–5), optionally a document type and title; the service files it
the normal way, with the desk's active rule set stamping retention.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from hudang.store.domain import CATEGORIES, local_time
from hudang.store.errors import ArchiveError
from hudang.store.i18n import language, t
from hudang.store.services.ingest import AttentionSummary, FiledDocument
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskModal, DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.services import DeskServices
from hudang.tui.widgets import ScanField, StatusLine

CATEGORY_CODES = list(CATEGORIES)  # YK YJ JL DF QT: keys 1–5


class AttentionDoor:
    """Old name: the attention calls now go through the desk's one door, `tui.services`."""

    list_open = staticmethod(DeskServices.attention_open)
    assign = staticmethod(DeskServices.assign_attention)


class AttentionListed(Message):
    """The open items were read (or reading failed with `error`)."""

    def __init__(self, items: list[AttentionSummary], error: str = "") -> None:
        super().__init__()
        self.items, self.error = items, error


class AttentionAssigned(Message):
    """The service filed the item (`filed`) or refused with `error`."""

    def __init__(self, filed: FiledDocument | None, error: str = "") -> None:
        super().__init__()
        self.filed, self.error = filed, error


def pages_text(pages: list[int]) -> str:
    """Pages as `1-3` for a run, `1,4` otherwise, plus the count."""
    if not pages:
        return "0"
    run = pages == list(range(pages[0], pages[-1] + 1))
    span = f"{pages[0]}-{pages[-1]}" if run and len(pages) > 1 else ",".join(map(str, pages))
    return f"{span} ({len(pages)})"


def category_label(code: str) -> str:
    return code if language() == "en" else CATEGORIES[code]


def filed_text(filed: FiledDocument) -> str:
    return t("已归档：户号 {c}，{k}，文件 {d}（{n} 页）",
             "Filed: customer {c}, {k}, document {d} ({n} page(s))", c=filed.customer_number,
             k=category_label(filed.category), d=filed.barcode or f"#{filed.document_id}",
             n=len(filed.pages))


class AttentionScreen(DeskScreen):
    """The open attention items; Enter assigns the highlighted one."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[AttentionSummary] = []
        self._bindings.bind("escape", "back", t("返回", "Back"))
        self._bindings.bind("f5", "reload", t("刷新", "Refresh"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("待处理", "Attention")), id="topbar")
        yield StatusLine(Text(""), id="status")
        yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        for key, label in (("id", t("编号", "No.")), ("station", t("工位", "Station")),
                           ("name", t("文件名", "File name")), ("pages", t("页", "Pages")),
                           ("reason", t("原因", "Reason")), ("at", t("收到", "Received"))):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.query_one("#items").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="attention-list")
    def load(self) -> None:
        items = AttentionDoor.list_open()
        self.post_message(AttentionListed(items))

    @on(AttentionListed)
    def _listed(self, message: AttentionListed) -> None:
        status = self.query_one("#status", StatusLine)
        if message.error:
            status.show(message.error, "error")
            return
        self.items = message.items
        table = self.query_one("#items", DataTable)
        table.clear()
        for item in self.items:
            reason = (item.reason.splitlines() or [""])[0]
            table.add_row(Text(str(item.id)), Text(item.station), Text(item.original_name),
                          Text(pages_text(item.page_nos)), Text(reason),
                          Text(f"{local_time(item.created_at):%Y-%m-%d %H:%M}"), key=str(item.id))
        if status.level != "ok" or not status.message_text:  # keep "filed: …" on screen
            status.show(t("{n} 项待处理：回车分配户号和类别",
                          "{n} items waiting: Enter assigns customer and category",
                          n=len(self.items)) if self.items
                        else t("没有待处理的扫描件", "Nothing waits for attention"))
        table.focus()

    @on(DataTable.RowSelected, "#items")
    def _selected(self, event: DataTable.RowSelected) -> None:
        item_id = int(str(event.row_key.value))
        item = next((i for i in self.items if i.id == item_id), None)
        if item is not None:
            self.app.push_screen(AssignScreen(item), callback=self._assigned)

    def _assigned(self, filed: FiledDocument | None) -> None:
        if filed is not None:
            self.query_one("#status", StatusLine).show(filed_text(filed), "ok")
        status = getattr(self.app, "desk_status", None)
        if status is not None:
            status.refresh_count()
        self.load()  # also after a cancel: another desk may have taken items meanwhile
        self.query_one("#items").focus()

    def action_reload(self) -> None:
        self.query_one("#status", StatusLine).show("")
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class AssignScreen(DeskModal[FiledDocument | None]):
    """Scan a customer number (or document barcode), pick a category, file the item."""

    DEFAULT_CSS = """
    AssignScreen { align: center middle; }
    AssignScreen #assign { width: 90; }
    AssignScreen #category { height: auto; max-height: 7; margin: 1 0; }
    """

    def __init__(self, item: AttentionSummary) -> None:
        super().__init__()
        self.item = item
        self.customer: str | None = None
        self.busy = False
        self._bindings.bind("escape", "cancel", t("取消", "Cancel"))
        self._bindings.bind("ctrl+s", "file", t("归档", "File"))
        for n, code in enumerate(CATEGORY_CODES, start=1):
            self._bindings.bind(str(n), f"pick({n - 1})", f"{n} {category_label(code)}",
                                show=False)

    def compose(self) -> ComposeResult:
        item, hints = self.item, self.item.hints or {}
        with Vertical(classes="dialog", id="assign"):
            yield Static(Text(t("分配待处理项 {id}", "Assign attention item {id}", id=item.id),
                              style="bold"))
            yield Static(Text(f"{item.original_name}  ·  {item.station}  ·  "
                              + t("页 ", "pages ") + pages_text(item.page_nos)), id="assign-file")
            yield Static(Text((item.reason.splitlines() or [""])[0]), id="assign-reason")
            if hints.get("customer"):
                yield Static(Text(t("线索：户号 {c}", "Hint: customer {c}", c=hints["customer"])))
            yield ScanField(placeholder=t("扫描或输入户号（或文件条码）后回车",
                                          "Scan or type a customer number (or document "
                                          "barcode), Enter"), id="who")
            yield OptionList(*[Option(Text(f"{n} {category_label(code)}"), id=code)
                               for n, code in enumerate(CATEGORY_CODES, start=1)],
                             id="category")
            yield Input(value=hints.get("doc_type") or "", id="doc-type",
                        placeholder=t("文件类型（可选）", "Document type (optional)"))
            yield Input(value=hints.get("title") or "", id="doc-title",
                        placeholder=t("题名（可选，默认为文件名）",
                                      "Title (optional; the file name by default)"))
            yield StatusLine(Text(""), id="assign-status")
        yield Footer()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.app.cursor_blink_enabled
        hinted = (self.item.hints or {}).get("category")
        options = self.query_one("#category", OptionList)
        options.highlighted = (CATEGORY_CODES.index(hinted) if hinted in CATEGORY_CODES
                               else len(CATEGORY_CODES) - 1)
        self.query_one("#who").focus()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#assign-status", StatusLine)

    def _refuse(self, message: str) -> None:
        """Say what went wrong and make the scan field ready for the next scan."""
        self.status.show(message, "error")
        who = self.query_one("#who", Input)
        who.value = ""
        who.focus()

    def handle_scan(self, scan: DeskScan) -> bool:
        """A document barcode files at once; a customer number asks for the category."""
        if scan.kind == "document":
            self.customer = None
            self.run_assign(document_barcode=scan.code)
        elif scan.kind == "customer":
            self.customer = scan.code
            self.status.show(t("户号 {c}：请选择类别（1–5，回车确认）",
                               "Customer {c}: choose the category (1–5, Enter)", c=scan.code))
            self.query_one("#category").focus()
        else:
            self.status.show(t("不是户号或文件条码：{v}", "Not a customer number or document "
                               "barcode: {v}", v=scan.code), "error")
            return False
        return True

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        self.busy = False
        self.customer = None
        self._refuse(str(error))
        return True

    @on(OptionList.OptionSelected, "#category")
    def _category_chosen(self, _event: OptionList.OptionSelected) -> None:
        self.action_file()

    @on(Input.Submitted, "#doc-type, #doc-title")
    def _details_done(self, _event: Input.Submitted) -> None:
        self.action_file()

    def action_pick(self, index: int) -> None:
        """Keys 1–5 (outside the text fields): choose that category and file."""
        self.query_one("#category", OptionList).highlighted = index
        self.action_file()

    def action_file(self) -> None:
        if self.customer is None:
            self._refuse(t("请先扫描户号或文件条码", "Scan a customer number or document "
                           "barcode first"))
            return
        options = self.query_one("#category", OptionList)
        code = CATEGORY_CODES[options.highlighted or 0]
        self.run_assign(customer_number=self.customer, category=code,
                        doc_type=self.query_one("#doc-type", Input).value.strip(),
                        title=self.query_one("#doc-title", Input).value.strip())

    def run_assign(self, **kw) -> None:
        if self.busy:
            return
        self.busy = True
        status = getattr(self.app, "desk_status", None)
        self._assign(dict(kw, ruleset=status.ruleset if status is not None else None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="attention-assign")
    def _assign(self, kw: dict) -> None:
        filed = AttentionDoor.assign(self.item.id, self.app.actor, **kw)
        self.post_message(AttentionAssigned(filed))

    @on(AttentionAssigned)
    def _assigned(self, message: AttentionAssigned) -> None:
        self.busy = False
        self.dismiss(message.filed)

    def action_cancel(self) -> None:
        self.dismiss(None)
