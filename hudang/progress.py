"""One progress display for every long job: a bar on a terminal, plain lines otherwise.

Store services take a `progress(stage, done, total)` callback; `progress_for` makes one. On a
terminal it draws a rich bar with rate and time left; when stderr is not a terminal (logs,
cron, systemd) it prints a plain line at most every few seconds; with `--json` it says nothing.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

import click

from hudang.store.progress import Progress, no_progress

_PLAIN_EVERY = 5.0  # seconds between plain progress lines
# Stage names the store reports, as the Chinese display shows them.
_STAGES_ZH = {"rows": "行", "database": "数据库", "scans": "扫描文件", "verify": "校验",
              "fixity": "抽检", "index": "索引", "customers": "客户", "documents": "文件",
              "boxes": "档案盒", "plan": "规划", "indexes": "索引", "import": "导入",
              "recompute": "重算", "remind": "提醒", "done": "完成",
              "queries": "查询", "sample": "抽样", "events": "事件"}


def _stage_name(stage: str) -> str:
    from hudang.store.i18n import t

    return t(_STAGES_ZH.get(stage, stage), stage)


class _PlainLines:
    """Periodic `label: stage done/total (rate/s)` lines on stderr."""

    def __init__(self, label: str, stream) -> None:
        self.label, self.stream, self.started, self.last = label, stream, time.monotonic(), 0.0
        self.last_stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = bool(total) and done >= total
        if stage == self.last_stage and not finished and now - self.last < _PLAIN_EVERY:
            return
        self.last, self.last_stage = now, stage
        rate = done / max(now - self.started, 1e-6)
        of = f"/{total}" if total else ""
        click.echo(f"{self.label} {_stage_name(stage)}: {done}{of} ({rate:,.0f}/s)",
                   file=self.stream)


class _RichBar:
    """A rich progress bar per stage with rate and time left."""

    def __init__(self, label: str, bar) -> None:
        self.label, self.bar, self.tasks = label, bar, {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.bar.add_task(f"{self.label} {_stage_name(stage)}",
                                                         total=total or None)
        self.bar.update(task, completed=done, total=total or None)


@contextlib.contextmanager
def progress_for(label: str, *, quiet: bool = False, stream=None) -> Iterator[Progress]:
    """A progress callback for one job; draws a bar on a terminal, lines elsewhere, or nothing."""
    if quiet:
        yield no_progress
        return
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield _PlainLines(label, stream)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.0f}/s" if task.speed else "")

    columns = (TextColumn("{task.description}", markup=False), BarColumn(),
               MofNCompleteColumn(), TaskProgressColumn(), RateColumn(), TimeRemainingColumn())
    with RichProgress(*columns, console=Console(file=stream), transient=False) as bar:
        yield _RichBar(label, bar)
