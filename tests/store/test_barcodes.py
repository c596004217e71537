"""Barcode scheme: normalisation, kinds, check characters."""

from __future__ import annotations

import pytest

from hudang.store.barcodes import ALPHABET, BarcodeScheme, check_char, normalise_scan
from hudang.store.errors import BadCheckCharacter, ValidationError


@pytest.mark.parametrize("raw,expected", [
    ("  b000000429\r\n", "B000000429"),
    ("]C0B000000429", "B000000429"),
    ("]Q1P000000017", "P000000017"),
    ("Ｂ００００００４２９", "B000000429"),  # full-width from a Chinese IME
    ("\tB000000429\x00", "B000000429"),
    (" 张三 ", "张三"),
])
def test_normalise(raw, expected):
    assert normalise_scan(raw) == expected


def test_every_kind_round_trips():
    scheme = BarcodeScheme()
    for kind in scheme.prefixes:
        code = scheme.make(kind, 12345)
        scan = scheme.parse(code.lower())
        assert (scan.kind, scan.code, scan.serial) == (kind, code, 12345)


def test_single_errors_and_transpositions_are_caught():
    scheme = BarcodeScheme()
    code = scheme.make("document", 987654)
    for i in range(1, len(code)):
        for ch in "0123456789":
            wrong = code[:i] + ch + code[i + 1:]
            if wrong != code and wrong[1:-1].isdigit():
                with pytest.raises(BadCheckCharacter):
                    scheme.parse(wrong)
    for i in range(1, len(code) - 1):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        if swapped != code and swapped[1:-1].isdigit():
            with pytest.raises(BadCheckCharacter):
                scheme.parse(swapped)


def test_customer_numbers_and_keywords():
    scheme = BarcodeScheme()
    assert scheme.parse("3300123456").kind == "customer"
    assert scheme.parse("张三明").kind == "keyword"
    assert scheme.parse("BEIJING").kind == "keyword"  # a B-word is not a box
    assert scheme.parse("B123").kind == "keyword"


def test_configurable_prefixes_reject_ambiguity():
    scheme = BarcodeScheme(prefixes={"document": "HD", "volume": "HV", "box": "HB",
                                     "position": "HP", "loan_slip": "HL", "staff_card": "HS",
                                     "handover": "HH"})
    assert scheme.parse(scheme.make("box", 7)).kind == "box"
    with pytest.raises(ValidationError):
        BarcodeScheme(prefixes={"document": "D", "volume": "DV", "box": "B", "position": "P",
                                "loan_slip": "L", "staff_card": "S", "handover": "H"})


def test_check_char_alphabet():
    assert check_char("B00000042") in ALPHABET


def test_movement_names_and_local_time_follow_settings():
    import datetime as dt

    from hudang.store.domain import local_time, movement_name
    from hudang.store.i18n import set_language

    assert movement_name("shelve") == "上架"
    set_language("en")
    try:
        assert movement_name("checkout") == "checked out"
    finally:
        set_language("zh")
    utc = dt.datetime(2026, 1, 1, 0, 0)
    shown = local_time(utc)
    expected = utc.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert shown == expected and local_time(None) is None


def _check_char_as_first_printed(payload: str) -> str:
    """The hand-written ISO 7064 MOD 37,36 of the first version, kept to pin the library to."""
    m = p = 36
    for ch in payload:
        s = (p + ALPHABET.index(ch)) % m or m
        p = (s * 2) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


def test_check_character_equals_the_first_implementation_and_python_stdnum():
    import random

    from stdnum.iso7064 import mod_37_36

    rng = random.Random(20261130)
    payloads = ["", "B00000042", "D", "ZZZZZZZZZZZZ"]
    payloads += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 16)))
                 for _ in range(50_000)]
    scheme = BarcodeScheme()
    payloads += [scheme.make(kind, serial)[:-1] for kind in scheme.prefixes
                 for serial in (0, 1, 9, 10, 99_999_999, *range(1000, 3000))]
    mismatched = [p for p in payloads if check_char(p) != _check_char_as_first_printed(p)]
    assert mismatched == []
    stdnum = [p for p in payloads if check_char(p) != mod_37_36.calc_check_digit(p, ALPHABET)]
    assert stdnum == []
    assert len({check_char(p) for p in payloads}) == 36  # every character is some check


def test_check_character_refuses_characters_outside_the_alphabet():
    import pytest

    with pytest.raises(ValueError):
        check_char("B0000004a")
