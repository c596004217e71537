"""Receiving mode (接收): scan a handover batch, then its items; missing ones go to 待补交."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from hudang.store.barcodes import default_scheme
from hudang.store.domain import CATEGORIES
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.handover import BATCH_STATUSES, status_name
from hudang.tui.intake_services import intake_desk
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import ScanField, StatusLine

ACTION_TEXT = {"received": ("已接收", "received", "ok"),
               "corrected": ("已接收，页数已更正", "received, pages corrected", "warn"),
               "already": ("早已接收", "already received", "warn"),
               "unexpected": ("清单外文件：已标记，请核对", "NOT ON THE LIST: flagged, check it",
                              "error"),
               "supplied": ("补交已接收", "late supply received", "ok")}
STATUS_STYLE = {"received": "green", "to_supply": "bold yellow", "unexpected": "bold red"}


class BatchShown(Message):
    """A worker read or changed the batch; `text` says what happened, at `level`."""

    def __init__(self, batch=None, text: str = "", level: str = "ok") -> None:
        super().__init__()
        self.batch, self.text, self.level = batch, text, level


def split_pages(raw: str) -> tuple[str, int | None]:
    """'D00000012X 5' or 'D00000012X*5' -> (code, 5); a bare code -> (code, None)."""
    for sep in ("*", " ", "\t"):
        code, _, pages = raw.strip().partition(sep)
        if pages.strip().isdigit():
            return code.strip(), int(pages.strip())
    return raw.strip(), None


class ReceivingScreen(DeskScreen):
    """Scan the batch's barcode first; then each document barcode (or #line) checks it off."""

    def __init__(self, batch: str | None = None) -> None:
        super().__init__()
        self.batch: str | None = None
        self.first_batch = batch  # scanned on the main screen: open it straight away
        self._bindings.bind("escape", "back", t("返回", "Back"))
        self._bindings.bind("f5", "to_supply", t("其余列入待补交", "Rest to supply"))
        self._bindings.bind("f6", "print_list", t("打印移交清单", "Print list"))
        self._bindings.bind("f7", "sign_close", t("签字并关闭", "Sign and close"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("接收", "Receiving")), id="topbar")
        yield ScanField(t("扫描移交批次条码，然后逐件扫描文件（页数不同：条码*页数）",
                          "Scan the batch, then each document (other page count: code*pages)"),
                        id="scan")
        yield StatusLine(Text(t("请扫描移交批次条码", "Scan a handover batch")), id="status")
        yield Static("", id="batch-head")
        yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        table.can_focus = False
        for key, zh, en in (("seq", "序号", "No."), ("customer", "户号", "Customer"),
                            ("type", "文件", "Document"), ("barcode", "条码", "Barcode"),
                            ("pages", "页数", "Pages"), ("status", "状态", "Status")):
            table.add_column(t(zh, en), key=key)
        self.query_one("#scan").focus()
        if self.first_batch:
            self.load(self.first_batch)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def handle_scan(self, scan: DeskScan) -> bool:
        """A batch barcode opens that batch; anything else is an item of the open batch."""
        code, pages = split_pages(scan.raw)
        try:
            parsed = default_scheme().parse(code) if not code.lstrip("#").isdigit() else None
        except ArchiveError as exc:
            self.status.show(str(exc), "error")
            return True
        if parsed is not None and parsed.kind == "handover":
            self.load(parsed.code)
        elif self.batch is None:
            self.status.show(t("请先扫描移交批次条码", "Scan a handover batch first"), "error")
        else:
            self.receive(self.batch, code, pages)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="receiving")
    def load(self, code: str) -> None:
        try:
            info = intake_desk(self.app).batch(code)
        except ArchiveError as exc:
            self.post_message(BatchShown(None, str(exc), "error"))
            return
        self.post_message(BatchShown(info, t("批次 {b}：请逐件扫描", "batch {b}: scan each item",
                                             b=info.number)))

    @work(thread=True, exit_on_error=False, group="receiving-items")
    def receive(self, batch: str, code: str, pages: int | None) -> None:
        try:
            out, info = intake_desk(self.app).receive(batch, code, self.app.actor, pages)
        except ArchiveError as exc:
            self.post_message(BatchShown(None, str(exc), "error"))
            return
        zh, en, level = ACTION_TEXT[out.action]
        self.post_message(BatchShown(info, f"{out.item.seq} {out.item.barcode or ''} "
                                           f"{t(zh, en)}", level))

    @on(BatchShown)
    def _shown(self, message: BatchShown) -> None:
        self.status.show(message.text, message.level)
        if message.batch is None:
            return
        b = message.batch
        self.batch = b.number
        self.query_one("#batch-head", Static).update(Text(t(
            "移交批次 {n} · {s} · {a} → {r} · 已收 {x}/{y} · 待补交 {z} · 清单外 {u}",
            "batch {n} · {s} · {a} -> {r} · received {x}/{y} · to supply {z} · not listed {u}",
            n=b.number, s=status_name(b.status, BATCH_STATUSES), a=b.sender, r=b.receiver,
            x=b.count("received"), y=len(b.items) - b.count("unexpected"),
            z=b.count("to_supply"), u=b.count("unexpected"))))
        table = self.query_one("#items", DataTable)
        table.clear()
        for i in b.items:
            pages = str(i.page_count) if i.received_pages in (None, i.page_count) \
                else f"{i.page_count}→{i.received_pages}"
            table.add_row(Text(str(i.seq)),
                          Text(f"{i.customer_number or '—'} {i.customer_name or ''}"),
                          Text(f"{CATEGORIES.get(i.category, i.category or '')} {i.doc_type}"),
                          Text(i.barcode or "—"), Text(pages),
                          Text(status_name(i.status), style=STATUS_STYLE.get(i.status, "")))

    def action_to_supply(self) -> None:
        if self.batch:
            self._to_supply(self.batch)

    @work(thread=True, exclusive=True, exit_on_error=False, group="receiving")
    def _to_supply(self, batch: str) -> None:
        try:
            info = intake_desk(self.app).to_supply(batch, self.app.actor)
        except ArchiveError as exc:
            self.post_message(BatchShown(None, str(exc), "error"))
            return
        self.post_message(BatchShown(info, t("未到的 {n} 项已列入待补交", "{n} missing item(s) "
                                             "put on the to-supply list",
                                             n=info.count("to_supply")), "warn"))

    def action_sign_close(self) -> None:
        """Ask both signers' names, record them and close the batch."""
        from hudang.tui.screens.loan_dialogs import ReasonScreen

        if not self.batch:
            return
        self.app.push_screen(ReasonScreen(t("移交人签字（姓名）", "Handed over by (name)"),
                                          required=True), callback=self._sender_named)

    def _sender_named(self, sender: str | None) -> None:
        from hudang.tui.screens.loan_dialogs import ReasonScreen

        if not sender:
            self.query_one("#scan").focus()
            return
        self.app.push_screen(ReasonScreen(t("接收人签字（姓名）", "Received by (name)"),
                                          required=True),
                             callback=lambda receiver: self._receiver_named(sender, receiver))

    def _receiver_named(self, sender: str, receiver: str | None) -> None:
        self.query_one("#scan").focus()
        if receiver and self.batch:
            self._sign_close(self.batch, sender, receiver)

    @work(thread=True, exclusive=True, exit_on_error=False, group="receiving")
    def _sign_close(self, batch: str, sender: str, receiver: str) -> None:
        try:
            info = intake_desk(self.app).sign_and_close(batch, sender, receiver, self.app.actor)
        except ArchiveError as exc:
            self.post_message(BatchShown(None, str(exc), "error"))
            return
        self.post_message(BatchShown(info, t("批次 {b} 已签字并关闭", "batch {b} signed and closed",
                                             b=info.number)))

    def action_print_list(self) -> None:
        if self.batch:
            self._print(self.batch)

    @work(thread=True, exclusive=True, exit_on_error=False, group="receiving-print")
    def _print(self, batch: str) -> None:
        try:
            path = intake_desk(self.app).handover_list(batch)
        except ArchiveError as exc:
            self.post_message(BatchShown(None, str(exc), "error"))
            return
        self.post_message(BatchShown(None, t("移交清单已生成：{p}", "handover list written: {p}",
                                             p=path)))

    def action_back(self) -> None:
        self.app.pop_screen()
