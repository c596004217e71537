"""Text that may reach a terminal: control and bidi-override characters are not archive data."""

from __future__ import annotations

import re

# C0 controls (tab and newline too: names and addresses are one line), DEL and C1 controls,
# and the Unicode bidi overrides / line separators that reorder what a terminal shows.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_control(text: str) -> bool:
    return bool(CONTROL.search(text))


def strip_control(text: str) -> str:
    return CONTROL.sub("", text)
