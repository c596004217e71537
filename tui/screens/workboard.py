"""The work board (工作台): reminders by kind and colour, the lists behind them, scores.

Counts of open work per reminder kind in red / yellow / green, the list behind the selected
kind, the contract-expiry list, and this month's scores with a 12-month trend drawn in the
terminal. `m` steps through three scopes: everyone's tasks; mine (the tasks the signed-in
user answers for and those escalated to them as team lead, each saying which); and my
reminders (what the reminder pass sent them or escalated to them, newest first, and whether
it has been done since). At 80×24 the scores shrink to their figures beside the counts.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Sparkline, Static

from hudang.store.errors import ArchiveError
from hudang.store.i18n import t
from hudang.store.services.business_rules import kind_label
from hudang.tui import render
from hudang.tui.business_view import SCOPES, STATE_STYLE, BoardData, load_board
from hudang.tui.i18n import bind_labelled
from hudang.tui.screens.base import DeskScreen
from hudang.tui.topbar import top_bar_text

KINDS = ("待添加", "待发送", "待移交", "待移交卷宗", "合同预警", "业扩时限预警")
STATES = ("red", "yellow", "green")


def _scope_name(scope: str) -> str:
    return {"all": t("全部", "everyone"), "mine": t("我的待办", "my tasks"),
            "reminders": t("我的提醒", "my reminders")}[scope]


def _state_name(state: str) -> str:
    return {"red": t("超期", "overdue"), "yellow": t("预警", "warning"),
            "green": t("正常", "normal")}[state]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class BoardLoaded(Message):
    """A snapshot of the board arrived from the worker (or the error that stopped it)."""

    def __init__(self, data: BoardData | None, error: str = "") -> None:
        super().__init__()
        self.data = data
        self.error = error


class WorkBoardScreen(DeskScreen):
    """Reminder counts, the list behind a kind, contracts, scores; `m` steps the scope."""

    DEFAULT_CSS = """
    WorkBoardScreen #wb-top { height: 20; }
    WorkBoardScreen #wb-counts { width: 1fr; }
    WorkBoardScreen #wb-kpi { width: 52; padding: 0 1; }
    WorkBoardScreen Sparkline { height: 2; }
    WorkBoardScreen #wb-scope, WorkBoardScreen #wb-list-title { height: 1; padding: 0 1; }
    WorkBoardScreen #wb-list { height: 1fr; }
    WorkBoardScreen.-short #wb-top { height: 7; }
    WorkBoardScreen.-short Sparkline, WorkBoardScreen.-short .caption { display: none; }
    WorkBoardScreen.-narrow #wb-counts { width: 34; }
    WorkBoardScreen.-narrow #wb-kpi { width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.kind: str | None = "待添加"
        self.scope = "all"
        self.data: BoardData | None = None
        bind_labelled(self, [("escape", "back", "back")])
        self._bindings.bind("m", "next_scope", t("全部/我的/提醒", "All/mine/reminders"))
        self._bindings.bind("r", "reload", t("刷新", "Refresh"))

    @property
    def mine(self) -> bool:
        """Only the signed-in user's work is shown (scope "mine" or "reminders")."""
        return self.scope != "all"

    def compose(self) -> ComposeResult:
        yield Static(top_bar_text(self.app, t("工作台", "Work board")), id="topbar")
        yield Static("", id="wb-scope")
        with Horizontal(id="wb-top"):
            yield DataTable(id="wb-counts", cursor_type="row", zebra_stripes=True)
            with Vertical(id="wb-kpi"):
                yield Static("", id="wb-kpi-text")
                yield Static(t("归档及时率 12 个月", "Timely filing, 12 months"), classes="caption")
                yield Sparkline([], id="wb-trend-timely")
                yield Static(t("环节完成率 12 个月", "Link completion, 12 months"),
                             classes="caption")
                yield Sparkline([], id="wb-trend-link")
        yield Static("", id="wb-list-title")
        yield DataTable(id="wb-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        counts = self.query_one("#wb-counts", DataTable)
        counts.add_column(t("提醒", "Reminder"), key="kind")
        for s in STATES:
            counts.add_column(_state_name(s), key=s)
        for kind in KINDS:
            counts.add_row(kind_label(kind), "0", "0", "0", key=kind)
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_next_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self.reload()

    def on_resize(self) -> None:
        """The compact layout (80×24) shows the scores and dates shorter: redraw them."""
        if self.data is not None:
            self._fill_list(self.data)
            self._fill_kpi(self.data)

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowHighlighted, "#wb-counts")
    def _pick(self, event: DataTable.RowHighlighted) -> None:
        kind = str(event.row_key.value)
        if kind != self.kind:
            self.kind = kind
            self.reload()

    def reload(self) -> None:
        user = self.app.user
        self.load(self.kind, user.username if user else None,
                  self.scope if user else "all")

    @work(thread=True, exclusive=True, exit_on_error=False, group="workboard")
    def load(self, kind: str | None, user: str | None, scope: str) -> None:
        try:
            data = load_board(self.app.desk_status.ruleset, self.app.clock(), kind, user, scope)
        except ArchiveError as exc:
            self.post_message(BoardLoaded(None, str(exc)))
            return
        self.post_message(BoardLoaded(data))

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        scope = self.query_one("#wb-scope", Static)
        if message.data is None:
            scope.update(Text(message.error, style="bold red"))
            return
        data = self.data = message.data
        scope.update(Text(t("范围：{s}（m：全部 → 我的待办 → 我的提醒）",
                            "Scope: {s} (m: everyone → my tasks → my reminders)",
                            s=_scope_name(self.scope)), style="bold"))
        counts = self.query_one("#wb-counts", DataTable)
        for kind in KINDS:
            row = data.counts.get(kind, {})
            for s in STATES:
                counts.update_cell(kind, s, Text(str(row.get(s, 0)),
                                                 style=STATE_STYLE[s] if row.get(s) else "dim"))
        self._fill_list(data)
        self._fill_kpi(data)

    def _fill_list(self, data: BoardData) -> None:
        title = self.query_one("#wb-list-title", Static)
        table = self.query_one("#wb-list", DataTable)
        table.clear(columns=True)
        if self.kind == "合同预警":
            title.update(Text(t("合同到期（按规则提醒/预警）", "Contracts expiring (from the rules)")
                              + (t("：合同不分责任人，人人可见", ": contracts name no one, all "
                                   "are shown") if self.mine else ""), style="bold"))
            for key, zh, en in (("state", "状态", "State"), ("customer", "户号", "Customer"),
                                ("name", "户名", "Name"), ("no", "合同号", "Contract"),
                                ("expires", "到期", "Expires"), ("days", "剩余天数", "Days left")):
                table.add_column(t(zh, en), key=key)
            for c in data.contracts:
                table.add_row(Text(_state_name(c.state), style=STATE_STYLE[c.state]),
                              Text(c.customer_number), render.plain(c.customer_name),
                              render.plain(c.number or "—"), Text(str(c.expires_on)),
                              Text(str(c.days_left), style=STATE_STYLE[c.state]))
            return
        if self.scope == "reminders":
            self._fill_reminders(data, title, table)
            return
        title.update(Text(t("{k}：{n} 项", "{k}: {n} item(s)", k=kind_label(self.kind or ""),
                            n=len(data.tasks)),
                          style="bold"))
        columns = [("state", "状态", "State"), ("customer", "户号", "Customer"),
                   ("process", "流程", "Process"), ("step", "环节", "Step"),
                   ("doc", "资料", "Document"), ("due", "期限", "Due"),
                   ("staff", "责任人", "Staff"), ("team", "班组", "Team")]
        if self.mine:  # why it is on my list: mine, or escalated to me as the team's lead
            columns.insert(1, ("why", "来由", "Why"))
        for key, zh, en in columns:
            table.add_column(t(zh, en), key=key)
        me = self.app.user.username if self.app.user else ""
        for r in data.tasks:
            cells = [Text(_state_name(r.state), style=STATE_STYLE[r.state]),
                     Text(r.customer_number), render.plain(r.process_id),
                     render.plain(r.step), render.plain(r.doc_type), Text(self._when(r.due_at)),
                     render.plain(r.staff), render.plain(r.team)]
            if self.mine:
                cells.insert(1, _why(r.staff == me))
            table.add_row(*cells)

    def _fill_reminders(self, data: BoardData, title: Static, table: DataTable) -> None:
        """What the reminder pass sent the user (or escalated to them), newest first."""
        title.update(Text(t("我的提醒 · {k}：{n} 条（最新在前）", "My reminders · {k}: {n} "
                            "(newest first)", k=kind_label(self.kind or ""),
                            n=len(data.reminders)), style="bold"))
        for key, zh, en in (("at", "提醒时间", "Sent"), ("state", "状态", "State"),
                            ("why", "来由", "Why"), ("now", "现状", "Now"),
                            ("customer", "户号", "Customer"), ("process", "流程", "Process"),
                            ("step", "环节", "Step"), ("doc", "资料", "Document"),
                            ("due", "期限", "Due"), ("staff", "责任人", "Staff")):
            table.add_column(t(zh, en), key=key)
        for r in data.reminders:
            table.add_row(Text(self._when(r.at)),
                          Text(_state_name(r.state), style=STATE_STYLE[r.state]),
                          _why(not r.escalated, r.team),
                          Text(t("已办", "done"), style="dim") if r.done
                          else Text(t("未办", "open"), style="bold"),
                          Text(r.customer_number), render.plain(r.process_id),
                          render.plain(r.step), render.plain(r.doc_type),
                          Text(self._when(r.due_at)), render.plain(r.staff))

    def _when(self, value) -> str:
        """A date and time, without the year in the compact layout."""
        return value.strftime("%m-%d %H:%M" if self.has_class("-narrow") else "%Y-%m-%d %H:%M")

    def _fill_kpi(self, data: BoardData) -> None:
        k = data.kpi_total
        if self.has_class("-short"):  # 80×24: the figures beside the counts, no trend
            self.query_one("#wb-kpi-text", Static).update(_kpi_compact(data))
            return
        lines = [Text(t("{m} 月考核", "Scores {m}", m=data.kpi_month), style="bold")]
        for label, rate in ((t("归档及时率(48h)", "Timely filing (48 h)"), k.timely),
                            (t("环节完成率", "Link completion"), k.link),
                            (t("纸质移交及时率", "Paper on time"), k.paper),
                            (t("超时限率", "Over-limit"), k.over),
                            (t("抽查合格率", "Audit sample pass"), k.quality)):
            lines.append(Text(f"{label}: {_pct(rate.rate)}  ({rate.count}/{rate.of})"))
        if data.ranking:
            lines.append(Text(t("班组排名", "Teams ranked"), style="bold"))
        for row in data.ranking[:6]:
            lines.append(Text.assemble(f"{row.rank or '—'}. ", render.plain(row.group or "—"),
                                       f"  {_pct(row.score)}"))
        self.query_one("#wb-kpi-text", Static).update(Text("\n").join(lines))
        timely = [row.timely.rate or 0.0 for _, row in data.trend]
        link = [row.link.rate or 0.0 for _, row in data.trend]
        self.query_one("#wb-trend-timely", Sparkline).data = timely
        self.query_one("#wb-trend-link", Sparkline).data = link


def _why(own: bool, team: str = "") -> Text:
    """'本人' for the user's own task, '升级' (and the team) for one escalated to them."""
    if own:
        return Text(t("本人", "mine"))
    return Text(t("升级", "escalated") + (f" {team}" if team else ""), style="bold magenta")


def _kpi_compact(data: BoardData) -> Text:
    """The month's figures in seven lines: title and leading team, then one line per rate."""
    k = data.kpi_total
    head = Text(t("{m} 月考核", "Scores {m}", m=data.kpi_month), style="bold")
    if data.ranking:
        top = data.ranking[0]
        head.append(t("  班组第一 ", "  top team ")).append_text(render.plain(top.group or "—"))
        head.append(f" {_pct(top.score)}")
    lines = [head]
    for label, rate in ((t("归档及时率", "Timely filing"), k.timely),
                        (t("环节完成率", "Link completion"), k.link),
                        (t("纸质移交及时率", "Paper on time"), k.paper),
                        (t("超时限率", "Over-limit"), k.over),
                        (t("抽查合格率", "Audit pass"), k.quality)):
        lines.append(Text(f"{label} {_pct(rate.rate)} ({rate.count}/{rate.of})"))
    return Text("\n").join(lines)
