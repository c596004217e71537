"""CLI for the archive driving the business: events, tasks, reminders, process status, KPI.

`hudang events import`, `hudang tasks`, `hudang task waive`, `hudang remind`,
`hudang process status`, `hudang kpi`, `hudang quality sample/record/list` (issue 14).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from tabulate import tabulate

from hudang.cliparams import as_option, json_option
from hudang.cliutil import as_plain, cli_actor, cli_viewer, echo_json, open_db, settings_of
from hudang.progress import progress_for
from hudang.store.audit import Actor
from hudang.store.errors import ArchiveError
from hudang.store.i18n import t

STATE_ZH = {"red": "红", "yellow": "黄", "green": "绿"}


class RulesUnusable(ArchiveError):
    """The rules directory does not load; tasks cannot be planned without it."""

    code = "rules_invalid"


def business_rules(ctx: click.Context):
    """The business rules of the configured rules directory (one clear error if invalid)."""
    from hudang.rules import RulesError, load_ruleset
    from hudang.rules.checklists import BusinessRules

    settings = settings_of(ctx)
    try:
        return BusinessRules(load_ruleset(settings.rules_dir))
    except RulesError as exc:
        first = exc.errors[0] if exc.errors else ""
        raise RulesUnusable(t("规则无效（{n} 处错误），先运行 hudang rules check：{f}",
                              "rules are invalid ({n} errors), run hudang rules check: {f}",
                              n=len(exc.errors), f=first)) from None


def _open(ctx: click.Context):
    open_db(settings_of(ctx))


def _actor(as_user: str | None, role: str = ""):
    """The signed-in user acting (`--as` may only name them; roles are checked by the store)."""
    return cli_actor(role, as_user)


def _state(s: str) -> str:
    return t(STATE_ZH.get(s, s), s)


# ---------------------------------------------------------------- events
@click.group("events")
def events_group() -> None:
    """营销系统业务事件 / Business events from the marketing system."""


@events_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@as_option
@json_option
@click.pass_context
def events_import(ctx: click.Context, file: Path, as_user: str | None, as_json: bool) -> None:
    """导入业务事件文件（CSV UTF-8/GBK、.xlsx、.jsonl）：要么全部导入，要么一行不导，重复导入无变化
    / Import a CSV (UTF-8/GBK), .xlsx or .jsonl file of events: all or nothing, idempotent."""
    from hudang.store.services.business_import import import_events

    rules = business_rules(ctx)
    _open(ctx)
    actor = _actor(as_user, "keeper")
    with progress_for(t("导入事件", "events import"), quiet=as_json) as progress:
        res = import_events(file, actor, rules, progress=progress)
    if as_json:
        echo_json(res)
        return
    click.echo(t("已导入 {n} 个事件（{k} 个已存在），生成 {m} 个任务：{f}",
                 "imported {n} event(s) ({k} already known), {m} task(s): {f}",
                 n=res.imported, k=res.already_known, m=res.tasks, f=res.file_name))


@events_group.command("watch")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--once", is_flag=True, help="导入现有文件后退出 / Take what is there now, then exit.")
@click.option("--interval", type=float, default=2.0, show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="With --once: print each file's outcome as JSON.")
@click.pass_context
def events_watch(ctx: click.Context, folder: Path, once: bool, interval: float,
                 as_json: bool) -> None:
    """导入放进 FOLDER 的事件文件，每个只导一次（旁边的 done/ 与 error/）
    / Take event files dropped into FOLDER exactly once (done/ and error/ beside them)."""
    from hudang.scanners.events_folder import EventsFolder

    if as_json and not once:
        raise click.UsageError(t("--json 只能与 --once 一起使用（守护方式运行时写日志）",
                                 "--json goes with --once (run as a daemon, it logs)"))
    rules = business_rules(ctx)
    _open(ctx)
    box = EventsFolder(folder, lambda: rules, cli_actor("keeper"))
    if once:
        outcomes = list(box.run_once())
        if as_json:
            echo_json(outcomes)
            return
        for outcome in outcomes:
            click.echo(f"{outcome.name}: {outcome.status} {outcome.detail}")
        return
    box.run_forever(interval)


def start_events_folders(settings, folders, once: bool, actor) -> list:
    """The events folders of `hudang watch`: each polled in a thread (or once), rules live."""
    from hudang.rules.checklists import BusinessRules
    from hudang.rules.holder import RulesHolder
    from hudang.scanners.events_folder import EventsFolder

    if not folders:
        return []
    holder = RulesHolder(settings.rules_dir)
    holder.reload() if once else holder.start()

    def current():
        if holder.current is None:
            raise RulesUnusable(t("规则无效，事件文件暂不导入", "rules are invalid; event files "
                                  "wait"))
        return BusinessRules(holder.current)

    boxes = []
    for folder in folders:
        box = EventsFolder(folder, current, actor)
        if once:
            for outcome in box.run_once():
                click.echo(f"{outcome.name}: {outcome.status} {outcome.detail}")
        else:
            box.start_thread()
        boxes.append(box)
    return boxes


# ---------------------------------------------------------------- tasks
@click.command("tasks")
@click.option("--kind", default=None, help="待添加 待发送 待移交 待移交卷宗 业扩时限预警, or "
              "digitise/paper/contract_filing/step_limit/shelve.")
@click.option("--state", type=click.Choice(["red", "yellow", "green"]), default=None)
@click.option("--staff", default=None)
@click.option("--team", default=None)
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@json_option
@click.pass_context
def tasks_cmd(ctx: click.Context, kind: str | None, state: str | None, staff: str | None,
              team: str | None, limit: int, as_json: bool) -> None:
    """未完成的业务任务，最紧急的在前 / Open business tasks, most urgent first."""
    from hudang.store.services.business_rules import REMINDER_KINDS, TASK_KINDS
    from hudang.store.services.business_tasks import open_tasks

    if kind and kind not in REMINDER_KINDS + TASK_KINDS:
        raise click.BadParameter(", ".join(REMINDER_KINDS + TASK_KINDS), param_hint="--kind")
    _open(ctx)
    cli_viewer()
    rows = open_tasks(kind=kind, state=state, staff=staff, team=team, limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("（无结果）", "(nothing found)"))
        return
    from hudang.store.services.business_rules import kind_label

    click.echo(tabulate([[r.id, kind_label(r.reminder_kind), _state(r.state), r.customer_number,
                          r.process_id, r.step, r.doc_type, r.due_at.strftime("%Y-%m-%d %H:%M"),
                          r.staff, r.team] for r in rows],
                        headers=[t("编号", "id"), t("提醒", "kind"), t("状态", "state"),
                                 t("户号", "customer"), t("流程", "process"), t("环节", "step"),
                                 t("资料", "document"), t("期限", "due"), t("责任人", "staff"),
                                 t("班组", "team")]))


@click.group("task")
def task_group() -> None:
    """单个任务 / One business task."""


@task_group.command("waive")
@click.argument("task_id", type=int)
@click.option("--reason", required=True)
@as_option
@click.pass_context
def task_waive(ctx: click.Context, task_id: int, reason: str, as_user: str | None) -> None:
    """免除任务并写明原因（管理员或审批人；记入审计） / Waive a task with a reason (admin or approver; audited)."""
    from hudang.store.services.business_tasks import waive_task

    _open(ctx)
    waive_task(task_id, reason, _actor(as_user))
    click.echo(t("任务 {i} 已免除", "task {i} waived", i=task_id))


# ---------------------------------------------------------------- remind
@click.command("remind")
@json_option
@click.pass_context
def remind_cmd(ctx: click.Context, as_json: bool) -> None:
    """提醒一轮：完成已满足的任务、记录新提醒、红色升级给组长、打印汇总
    / One reminder pass: satisfy tasks, record new reminders, escalate red, print a summary."""
    from hudang.store.services.business_remind import remind_pass

    rules = business_rules(ctx)
    _open(ctx)
    actor = cli_actor("keeper")
    with progress_for(t("提醒", "remind"), quiet=as_json) as progress:
        s = remind_pass(rules, actor, progress=progress)
    if as_json:
        echo_json(s)
        return
    from hudang.store.services.business_rules import REMINDER_KINDS, kind_label

    click.echo(tabulate([[kind_label(k), *(s.open_counts.get(k, {}).get(st, 0)
                               for st in ("red", "yellow", "green"))] for k in REMINDER_KINDS],
                        headers=[t("提醒", "kind"), _state("red"), _state("yellow"),
                                 _state("green")]))
    click.echo(t("新提醒：红 {r}，黄 {y}；升级给组长：{e}；已满足任务：{s}；新增待移交卷宗任务：{v}",
                 "new reminders: red {r}, yellow {y}; escalated to leads: {e}; tasks satisfied: "
                 "{s}; shelving tasks added: {v}", r=s.new_reminders.get("red", 0),
                 y=s.new_reminders.get("yellow", 0),
                 e=json.dumps(s.escalated, ensure_ascii=False),
                 s=sum(s.satisfied.values()), v=s.shelve_tasks_added))


# ---------------------------------------------------------------- process status
@click.group("process")
def process_group() -> None:
    """业务流程 / Business processes."""


@process_group.command("status")
@click.argument("process_id")
@json_option
@click.pass_context
def process_status_cmd(ctx: click.Context, process_id: str, as_json: bool) -> None:
    """流程的必备档案是否齐全，缺哪些
    / Whether every required document of a process is in the archive, and which are missing."""
    from hudang.store.services.business_tasks import process_status

    _open(ctx)
    cli_viewer()
    st = process_status(process_id)
    if as_json:
        echo_json(st)
        return
    click.echo(t("{p}（{k}，户号 {c}）：{s}", "{p} ({k}, customer {c}): {s}", p=st.process_id,
                 k=st.process_type, c=st.customer_number,
                 s=t("资料齐全", "complete") if st.complete else t("缺资料", "incomplete")))
    for r in st.required:
        mark = "✓" if r.present else ("—" if r.waived else "✗")
        click.echo(f"  {mark} {r.step} {r.doc_type}")


def add_demo_events(settings) -> None:
    """The demo's year of business events (after its customers and rules exist)."""
    from hudang.rules import RulesError, load_ruleset
    from hudang.rules.checklists import BusinessRules
    from hudang.store.generator_events import add_year_of_events

    try:
        rules = BusinessRules(load_ruleset(settings.rules_dir))
    except RulesError:
        click.echo(t("规则无效，未生成业务事件", "rules invalid: no business events generated"),
                   err=True)
        return
    demo = Actor("demo", "demo", "admin")  # the generator's own actor, like build_archive's
    counts = add_year_of_events(rules, demo, dt.date.today())
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


def register(cli: click.Group) -> None:
    """Add the business commands to the `hudang` group."""
    from hudang.cli_kpi import kpi_cmd, quality_group

    for cmd in (events_group, tasks_cmd, task_group, remind_cmd, process_group, kpi_cmd,
                quality_group):
        cli.add_command(cmd)


__all__ = ["as_plain", "register"]
