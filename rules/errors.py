"""Rule-file problems: each names file, line, column, key path, what was expected and found."""

from __future__ import annotations

from dataclasses import dataclass

from hudang.common.errors import ArchiveError
from hudang.common.i18n import t


@dataclass(frozen=True)
class RuleIssue:
    """One problem in one rule file, positioned so an administrator can go straight to it."""

    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    path: str  # key path such as rules[2].when.all[0].barcode.regex
    expected: str
    found: str = ""

    def __str__(self) -> str:
        where = self.file if not self.line else f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path or '(file)'}: "
        text += t("应为 {e}", "expected {e}", e=self.expected)
        if self.found:
            text += t("，实际为 {f}", ", found {f}", f=self.found)
        return text


class RulesError(ArchiveError):
    """A rule directory (or file) cannot be used; `errors` lists every problem found."""

    code = "rules_invalid"

    def __init__(self, errors: list[RuleIssue]):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.column, e.path))
        head = t("规则有 {n} 处错误", "the rules have {n} error(s)", n=len(self.errors))
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in self.errors))
