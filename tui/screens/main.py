"""The main screen: one always-focused scan field, the last result, and this session's scans."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static

from hudang.store.barcodes import Scan, default_scheme
from hudang.store.domain import ROLES
from hudang.store.errors import ArchiveError
from hudang.store.i18n import language, t
from hudang.tui import render
from hudang.tui.deskinfo import DeskInfoBar, RulesNotice, TopLine
from hudang.tui.i18n import L, bind_labelled
from hudang.tui.messages import ScanLookedUp
from hudang.tui.screens.printing import LabelPrintingScreen
from hudang.tui.widgets import ResultPane, ScanField, ScanList, StatusLine, render_promptly


def top_bar_text(app, mode: str) -> Text:
    """The line at the top: product, user and role, terminal, mode."""
    user = app.user
    role = (user.role if language() == "en" else ROLES.get(user.role, user.role)) if user else ""
    who = f"{user.display_name} ({role})" if user else ""
    return Text.assemble((L("title"), "bold"), "  ·  ", who, "  ·  ", app.settings.terminal,
                         "  ·  ", (mode, "bold reverse"))


class MainScreen(LabelPrintingScreen):
    """Scan anything: the result shows here and joins the running list on the right."""

    def __init__(self) -> None:
        super().__init__()
        bind_labelled(self, [("f2", "search", "search"), ("f3", "shelving", "shelving"),
                             ("f4", "stocktake", "stocktake"), ("f7", "loans", "loans"),
                             ("f8", "print_label", "print_label")])
        self._bindings.bind("f9", "attention", t("待处理", "Attention"))
        self._bindings.bind("f10", "receiving", t("接收", "Receiving"))  # issue 13
        self._bindings.bind("f11", "boxing", t("装盒", "Boxing"))
        self._bindings.bind("f6", "workboard", t("工作台", "Work board"), show=False)  # issue 14
        self.seq = 0  # scans submitted
        self.shown_seq = 0  # the scan whose result is on screen

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
        yield Footer()

    def on_mount(self) -> None:
        render_promptly(self)
        self.query_one("#scan").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#topbar", Static).update(top_bar_text(self.app, L("mode_desk")))
        self.query_one("#scan").focus()

    # --- scanning -----------------------------------------------------------------------------
    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        raw = event.value
        event.input.value = ""
        if raw.strip():
            self.submit_scan(raw)

    def submit_scan(self, raw: str) -> int:
        """Classify a scan here (no database) and look it up in a worker; return its number."""
        self.seq += 1
        seq = self.seq
        try:
            scan = default_scheme().parse(raw)
        except ArchiveError as exc:
            self.post_message(ScanLookedUp(seq, raw, "error", raw.strip(), error=str(exc),
                                           error_code=exc.code))
            return seq
        if scan.kind == "keyword":
            self._record(scan.kind, scan.code, L("keyword_search"))
            self.action_search(scan.code)
            return seq
        if scan.kind == "handover":  # a handover list's barcode: receive that batch (issue 13)
            self.action_receiving(scan.code)
            return seq
        self.look_up(seq, raw, scan)
        return seq

    @work(thread=True, exit_on_error=False, group="scan")
    def look_up(self, seq: int, raw: str, scan: Scan) -> None:
        """Every scan is looked up (never dropped), so this group is not exclusive."""
        try:
            result, loan = self.app.services.lookup_with_loan(raw)
        except ArchiveError as exc:
            self.post_message(ScanLookedUp(seq, raw, scan.kind, scan.code, error=str(exc),
                                           error_code=exc.code))
            return
        file = None
        if result.kind == "customer":  # the file screen opens with its data: one paint, not two
            try:
                file = self.app.services.customer_file(result.code)
            except ArchiveError:
                pass  # the file screen loads it again and shows the error itself
        self.post_message(ScanLookedUp(seq, raw, scan.kind, scan.code, result=result,
                                       loan=loan, file=file))

    @on(ScanLookedUp)
    def _looked_up(self, message: ScanLookedUp) -> None:
        pane = self.query_one("#result", ResultPane)
        if message.error:
            self._record(message.kind, message.code, message.error, error=True, seq=message.seq)
            if message.seq >= self.shown_seq:
                self.shown_seq = message.seq
                self.status.show(message.error, "error")
                pane.show_error(message.seq, message.error)
            return
        result = message.result
        self._record(result.kind, result.code, render.result_summary(result), seq=message.seq)
        if message.seq < self.shown_seq:
            return  # a later scan is already on screen; this one only joins the list
        self.shown_seq = message.seq
        self.status.show(f"{render.kind_name(result.kind)} {result.code}", "ok")
        pane.show(message.seq, result, message.loan)
        if result.kind == "customer":
            self.open_customer(result.code, message.file)
        elif result.kind == "loan_slip" and _awaiting_pick(result.loan):
            from hudang.tui.screens.loans import open_checkout  # local: loans imports this module

            open_checkout(self.app, result.code)  # an approved slip: go straight to picking
        elif message.loan is not None:
            from hudang.tui.screens.loans import offer_return_if_on_loan

            offer_return_if_on_loan(self.app, result)  # an item out on loan is coming back

    def _record(self, kind: str, code: str, summary: str, error: bool = False,
                seq: int | None = None) -> None:
        self.query_one("#scans", ScanList).add_scan(self.app.clock(), kind, code, summary, error,
                                                    seq=seq if seq is not None else self.seq)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    # --- modes ------------------------------------------------------------------------------
    def open_customer(self, number: str, file=None) -> None:
        from hudang.tui.screens.customer import CustomerFileScreen

        self.app.push_screen(CustomerFileScreen(number, file))

    def action_search(self, text: str = "") -> None:
        from hudang.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(text))

    def action_shelving(self) -> None:
        from hudang.tui.screens.shelving import ShelvingScreen

        self.app.push_screen(ShelvingScreen())

    def action_stocktake(self) -> None:
        from hudang.tui.screens.stocktake import StocktakeScreen

        self.app.push_screen(StocktakeScreen())

    def action_loans(self) -> None:
        """The loans screen (出借): slips, approvals, checkout and returns."""
        from hudang.tui.screens.loans import open_loans

        open_loans(self.app)

    def action_attention(self) -> None:
        """The needs-attention queue (待处理): scans the daemon could not link."""
        from hudang.tui.screens.attention import AttentionScreen

        self.app.push_screen(AttentionScreen())

    def action_receiving(self, batch: str | None = None) -> None:
        """Receiving mode (接收): scan a handover batch, then its items."""
        from hudang.tui.screens.receiving import ReceivingScreen

        self.app.push_screen(ReceivingScreen(batch))

    def action_boxing(self) -> None:
        """Boxing mode (装盒): scan a box, then volumes or documents into it."""
        from hudang.tui.screens.boxing import BoxingScreen

        self.app.push_screen(BoxingScreen())

    def action_workboard(self) -> None:
        """The work board (工作台): reminders by kind and colour, contracts, scores."""
        from hudang.tui.screens.workboard import WorkBoardScreen

        self.app.push_screen(WorkBoardScreen())

    def action_print_label(self) -> None:
        """A label PDF for the box (or the position) on screen."""
        shown = self.query_one("#result", ResultPane).shown
        if shown is None or (shown.box is None and shown.position is None):
            self.status.show(L("ready"))
            return
        self.write_labels(shown.box.barcode if shown.box else None,
                          shown.position.location.code if shown.position else None)


def _awaiting_pick(loan) -> bool:
    """Whether a scanned slip still has items to take off the shelf (approved, not all out)."""
    return loan is not None and loan.status in ("approved", "active") and any(
        item.status == "requested" for item in loan.items)
