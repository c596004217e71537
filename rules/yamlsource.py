"""Safe YAML loading that remembers the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from hudang.rules.errors import RuleIssue
from hudang.common.i18n import t

Path = tuple[str | int, ...]
MAX_NODES = 200_000  # a rule file is small; anything bigger is an alias bomb or a mistake
MAX_DEPTH = 64  # nesting deeper than any rule file needs (and shallow enough for recursion)
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class Source:
    """A parsed YAML file: its plain data plus (line, column) for each key path."""

    file: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest existing ancestor."""
        p = tuple(path)
        if key and p in self.key_marks:
            return self.key_marks[p]
        while p and p not in self.marks:
            p = p[:-1]
        value = self.marks.get(p, (1, 1))
        key_mark = self.key_marks.get(p)
        # A block value starts on the line after its key; the key's line is where to look.
        return key_mark if key_mark and key_mark[0] < value[0] else value

    def issue(self, path: Path, expected: str, found: str = "", *, key: bool = False) -> RuleIssue:
        """A RuleIssue positioned at `path` in this file."""
        line, col = self.position(path, key=key)
        return RuleIssue(self.file, line, col, format_path(path), expected, found)


def format_path(path: Path) -> str:
    """('rules', 2, 'when') -> 'rules[2].when'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source: Source):
        self.loader = loader
        self.source = source
        self.count = 0
        self.issues: list[RuleIssue] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        self.source.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and \
                node.tag not in _PLAIN_TAGS:
            self._issue(node, path, t("不带标签的映射或列表", "a mapping or list without a tag"),
                        node.tag)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date like 2023-02-29
            self._issue(node, path, t("合法的值", "a valid value"), f"{node.value!r} ({exc})")
            return None

    def _issue(self, node: yaml.Node, path: Path, expected: str, found: str) -> None:
        self.issues.append(RuleIssue(self.source.file, node.start_mark.line + 1,
                                     node.start_mark.column + 1, format_path(path), expected,
                                     found))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.issues.append(RuleIssue(
                    self.source.file, key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1, format_path(path),
                    t("普通键（规则文件不支持 << 合并）",
                      "a plain key (<< merge keys are not allowed)"),
                    "<<"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.issues.append(RuleIssue(
                    self.source.file, key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1, format_path(path),
                    t("文本键", "a text key"), t("复合键", "a complex key")))
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = key_node.value  # yes/no/on/off as keys stay text
            kpath = path + (key,)
            kpos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            same = next((k for k in out if str(k) == str(key)), None)  # "2026" and 2026 too
            if same is not None:
                first = self.source.key_marks.get(path + (same,), (0, 0))
                self.issues.append(RuleIssue(
                    self.source.file, kpos[0], kpos[1], format_path(kpath),
                    t("唯一的键", "a unique key"),
                    t("重复的键（第 {l} 行已出现）", "a duplicate key (already on line {l})",
                      l=first[0])))
                continue
            self.source.key_marks[kpath] = kpos
            out[key] = self.build(value_node, kpath)
        return out


class _TooBig(Exception):
    """Alias expansion passed MAX_NODES; carries the node it was expanding."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__("too big")
        self.node = node


class _TooDeep(Exception):
    """Nesting passed MAX_DEPTH; carries the mark where it did."""

    def __init__(self, mark: Any) -> None:
        super().__init__("too deep")
        self.mark = mark


def _check_depth(text: str) -> None:
    """Walk the event stream (no recursion) and refuse nesting deeper than MAX_DEPTH."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of character `position` in `text`."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def parse_yaml(text: str, file: str) -> tuple[Source | None, list[RuleIssue]]:
    """Parse `text` safely; return the Source (None on a syntax error) and any problems."""
    source = Source(file, None)
    loader = None
    try:
        _check_depth(text)
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            source.data = None
            return source, []
        builder = _Builder(loader, source)
        source.data = builder.build(node, ())
        return source, builder.issues
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        found = (exc.problem or str(exc)).removeprefix("found ")
        if exc.context_mark and "end of stream" in found:
            mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if exc.context:
            ctx = exc.context_mark
            found += f" ({exc.context}" + (t("，第 {l} 行", ", line {l}", l=ctx.line + 1)
                                           if ctx else "") + ")"
        return None, [RuleIssue(file, line, col, "", t("合法的 YAML", "valid YAML"), found)]
    except yaml.reader.ReaderError as exc:  # a NUL, a form feed, other control characters
        line, col = _line_col(text, exc.position)
        found = t("不允许的字符 {c}", "a character that is not allowed: {c}",
                  c=f"U+{exc.character:04X}" if isinstance(exc.character, int)
                  else repr(exc.character))
        return None, [RuleIssue(file, line, col, "", t("合法的 YAML 文本", "valid YAML text"),
                                found)]
    except yaml.YAMLError as exc:
        return None, [RuleIssue(file, 1, 1, "", t("合法的 YAML", "valid YAML"), str(exc))]
    except _TooBig as exc:
        expected = t("不超过 {n} 个节点", "at most {n} nodes", n=MAX_NODES)
        found = t("更多（别名展开过大）", "more (aliases expand too far)")
        mark = exc.node.start_mark
        return None, [RuleIssue(file, mark.line + 1, mark.column + 1, "", expected, found)]
    except _TooDeep as exc:
        expected = t("嵌套不超过 {n} 层", "nesting at most {n} levels deep", n=MAX_DEPTH)
        return None, [RuleIssue(file, exc.mark.line + 1, exc.mark.column + 1, "", expected,
                                t("更深的嵌套", "deeper nesting"))]
    finally:
        if loader is not None:
            loader.dispose()
