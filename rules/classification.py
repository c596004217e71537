"""Classification rules: which category, type and customer a scanned file belongs to."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import string
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import Field, model_validator

from hudang.rules.base import Category, Regex, RuleId, Strict, TextList
from hudang.rules.errors import RuleIssue
from hudang.rules.saferegex import bounded
from hudang.rules.yamlsource import Source
from hudang.common.i18n import t

LEAVES = ("station", "hot_folder", "path_glob", "file_name", "barcode", "page_count",
          "media_type")
COMBINATORS = ("all", "any", "not")
TITLE_FIELDS = {"category", "doc_type", "customer", "business_process", "station", "hot_folder",
                "file_name", "stem", "page_count"}


class PageCount(Strict):
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> PageCount:
        if self.min is None and self.max is None:
            raise ValueError(t("min 或 max 至少一个", "min or max (or both)"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(t("min 不大于 max", "min not greater than max"))
        return self


class BarcodeCondition(Strict):
    """A barcode on the file: optionally of one symbology, on one page, matching a regex."""

    symbology: str | None = None  # CODE128, QRCODE, EAN13 ... as pyzbar names them
    page: int | None = Field(None, ge=1)
    regex: Regex | None = None


class Condition(Strict):
    """Exactly one of: all / any / not, or one test on the file."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(None, alias="not")
    station: TextList | None = None
    hot_folder: TextList | None = None
    path_glob: str | None = None
    file_name: Regex | None = None
    barcode: BarcodeCondition | None = None
    page_count: PageCount | None = None
    media_type: TextList | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        used = [k for k in ("all", "any", "not_") + LEAVES if getattr(self, k) is not None]
        if len(used) == 1 and getattr(self, used[0]) == []:  # all: [] / any: [] / station: []
            raise ValueError(t("非空列表：空的 {k} 含义不明（删去该条件即可匹配全部）",
                               "a non-empty list: an empty {k} has no clear meaning (leave "
                               "the condition out to match everything)",
                               k=used[0].rstrip("_")))
        if len(used) != 1:
            keys = ", ".join(COMBINATORS + LEAVES)
            raise ValueError(t("恰好一个条件键（{keys}）", "exactly one condition key ({keys})",
                               keys=keys))
        return self

    def kind(self) -> str:
        return next(k for k in ("all", "any", "not_") + LEAVES if getattr(self, k) is not None)


class Actions(Strict):
    category: Category | None = None
    doc_type: str | None = None
    customer_from: str | None = None  # a named group of a regex in `when`
    doc_type_from: str | None = None  # a named group giving the document type
    business_process: str | None = None  # 新装 增容 更名过户 ...
    business_process_from: str | None = None  # a named group giving the business process
    title: str | None = None  # a template: {doc_type} {customer} and named groups


class ClassificationRule(Strict):
    id: RuleId
    description: str = ""
    priority: int = 0
    enabled: bool = True
    when: Condition
    then: Actions
    stop: bool = False


class ExampleBarcode(Strict):
    value: str
    symbology: str = "CODE128"
    page: int = Field(1, ge=1)


class ExampleCustomer(Strict):
    """Facts about the customer and dates, so an example can also expect a retention date."""

    voltage_class: Literal["HV", "LV"] = "LV"
    status: Literal["active", "cancelled"] = "active"
    filed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    contract_expires_on: dt.date | None = None
    legal_hold: bool = False


class ExampleInput(Strict):
    station: str = ""
    hot_folder: str = ""
    path: str  # relative to the hot folder
    media_type: str = "application/pdf"
    page_count: int = Field(1, ge=0)
    barcodes: list[ExampleBarcode] = []
    customer: ExampleCustomer | None = None


class ExampleExpect(Strict):
    category: Category | None = None
    doc_type: str | None = None
    customer: str | None = None
    business_process: str | None = None
    title: str | None = None
    needs_attention: bool | None = None
    rules: list[str] | None = None
    retention_schedule: str | None = None  # the schedule retention.yaml picks for the result
    retention_status: Literal["dated", "waiting_for_trigger", "permanent",
                              "no_schedule"] | None = None
    eligible_on: dt.date | None = None


class ClassificationExample(Strict):
    name: str
    input: ExampleInput
    expect: ExampleExpect


class ClassificationFile(Strict):
    rules: list[ClassificationRule]
    examples: list[ClassificationExample] = []


# ---- cross checks ---------------------------------------------------------------------------

