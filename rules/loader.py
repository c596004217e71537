"""Load a rules directory into one validated, versioned RuleSet, listing every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pydantic

from hudang.rules import barcodes, calendar, checklists, classification, policies, retention
from hudang.rules.errors import RuleIssue, RulesError
from hudang.rules.yamlsource import Source, format_path, parse_yaml
from hudang.common.barcodes import BarcodeScheme
from hudang.common.i18n import t

FILES: dict[str, tuple[type[pydantic.BaseModel], Callable[[Any, Source], list[RuleIssue]]]] = {
    "barcodes.yaml": (barcodes.BarcodesFile, barcodes.check),
    "classification.yaml": (classification.ClassificationFile, classification.check),
    "retention.yaml": (retention.RetentionFile, retention.check),
    "policies.yaml": (policies.PoliciesFile, policies.check),
    "calendar.yaml": (calendar.CalendarFile, calendar.check),
    "checklists.yaml": (checklists.ChecklistsFile, checklists.check),
}
log = logging.getLogger("hudang.rules")
# Files a directory may leave out (a missing one means its empty default: no checklists, no
# business tasks), so rule directories written before a file existed keep loading.
OPTIONAL = {"checklists.yaml": checklists.empty}
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Every rule file of one directory, validated; `version` hashes their content."""

    directory: Path
    version: str
    barcodes: barcodes.BarcodesFile
    classification: classification.ClassificationFile
    retention: retention.RetentionFile
    policies: policies.PoliciesFile
    calendar_file: calendar.CalendarFile
    calendar: calendar.WorkCalendar
    sources: dict[str, Source] = field(default_factory=dict, repr=False)
    checklists: checklists.ChecklistsFile = field(default_factory=checklists.empty, repr=False)
    loaded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def barcode_scheme(self) -> BarcodeScheme:
        """The barcode scheme barcodes.yaml configures."""
        return self.barcodes.scheme()

    def decide(self, facts: object) -> retention.RetentionDecision:
        """Retention for one document's facts (any object with `retention.FACT_NAMES`).

        This is the store's `RetentionRules` interface: the store passes its own facts
        dataclass and never imports the rules.
        """
        values = {name: getattr(facts, name) for name in retention.FACT_NAMES}
        return retention.evaluate(self, retention.RetentionFacts.model_construct(**values))

    def date_fields_read(self, facts: object) -> tuple[tuple[str, str], ...]:
        """The date fields (`document.filed_on` …) a decision for these facts reads, each with
        "year" or "day" (`retention.date_fields_read`); the store's `ReadsDateFields`."""
        values = {name: getattr(facts, name) for name in retention.FACT_NAMES}
        return retention.date_fields_read(
            self, retention.RetentionFacts.model_construct(**values))


def content_version(texts: dict[str, bytes]) -> str:
    """A short hash of the rule files' names and bytes (what decided a document)."""
    h = hashlib.sha256()
    for name in sorted(texts):
        h.update(name.encode() + b"\0" + hashlib.sha256(texts[name]).digest())
    return h.hexdigest()[:16]


def validate_text(name: str, text: bytes | str, display: str | None = None
                  ) -> tuple[Any | None, Source | None, list[RuleIssue]]:
    """Validate one rule file's content; return (model or None, source, problems)."""
    display = display or name
    model_cls, cross_check = FILES[name]
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, None, [_not_utf8(display, text, exc.start)]
    src, issues = parse_yaml(text, display)
    if src is None:
        return None, None, issues
    if not isinstance(src.data, dict):
        found = t("空文件", "an empty file") if src.data is None else type(src.data).__name__
        return None, src, issues + [src.issue((), t("映射（键: 值）", "a mapping (key: value)"),
                                              found)]
    issues += duplicate_ids(src)
    try:
        model = model_cls.model_validate(src.data)
    except pydantic.ValidationError as exc:
        return None, src, issues + pydantic_issues(exc, src, model_cls)
    issues += cross_check(model, src)
    return (None if issues else model), src, issues


