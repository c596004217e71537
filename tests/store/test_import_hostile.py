"""Hostile customer lists (issue 11): full-width digits, oversized fields, NUL and escapes,
on both backends; and the same normalisation when a customer is entered by hand."""

from __future__ import annotations

import pytest

from hudang.store import audit
from hudang.store.errors import AlreadyExists, ImportFailed, ValidationError
from hudang.store.models import Customer
from hudang.store.services import customers
from hudang.store.services.customer_import import import_customers_csv
from hudang.store.textclean import ascii_identifier
from tests.store.test_import import HEADER_EN, _write

ACTOR = audit.Actor("keeper", "desk-1", "keeper")


def test_full_width_and_other_digits_are_one_customer(db, tmp_path):
    path = _write(tmp_path, "fw.csv", HEADER_EN
                  + "３３００１２３４５６,张三,４４０１０６１９９００１０１１２３ｘ,"
                    "１３８００１３８０００,广州,LV,220V,L1,台区1,居民,\n")
    assert import_customers_csv(path, ACTOR).count == 1
    c = Customer.get()
    assert (c.number, c.id_number, c.phone) == ("3300123456", "44010619900101123X",
                                                "13800138000")
    assert customers.get_customer("３３００１２３４５６").number == "3300123456"
    again = _write(tmp_path, "ascii.csv", HEADER_EN
                   + "3300123456,张三,,,广州,LV,220V,L1,台区1,居民,\n")
    with pytest.raises(ImportFailed) as info:  # the same customer, not a second one
        import_customers_csv(again, ACTOR)
    assert info.value.problems[0][0] == 2 and "3300123456" in info.value.problems[0][1]
    with pytest.raises(AlreadyExists):
        customers.create_customer({"number": "３３００１２３４５６", "name": "又一个",
                                   "voltage_class": "HV"}, ACTOR)
    assert Customer.select().count() == 1


def test_unicode_digits_of_other_scripts_become_ascii():
    assert ascii_identifier("٣٣٠٠١٢٣٤٥٦") == "3300123456"  # Arabic-Indic
    assert ascii_identifier(" ３３００ ") == "3300"


def test_oversized_fields_nul_and_escapes_are_row_errors(db, tmp_path):
    path = _write(tmp_path, "bad.csv", HEADER_EN
                  + "3300000001,好人,,,佛山,HV,10kV,L1,,大工业,\n"                    # 2 fine
                  + "3300000002," + "长" * 200_000 + ",,,佛山,HV,10kV,L1,,大工业,\n"  # 3 huge
                  + "3300000003,空\x00字符,,,佛山,HV,10kV,L1,,大工业,\n"               # 4 NUL
                  + "3300000004,转义\x1b[31m红,,,佛山,HV,10kV,L1,,大工业,\n"           # 5 ESC
                  + "3300000005,反向\u202e字,,,佛山,HV,10kV,L1,,大工业,\n"             # 6 bidi
                  + "3300000006,正常,,,佛山,HV,10kV,L1,,大工业,\n")                    # 7 fine
    with pytest.raises(ImportFailed) as info:
        import_customers_csv(path, ACTOR)
    problems = dict(info.value.problems)
    assert sorted(problems) == [3, 4, 5, 6]
    assert "U+0000" in problems[4] and "U+001B" in problems[5] and "U+202E" in problems[6]
    assert Customer.select().count() == 0


def test_entry_refuses_control_characters(db):
    with pytest.raises(ValidationError) as info:
        customers.create_customer({"number": "3300000009", "name": "坏\x00名",
                                   "voltage_class": "HV"}, ACTOR)
    assert "U+0000" in str(info.value)
    made = customers.create_customer({"number": "３３００００００１０", "name": "好名",
                                      "voltage_class": "HV", "phone": "１３８"}, ACTOR)
    assert (made.number, made.phone) == ("3300000010", "138")


def test_a_pipe_is_refused_not_waited_on(db, tmp_path):
    import os

    fifo = tmp_path / "customers.csv"
    os.mkfifo(fifo)
    with pytest.raises(ImportFailed) as info:
        import_customers_csv(fifo, ACTOR)
    assert "regular file" in str(info.value) or "普通文件" in str(info.value)
