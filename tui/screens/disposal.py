"""The disposal desk (销毁): what is due, each batch's state, approval and witnessing.

The signed-in user approves (key A) or witnesses (key W) the highlighted batch, or scans
a batch number (XH2026-0001) into the field to pick it; the store checks the role, the
proposer rule and duplicates, and every signature is audited under the user's name.
"""

from __future__ import annotations

import datetime as dt

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services import disposal, retention
from hudang.store.services.disposal import BatchInfo
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.services import _in_worker
from hudang.tui.widgets import ScanField, StatusLine
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Footer, Static


class DisposalDoor:
    """The disposal screen's door to the store (called from thread workers)."""

    @staticmethod
    @_in_worker
    def overview(today: dt.date) -> tuple[list[tuple[str, int]], list[BatchInfo]]:
        return retention.due_summary(today), disposal.list_batches()

    @staticmethod
    @_in_worker
    def sign(kind: str, number: str, actor) -> BatchInfo:
        return (disposal.approve if kind == "approve" else disposal.witness)(number, actor)


class DisposalRead(Message):
    """The due summary and the batches were read (or reading failed with `error`)."""

    def __init__(self, due: list[tuple[str, int]], batches: list[BatchInfo],
                 error: str = "") -> None:
        super().__init__()
        self.due, self.batches, self.error = due, batches, error


class BatchSigned(Message):
    """An approval or witness signature was recorded (`batch`) or refused (`error`)."""

    def __init__(self, kind: str, batch: BatchInfo | None, error: str = "") -> None:
        super().__init__()
        self.kind, self.batch, self.error = kind, batch, error


def batch_line(b: BatchInfo) -> str:
    """A batch's state in one line."""
    return t("批次 {n}：{s}，{i} 份，未鉴定 {p}，审批 {a}/2，监销 {w}/2",
             "batch {n}: {s}, {i} items, {p} pending, approvals {a}/2, witnesses {w}/2",
             n=b.number, s=disposal.status_name(b.status), i=b.items, p=b.pending_decisions,
             a=len(b.approvals), w=len(b.witnesses))


class DisposalScreen(DeskScreen):
    """Due list, batches, approval (A) and witnessing (W) by the signed-in user."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[BatchInfo] = []
        self._bindings.bind("escape", "back", t("返回", "Back"))
        self._bindings.bind("f5", "reload", t("刷新", "Refresh"))
        self._bindings.bind("a", "sign('approve')", t("审批", "Approve"))
        self._bindings.bind("w", "sign('witness')", t("监销签字", "Witness"))

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("销毁", "Disposal")), id="topbar")
        yield StatusLine(Text(""), id="status")
        yield ScanField(placeholder=t("扫描或输入销毁批次号后回车", "Scan or type a batch number, "
                                      "Enter"), id="batch-scan")
        yield Static("", id="due")
        yield DataTable(id="batches", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#batches", DataTable)
        for key, label in (("number", t("批次", "Batch")), ("status", t("状态", "Status")),
                           ("as_of", t("截至", "As of")), ("items", t("份数", "Items")),
                           ("pending", t("未鉴定", "Pending")),
                           ("approvals", t("审批", "Approvals")),
                           ("witnesses", t("监销", "Witnesses"))):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="disposal")
    def load(self) -> None:
        try:
            due, batches = DisposalDoor.overview(self.app.clock().date())
        except ArchiveError as exc:
            self.post_message(DisposalRead([], [], str(exc)))
            return
        self.post_message(DisposalRead(due, batches))

    @on(DisposalRead)
    def _read(self, message: DisposalRead) -> None:
        if message.error:
            self.query_one("#status", StatusLine).show(message.error, "error")
            return
        self.batches = message.batches
        due = "；".join(f"{cls or '—'} {n}" for cls, n in message.due) or t("无", "none")
        self.query_one("#due", Static).update(Text(t("今日到期：{d}", "Due today: {d}", d=due)))
        table = self.query_one("#batches", DataTable)
        table.clear()
        for b in self.batches:
            table.add_row(Text(b.number, style="bold"), Text(disposal.status_name(b.status)),
                          Text(str(b.as_of)), Text(str(b.items)), Text(str(b.pending_decisions)),
                          Text(", ".join(s.username for s in b.approvals) or "—"),
                          Text(", ".join(s.username for s in b.witnesses) or "—"),
                          key=b.number)

    def _selected(self) -> BatchInfo | None:
        table = self.query_one("#batches", DataTable)
        if not self.batches or table.cursor_row is None:
            return None
        return self.batches[min(table.cursor_row, len(self.batches) - 1)]

    def handle_scan(self, scan: DeskScan) -> bool:
        """A batch number selects that batch; a barcode is looked up by the desk, aside."""
        code = scan.raw.strip().upper()
        for row, b in enumerate(self.batches):
            if b.number == code:
                table = self.query_one("#batches", DataTable)
                table.move_cursor(row=row)
                table.focus()
                self.query_one("#status", StatusLine).show(batch_line(b))
                return True
        if scan.kind != "keyword":
            return False
        self.query_one("#status", StatusLine).show(
            t("没有销毁批次 {b}", "no disposal batch {b}", b=code), "error")
        return True

    def action_sign(self, kind: str) -> None:
        batch = self._selected()
        if batch is None:
            self.query_one("#status", StatusLine).show(t("没有批次", "No batch"), "warn")
            return
        self.sign(kind, batch.number)

    @work(thread=True, exclusive=True, exit_on_error=False, group="disposal-sign")
    def sign(self, kind: str, number: str) -> None:
        try:
            info = DisposalDoor.sign(kind, number, self.app.actor)
        except ArchiveError as exc:
            self.post_message(BatchSigned(kind, None, str(exc)))
            return
        self.post_message(BatchSigned(kind, info))

    @on(BatchSigned)
    def _signed(self, message: BatchSigned) -> None:
        status = self.query_one("#status", StatusLine)
        if message.error:
            status.show(message.error, "error")
            return
        done = t("已审批", "Approved") if message.kind == "approve" else t("已签字", "Witnessed")
        status.show(f"{done}：{batch_line(message.batch)}", "ok")
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
