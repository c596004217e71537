"""Stocktake (盘点): choose a scope, scan positions and the boxes found there, get a report.

While scanning, each box gets a live verdict (where it belongs, scanned twice, from outside
the scope, lent out); the counted cells are tracked, so boxes whose cell was never counted
are "not counted", not "missing". Every scan is kept in a draft in the data directory: Esc
pauses, and opening the same scope again resumes. F9 first shows the report as a preview;
F9 again finishes it, once (a finished stocktake is recorded a single time).
"""

from __future__ import annotations

import uuid

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.stocktake import (
    StocktakeReport,
    StocktakeScope,
    check_scan,
    finding_name,
    resolve_cell,
)
from hudang.tui import render
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import ScopeOpened, StocktakeReported
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.printing import LabelPrintingScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import PositionBig, ScanField, StatusLine

FINDING_STYLE = {"missing": "bold red", "misplaced": "yellow", "unexpected": "magenta",
                 "unknown": "magenta", "on_loan_present": "cyan", "not_counted": "dim",
                 "duplicate": "yellow", "foreign": "magenta"}


class StocktakeScreen(LabelPrintingScreen):
    """Scope first; then position, boxes, position, boxes …; F9 previews, F9 again finishes."""

    def __init__(self) -> None:
        super().__init__()
        self.scope: StocktakeScope | None = None
        self.cell: str | None = None
        self.seen: list[tuple[str, str]] = []
        self.counted: list[str] = []  # cells scanned, in order
        self.report: StocktakeReport | None = None
        self.previewed = -1  # len(seen) when the report on screen was made; -1: none
        self.finished = False
        self.token = ""  # this stocktake's identity: finishing is recorded once per token
        self.opening = False  # the scope is being loaded; scans wait in `pending`
        self.pending: list[DeskScan] = []
        bind_labelled(self, [("escape", "back", "back"), ("f9", "finish", "finish"),
                             ("f10", "export", "export"), ("f8", "position_labels",
                                                           "position_labels")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("stocktake")), id="topbar")
        yield ScanField(L("stocktake_hint"), id="scan")
        yield StatusLine(Text(L("stocktake_hint")), id="status")
        yield Static("", id="progress")
        yield PositionBig(L("position"), id="cell-big")
        yield DataTable(id="seen", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cell-big").display = False
        self._columns(("position", "box", "finding"))
        self.query_one("#scan").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()

    def _columns(self, keys: tuple[str, ...]) -> DataTable:
        table = self.query_one("#seen", DataTable)
        table.can_focus = False
        table.clear(columns=True)
        for key in keys:
            table.add_column(L(key) if key != "finding" or self.report else
                             t("提示", "Note"), key=key)
        return table

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- scans ------------------------------------------------------------------------------
    def handle_scan(self, scan: DeskScan) -> bool:
        """The first scan names the scope; then positions set the cell and boxes are counted."""
        if self.opening:
            self.pending.append(scan)  # the scanner is faster than the scope query
            return True
        if self.scope is None:
            if scan.kind in ("position", "keyword"):
                self.opening = True
                self.open_scope(scan.code)
                return True
            self.status.show(L("stocktake_hint"), "error")
            return False
        if self.finished:
            return False
        return self.take(scan)

    def take(self, scan: DeskScan) -> bool:
        """One scan inside the scope: a position sets the current cell, a box is recorded."""
        if scan.kind == "position":
            try:
                cell = resolve_cell(self.scope, scan.code)
            except ArchiveError as exc:
                self.status.show(str(exc), "error")
                self._warn(str(exc))
                return True
            self.cell = cell.code
            if cell.code not in self.counted:
                self.counted.append(cell.code)
            big = self.query_one("#cell-big", PositionBig)
            big.display = True
            big.show(cell)
            self.status.show(L("stocktake_cell", c=cell.code), "ok")
            self._saved()
            return True
        if scan.kind != "box":
            return False
        if self.cell is None:
            self.status.show(L("stocktake_need_cell"), "error")
            return True
        warning = check_scan(self.scope, self.cell, scan.code, {b for _, b in self.seen})
        self.seen.append((self.cell, scan.code))
        self._add_row(self.cell, scan.code, warning)
        if warning:
            self._warn(self._warning_text(scan.code, warning))
        self.status.show(L("stocktake_seen", n=len(self.seen)), "warn" if warning else "ok")
        self._saved()
        return True

    def _warning_text(self, box: str, warning: str) -> str:
        exp = self.scope.expected.get(box)
        home = exp.home_code if exp else "—"
        return t("{b}：{w}（归属 {h}）", "{b}: {w} (home {h})", b=box, w=finding_name(warning),
                 h=home)

    def _warn(self, text: str) -> None:
        self.app.bell()
        self.notify(text, severity="warning", timeout=4)

    def _add_row(self, cell: str, box: str, warning: str | None) -> None:
        note = (Text(finding_name(warning), style=FINDING_STYLE.get(warning, "yellow"))
                if warning else Text(finding_name("ok"), style="green"))
        self.query_one("#seen", DataTable).add_row(Text(cell), Text(box, style="bold"), note)

    def _saved(self) -> None:
        """Keep the draft (pause / resume) and show how far the count has come."""
        self.previewed = -1  # the report on screen no longer says what was scanned
        self.app.services.save_stocktake_draft(self.scope.root.code, self.token, self.seen,
                                               self.counted)
        self._progress()

    def _progress(self) -> None:
        if self.scope is None:
            return
        self.query_one("#progress", Static).update(Text(t(
            "已盘格位 {c}/{n} · 已扫 {b} 盒（应有 {e} 盒） · Esc 暂停，下次扫同一范围继续",
            "Cells counted {c}/{n} · {b} boxes scanned ({e} expected) · Esc pauses; "
            "scan the same scope again to resume", c=len(self.counted), n=len(self.scope.cells),
            b=len(self.seen), e=len(self.scope.expected)), style="dim"))

    # --- the scope --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="stocktake-open")
    def open_scope(self, code: str) -> None:
        scope = self.app.services.open_scope(code)
        draft = self.app.services.load_stocktake_draft(scope.root.code)
        self.post_message(ScopeOpened(scope, draft=draft))

    def worker_failed(self, worker: Worker, error: ArchiveError) -> bool:
        if worker.group == "stocktake-open":
            self.opening = False
            self.pending.clear()
        return False

    @on(ScopeOpened)
    def _scope_opened(self, message: ScopeOpened) -> None:
        self.opening = False
        pending, self.pending = self.pending, []
        self.scope = scope = message.scope
        text = L("stocktake_scope", s=scope.root.code, n=len(scope.cells), b=len(scope.expected))
        draft = message.draft
        if draft:
            self.token = draft["token"]
            self.counted = [c for c in draft["counted"] if c in scope.cell_codes]
            seen: set[str] = set()
            for cell, box in draft["seen"]:
                warning = check_scan(scope, cell, box, seen)
                seen.add(box)
                self.seen.append((cell, box))
                self._add_row(cell, box, warning)
            text += "  " + t("已恢复暂停的盘点：{n} 次扫描", "Resumed the paused stocktake: "
                             "{n} scans", n=len(self.seen))
        else:
            self.token = uuid.uuid4().hex
        self.query_one("#topbar", Static).update(top_bar_text(self.app, L("stocktake") + " "
                                                              + scope.root.code))
        self.status.show(text, "ok")
        self._progress()
        for scan in pending:
            self.handle_scan(scan)

    # --- preview, finish, export ------------------------------------------------------------
    def action_finish(self) -> None:
        """First F9: the report as a preview; F9 again (nothing scanned since): finish it."""
        if self.scope is None:
            return
        confirm = self.report is not None and self.previewed == len(self.seen)
        self.build_report(self.scope, list(self.seen), set(self.counted),
                          finish=confirm or self.finished)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stocktake")
    def build_report(self, scope: StocktakeScope, seen: list[tuple[str, str]],
                     counted: set[str], finish: bool) -> None:
        svc = self.app.services
        report = svc.stocktake_preview(scope, seen, counted)
        recorded = svc.stocktake_finish(report, self.app.actor, self.token) if finish else None
        self.post_message(StocktakeReported(report, recorded=recorded, count=len(seen)))

    @on(StocktakeReported)
    def _reported(self, message: StocktakeReported) -> None:
        self.report = report = message.report
        self.previewed = message.count
        table = self._columns(("finding", "box", "seen_at", "belongs", "status"))
        for line in report.lines():
            table.add_row(Text(finding_name(line.kind), style=FINDING_STYLE.get(line.kind, "")),
                          Text(line.box, style="bold"), Text(line.seen_at or "—"),
                          Text(line.home or "—"),
                          render.status_text(line.status) if line.status else Text("—"))
        summary = "  ".join(f"{finding_name(k)} {n}" for k, n in report.counts().items())
        if message.recorded is None:
            self.status.show(t("预览 {s}：{x} · 再按 F9 完成盘点", "Preview {s}: {x} · F9 again "
                               "finishes", s=report.scope, x=summary), "warn")
            return
        if not self.finished:
            self.app.services.drop_stocktake_draft(report.scope)
        self.finished = True
        self.status.show(f"{L('report')} {report.scope}: {summary}" + (
            "" if message.recorded else t("（已完成过，未重复记录）",
                                          " (already finished; not recorded again)")), "ok")

    def action_export(self) -> None:
        if self.report is None:
            self.action_finish()
            return
        try:
            path, note = self.app.services.export_report(self.report, self.app.clock())
        except ArchiveError as exc:
            self.status.show(str(exc), "error")
            return
        self.status.show(L("exported", f=path) + (" " + note if note else ""),
                         "warn" if note else "ok")

    def action_position_labels(self) -> None:
        """Shelf-position labels (PDF) for every cell of the scope."""
        if self.scope is not None:
            self.write_labels(scope=self.scope.root.code)

    def action_back(self) -> None:
        """Esc pauses: the scans stay in the draft until the same scope is finished."""
        self.app.pop_screen()
