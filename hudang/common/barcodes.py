"""One barcode scheme for every kind: a prefix per kind, a numeric body and a check character.

A scanned string alone says what it is. The check character is ISO/IEC 7064 MOD 37,36
(hybrid), which catches every single-character error and every adjacent transposition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from hudang.common.errors import BadCheckCharacter, ValidationError
from hudang.common.i18n import t

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KINDS = ("document", "volume", "box", "position", "loan_slip", "staff_card", "handover")
KIND_NAMES = {"document": "文件", "volume": "案卷", "box": "档案盒", "position": "架位",
              "loan_slip": "出借单", "staff_card": "工作证", "customer": "户号",
              "handover": "移交批次",
              "keyword": "关键词"}
KIND_NAMES_EN = {"document": "document", "volume": "volume", "box": "box",
                 "position": "shelf position", "loan_slip": "loan slip",
                 "staff_card": "staff card", "customer": "customer number",
                 "handover": "handover batch",
                 "keyword": "keyword"}


def kind_name(kind: str) -> str:
    """The kind's name in the current language."""
    from hudang.common.i18n import language

    return (KIND_NAMES_EN if language() == "en" else KIND_NAMES).get(kind, kind)
DEFAULT_PREFIXES = {"document": "D", "volume": "V", "box": "B", "position": "P",
                    "loan_slip": "L", "staff_card": "S", "handover": "H"}

# AIM symbology identifiers some scanners send first: "]C0" (Code 128), "]Q1" (QR), "]E0" ...
_IN_ALPHABET = re.compile("[0-9A-Z]*")
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def compile_linear(pattern: str):
    """An administrator's pattern compiled by RE2: linear-time matching, ASCII \\d."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise ValidationError(t("户号格式不是可用的正则表达式：{p}（{e}）",
                                "the customer-number pattern is not a usable regex: {p} ({e})",
                                p=pattern, e=exc)) from None


def check_char(payload: str) -> str:
    """The MOD 37,36 check character for `payload` (upper-case alphanumerics).

    ISO/IEC 7064's recurrence, one table step a character (`_NEXT`, `_CHECK`): a bulk
    import checks and makes hundreds of thousands. tests/store/test_barcodes.py holds it
    equal to python-stdnum's implementation and to the hand-written one the archive's
    first labels were printed with.
    """
    if not _IN_ALPHABET.fullmatch(payload):  # one C-level pass: bulk imports check thousands
        bad = next((ch for ch in payload if ch not in ALPHABET), "")
        raise ValueError(f"character {bad!r} cannot carry a check character")
    state = _START
    for ch in payload:
        state = state[ch]
    return state[_CHECK]


def _check_tables() -> dict:
    """The MOD 37,36 (hybrid) recurrence as linked tables: each state is a dict from the next
    character to the next state, and from `_CHECK` to the check character it calls for.
    c = ((c or 36) * 2 mod 37 + value) mod 36, from c = 18; the check character is the one
    that would bring c to 1."""
    states: list[dict] = [{} for _ in range(36)]
    for c, state in enumerate(states):
        doubled = (c or 36) * 2 % 37
        for value, ch in enumerate(ALPHABET):
            state[ch] = states[(doubled + value) % 36]
        state[_CHECK] = ALPHABET[(1 - doubled) % 36]
    return states[18]


_CHECK = None  # the key of the check character in each state's table
_START = _check_tables()


def normalise_scan(raw: str) -> str:
    """What a scanner or a keyboard typed, made comparable: NFKC, trimmed, no AIM prefix."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _CONTROL.sub("", text).strip()
    text = _AIM_PREFIX.sub("", text, count=1).strip()
    if text.isascii():
        text = text.upper()
    return text


@dataclass(frozen=True)
class Scan:
    """What a scanned string is: a kind, the normalised code and, for barcodes, the serial."""

    kind: str  # one of KINDS, "customer" or "keyword"
    code: str
    serial: int | None = None


@dataclass
class BarcodeScheme:
    """Prefixes, body length and the customer-number pattern; configurable by the rules."""

    prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))
    digits: int = 8
    customer_pattern: str = r"^\d{10}$"

    def __post_init__(self) -> None:
        missing = [k for k in KINDS if k not in self.prefixes]
        if missing:
            raise ValidationError(f"barcode scheme has no prefix for: {', '.join(missing)}")
        values = list(self.prefixes.values())
        for kind, prefix in self.prefixes.items():
            if not re.fullmatch(r"[A-Z]{1,4}", prefix):
                raise ValidationError(f"barcode prefix for {kind} must be 1-4 capital letters, "
                                      f"got {prefix!r}")
            clash = [o for o in values if o != prefix and o.startswith(prefix)]
            if clash or values.count(prefix) > 1:
                raise ValidationError(f"barcode prefix {prefix!r} ({kind}) is ambiguous with "
                                      f"{clash or [prefix]}")
        self._by_prefix = sorted(((p, k) for k, p in self.prefixes.items()),
                                 key=lambda pk: -len(pk[0]))
        self._customer_re = compile_linear(self.customer_pattern)

    def make(self, kind: str, serial: int) -> str:
        """The barcode of the `serial`-th item of `kind`."""
        prefix = self.prefixes[kind]
        body = f"{prefix}{serial:0{self.digits}d}"
        if len(body) - len(prefix) != self.digits:
            raise ValidationError(f"serial {serial} does not fit {self.digits} digits")
        return body + check_char(body)

    def parse(self, raw: str) -> Scan:
        """Tell what a scanned string is; raise BadCheckCharacter for a mistyped barcode."""
        code = normalise_scan(raw)
        for prefix, kind in self._by_prefix:
            if code.startswith(prefix) and len(code) == len(prefix) + self.digits + 1:
                body = code[:-1]
                digits = body[len(prefix):]
                if digits.isdigit() and code[-1] in ALPHABET:
                    if check_char(body) != code[-1]:
                        raise BadCheckCharacter(t(
                            "条码校验位错误：{code}（请重新扫描）",
                            "Bad check character in {code} (scan again)", code=code))
                    return Scan(kind, code, int(digits))
        if self._customer_re.fullmatch(code):
            return Scan("customer", code)
        return Scan("keyword", code)


_default: BarcodeScheme | None = BarcodeScheme()
_loader: Callable[[], BarcodeScheme | None] | None = None


def default_scheme() -> BarcodeScheme:
    """This process's scheme: the rules' (barcodes.yaml) where installed, else the built-in."""
    global _default
    if _default is None:  # deferred (`defer_default_scheme`): made at the first use
        _default = (_loader() if _loader is not None else None) or BarcodeScheme()
    return _default


def set_default_scheme(scheme: BarcodeScheme) -> None:
    """Install the scheme the rules configured (barcodes.yaml) for this process."""
    global _default
    _default = scheme


def defer_default_scheme(loader: Callable[[], BarcodeScheme | None]) -> Callable[[], None]:
    """Have `loader` make this process's scheme when one is first asked for (None: the
    built-in), so a command that never reads or makes a barcode never loads the rules.
    Returns a function that puts back the scheme there was before."""
    global _default, _loader
    before = (_default, _loader)
    _default, _loader = None, loader

    def restore() -> None:
        global _default, _loader
        _default, _loader = before

    return restore
