"""barcodes.yaml: prefixes per kind, body length, check character, customer-number pattern."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hudang.rules.base import Regex, Strict
from hudang.rules.errors import RuleIssue
from hudang.rules.yamlsource import Source
from hudang.common.barcodes import KINDS, BarcodeScheme
from hudang.common.errors import ArchiveError
from hudang.common.i18n import t


class BarcodeExample(Strict):
    scan: str
    kind: Literal["document", "volume", "box", "position", "loan_slip", "staff_card",
                  "customer", "keyword"]
    serial: int | None = None


class BarcodesFile(Strict):
    check_character: Literal["iso7064_mod37_36"] = "iso7064_mod37_36"
    prefixes: dict[str, str]
    digits: int = Field(8, ge=4, le=16)
    customer_number_pattern: Regex
    examples: list[BarcodeExample] = []

    def scheme(self) -> BarcodeScheme:
        return BarcodeScheme(prefixes=dict(self.prefixes), digits=self.digits,
                             customer_pattern=self.customer_number_pattern.pattern)


def check(model: BarcodesFile, src: Source) -> list[RuleIssue]:
    """Every kind has a prefix, no unknown kinds, and prefixes cannot be confused."""
    issues: list[RuleIssue] = []
    for kind in model.prefixes:
        if kind not in KINDS:
            expected = t("条码种类之一：{k}", "a barcode kind: {k}", k=", ".join(KINDS))
            issues.append(src.issue(("prefixes", kind), expected, kind, key=True))
    missing = [k for k in KINDS if k not in model.prefixes]
    if missing:
        issues.append(src.issue(("prefixes",), t("每种条码都有前缀", "a prefix for every kind"),
                                t("缺少 {m}", "missing {m}", m=", ".join(missing))))
    if not issues:
        try:
            model.scheme()
        except ArchiveError as exc:
            issues.append(src.issue(("prefixes",), t("互不混淆的前缀（1-4 个大写字母）",
                                                     "unambiguous prefixes of 1-4 capital letters"),
                                    str(exc)))
    return issues