def _not_utf8(display: str, data: bytes, start: int) -> RuleIssue:
    """Where a file stops being UTF-8, by line and column, and what it probably is instead."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 byte-order mark: line 1 onwards
        return RuleIssue(display, 1, 1, "", t("UTF-8 编码的文本", "UTF-8 text"),
                         t("UTF-16 编码（请另存为 UTF-8）", "UTF-16 text (save it as UTF-8)"))
    before = data[:start]
    line = before.count(b"\n") + 1
    col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    found = t("第 {b} 字节无法按 UTF-8 解码", "a byte that is not UTF-8 (byte {b})", b=start)
    try:
        data.decode("gb18030")
        found += t("；看起来是 GBK/GB18030 编码，请另存为 UTF-8",
                   "; it looks like GBK/GB18030: save it as UTF-8")
    except UnicodeDecodeError:
        pass
    return RuleIssue(display, line, col, "", t("UTF-8 编码的文本", "UTF-8 text"), found)


ID_LISTS = {("rules",), ("schedules",), ("loans", "approvals")}


def duplicate_ids(src: Source) -> list[RuleIssue]:
    """Rule ids must be unique within a list (checked on the raw data, so always reported)."""
    issues = []
    for path in ID_LISTS:
        items: Any = src.data
        for part in path:
            items = items.get(part) if isinstance(items, dict) else None
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            rid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(rid, str):
                continue
            if rid in seen:
                where = format_path(path + (seen[rid],))
                found = t("重复的 {id}（{w} 已使用）", "duplicate {id} (already used by {w})",
                          id=rid, w=where)
                issues.append(src.issue(path + (i, "id"), t("唯一的规则编号", "a unique rule id"),
                                        found))
            seen.setdefault(rid, i)
    return issues


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate every rule file in `directory`; raise RulesError listing all problems."""
    root = Path(directory)
    issues: list[RuleIssue] = []
    if not root.is_dir():
        raise RulesError([RuleIssue(str(root), 0, 0, "", t("规则目录", "a rules directory"),
                                    t("不存在", "nothing there"))])
    for extra in sorted(p.name for p in root.iterdir()
                        if p.suffix in (".yaml", ".yml") and p.name not in FILES):
        issues.append(RuleIssue(str(root / extra), 0, 0, "", t("已知的规则文件之一：{f}",
                                "one of the known rule files: {f}", f=", ".join(FILES)),
                                extra))
    texts: dict[str, bytes] = {}
    models: dict[str, Any] = {}
    for name in FILES:
        path = root / name
        try:
            data, model, src, found = _load_file(name, path)
        except FileNotFoundError:
            if name in OPTIONAL:
                continue
            issues.append(RuleIssue(str(path), 0, 0, "", t("规则文件", "a rule file"),
                                    t("文件不存在", "no such file")))
            continue
        issues += found
        if data is not None:
            texts[name] = data
        if model is not None:
            models[name] = (model, src)
    if not issues:
        issues += _cross_file(models)
    if issues:
        raise RulesError(issues)
    cal_model = models["calendar.yaml"][0]
    return RuleSet(root, content_version(texts), models["barcodes.yaml"][0],
                   models["classification.yaml"][0], models["retention.yaml"][0],
                   models["policies.yaml"][0], cal_model,
                   calendar.WorkCalendar.from_file(cal_model),
                   {name: src for name, (_, src) in models.items()},
                   models["checklists.yaml"][0] if "checklists.yaml" in models
                   else OPTIONAL["checklists.yaml"]())


def _load_file(name: str, path: Path) -> tuple[bytes | None, Any | None, Source | None,
                                               list[RuleIssue]]:
    """One rule file read and validated: (its bytes or None when unread, model or None,
    source, problems); FileNotFoundError when there is no such file."""
    try:
        data = _read_rule_file(path)
    except _NotRegular:
        return None, None, None, [RuleIssue(str(path), 0, 0, "", t("普通文件", "a regular file"),
                                            t("设备或管道", "a device or pipe"))]
    except FileNotFoundError:
        raise
    except OSError as exc:  # unreadable: permissions, a directory of that name ...
        expected = t("可读取的规则文件", "a readable rule file")
        return None, None, None, [RuleIssue(str(path), 0, 0, "", expected,
                                            exc.strerror or str(exc))]
    if len(data) > MAX_FILE_BYTES:
        return None, None, None, [RuleIssue(str(path), 0, 0, "", t("不超过 2 MB", "at most 2 MB"),
                                            f"{len(data)} bytes")]
    try:
        model, src, found = validate_text(name, data, str(path))
    except Exception as exc:  # noqa: BLE001 - a file no check foresaw: still file:line
        log.exception("unexpected failure validating %s", path)
        return data, None, None, [RuleIssue(str(path), 1, 1, "", t("可加载的规则文件",
                                                                   "a rule file that loads"),
                                            f"{type(exc).__name__}: {exc}")]
    return data, model, src, found


def load_barcode_scheme(directory: str | Path) -> tuple[BarcodeScheme | None, list[RuleIssue]]:
    """The scheme `directory`'s barcodes.yaml configures, read and checked alone (a command
    that only makes or reads barcodes need not load every rule file): (scheme, []), (None,
    []) when there is no such file, or (None, its problems)."""
    try:
        _data, model, _src, issues = _load_file("barcodes.yaml", Path(directory) / "barcodes.yaml")
    except FileNotFoundError:
        return None, []
    if model is None or issues:
        return None, issues
    return model.scheme(), []


class _NotRegular(Exception):
    """A rule file name that is a FIFO or a device: reading it could block or never end."""


def _read_rule_file(path: Path) -> bytes:
    """The file's bytes (at most MAX_FILE_BYTES + 1), refusing anything but a regular file."""
    import os
    import stat

    mode = os.stat(path).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder fails below, readably
        raise _NotRegular(str(path))
    with open(path, "rb") as fh:
        return fh.read(MAX_FILE_BYTES + 1)


