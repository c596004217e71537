"""Building blocks of the rule models: strict models and validated field types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from hudang.rules.durations import Duration, parse_duration
from hudang.common.domain import CATEGORIES, category_code
from hudang.common.i18n import t
from hudang.rules.saferegex import RuleRegex, compile_rule_regex


class Strict(BaseModel):
    """A rule-file mapping: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True,
                              populate_by_name=False)


def _regex(value: Any) -> RuleRegex:
    if hasattr(value, "search") and hasattr(value, "pattern"):
        return value
    return compile_rule_regex(value)


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    return parse_duration(value)


def _category(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_category_expected())
    try:
        return category_code(value)
    except ValueError:
        raise ValueError(_category_expected()) from None


def _category_expected() -> str:
    names = ", ".join(f"{c}/{n}" for c, n in CATEGORIES.items())
    return t("五类档案之一：{names}", "one of the five categories: {names}", names=names)


def _text_list(value: Any) -> Any:
    """Allow `x` where a list `[x]` is meant."""
    return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value


Regex = Annotated[Any, BeforeValidator(_regex)]  # a RuleRegex (RE2)
DurationField = Annotated[Duration, BeforeValidator(_duration)]
Category = Annotated[str, BeforeValidator(_category)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]
CategoryList = Annotated[list[Category], BeforeValidator(_text_list)]
RuleId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-.\u4e00-\u9fff]{1,64}$")]
