"""The loan register (借阅台帐): one line per item of every slip, to CSV and Excel (.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hudang.store.db import read_tx
from hudang.store.domain import CATEGORIES
from hudang.store.i18n import t
from hudang.store.models import LoanRequest
from hudang.store.services import exports
from hudang.store.services.loan_dto import loan_info
from hudang.store.services.loan_policy import USE_KINDS
from hudang.store.services.loan_slip import STATUS_NAMES

# (key, Chinese header, English header), in register order.
COLUMNS: list[tuple[str, str, str]] = [
    ("slip_no", "出借单号", "Slip no."), ("status", "出借单状态", "Slip status"),
    ("requester", "借阅人账号", "Borrower account"), ("requester_name", "借阅人", "Borrower"),
    ("department", "部门", "Department"), ("reader_type", "读者类型", "Reader type"),
    ("use_kind", "利用方式", "Use"), ("purpose", "借阅目的", "Purpose"),
    ("created_at", "申请时间", "Requested at"), ("approver", "审批人", "Approver"),
    ("decided_at", "审批时间", "Decided at"), ("decision_note", "审批意见", "Decision note"),
    ("override", "解除限制理由", "Override reason"),
    ("checked_out_at", "出库时间", "Checked out at"), ("due_on", "应还日期", "Due"),
    ("renewals", "续借次数", "Renewals"), ("item_kind", "项目类型", "Item kind"),
    ("code", "条码/户号", "Code"), ("customer_number", "户号", "Customer no."),
    ("customer_name", "户名", "Customer name"), ("category", "档案类别", "Category"),
    ("title", "内容", "Item"), ("box", "档案盒", "Box"), ("home", "存放位置", "Home position"),
    ("item_status", "项目状态", "Item status"), ("returned_at", "归还时间", "Returned at"),
    ("returned_by", "归还经办", "Returned to"), ("damaged", "损坏", "Damaged"),
    ("missing", "缺失", "Missing"), ("return_note", "备注", "Note"),
]


def _ts(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S") if v else ""


def _name(table: dict[str, tuple[str, str]], code: str) -> str:
    zh, en = table.get(code, (code, code))
    return t(zh, en)


def register_rows(since: dt.date | None = None, until: dt.date | None = None,
                  status: str | None = None) -> list[dict[str, object]]:
    """The register: one dict per loan item, keyed by COLUMNS, slips in request order."""
    with read_tx():
        q = LoanRequest.select().order_by(LoanRequest.id)
        if since:
            q = q.where(LoanRequest.created_at >= dt.datetime.combine(since, dt.time()))
        if until:
            q = q.where(LoanRequest.created_at
                        < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
        if status:
            q = q.where(LoanRequest.status == status)
        rows = []
        for req in q:
            loan = loan_info(req)
            head = {
                "slip_no": loan.slip_no, "status": _name(STATUS_NAMES, loan.status),
                "requester": loan.requester, "requester_name": loan.requester_name,
                "department": loan.department, "reader_type": loan.reader_type,
                "use_kind": _name(USE_KINDS, loan.use_kind), "purpose": loan.purpose,
                "created_at": _ts(loan.created_at), "approver": loan.approver_name or "",
                "decided_at": _ts(loan.decided_at), "decision_note": loan.decision_note,
                "override": loan.override_reason, "checked_out_at": _ts(loan.checked_out_at),
                "due_on": loan.due_on.isoformat() if loan.due_on else "",
                "renewals": loan.renewals}
            for item in loan.items:
                rows.append(head | {
                    "item_kind": item.item_kind, "code": item.code,
                    "customer_number": item.customer_number or "",
                    "customer_name": item.customer_name or "",
                    "category": CATEGORIES.get(item.category or "", ""), "title": item.title,
                    "box": item.box_barcode, "home": item.home.code if item.home else "",
                    "item_status": _name(STATUS_NAMES, item.status),
                    "returned_at": _ts(item.returned_at), "returned_by": item.returned_by,
                    "damaged": t("是", "yes") if item.damaged else "",
                    "missing": item.missing, "return_note": item.return_note})
        return rows


def headers() -> list[str]:
    """Column headers in the current language."""
    return [t(zh, en) for _, zh, en in COLUMNS]


CSV_ENCODINGS = exports.CSV_ENCODINGS


def export_csv(path: Path, rows: list[dict[str, object]] | None = None,
               encoding: str = exports.DEFAULT_CSV_ENCODING) -> exports.CsvWritten:
    """Write the register as CSV: UTF-8 with a BOM (Excel opens the Chinese correctly), or
    GBK for older Excel on Chinese Windows (`exports.write_csv`: characters GBK lacks are
    kept as GB18030 and listed in the result)."""
    rows = register_rows() if rows is None else rows
    return exports.write_csv(path, headers(),
                             ([row[key] for key, _, _ in COLUMNS] for row in rows), encoding)


_DATE_KEYS = {"created_at", "decided_at", "checked_out_at", "returned_at", "due_on"}


def _xlsx_value(key: str, value: object) -> object:
    """Dates and times as real Excel dates (sortable, filterable), everything else as is."""
    if key in _DATE_KEYS and isinstance(value, str):
        if not value:
            return None
        parsed = dt.datetime.fromisoformat(value)
        return parsed.date() if key == "due_on" else parsed
    return value


def export_xlsx(path: Path, rows: list[dict[str, object]] | None = None) -> int:
    """Write the register as an Excel workbook with a frozen header row."""
    rows = register_rows() if rows is None else rows
    book = exports.new_workbook()
    title = t("借阅台帐", "Loan register")
    exports.add_table(book, title, headers(),
                      ([_xlsx_value(key, row[key]) for key, _, _ in COLUMNS] for row in rows))
    exports.save_workbook(book, path, title)
    return len(rows)
