"""A handover checklist from a CSV file (UTF-8 or GBK): every row becomes an item, or none does."""

from __future__ import annotations

import csv
import io

from hudang.store.audit import Actor
from hudang.store.db import write_tx
from hudang.store.errors import ArchiveError, ImportFailed, ValidationError
from hudang.store.i18n import t
from hudang.store.progress import Progress, no_progress
from hudang.store.services.csvfile import decode_csv_bytes
from hudang.store.services.handover import add_item, get_batch

# Column headings accepted (Chinese as the business systems export them, or English).
HEADINGS = {"户号": "customer", "customer": "customer", "类别": "category",
            "category": "category", "文件类型": "doc_type", "doc_type": "doc_type",
            "题名": "title", "title": "title", "页数": "pages", "pages": "pages",
            "条码": "barcode", "barcode": "barcode"}
REQUIRED = ("customer", "category", "doc_type")


def _columns(header: list[str]) -> dict[str, int]:
    cols = {HEADINGS[h.strip()]: i for i, h in enumerate(header) if h.strip() in HEADINGS}
    missing = [k for k in REQUIRED if k not in cols]
    if missing:
        raise ImportFailed(t("清单缺少列：{m}（需要 户号、类别、文件类型；可选 题名、页数、条码）",
                             "the list lacks column(s): {m} (customer, category, doc_type; "
                             "optional title, pages, barcode)", m=", ".join(missing)),
                           [(1, ", ".join(missing))])
    return cols


def import_checklist(batch_code: str, data: bytes, actor: Actor,
                     progress: Progress = no_progress) -> int:
    """Add every row of a checklist CSV to an open batch; any bad row rejects the whole file.

    `progress` hears ("rows", rows read, rows in the file)."""
    text, _encoding = decode_csv_bytes(data)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ImportFailed(t("清单是空的", "the list is empty"), [(0, "empty")])
    cols = _columns(rows[0])
    batch = get_batch(batch_code)
    if batch.status != "open":
        raise ValidationError(t("移交批次 {c} 已关闭", "handover batch {c} is closed",
                                c=batch.number))
    problems: list[tuple[int, str]] = []
    added = 0
    total = len(rows) - 1
    progress("rows", 0, total)
    with write_tx():
        for n, row in enumerate(rows[1:], start=2):
            if n % 200 == 0:
                progress("rows", n - 1, total)
            if not any(c.strip() for c in row):
                continue
            value = {k: (row[i].strip() if i < len(row) else "") for k, i in cols.items()}
            pages = value.get("pages", "") or "0"
            if not pages.isdigit():
                problems.append((n, t("页数不是整数：{p}", "pages is not a whole number: {p}",
                                      p=pages)))
                continue
            try:
                add_item(batch.number, value["customer"], value["category"], value["doc_type"],
                         actor, title=value.get("title", ""), page_count=int(pages),
                         barcode=value.get("barcode") or None)
                added += 1
            except ArchiveError as exc:
                problems.append((n, str(exc)))
        if problems:
            raise ImportFailed(t("清单有 {n} 处问题，未导入任何一项", "{n} problem(s) in the "
                                 "list; nothing was added", n=len(problems)), problems)
    progress("rows", total, total)
    return added
