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


# ---------------------------------------------------------------- import and entry (both backends)

GOOD_ID = "440604198001181234"
BAD_ID = "440604198001011234"  # wrong check digit
HEADER = "户号,户名,证件号码,电压等级,台区\n"


def test_import_keeps_rows_with_bad_id_numbers_and_lists_them_for_correction(db, tmp_path):
    from hudang.store.services.corrections import count_open, list_corrections
    from hudang.store.services.customer_import import import_customers_csv
    from tests.store.helpers import KEEPER

    csv = tmp_path / "legacy.csv"
    csv.write_text(HEADER + f"3300000001,张三,{GOOD_ID},低压,一号台区\n"
                   f"3300000002,李四,{BAD_ID},低压,一号台区\n"
                   "3300000003,王五,12345,高压,\n"
                   "3300000004,赵六,,低压,一号台区\n", encoding="utf-8")
    result = import_customers_csv(csv, KEEPER)
    assert result.imported == 4  # nothing refused for its ID number
    assert [(row, number) for row, number, _ in result.corrections] == [
        (3, "3300000002"), (4, "3300000003")]
    assert "校验位" in result.corrections[0][2]
    listed = list_corrections()
    assert [(c.customer_number, c.value) for c in listed] == [("3300000002", BAD_ID),
                                                             ("3300000003", "12345")]
    assert "legacy.csv 第 3 行" == listed[0].source and count_open() == 2


def test_entry_refuses_a_bad_id_number_unless_confirmed_and_a_fix_closes_it(db):
    from hudang.store.services import customers
    from hudang.store.services.corrections import list_corrections
    from tests.store.helpers import KEEPER

    data = {"number": "3300000009", "name": "钱七", "voltage_class": "HV", "id_number": BAD_ID}
    with pytest.raises(customers.InvalidIdNumber, match="--accept-invalid-id"):
        customers.create_customer(data, KEEPER)
    assert list_corrections() == []  # nothing was stored
    customers.create_customer(data, KEEPER, accept_invalid_id=True)
    assert [c.customer_number for c in list_corrections()] == ["3300000009"]
    with pytest.raises(customers.InvalidIdNumber):
        customers.update_customer("3300000009", {"id_number": "110105194912310021"}, KEEPER)
    customers.update_customer("3300000009", {"id_number": "１１０１０５１９４９１２３１００２Ｘ"},
                              KEEPER)  # full width: normalised, valid
    assert list_corrections() == []
    assert customers.get_customer("3300000009").id_number == "11010519491231002X"
    assert [c.resolved_by for c in list_corrections(include_resolved=True)] == ["keeper1"]
