"""The desk's live status: the active rule set (watched live) and the needs-attention count.

`DeskStatus` belongs to the app: it holds a `rules.holder.RulesHolder` when the rules
directory exists (otherwise the desk runs on the built-in defaults), installs each valid
set's barcode scheme, and counts open attention items now and then in a thread worker.
The widgets here show that state on the main screen and are refreshed when it changes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static

from hudang.store import barcodes as barcodes_mod
from hudang.store.i18n import t
from hudang.tui.services import _in_worker  # the one connection rule

log = logging.getLogger("hudang.desk")


@_in_worker
def _count_open() -> int:
    from hudang.store.services.attention_view import open_attention_count

    return open_attention_count()


class DeskStatus:
    """Rules version / load error and the open attention count, kept current for the screens."""

    def __init__(self, app, rules_dir: Path | None, refresh_seconds: float = 10.0) -> None:
        self.app = app
        self.refresh_seconds = refresh_seconds
        self.holder = None
        if rules_dir is not None and Path(rules_dir).is_dir():
            from hudang.rules.holder import RulesHolder

            self.holder = RulesHolder(rules_dir)
        self.attention_count: int | None = None
        self._counting = self._count_again = False
        self.loading = self.holder is not None  # until the first load attempt finished
        self._scheme_before = barcodes_mod.default_scheme()

    # --- state read by the widgets and the attention screen -----------------------------
    @property
    def ruleset(self):
        """The last good rules.RuleSet (None: built-in defaults, or none valid yet)."""
        return self.holder.current if self.holder is not None else None

    def version_text(self) -> str:
        """The active rule-set version, or what the desk runs on instead."""
        if self.holder is None:
            return t("内置默认规则", "built-in defaults")
        if self.loading:
            return t("规则加载中", "loading rules")
        return self.holder.version or t("无有效规则", "no valid rules")

    def error_text(self) -> str:
        """The newest rejected change (file:line: …), or "" when the last load succeeded."""
        if self.holder is None or self.holder.last_error is None:
            return ""
        text = str(self.holder.last_error)
        prefix = str(self.holder.directory).rstrip("/") + "/"
        return text.replace(prefix, "")  # file names relative to the rules directory

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Load and watch the rules in a worker; count attention items now and periodically."""
        if self.holder is not None:
            self.holder.subscribe(self._rules_event)
            self.app.run_worker(self._start_holder, thread=True, group="rules",
                                exit_on_error=False)
        self.refresh_count()
        if self.refresh_seconds > 0:
            self.app.set_interval(self.refresh_seconds, self.refresh_count)

    def _start_holder(self) -> None:
        try:
            self.holder.start()  # its first load reports through _rules_event, like any reload
        except Exception:  # e.g. an unreadable directory: say so and keep running
            log.exception("could not start watching the rules in %s", self.holder.directory)
            self._rules_event(None, None)

    def stop(self) -> None:
        """Stop watching and put back the barcode scheme the process had before."""
        if self.holder is not None:
            self.holder.stop()
            barcodes_mod.set_default_scheme(self._scheme_before)

    # --- rules ------------------------------------------------------------------------------
    def _rules_event(self, ruleset, error) -> None:
        """Called from the holder's thread after every load attempt."""
        if not self.app.is_running:
            return
        try:
            self.app.call_from_thread(self._rules_applied, ruleset, error)
        except RuntimeError:  # the app stopped meanwhile
            pass

    def _rules_applied(self, ruleset, error) -> None:
        self.loading = False
        if ruleset is not None:
            barcodes_mod.set_default_scheme(ruleset.barcode_scheme())
        elif error is not None:
            log.error("rule change rejected; the desk keeps version %s",
                      self.holder.version or "(none)")
        self.update_widgets()

    # --- attention count --------------------------------------------------------------------
    def refresh_count(self) -> None:
        """Count open attention items in a thread worker; asked again while one runs, it
        runs once more afterwards (never cancelled: waiting for workers stays well-defined)."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        self.app.run_worker(self._count, thread=True, group="attention-count",
                            exit_on_error=False)

    def _count(self) -> None:
        count = None
        try:
            count = _count_open()
        except Exception as exc:  # noqa: BLE001 - a status count must never crash the desk
            log.warning("could not count attention items: %s", exc)
        try:
            self.app.call_from_thread(self._counted, count)
        except RuntimeError:  # the app stopped meanwhile
            pass

    def _counted(self, count: int | None) -> None:
        self._counting = False
        if self._count_again:
            self._count_again = False
            self.refresh_count()
        if count is not None and count != self.attention_count:
            self.attention_count = count
            self.update_widgets()

    def update_widgets(self) -> None:
        """Repaint every status widget on every screen of the stack."""
        for screen in self.app.screen_stack:
            for widget in screen.query(DeskInfoBar):
                widget.show_status(self)
            for notice in screen.query(RulesNotice):
                notice.show_status(self)


def info_text(status: DeskStatus) -> Text:
    """Rules version and attention count for the top line (data shown as text)."""
    text = Text.assemble((t("规则 ", "rules "), ""), (status.version_text(), "bold"))
    if status.error_text():
        text.append(" ⚠", style="bold red")
    count = status.attention_count
    if count is not None:
        text.append("  ·  ")
        text.append(t("待处理 {n}", "attention {n}", n=count),
                    style="bold yellow" if count else "")
    return text


def notice_text(status: DeskStatus) -> Text:
    """The red notice of a rejected rule change: which version stays, then the errors."""
    keep = status.holder.version if status.holder is not None else ""
    head = (t("规则修改未生效，继续使用版本 {v}", "Rule change rejected; still using version {v}",
              v=keep) if keep else t("规则无效，暂用内置默认值",
                                     "Rules invalid; using built-in defaults"))
    lines = [line.strip() for line in status.error_text().splitlines() if line.strip()]
    return Text("\n".join([head + t("：", ":")] + lines[:6]))


class DeskInfoBar(Static):
    """Right end of the top line: `规则 <version>  ·  待处理 <n>`."""

    DEFAULT_CSS = """
    DeskInfoBar { width: auto; height: 1; padding: 0 1; }
    """

    def on_mount(self) -> None:
        status = getattr(self.app, "desk_status", None)
        if status is not None:
            self.show_status(status)

    def show_status(self, status: DeskStatus) -> None:
        self.update(info_text(status))


class RulesNotice(Static):
    """A red block under the top line while the newest rule change is rejected."""

    DEFAULT_CSS = """
    RulesNotice { height: auto; max-height: 8; background: $error; color: $text;
                  padding: 0 1; display: none; }
    """

    def on_mount(self) -> None:
        status = getattr(self.app, "desk_status", None)
        if status is not None:
            self.show_status(status)

    def show_status(self, status: DeskStatus) -> None:
        error = status.error_text()
        self.display = bool(error)
        if error:
            self.update(notice_text(status))


class TopLine(Horizontal):
    """The top bar with the desk status at its right end."""

    DEFAULT_CSS = """
    TopLine { height: 1; background: $primary; }
    TopLine > #topbar { width: 1fr; }
    """
