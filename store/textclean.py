"""Text from outside made comparable and safe: identifiers in ASCII digits, no control characters.

Customer lists come from many systems: full-width digits (３３００…), other scripts' digits,
and stray control or escape characters. Identifiers are NFKC-normalised and every Unicode
decimal digit becomes its ASCII digit, so the same customer number is one customer; control
characters (NUL, ESC …) and bidirectional overrides are refused rather than stored, since
PostgreSQL refuses NUL and terminals act on escapes.
"""

from __future__ import annotations

import re
import unicodedata

IDENTIFIER_FIELDS = ("number", "phone", "id_number")
# C0/C1 controls except tab, plus the bidirectional embedding/override/isolate marks
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def ascii_identifier(value: str) -> str:
    """`value` NFKC-normalised with every decimal digit in ASCII, trimmed (x in ID numbers: X)."""
    if value.isascii():
        return value.strip()
    text = unicodedata.normalize("NFKC", value)
    out = []
    for ch in text:
        digit = unicodedata.decimal(ch, None) if not ch.isascii() else None
        out.append(str(digit) if digit is not None else ch)
    return "".join(out).strip()


def normalise_identifiers(values: dict, fields: tuple[str, ...] = IDENTIFIER_FIELDS) -> dict:
    """`values` with its identifier fields (户号, phone, ID number) in ASCII form."""
    out = dict(values)
    for field in fields:
        value = out.get(field)
        if isinstance(value, str):
            value = ascii_identifier(value)
            out[field] = value.upper() if field == "id_number" else value
    return out


def unsafe_character(value: str) -> str | None:
    """The first control or escape character in `value`, as U+XXXX (None when there is none)."""
    found = _UNSAFE.search(value)
    return f"U+{ord(found.group()):04X}" if found else None
