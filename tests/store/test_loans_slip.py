"""The printed slips decode with real pyzbar; the register round-trips through CSV and Excel."""

from __future__ import annotations

import csv
import datetime as dt

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from pyzbar import pyzbar

from hudang.store.audit import Actor
from hudang.store.i18n import set_language
from hudang.store.services import loan_desk, loan_export, loan_slip, loans
from tests.store.test_loans_setup import KEEPER

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today_as_the_test_runs():
    """TODAY is the day each test runs on, not the day the module was imported: a run that
    crosses midnight made loans due a day later than TODAY said."""
    global TODAY
    TODAY = dt.date.today()


def _pages(pdf: bytes, dpi: int = 200):
    """Each page of `pdf` rendered to a PIL image, and its extracted text."""
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for page in doc:
            text = page.get_textpage().get_text_range()
            out.append((page.render(scale=dpi / 72).to_pil().convert("L"), text))
        return out
    finally:
        doc.close()


def _code128(image) -> list[str]:
    return [d.data.decode("ascii") for d in pyzbar.decode(image) if d.type == "CODE128"]


def _active_loan(arch):
    req = loans.request_loan("zhang", [arch.lv_a_doc, arch.lv_box2], purpose="供电纠纷诉讼取证",
                             use_kind="take_out", actor=KEEPER)
    loans.approve(req.slip_no, Actor("li"), "同意")
    loan_desk.checkout_item(req.slip_no, arch.lv_box, KEEPER)
    return loans.get_loan(req.slip_no)


def test_borrowing_slip_renders_and_its_barcode_decodes(arch):
    loan = _active_loan(arch)
    pdf = loan_slip.loan_slip_pdf(loan)
    assert pdf.startswith(b"%PDF")
    [(image, text)] = _pages(pdf)
    assert _code128(image) == [loan.slip_no]
    for expected in ("档案资料出借单", loan.slip_no, "张三丰", "营销部", "供电纠纷诉讼取证",
                     loan.due_on.isoformat(), "借阅人签字", "审批人签字", arch.lv_box,
                     arch.homes[arch.lv_box], "李审批"):
        assert expected in text, expected


def test_slip_in_english_and_with_markup_like_text(arch, tmp_path):
    req = loans.request_loan("wang", [arch.lv_b], purpose="<b>核对</b> & 复印",
                             use_kind="reading", actor=KEEPER)
    set_language("en")
    try:
        path = loan_slip.write_loan_slip(loans.get_loan(req.slip_no), tmp_path / "slip.pdf")
    finally:
        set_language("zh")
    [(image, text)] = _pages(path.read_bytes())
    assert _code128(image) == [req.slip_no]
    assert "Archive borrowing slip" in text and "<b>核对</b> & 复印" in text


def test_reminder_slips_one_page_per_overdue_slip(arch):
    slips = []
    for requester, box in (("zhang", arch.lv_box2), ("keeper1", arch.lv_box)):
        req = loans.request_loan(requester, [box], purpose="取证", use_kind="take_out",
                                 actor=KEEPER)
        loans.approve(req.slip_no, Actor("wang"))
        loan_desk.checkout_item(req.slip_no, box, KEEPER, today=TODAY - dt.timedelta(days=9 + 3
                                                                                   * len(slips)))
        slips.append(req.slip_no)
    rows = loans.overdue_list(TODAY)
    pages = _pages(loan_slip.reminder_slips_pdf(rows, TODAY))
    assert len(pages) == 2
    assert [_code128(img) for img, _ in pages] == [[slips[1]], [slips[0]]]  # most overdue first
    assert "档案催还通知单" in pages[0][1] and "逾期 5 天" in pages[0][1].replace("\n", "")
    assert "钱管理员" in pages[0][1] and "张三丰" in pages[1][1]


