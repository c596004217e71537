"""The destruction register (销毁清册): a PDF of a batch, kept permanently in the scan store.

Fonts are embedded: the product's CJK TrueType font from `hudang.store.pdffonts`, subset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.domain import local_time
from hudang.store.i18n import t
from hudang.store.models import ScanFile
from hudang.store.models_disposal import DisposalItem, DisposalRegister
from hudang.store.pdffonts import cjk_font, table_font
from hudang.store.services import fixity
from hudang.store.services.disposal import _batch, _batch_info, status_name

_DECISIONS = {"destroy": ("销毁", "destroy"), "keep": ("延长保管", "keep longer"),
              "transfer": ("移交", "transfer"), "pending": ("未鉴定", "pending")}


@dataclass(frozen=True)
class RegisterInfo:
    batch: str
    sha256: str
    sm3: str
    path: str
    items: int


def _rows(batch_id: int):
    return (DisposalItem.select().where(DisposalItem.batch == batch_id)
            .order_by(DisposalItem.list_kind, DisposalItem.id).iterator())


def build_pdf(number: str, out: Path) -> int:
    """Write the register of a batch to `out`; return the number of items listed."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    with dbmod.read_tx():
        batch = _batch(number)
        info = _batch_info(batch)
        esc = lambda s: (str(s or "").replace("&", "&amp;").replace("<", "&lt;")
                         .replace(">", "&gt;"))
        head = [t("序号", "No."), t("清单", "list"), t("户号", "customer"), t("户名", "name"),
                t("文件条码", "barcode"), t("类别", "cat."), t("文件", "document"),
                t("页数", "pages"), t("保管依据", "retention basis"),
                t("鉴定结论", "decision"), t("状态", "state")]
        data = [[Paragraph(h, cell) for h in head]]
        for n, i in enumerate(_rows(batch.id), start=1):
            basis = f"{i.retention_class} {i.eligible_on or ''} {i.retention_note}"
            dec = t(*_DECISIONS.get(i.decision, (i.decision, i.decision)))
            if i.keep_until:
                dec += f" → {i.keep_until}"
            data.append([Paragraph(esc(v), cell) for v in (
                n, t("销毁", "destroy") if i.list_kind == "destroy" else t("复审", "review"),
                i.customer_number, i.customer_name, i.barcode, i.category,
                f"{i.doc_type} {i.title}", i.pages, basis, f"{dec}：{i.reason}", i.state)])
    story = [Paragraph(esc(t("档案销毁清册", "Destruction register")), title), Spacer(1, 4 * mm),
             Paragraph(esc(t("批次 {b}　截至 {d}　状态 {s}　提出人 {p}（{at}）",
                             "batch {b}  as of {d}  status {s}  proposed by {p} ({at})",
                             b=info.number, d=info.as_of, s=status_name(info.status),
                             p=info.proposed_by,
                             at=_when(info.proposed_at))), body), Spacer(1, 3 * mm)]
    table = Table(data, repeatRows=1, colWidths=[w * mm for w in
                                                 (10, 12, 22, 26, 26, 10, 50, 10, 55, 35, 18)])
    table.setStyle(TableStyle([table_font(), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    story += [table, Spacer(1, 5 * mm)]
    for label, people in ((t("审批", "Approvals"), info.approvals),
                          (t("监销人", "Witnesses"), info.witnesses)):
        names = "；".join(f"{s.display_name}（{s.username}，{_when(s.at)}）" for s in people)
        story.append(Paragraph(esc(f"{label}：{names or '—'}"), body))
    story.append(Spacer(1, 8 * mm))
    line = "_" * 18
    for label in (t("审批人签字", "Approver"), t("审批人签字", "Approver"),
                  t("监销人签字", "Witness"), t("监销人签字", "Witness"),
                  t("销毁执行人签字", "Destroyed by"), t("日期", "Date")):
        story.append(Paragraph(esc(f"{label}：{line}"), body))
        story.append(Spacer(1, 4 * mm))
    doc = SimpleDocTemplate(str(out), pagesize=landscape(A4), leftMargin=10 * mm,
                            rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=10 * mm,
                            initialFontName=font, title=f"销毁清册 {info.number}",
                            author="hudang")
    doc.build(story)
    return len(data) - 1


def _when(value: dt.datetime | None) -> str:
    return local_time(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def save_register(number: str, out: Path, scan_root: Path, actor: Actor) -> RegisterInfo:
    """Print the register to `out` and keep a copy permanently in the scan store; audited."""
    from hudang.store.services.ingest import ScanStore

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    items = build_pdf(number, out)
    sha, size = ScanStore(Path(scan_root)).put(out)
    sm3 = fixity.sm3_of(out)
    with dbmod.write_tx():
        batch = _batch(number)
        sf = ScanFile.get_or_none(ScanFile.sha256 == sha)
        if sf is None:
            sf = ScanFile.create(sha256=sha, size=size, media_type="application/pdf",
                                 original_name=f"销毁清册-{batch.number}.pdf",
                                 station="disposal", page_count=0)
            fixity.record_filed(sf.id, sha, sm3)
        DisposalRegister.create(batch=batch, scan_file=sf, created_by=actor.username)
        audit.record(actor, "disposal.register", "disposal_batch", batch.number, None,
                     {"sha256": sha, "sm3": sm3, "items": items, "status": batch.status})
    return RegisterInfo(batch.number, sha, sm3, str(out), items)
