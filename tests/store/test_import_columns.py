"""A customer file checked column by column gives exactly the rows the per-row checks give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hudang.store.barcodes import compile_linear
from hudang.store.i18n import set_language
from hudang.store.services import customer_import as ci

HEADER = ["户号", "户名", "证件号码", "联系电话", "用电地址", "电压等级", "供电电压", "线路", "台区",
          "电价类别", "重要客户"]
TEXT = st.text(st.sampled_from(list("张三 佛山市路号aA1１,\"\u3000x-")), max_size=8)
ROW = st.tuples(
    st.from_regex(r"\A ?[0-9０-９]{10} ?\Z"), st.text(st.sampled_from(list("张三李𠮷 a")), min_size=1, max_size=5),
    st.sampled_from(["", "11010519491231002x", " 4406041980010100１X ", "ABC"]), TEXT, TEXT,
    st.sampled_from(["高压", "低压", "hv", "LV", " 低压 ", "中压", ""]), TEXT, TEXT,
    st.sampled_from(["", "祖庙台区", " a "]), TEXT,
    st.sampled_from(["", "是", "否", "Y", "no", "1", "maybe"]))


def _both(rows, pattern=r"^\d{10}$"):
    set_language("zh")
    cols, problems = ci._header_map(HEADER)
    assert not problems
    number_re = compile_linear(pattern)
    raws = [list(r) for r in rows]
    row_nos = list(range(2, 2 + len(raws)))
    fast = ci._fast_table(raws, row_nos, cols, number_re)
    slow_problems: list = []
    slow = ci._checked_rows(raws, row_nos, cols, number_re, slow_problems)
    return fast, slow, slow_problems


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=12))
def test_fast_path_accepts_exactly_the_good_files_with_the_same_rows(rows):
    fast, slow, problems = _both(rows)
    if problems:
        assert fast is None  # a bad file is always explained by the per-row checks
    elif fast is not None:
        assert fast.rows() == slow.rows()
        assert fast.row_nos == slow.row_nos


def test_clean_file_takes_the_fast_path():
    rows = [("0900000001", "张三", "11010519491231002x", "138", "佛山", "低压", "220V", "l",
             "祖庙台区", "", "否"),
            ("0900000002", "李四", "", "", "", "高压", "10kV", "", "", "大工业", "是")]
    fast, slow, problems = _both(rows)
    assert not problems and fast is not None
    assert fast.rows() == slow.rows()
    assert fast.columns["id_number"][0] == "11010519491231002X"


def test_numbers_are_matched_one_by_one_whatever_the_pattern():
    numbers = ["0900000001", "0900000002"]
    for pattern, good in [(r"^\d{10}$", True), (r"^09\d{8}$", True), (r"^08\d{8}$", False),
                          (r"[0-9]{10}", True), (r"(?s).{10}", True), (r"[^x]{10}", True),
                          (r"\d{5}|\d{10}", True), (r"^\d{9}$", False)]:
        number_re = compile_linear(pattern)
        assert ci._all_numbers_match(number_re, numbers) is good, pattern
        assert good == all(re.fullmatch(pattern, n) for n in numbers)
    # a pattern that could match a newline is checked per number, never across two
    assert not ci._all_numbers_match(compile_linear(r"[^x]{21}"), numbers)
