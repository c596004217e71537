"""The column-at-once index builders give exactly what the per-value functions give."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from hudang.store import search
from hudang.store.i18n import set_language
from hudang.store.services import idnumbers

# Characters that stress normalising: CJK, outside the BMP, full-width, ligatures, Greek
# final sigma, ideographic space, punctuation, polyphonic surnames, tabs.
ALPHABET = st.sampled_from(list("aB1张三曾单区１Ａ -_.,é ßΣﬁ\u3000\tⅫx") + ["𠮷"])
VALUE = st.text(ALPHABET, max_size=9)
COLUMN = st.lists(VALUE, max_size=25)


@settings(max_examples=300, deadline=None)
@given(COLUMN)
def test_normalise_and_initials_columns_equal_per_value(values):
    assert search.normalise_column(values) == [search.normalise(v) for v in values]
    names = [search.normalise(v) for v in values]
    assert search.initials_column(names) == [search._initials_of(n) for n in names]


@settings(max_examples=300, deadline=None)
@given(COLUMN, st.sampled_from("nhpiaq"))
def test_fts_column_equals_per_value(values, tag):
    assert search.fts_column(tag, values) == [search._fts_text(tag, v) for v in values]


def test_values_with_newlines_or_lone_surrogates_fall_back_per_value():
    for values in (["ab\ncd", "x"], ["\ud800x", "y"], [""], ["a"], ["", "", "z"]):
        assert search.fts_column("a", values) == [search._fts_text("a", v) for v in values]
        assert search.normalise_column(values) == [search.normalise(v) for v in values]


def test_sqlite_rows_for_match_the_per_row_index():
    rows = [(1, "0900000001", "张三明", "11010519491231002X", "13800001234", "佛山市禅城区祖庙路1号"),
            (2, "0900000002", "曾𠮷", "", "", ""),
            (3, "A-12", "ＡＢＣ 公司", "x", "1", "a")]
    sides, fts = search.sqlite_rows_for(*[list(c) for c in zip(*rows)])
    assert sides == [search._fields_of(*r) for r in rows]
    per_row = [search._fts_row(s) for s in sides]
    # The same tokens (the column form may carry extra spaces between empty fields)
    assert [(r, n.split(), b.split()) for r, n, b in fts] == \
        [(r, n.split(), b.split()) for r, n, b in per_row]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.from_regex(r"\A[1-6]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}"
                  r"[0-9X]\Z"),
    st.from_regex(r"\A[0-9A-Z ]{0,20}\Z"), st.just(""), st.just("91110000600037341L")),
    max_size=20))
def test_id_problems_of_a_column_equal_check_id_number(values):
    set_language("zh")
    today = dt.date(2026, 11, 30)
    expected = [(i, c.problem) for i, v in enumerate(values)
                if not (c := idnumbers.check_id_number(v, today)).valid]
    assert idnumbers.problems_of(values, today) == expected


def test_id_problems_of_valid_card_is_empty_and_wrong_digit_is_said():
    body = "11010519491231002"
    good = body + ric.calc_check_digit(body + "0")
    bad = body + ("1" if good[-1] != "1" else "2")
    problems = idnumbers.problems_of([good, bad, ""], dt.date(2026, 11, 30))
    assert [i for i, _ in problems] == [1]


def test_pg_rows_for_carry_the_per_row_bigrams():
    rows = [(1, "0900000001", "张三明", "11010519491231002X", "13800001234", "佛山市禅城区祖庙路1号"),
            (2, "x", "曾", "", "", "")]
    got = search.pg_rows_for(*[list(c) for c in zip(*rows)])
    for row, (*side, literal) in zip(rows, got):
        want = search._pg_row(search._fields_of(*row))
        assert tuple(side) == want[:-1]
        assert set(map(int, filter(None, literal.strip("{}").split(",")))) == set(want[-1])


@given(st.lists(st.text(alphabet=st.sampled_from("张三明欧阳𠮷祥0123456789abXx-_ \n"),
                        max_size=12), max_size=30))
def test_codes_column_is_the_per_value_codes(values):
    for tag in "nhpiaq":
        got = search.codes_column(tag, values)
        assert [list(map(int, filter(None, g.split(",")))) for g in got] == [
            search._gram_codes(tag, v) for v in values]


def test_bigram_codes_are_distinct_across_fields_and_characters():
    pairs = ["张三", "三张", "09", "90", "𠮷祥", "祥𠮷", "ab", "\U0010ffff\U0010ffff", "\x00\x01"]
    codes = [search._gram_codes(tag, p)[0] for tag in "nhpiaq" for p in pairs]
    assert len(set(codes)) == len(codes) and max(codes) < 2 ** 63


def test_the_initials_table_is_what_pypinyin_gives():
    from hudang.store import pinyin_initials

    assert pinyin_initials.generate() == pinyin_initials.INITIALS
    assert search.initials("张三明") == "zsm" and search.initials("欧阳祥") == "oyx"