def _cross_file(models: dict[str, tuple[Any, Source]]) -> list[RuleIssue]:
    """References between files: example dates in years the calendar covers."""
    cal, cal_src = models["calendar.yaml"]
    pol, src = models["policies.yaml"]
    cls_model, cls_src = models["classification.yaml"]
    ret_model, _ = models["retention.yaml"]
    issues = []
    years = ", ".join(map(str, sorted(cal.years)))
    for i, ex in enumerate(cal.examples):
        for key, day in (("start", ex.start), ("expect", ex.expect)):
            if day.year not in cal.years:
                issues.append(cal_src.issue(("examples", i, key),
                                            t("本文件覆盖的年份（{y}）内的日期",
                                              "a date in a year this file covers ({y})", y=years),
                                            day.isoformat()))
    schedules = [s.id for s in ret_model.schedules]
    for i, ex in enumerate(cls_model.examples):
        wanted = ex.expect.retention_schedule
        if wanted is not None and wanted not in schedules:
            issues.append(cls_src.issue(("examples", i, "expect", "retention_schedule"),
                                        t("retention.yaml 中定义的保管规则：{k}",
                                          "a schedule defined in retention.yaml: {k}",
                                          k=", ".join(schedules)), wanted))
    for i, ex in enumerate(pol.examples.deadlines):
        for key, day in (("start", ex.start), ("expect_due", ex.expect_due)):
            if day.year not in cal.years:
                issues.append(src.issue(("examples", "deadlines", i, key),
                                        t("calendar.yaml 覆盖的年份（{y}）内的日期",
                                          "a date in a year calendar.yaml covers ({y})", y=years),
                                        day.isoformat()))
    return issues


# ---- pydantic errors -> RuleIssues -------------------------------------------------------------

_EXPECTED: dict[str, tuple[str, str]] = {
    "int_type": ("整数", "a whole number"), "int_parsing": ("整数", "a whole number"),
    "int_from_float": ("整数", "a whole number"),
    "bool_type": ("true 或 false", "true or false"),
    "bool_parsing": ("true 或 false", "true or false"),
    "string_type": ("文本", "text"),
    "date_type": ("日期 YYYY-MM-DD", "a date YYYY-MM-DD"),
    "date_parsing": ("日期 YYYY-MM-DD", "a date YYYY-MM-DD"),
    "date_from_datetime_parsing": ("日期 YYYY-MM-DD", "a date YYYY-MM-DD"),
    "date_from_datetime_inexact": ("日期 YYYY-MM-DD", "a date YYYY-MM-DD"),
    "list_type": ("列表（- 项）", "a list (- items)"),
    "dict_type": ("映射（键: 值）", "a mapping (key: value)"),
    "model_type": ("映射（键: 值）", "a mapping (key: value)"),
    "model_attributes_type": ("映射（键: 值）", "a mapping (key: value)"),
}


def pydantic_issues(exc: pydantic.ValidationError, src: Source,
                    model_cls: type[pydantic.BaseModel]) -> list[RuleIssue]:
    """Turn pydantic's errors into positioned, bilingual RuleIssues."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind, ctx = err["type"], err.get("ctx") or {}
        found = _show(err.get("input"))
        key = False
        if kind == "missing":
            expected, found = t("必填的键", "a required key"), t("缺失", "missing")
        elif kind == "extra_forbidden":
            known = _known_keys(model_cls, loc[:-1])
            expected = t("已知的键之一：{k}", "one of the known keys: {k}", k=", ".join(known))
            guess = get_close_matches(str(loc[-1]), known, n=1)
            found = t("未知的键 {k}", "unknown key {k}", k=repr(loc[-1]))
            if guess:
                found += t("（是否想写 {g}？）", " (did you mean {g}?)", g=guess[0])
            key = True
        elif kind in ("value_error", "assertion_error"):
            expected = str(ctx.get("error", err["msg"]))
        elif kind == "literal_error":
            expected = t("以下之一：{e}", "one of: {e}", e=ctx.get("expected", ""))
        elif kind in _EXPECTED:
            zh, en = _EXPECTED[kind]
            expected = t(zh, en)
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            sym = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">",
                   "less_than": "<"}[kind]
            expected = f"{sym} {next(iter(ctx.values()), '')}"
        elif kind == "string_pattern_mismatch":
            expected = t("符合 {p} 的文本", "text matching {p}", p=ctx.get("pattern"))
        else:
            expected = err["msg"]
        line, col = src.position(loc, key=key)
        out.append(RuleIssue(src.file, line, col, format_path(loc), expected, found))
    return out


def _show(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(map(str, value)) if value else ""
        if not keys:
            return t("空映射", "an empty mapping")
        return t("映射 {{{k}}}", "a mapping {{{k}}}", k=keys)
    if isinstance(value, list):
        return t("列表", "a list")
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_keys(model_cls: Any, loc: tuple) -> list[str]:
    """The keys the model at `loc` accepts (for 'did you mean')."""
    current: Any = model_cls
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            fld = next((f for n, f in current.model_fields.items()
                        if (f.alias or n) == part), None)
            if fld is None:
                return []
            current = fld.annotation
        elif typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if args else tp
            if len(args) <= 1:
                continue
            return tp
        else:
            return tp
