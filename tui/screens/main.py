"""The main screen: one always-focused scan field, the last result, and this session's scans."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.tui import render
from hudang.tui.deskinfo import DeskInfoBar, RulesNotice, TopLine
from hudang.tui.footer import SteadyFooter
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import ScanLookedUp
from hudang.tui.scanstream import DeskScan
from hudang.tui.screens.printing import LabelPrintingScreen
from hudang.tui.topbar import top_bar_text
from hudang.tui.widgets import ResultPane, ScanField, ScanList, StatusLine, render_promptly

__all__ = ["MainScreen", "top_bar_text"]  # top_bar_text: its old home, kept for callers


class MainScreen(LabelPrintingScreen):
    """Scan anything: the result shows here and joins the running list on the right.

    An item out on loan is shown as on loan, with F6 to take it back; nothing here returns
    an item by itself, so the next scan can never confirm a return by accident.
    """

    def __init__(self) -> None:
        super().__init__()
        bind_labelled(self, [("f2", "search", "search"), ("f3", "shelving", "shelving"),
                             ("f4", "stocktake", "stocktake"), ("f7", "loans", "loans"),
                             ("f8", "print_label", "print_label")])
        self._bindings.bind("f6", "checkin", t("归还", "Check in"))
        self._bindings.bind("f9", "attention", t("待处理", "Attention"))
        self._bindings.bind("f10", "receiving", t("接收", "Receiving"))  # issue 13
        self._bindings.bind("f11", "boxing", t("装盒", "Boxing"))
        self._bindings.bind("f5", "workboard", t("工作台", "Work board"), show=False)  # issue 14
        self.shown_seq = 0  # the scan whose result is on screen
        self.offered_return: str | None = None  # the lent item on screen, F6 takes it back

    def compose(self) -> ComposeResult:
        with TopLine(id="topline"):
            yield Static(top_bar_text(self.app, L("mode_desk")), id="topbar")
            yield DeskInfoBar(id="deskinfo")
        yield RulesNotice(id="rules-notice")
        yield ScanField(id="scan")
        yield StatusLine(Text(L("ready")), id="status")
        with Horizontal(id="main-body"):
            yield ResultPane(id="result")
            with Vertical(id="scans-box"):
                yield Static(Text(L("scans"), style="bold"), classes="caption")
                yield ScanList(id="scans")
        yield SteadyFooter()  # keys rebuilt only when they change

    def on_mount(self) -> None:
        render_promptly(self)
        self.query_one("#scan").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#topbar", Static).update(top_bar_text(self.app, L("mode_desk")))
        self.query_one("#scan").focus()

    # --- scanning -----------------------------------------------------------------------------
    @property
    def seq(self) -> int:
        """The number of the last scan submitted (the app numbers them)."""
        return self.app.scan_seq

    def submit_scan(self, raw: str) -> int:
        """Put `raw` on the app's scan stream as if scanned; return its number."""
        return self.app.submit_scan(raw)

    def handle_scan(self, scan: DeskScan) -> bool:
        """Here every scan is looked up; a mistyped code is shown, other text is searched."""
        if scan.error:
            self.record_error(scan)
            self._show_error(scan.seq, scan.error)
            return True
        if scan.kind == "keyword":
            self._record(scan.kind, scan.code, L("keyword_search"), seq=scan.seq)
            self.app.open_search(scan.code, results_first=True)
            return True
        if scan.kind == "handover":  # a handover list's barcode: receive that batch (issue 13)
            self._record(scan.kind, scan.code, L("open_receiving"), seq=scan.seq)
            self.action_receiving(scan.code)
            return True
        self.look_up(scan)
        return True

    def record_error(self, scan: DeskScan) -> None:
        """A mistyped code joins the list (from any screen)."""
        self._record("error", scan.code, scan.error or "", error=True, seq=scan.seq)

    @work(thread=True, exit_on_error=False, group="scan")
    def look_up(self, scan: DeskScan, aside: bool = False) -> None:
        """Every scan is looked up (never dropped), so this group is not exclusive.

        `aside`: scanned on another screen that had no use for it; it only joins the list.
        """
        try:
            answer = self.app.services.answer(scan.scan, with_file=not aside)
        except ArchiveError as exc:  # an unknown code is an answer too: it joins the list
            self.post_message(ScanLookedUp(scan.seq, scan.raw, scan.kind, scan.code,
                                           error=str(exc), error_code=exc.code, aside=aside))
            return
        self.post_message(ScanLookedUp(scan.seq, scan.raw, scan.kind, scan.code,
                                       result=answer.result, loan=answer.loan,
                                       file=answer.file, aside=aside))

    @on(ScanLookedUp)
    def _looked_up(self, message: ScanLookedUp) -> None:
        if message.aside:
            self._aside(message)
            return
        pane = self.query_one("#result", ResultPane)
        if message.error:
            self._record(message.kind, message.code, message.error, error=True, seq=message.seq)
            self._show_error(message.seq, message.error)
            return
        result = message.result
        self._record(result.kind, result.code, _summary(result, message.loan), seq=message.seq)
        if message.seq < self.shown_seq:
            return  # a later scan is already on screen; this one only joins the list
        self.shown_seq = message.seq
        pane.show(message.seq, result, message.loan)
        self.offered_return = result.code if message.loan is not None else None
        if message.loan is not None:
            self.status.show(t("{k} {c} 已借出（{s}）· 按 F6 归还",
                               "{k} {c} is out on loan ({s}) · F6 to check it in",
                               k=render.kind_name(result.kind), c=result.code,
                               s=message.loan.slip_no), "warn")
        else:
            self.status.show(f"{render.kind_name(result.kind)} {result.code}", "ok")
        if self.app.screen is not self:
            return  # a dialog or another screen opened meanwhile: do not jump over it
        if result.kind == "customer":
            self.app.open_customer(result.code, message.file)
        elif result.kind == "loan_slip" and _awaiting_pick(result.loan):
            self.app.open_checkout(result.code)  # an approved slip: go straight to picking

    def _show_error(self, seq: int, error: str) -> None:
        if seq >= self.shown_seq:
            self.shown_seq = seq
            self.offered_return = None
            self.status.show(error, "error")
            self.query_one("#result", ResultPane).show_error(seq, error)

    def _aside(self, message: ScanLookedUp) -> None:
        """A scan another screen could not use: it joins the list and a note says so."""
        if message.error:
            self._record(message.kind, message.code, message.error, error=True, seq=message.seq)
            self.app.notify(message.error, title=t("扫描（未在此处使用）", "Scan (not used here)"),
                            severity="error")
            return
        result = message.result
        summary = _summary(result, message.loan)
        self._record(result.kind, result.code, summary, seq=message.seq)
        self.app.notify(f"{render.kind_name(result.kind)} {result.code} · {summary}",
                        title=t("扫描已记入扫描记录（此处不用）",
                                "Scan added to the scan list (not used here)"))

    def _record(self, kind: str, code: str, summary: str, error: bool = False,
                seq: int | None = None) -> None:
        self.query_one("#scans", ScanList).add_scan(self.app.clock(), kind, code, summary, error,
                                                    seq=seq if seq is not None else self.seq)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def archive_changed(self, changes) -> None:
        """Another desk or the daemon changed the archive: re-read the result on show."""
        from hudang.tui.live import refresh_result

        refresh_result(self)

    # --- modes ------------------------------------------------------------------------------
    def open_customer(self, number: str, file=None) -> None:
        self.app.open_customer(number, file)

    def action_search(self, text: str = "") -> None:
        self.app.open_search(text)

    def action_shelving(self) -> None:
        self.app.open_shelving()

    def action_stocktake(self) -> None:
        self.app.open_stocktake()

    def action_loans(self) -> None:
        """The loans screen (出借): slips, approvals, checkout and returns."""
        self.app.open_loans()

    def action_checkin(self) -> None:
        """Check-in (归还): the lent item on screen is taken back, then more can be scanned."""
        code, self.offered_return = self.offered_return, None
        self.app.open_checkin(code)

    def action_attention(self) -> None:
        """The needs-attention queue (待处理): scans the daemon could not link."""
        self.app.open_attention()

    def action_receiving(self, batch: str | None = None) -> None:
        """Receiving mode (接收): scan a handover batch, then its items."""
        self.app.open_receiving(batch)

    def action_boxing(self) -> None:
        """Boxing mode (装盒): scan a box, then volumes or documents into it."""
        self.app.open_boxing()

    def action_workboard(self) -> None:
        """The work board (工作台): reminders by kind and colour, contracts, scores."""
        self.app.open_workboard()

    def action_print_label(self) -> None:
        """A label PDF for the box (or the position) on screen."""
        shown = self.query_one("#result", ResultPane).shown
        if shown is None or (shown.box is None and shown.position is None):
            self.status.show(L("ready"))
            return
        self.write_labels(shown.box.barcode if shown.box else None,
                          shown.position.location.code if shown.position else None)


def _summary(result, loan) -> str:
    """The scan list's line for a result, saying so when the item is out on loan."""
    text = render.result_summary(result)
    if loan is not None:
        text += t(" · 借出 {s}", " · on loan {s}", s=loan.slip_no)
    return text


def _awaiting_pick(loan) -> bool:
    """Whether a scanned slip still has items to take off the shelf (approved, not all out)."""
    return loan is not None and loan.status in ("approved", "active") and any(
        item.status == "requested" for item in loan.items)