def _groups(cond: Condition, negated: bool = False) -> set[str]:
    """Named groups that can capture when `cond` holds (groups under `not` never do)."""
    kind = cond.kind()
    if kind in ("all", "any"):
        return set().union(*(_groups(c, negated) for c in getattr(cond, kind)))
    if kind == "not_":
        return set()
    if kind == "file_name":
        return set(cond.file_name.groupindex)
    if kind == "barcode" and cond.barcode.regex is not None:
        return set(cond.barcode.regex.groupindex)
    return set()


def check(model: ClassificationFile, src: Source) -> list[RuleIssue]:
    """Unique ids, resolvable group names and title placeholders, known example rule ids."""
    issues: list[RuleIssue] = []
    seen = {rule.id for rule in model.rules}  # duplicates: loader.duplicate_ids
    for i, rule in enumerate(model.rules):
        groups = _groups(rule.when)
        for key in ("customer_from", "doc_type_from", "business_process_from"):
            name = getattr(rule.then, key)
            if name is not None and name not in groups:
                issues.append(src.issue(("rules", i, "then", key),
                                        t("when 中某个正则的命名组（{g}）", "a named group of a "
                                          "regex in `when` ({g})", g=", ".join(sorted(groups))
                                          or "—"), name))
        if rule.then.title is not None:
            issues.extend(_check_title(rule.then.title, groups, src, ("rules", i, "then", "title")))
    for i, ex in enumerate(model.examples):
        for j, rid in enumerate(ex.expect.rules or []):
            if rid not in seen:
                issues.append(src.issue(("examples", i, "expect", "rules", j),
                                        t("已定义的规则编号", "a defined rule id"), rid))
    return issues


def _check_title(template: str, groups: set[str], src: Source, path: tuple) -> list[RuleIssue]:
    known = TITLE_FIELDS | groups
    try:
        parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template)
                 if f is not None]
    except ValueError as exc:
        return [src.issue(path, t("标题模板（花括号需成对）", "a title template (balanced braces)"),
                          str(exc))]
    names = [f for f, _, _ in parts]
    styled = next((f for f, spec, conv in parts if spec or conv), None)
    if styled is not None:  # every value is text: {customer:d} would fail when a file arrives
        return [src.issue(path, t("不带格式说明的占位符，如 {{customer}}",
                                  "placeholders without a format spec, like {{customer}}"),
                          t("“{f}”带有格式说明或转换", "'{f}' with a format spec or conversion",
                            f=styled))]
    bad = [n for n in names if n not in known]
    if bad:
        return [src.issue(path, t("可用的占位符：{k}", "known placeholders: {k}",
                                  k=", ".join(sorted(known))), "{" + bad[0] + "}")]
    return []


# ---- evaluation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassificationInput:
    """What the scanner daemon knows about a file before it is filed."""

    station: str = ""
    hot_folder: str = ""
    relative_path: str = ""
    file_name: str = ""
    media_type: str = ""
    page_count: int = 0
    barcodes: list[tuple[str, str, int]] = field(default_factory=list)  # value, symbology, page


@dataclass
class RuleTrace:
    """Why one rule matched or not."""

    rule_id: str
    priority: int
    matched: bool
    reasons: list[str]
    skipped: str = ""  # disabled / after stop


@dataclass
class ClassificationDecision:
    category: str | None = None
    doc_type: str | None = None
    customer_number: str | None = None
    business_process: str | None = None
    title: str | None = None
    matched_rules: list[str] = field(default_factory=list)
    trace: list[RuleTrace] = field(default_factory=list)
    ruleset_version: str = ""

    @property
    def needs_attention(self) -> bool:
        """No rule decided a category: a person must look (the needs-attention queue)."""
        return self.category is None


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _eval(cond: Condition, inp: ClassificationInput, groups: dict[str, str]) -> tuple[bool, str]:
    kind = cond.kind()
    if kind == "all":
        whys = []
        for sub in cond.all:
            ok, why = _eval(sub, inp, groups)
            if not ok:
                return False, why
            whys.append(why)
        return True, "; ".join(whys)
    if kind == "any":
        whys = []
        for sub in cond.any:
            local: dict[str, str] = {}  # a branch that fails half-way must not leave groups
            ok, why = _eval(sub, inp, local)
            if ok:
                groups.update(local)
                return True, why
            whys.append(why)
        return False, t("任一条件均不成立（{w}）", "none of any ({w})", w="; ".join(whys))
    if kind == "not_":
        ok, why = _eval(cond.not_, inp, {})
        return (not ok), (t("非：", "not: ") + why)
    return _leaf(cond, kind, inp, groups)


