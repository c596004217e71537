"""Regexes from rule files: compiled at load time, catastrophic shapes refused, inputs bounded.

Python's `re` has no timeout, and a thread cannot be stopped, so the time bound comes from
two things together: (1) at load time we refuse patterns whose backtracking can blow up
exponentially (a variable-length repeat inside a repeat, an alternation inside a repeat,
backreferences), and (2) at match time every input is cut to MAX_INPUT characters, so the
remaining (at worst polynomial) patterns run on short strings and finish in milliseconds.
"""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from hudang.common.i18n import t

MAX_INPUT = 512  # file names are at most 255 bytes; barcodes a few hundred characters
MAX_PATTERN = 1000
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)}


class UnsafeRegex(ValueError):
    """The pattern is invalid or could take exponential time."""


def compile_rule_regex(pattern: str) -> re.Pattern[str]:
    """Compile `pattern` or raise UnsafeRegex saying why it is refused."""
    if not isinstance(pattern, str):
        raise UnsafeRegex(t("正则表达式文本", "a regular expression string"))
    if len(pattern) > MAX_PATTERN:
        raise UnsafeRegex(t("不超过 {n} 个字符的正则表达式", "a regex of at most {n} characters",
                            n=MAX_PATTERN))
    try:
        compiled = re.compile(pattern)
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise UnsafeRegex(t("合法的正则表达式（{e}）", "a valid regular expression ({e})",
                            e=exc)) from None
    _check(tree, inside_repeat=False)
    return compiled


def _check(items, inside_repeat: bool) -> None:
    for op, arg in items:
        if op in _REPEATS:
            lo, hi, body = arg
            if inside_repeat and lo != hi:
                raise UnsafeRegex(t(
                    "无嵌套量词的正则（如 (a+)+ 会导致灾难性回溯）",
                    "a regex without nested quantifiers (e.g. (a+)+ backtracks catastrophically)"))
            _check(body, inside_repeat or hi > 1)
        elif op is sre_c.BRANCH:
            if inside_repeat:
                raise UnsafeRegex(t(
                    "无量词内分支的正则（如 (a|ab)* 会导致灾难性回溯；请改用字符类）",
                    "a regex without alternation inside a repeat (e.g. (a|ab)* backtracks "
                    "catastrophically; use a character class)"))
            for branch in arg[1]:
                _check(branch, inside_repeat)
        elif op is sre_c.SUBPATTERN:
            _check(arg[-1], inside_repeat)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            _check(arg[1], inside_repeat)
        elif op is sre_c.GROUPREF or op is sre_c.GROUPREF_EXISTS:
            raise UnsafeRegex(t("不含反向引用的正则", "a regex without backreferences"))


def bounded(value: str) -> str:
    """The part of `value` a rule regex is allowed to see."""
    return value[:MAX_INPUT]
