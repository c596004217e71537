"""The one way the product writes tables for Excel: CSV encodings, and .xlsx dates and widths."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from hudang.store.errors import ValidationError
from hudang.store.services import exports

HEADER = ["户号", "户名", "备注"]
ROWS = [["0600000001", "张三", "=1+1"], ["0600000002", "李𠮷祥", "地址\u00a0含不换行空格"],
        ["0600000003", "王五", "正常"]]


def test_utf8_with_bom_is_the_default_and_formulas_stay_text(tmp_path):
    path = tmp_path / "out.csv"
    written = exports.write_csv(path, HEADER, ROWS)
    assert (written.rows, written.encoding, written.outside_gbk) == (3, "utf-8-sig", [])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == HEADER and got[2][1] == "李𠮷祥"
    assert got[1][2] == "'=1+1"  # never a live formula in Excel
    assert written.warning() == ""


def test_gbk_keeps_what_gbk_lacks_and_names_every_such_cell(tmp_path):
    path = tmp_path / "out.csv"
    written = exports.write_csv(path, HEADER, ROWS, "gbk")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and "户号,户名".encode("gbk") in data
    assert "王五".encode("gbk") in data  # common characters: plain GBK bytes
    got = list(csv.reader(data.decode("gb18030").splitlines()))
    assert got[2] == ["0600000002", "李𠮷祥", "地址\u00a0含不换行空格"]  # nothing lost
    assert [(c.row, c.column, c.chars) for c in written.outside_gbk] == [
        (3, "户名", "𠮷"), (3, "备注", "\u00a0")]
    note = written.warning()
    assert "2 处" in note and "第 3 行「户名」𠮷" in note and "utf-8-sig" in note


def test_a_character_no_file_can_hold_is_a_clear_error_and_nothing_is_written(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")
    for encoding in exports.CSV_ENCODINGS:
        with pytest.raises(ValidationError) as err:
            exports.write_csv(path, HEADER, ROWS + [["0600000004", "坏\udcff字", ""]], encoding)
        assert "第 5 行「户名」" in str(err.value) and "U+DCFF" in str(err.value)
        assert path.read_text(encoding="utf-8") == "old"  # the earlier file is untouched
        assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no partial file left


def test_unknown_encoding_is_refused(tmp_path):
    with pytest.raises(ValidationError):
        exports.write_csv(tmp_path / "x.csv", HEADER, ROWS, "latin-1")


def test_xlsx_has_real_dates_text_kept_text_and_widths_for_chinese(tmp_path):
    book = exports.new_workbook()
    when = dt.datetime(2026, 3, 2, 9, 30)
    exports.add_table(book, "台帐", ["户名", "时间", "日期", "比率", "公式"],
                      [["佛山华达陶瓷有限公司", when, when.date(), 0.875, "=SUM(A1)"]],
                      formats={3: exports.PERCENT_FORMAT})
    path = exports.save_workbook(book, tmp_path / "t.xlsx", "台帐")
    sheet = load_workbook(path)["台帐"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet["B2"].value == when and sheet["B2"].number_format == exports.DATETIME_FORMAT
    assert sheet["C2"].value == dt.datetime(2026, 3, 2)
    assert sheet["C2"].number_format == exports.DATE_FORMAT
    assert sheet["D2"].value == 0.875 and sheet["D2"].number_format == "0.0%"
    assert sheet["E2"].data_type == "s" and sheet["E2"].value == "=SUM(A1)"
    width = sheet.column_dimensions[get_column_letter(1)].width
    assert width >= exports.display_width("佛山华达陶瓷有限公司") == 20
    assert sheet.column_dimensions["B"].width >= 19
