"""Regexes from rule files run on RE2: matching takes linear time, so no pattern can freeze.

Python's `re` backtracks and cannot be interrupted, and no shape check catches every slow
pattern (a polynomial one froze the daemon on one long file name). RE2 (google-re2) never
backtracks. Patterns are also parsed by Python's `re` so that what RE2 accepts leniently
(a repeat count too large) is refused too; what RE2 cannot run (backreferences, lookaround)
is refused at load with the reason. Inputs are still cut to MAX_INPUT characters.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Protocol

import re2

from hudang.common.i18n import t

MAX_INPUT = 512  # file names are at most 255 bytes; barcodes a few hundred characters
MAX_PATTERN = 1000
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason goes into the rule issue, not to stderr


class UnsafeRegex(ValueError):
    """The pattern is invalid or cannot run in linear time."""


class RuleRegex(Protocol):
    """What rules use of a compiled pattern (RE2's compiled object has the same methods)."""

    pattern: str

    def search(self, text: str) -> Any: ...

    def fullmatch(self, text: str) -> Any: ...


def compile_rule_regex(pattern: str) -> RuleRegex:
    """Compile `pattern` with RE2 or raise UnsafeRegex saying why it is refused."""
    if not isinstance(pattern, str):
        raise UnsafeRegex(t("正则表达式文本", "a regular expression string"))
    if len(pattern) > MAX_PATTERN:
        raise UnsafeRegex(t("不超过 {n} 个字符的正则表达式", "a regex of at most {n} characters",
                            n=MAX_PATTERN))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise UnsafeRegex(t("合法的正则表达式（{e}）", "a valid regular expression ({e})",
                            e=exc)) from None
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and \
            isinstance(exc.args[0], bytes) else str(exc)
        raise UnsafeRegex(t(
            "线性时间引擎 RE2 能运行的正则（不支持反向引用、环视；{e}）",
            "a regex the linear-time engine RE2 can run (no backreferences or lookaround; {e})",
            e=reason)) from None


def bounded(value: str) -> str:
    """The part of `value` a rule regex is allowed to see."""
    return value[:MAX_INPUT]