def _leaf(cond: Condition, kind: str, inp: ClassificationInput,
          groups: dict[str, str]) -> tuple[bool, str]:
    if kind in ("station", "hot_folder", "media_type"):
        actual = getattr(inp, kind)
        wanted = _as_list(getattr(cond, kind))
        ok = any(actual.lower() == w.lower() for w in wanted)
        return ok, f"{kind}={actual!r} {'∈' if ok else '∉'} {wanted}"
    if kind == "path_glob":
        rel = inp.relative_path.replace("\\", "/")
        ok = fnmatch.fnmatchcase(rel, cond.path_glob)
        return ok, f"path {rel!r} {'~' if ok else '!~'} {cond.path_glob!r}"
    if kind == "file_name":
        m = cond.file_name.search(bounded(inp.file_name))
        if m:
            groups.update({k: v for k, v in m.groupdict().items() if v is not None})
        verb = "~" if m else "!~"
        return bool(m), f"file_name {inp.file_name!r} {verb} /{cond.file_name.pattern}/"
    if kind == "page_count":
        pc = cond.page_count
        ok = (pc.min is None or inp.page_count >= pc.min) and (pc.max is None or
                                                               inp.page_count <= pc.max)
        return ok, f"page_count={inp.page_count} {'in' if ok else 'not in'} [{pc.min}, {pc.max}]"
    return _barcode(cond.barcode, inp, groups)


def _barcode(bc: BarcodeCondition, inp: ClassificationInput,
             groups: dict[str, str]) -> tuple[bool, str]:
    for value, symbology, page in inp.barcodes:
        if bc.symbology and bc.symbology.upper() != (symbology or "").upper():
            continue
        if bc.page and bc.page != page:
            continue
        if bc.regex is not None:
            m = bc.regex.search(bounded(value))
            if not m:
                continue
            groups.update({k: v for k, v in m.groupdict().items() if v is not None})
        return True, f"barcode {value!r} ({symbology}, p.{page})"
    want = "/".join(x for x in (bc.symbology or "", f"p.{bc.page}" if bc.page else "",
                                bc.regex.pattern if bc.regex else "") if x)
    return False, t("没有符合的条码（{w}）", "no barcode matches ({w})", w=want or "any")


def classify(ruleset: Any, inp: ClassificationInput) -> ClassificationDecision:
    """Apply the rules, highest priority first; the first rule to set a field wins."""
    rules = ruleset.classification.rules if hasattr(ruleset, "classification") else ruleset.rules
    decision = ClassificationDecision(ruleset_version=getattr(ruleset, "version", ""))
    order = sorted(enumerate(rules), key=lambda ir: (-ir[1].priority, ir[0]))
    stopped_by = None
    if not inp.file_name and inp.relative_path:
        inp = _with_name(inp)
    for _, rule in order:
        if stopped_by or not rule.enabled:
            why = t("已停止（{r} stop）", "skipped (stopped by {r})", r=stopped_by) \
                if stopped_by else t("已停用", "disabled")
            decision.trace.append(RuleTrace(rule.id, rule.priority, False, [], why))
            continue
        groups: dict[str, str] = {}
        ok, why = _eval(rule.when, inp, groups)
        decision.trace.append(RuleTrace(rule.id, rule.priority, ok, [why]))
        if not ok:
            continue
        decision.matched_rules.append(rule.id)
        _apply(rule, decision, inp, groups)
        if rule.stop:
            stopped_by = rule.id
    return decision


def _with_name(inp: ClassificationInput) -> ClassificationInput:
    return replace(inp, file_name=inp.relative_path.replace("\\", "/").rsplit("/", 1)[-1])


def _apply(rule: ClassificationRule, d: ClassificationDecision, inp: ClassificationInput,
           groups: dict[str, str]) -> None:
    a = rule.then
    if a.category and d.category is None:
        d.category = a.category
    if d.doc_type is None:
        d.doc_type = a.doc_type or (groups.get(a.doc_type_from) if a.doc_type_from else None)
    if d.business_process is None:
        d.business_process = a.business_process or (
            groups.get(a.business_process_from) if a.business_process_from else None)
    if a.customer_from and d.customer_number is None and groups.get(a.customer_from):
        d.customer_number = groups[a.customer_from]
    if a.title and d.title is None:
        values = {"category": d.category or "", "doc_type": d.doc_type or "",
                  "customer": d.customer_number or "", "business_process": d.business_process or "",
                  "station": inp.station, "hot_folder": inp.hot_folder,
                  "file_name": inp.file_name, "stem": re.sub(r"\.[^.]*$", "", inp.file_name),
                  "page_count": inp.page_count, **groups}
        d.title = a.title.format_map(_Blank(values))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""
