"""Identity numbers: resident ID cards (18 and 15 digits) and company credit codes."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from hudang.store.i18n import set_language
from hudang.store.services.idnumbers import check_id_number, compact, widen_old_id

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _zh():
    set_language("zh")


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_valid_resident_id_and_full_width_and_separators():
    good = "11010519491231002X"
    assert check_id_number(good, TODAY).valid
    assert check_id_number("１１０１０５１９４９１２３１００２ｘ", TODAY).number == good
    assert check_id_number("110105 19491231 002x", TODAY).valid


@pytest.mark.parametrize("bad, why", [
    ("110105194912310021", "校验位"),  # wrong check digit
    (_with_check("11010519490230002"), "出生日期"),  # 30 February
    (_with_check("11010520991231002"), "出生日期"),  # born in the future
    ("12345", "15 位"),
    ("ABCDEFGHIJKLMNOPQR", "统一社会信用代码"),
])
def test_invalid_numbers_say_why(bad, why):
    result = check_id_number(bad, TODAY)
    assert not result.valid and why in result.problem


def test_old_fifteen_digit_cards():
    eighteen = "11010519491231002X"
    fifteen = eighteen[:6] + eighteen[8:17]
    assert widen_old_id(fifteen) == eighteen
    assert check_id_number(fifteen, TODAY).kind == "ric15"
    assert check_id_number(fifteen, TODAY).valid
    month_31 = fifteen[:8] + "31" + fifteen[10:]  # YYMMDD with month 31
    assert not check_id_number(month_31, TODAY).valid


def test_company_credit_code():
    assert check_id_number("91110000600037341L", TODAY).kind == "uscc"
    assert check_id_number("91110000600037341L", TODAY).valid
    assert not check_id_number("91110000600037341M", TODAY).valid


def test_empty_is_fine_and_compact_is_nfkc():
    assert check_id_number("", TODAY).valid and check_id_number("  ", TODAY).kind == ""
    assert compact("３３０１-０２") == "330102"
