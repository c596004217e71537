"""Stocktake (盘点): choose a scope, scan positions and the boxes found there, get a report."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Input, Static

from hudang.store.barcodes import default_scheme
from hudang.store.errors import ArchiveError
from hudang.store.services.stocktake import StocktakeReport, StocktakeScope, finding_name, resolve_cell
from hudang.tui import render
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import ScopeOpened, StocktakeReported
from hudang.tui.screens.main import top_bar_text
from hudang.tui.screens.printing import LabelPrintingScreen
from hudang.tui.widgets import PositionBig, ScanField, StatusLine

FINDING_STYLE = {"missing": "bold red", "misplaced": "yellow", "unexpected": "magenta",
                 "unknown": "magenta", "on_loan_present": "cyan"}


class StocktakeScreen(LabelPrintingScreen):
    """Scope first; then position, boxes, position, boxes …; F9 reports, F10 exports CSV."""

    def __init__(self) -> None:
        super().__init__()
        self.scope: StocktakeScope | None = None
        self.cell: str | None = None
        self.seen: list[tuple[str, str]] = []
        self.report: StocktakeReport | None = None
        self.opening = False  # the scope is being loaded; scans wait in `pending`
        self.pending: list[str] = []
        bind_labelled(self, [("escape", "back", "back"), ("f9", "finish", "finish"),
                             ("f10", "export", "export"), ("f8", "position_labels",
                                                           "position_labels")])

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, L("stocktake")), id="topbar")
        yield ScanField(L("stocktake_hint"), id="scan")
        yield StatusLine(Text(L("stocktake_hint")), id="status")
        yield PositionBig(L("position"), id="cell-big")
        yield DataTable(id="seen", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cell-big").display = False
        self._columns(("position", "box"))
        self.query_one("#scan").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#scan").focus()

    def _columns(self, keys: tuple[str, ...]) -> DataTable:
        table = self.query_one("#seen", DataTable)
        table.can_focus = False
        table.clear(columns=True)
        for key in keys:
            table.add_column(L(key), key=key)
        return table

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        event.input.value = ""
        if not raw:
            return
        if self.opening:
            self.pending.append(raw)  # the scanner is faster than the scope query
            return
        if self.scope is None:
            self.opening = True
            self.open_scope(raw)
            return
        self.take(raw)

    def take(self, raw: str) -> None:
        """One scan inside the scope: a position sets the current cell, a box is recorded."""
        try:
            scan = default_scheme().parse(raw)
        except ArchiveError as exc:
            self.status.show(str(exc), "error")
            return
        if scan.kind == "position":
            try:
                cell = resolve_cell(self.scope, scan.code)
            except ArchiveError as exc:
                self.status.show(str(exc), "error")
                return
            self.cell = cell.code
            big = self.query_one("#cell-big", PositionBig)
            big.display = True
            big.show(cell)
            self.status.show(L("stocktake_cell", c=cell.code), "ok")
        elif scan.kind == "box":
            if self.cell is None:
                self.status.show(L("stocktake_need_cell"), "error")
                return
            self.seen.append((self.cell, scan.code))
            self.query_one("#seen", DataTable).add_row(Text(self.cell), Text(scan.code,
                                                                             style="bold"))
            self.status.show(L("stocktake_seen", n=len(self.seen)), "ok")
        else:
            self.status.show(L("stocktake_need_cell"), "error")

    @work(thread=True, exclusive=True, exit_on_error=False, group="stocktake")
    def open_scope(self, code: str) -> None:
        try:
            scope = self.app.services.open_scope(code)
        except ArchiveError as exc:
            self.post_message(ScopeOpened(error=str(exc)))
            return
        self.post_message(ScopeOpened(scope))

    @on(ScopeOpened)
    def _scope_opened(self, message: ScopeOpened) -> None:
        self.opening = False
        pending, self.pending = self.pending, []
        if message.error:
            self.status.show(message.error, "error")
            return
        self.scope = scope = message.scope
        text = L("stocktake_scope", s=scope.root.code, n=len(scope.cells), b=len(scope.expected))
        self.query_one("#topbar", Static).update(top_bar_text(self.app, L("stocktake") + " "
                                                              + scope.root.code))
        self.status.show(text, "ok")
        for raw in pending:
            self.take(raw)

    def action_finish(self) -> None:
        if self.scope is not None:
            self.build_report(self.scope, list(self.seen))

    @work(thread=True, exclusive=True, exit_on_error=False, group="stocktake")
    def build_report(self, scope: StocktakeScope, seen: list[tuple[str, str]]) -> None:
        try:
            report = self.app.services.stocktake_report(scope, seen, self.app.actor)
        except ArchiveError as exc:
            self.post_message(StocktakeReported(error=str(exc)))
            return
        self.post_message(StocktakeReported(report))

    @on(StocktakeReported)
    def _reported(self, message: StocktakeReported) -> None:
        if message.error:
            self.status.show(message.error, "error")
            return
        self.report = report = message.report
        table = self._columns(("finding", "box", "seen_at", "belongs", "status"))
        for line in report.lines():
            table.add_row(Text(finding_name(line.kind), style=FINDING_STYLE.get(line.kind, "")),
                          Text(line.box, style="bold"), Text(line.seen_at or "—"),
                          Text(line.home or "—"),
                          render.status_text(line.status) if line.status else Text("—"))
        counts = report.counts()
        summary = "  ".join(f"{finding_name(k) if k != 'ok' else 'OK'} {n}"
                            for k, n in counts.items())
        self.status.show(f"{L('report')} {report.scope}: {summary}", "ok")

    def action_export(self) -> None:
        if self.report is None:
            self.action_finish()
            return
        path = self.app.services.export_report(self.report, self.app.clock())
        self.status.show(L("exported", f=path), "ok")

    def action_position_labels(self) -> None:
        """Shelf-position labels (PDF) for every cell of the scope."""
        if self.scope is not None:
            self.write_labels(scope=self.scope.root.code)

    def action_back(self) -> None:
        self.app.pop_screen()