def test_register_round_trips_through_csv_and_xlsx(arch, tmp_path):
    loan = _active_loan(arch)
    loan_desk.return_item(arch.lv_box, KEEPER, damaged=True, missing="第3页", note="水渍")
    loans.request_loan("wang", [arch.lv_b], purpose="=HYPERLINK(\"http://x\")",
                       use_kind="reading", actor=KEEPER)
    rows = loan_export.register_rows()
    assert len(rows) == 3
    first = rows[0]
    assert (first["slip_no"], first["customer_name"], first["damaged"], first["missing"]) == \
        (loan.slip_no, "李𠮷祥", "是", "第3页")
    expected = [[str(r[k]) for k, _, _ in loan_export.COLUMNS] for r in rows]

    csv_path = tmp_path / "台帐.csv"
    assert loan_export.export_csv(csv_path, rows).rows == 3
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == loan_export.headers() and got[0][0] == "出借单号"
    assert got[1:3] == expected[:2]
    purpose_col = [k for k, _, _ in loan_export.COLUMNS].index("purpose")
    assert got[3][purpose_col] == "'=HYPERLINK(\"http://x\")"  # never a live formula
    assert got[3][:purpose_col] == expected[2][:purpose_col]

    xlsx_path = tmp_path / "台帐.xlsx"
    assert loan_export.export_xlsx(xlsx_path, rows) == 3
    ws = load_workbook(xlsx_path).active
    values = [[_as_text(c) for c in row] for row in ws.iter_rows()]
    assert ws.title == "借阅台帐" and values[0] == loan_export.headers()
    assert values[1:] == expected
    assert ws.cell(row=4, column=purpose_col + 1).data_type == "s"
    keys = [k for k, _, _ in loan_export.COLUMNS]
    created = ws.cell(row=2, column=keys.index("created_at") + 1)
    due = ws.cell(row=2, column=keys.index("due_on") + 1)
    assert isinstance(created.value, dt.datetime) and created.number_format.startswith("yyyy")
    assert isinstance(due.value, dt.datetime) and due.number_format == "yyyy-mm-dd"
    name_col = keys.index("customer_name") + 1
    from openpyxl.utils import get_column_letter

    # "李𠮷祥" and the header "户名" are wide characters: two columns each
    assert ws.column_dimensions[get_column_letter(name_col)].width >= 8


def _as_text(cell) -> str:
    """A cell as the register's text: real Excel dates back to their written form."""
    if cell.value is None:
        return ""
    if isinstance(cell.value, dt.datetime):
        short = cell.number_format == "yyyy-mm-dd"
        return cell.value.strftime("%Y-%m-%d" if short else "%Y-%m-%d %H:%M:%S")
    return str(cell.value)


def test_register_csv_in_gbk_for_older_excel(arch, tmp_path):
    _active_loan(arch)
    rows = loan_export.register_rows()
    path = tmp_path / "gbk.csv"
    written = loan_export.export_csv(path, rows, encoding="gbk")
    assert written.rows == len(rows)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "出借单号".encode("gbk") in data  # plain GBK bytes for the common characters
    with path.open(encoding="gb18030", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[1][[k for k, _, _ in loan_export.COLUMNS].index("customer_name")] == "李𠮷祥"
    # 𠮷 has no GBK code: kept (as GB18030) and said so, with its row and column
    assert {(c.column, c.chars) for c in written.outside_gbk} == {("户名", "𠮷")}
    assert written.outside_gbk[0].row == 2
    assert "GB18030" in written.warning() and "utf-8-sig" in written.warning()


def test_register_filters_by_status_and_date(arch):
    _active_loan(arch)
    loans.request_loan("wang", [arch.lv_b], purpose="查阅", use_kind="reading", actor=KEEPER)
    assert {r["status"] for r in loan_export.register_rows(status="approved")} == {"已批准"}
    assert loan_export.register_rows(since=TODAY + dt.timedelta(days=2)) == []
    assert len(loan_export.register_rows(since=TODAY - dt.timedelta(days=1),
                                         until=TODAY + dt.timedelta(days=1))) == 3


def test_slips_and_reminders_embed_their_font(arch):
    from tests.store.test_pdffonts import assert_fonts_embedded

    loan = _active_loan(arch)
    assert_fonts_embedded(loan_slip.loan_slip_pdf(loan))
    assert_fonts_embedded(loan_slip.reminder_slips_pdf([], TODAY))
