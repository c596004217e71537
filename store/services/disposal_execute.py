"""Executing an approved, witnessed disposal batch: fixity first, then chunk by chunk.

Each chunk is one transaction (pages unlinked, scans marked destroyed, tombstones, boxes
emptied, items closed, one audit event). Files leave the scan store only after their
chunk commits, so a crash leaves each item destroyed (its files perhaps still on disk,
removed by the next run) or untouched.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import peewee as pw
from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import ValidationError
from hudang.store.i18n import t
from hudang.store.models import (
    AttentionItem,
    Box,
    ChangeLog,
    Customer,
    Document,
    DocumentPage,
    Location,
    Movement,
    ScanFile,
    Volume,
    utcnow,
)
from hudang.store.models_disposal import (
    DisposalBatch,
    DisposalItem,
    DisposalRegister,
    ScanFixity,
    Tombstone,
)
from hudang.store.services import fixity
from hudang.store.services.disposal import (
    APPROVALS_NEEDED,
    CHUNK,
    FAULT_ENV,
    WITNESSES_NEEDED,
    ExecuteReport,
    FixityFailed,
    _batch,
    _signoffs,
)


def execute(number: str, scan_root: Path, actor: Actor, chunk: int = CHUNK) -> ExecuteReport:
    """Destroy what the batch decided to destroy; re-running finishes or does nothing."""
    batch = _ready(number)
    report = ExecuteReport(batch.number)
    _sweep_files(batch, Path(scan_root), report)  # files a crashed run left behind
    _check_fixity(batch, Path(scan_root), actor, report)
    with dbmod.write_tx():
        DisposalBatch.update(status="executing").where(
            (DisposalBatch.id == batch.id) & (DisposalBatch.status == "approved")).execute()
    kill_after = int(os.environ.get(FAULT_ENV, "0") or 0)
    chunks = 0
    while True:
        items = list(DisposalItem.select().where((DisposalItem.batch == batch.id)
                                                 & (DisposalItem.state == "open"))
                     .order_by(DisposalItem.id).limit(chunk))
        if not items:
            break
        removed = _run_chunk(batch, items, actor, report)
        chunks += 1
        if kill_after and chunks >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # fault injection: die before files go
        report.blobs_removed += _unlink(Path(scan_root), removed)
    _finish(batch, actor, report)
    return report


def _ready(number: str) -> DisposalBatch:
    batch = _batch(number)
    if batch.status not in ("approved", "executing", "executed"):
        raise ValidationError(t("批次 {b} 尚未经两人审批", "batch {b} is not approved by two "
                                "approvers", b=batch.number))
    if len(_signoffs(batch, "approve")) < APPROVALS_NEEDED:
        raise ValidationError(t("批次 {b} 尚未经两人审批", "batch {b} is not approved by two "
                                "approvers", b=batch.number))
    if len(_signoffs(batch, "witness")) < WITNESSES_NEEDED:
        raise ValidationError(t("批次 {b} 需要至少 {n} 名监销人签署", "batch {b} needs at least {n} "
                                "witnesses", b=batch.number, n=WITNESSES_NEEDED))
    return batch


def _check_fixity(batch: DisposalBatch, root: Path, actor: Actor, report: ExecuteReport) -> None:
    """Every scan still to be destroyed must be the file that was filed."""
    open_docs = DisposalItem.select(DisposalItem.document).where(
        (DisposalItem.batch == batch.id) & (DisposalItem.state == "open")
        & (DisposalItem.decision == "destroy"))
    ids = [i for (i,) in DocumentPage.select(DocumentPage.scan_file).distinct()
           .where(DocumentPage.document.in_(open_docs)).tuples()]
    if not ids:
        return
    found = fixity.check(root, actor, scan_file_ids=ids, purpose=f"disposal {batch.number}")
    report.fixity_checked = found.checked
    if not found.ok:
        shown = ", ".join(f"{p.sha256[:12]} {p.problem}" for p in found.problems[:5])
        raise FixityFailed(t("批次 {b} 有 {n} 个扫描文件丢失或被改动，未销毁任何文件：{s}",
                             "batch {b}: {n} stored scans are missing or altered; nothing was "
                             "destroyed: {s}", b=batch.number, n=len(found.problems), s=shown))


def _run_chunk(batch: DisposalBatch, items: list[DisposalItem], actor: Actor,
               report: ExecuteReport) -> list[str]:
    """One transaction: close every item of the chunk; return the files to remove after it."""
    removed: list[str] = []
    outcome: dict[str, list[int]] = {}
    with dbmod.write_tx():
        for item in items:
            state, shas = _close_item(batch, item, actor)
            removed += shas
            outcome.setdefault(state, []).append(item.document_id)
            setattr(report, state, getattr(report, state) + 1)
        audit.record(actor, "disposal.executed_chunk", "disposal_batch", batch.number, None,
                     {k: v for k, v in outcome.items()} | {"files_removed": len(removed)})
        ChangeLog.create(topic="disposal", ref=batch.number)
    return removed


def _held(doc: Document) -> bool:
    if doc.legal_hold:
        return True
    return bool(Customer.select(Customer.legal_hold).where(Customer.id == doc.customer_id)
                .scalar())


def _close_item(batch: DisposalBatch, item: DisposalItem, actor: Actor) -> tuple[str, list[str]]:
    doc = Document.get_by_id(item.document_id)
    now = utcnow()
    if _held(doc):
        state, shas = "held", []
    elif item.decision == "keep":
        Document.update(retention_eligible_on=item.keep_until,
                        retention_note=t("[dated] 经 {b} 鉴定延长保管：{r}",
                                         "[dated] kept longer by {b}: {r}", b=batch.number,
                                         r=item.reason)[:256]).where(Document.id == doc.id).execute()
        state, shas = "kept", []
    elif item.decision == "transfer":
        Document.update(retention_eligible_on=None,
                        retention_note=t("[transferred] 经 {b} 鉴定移交：{r}",
                                         "[transferred] transferred by {b}: {r}", b=batch.number,
                                         r=item.reason)[:256]).where(Document.id == doc.id).execute()
        state, shas = "transferred", []
    else:
        state, shas = "destroyed", _destroy(batch, doc, actor, now)
    (DisposalItem.update(state=state, done_at=now, removed_blobs=json.dumps(shas))
     .where(DisposalItem.id == item.id).execute())
    return state, shas


def _destroy(batch: DisposalBatch, doc: Document, actor: Actor, now) -> list[str]:
    """Tombstone one document; return the scans no kept record uses any more."""
    pages = list(DocumentPage.select(DocumentPage.scan_file, DocumentPage.page_no, ScanFile.sha256)
                 .join(ScanFile).where(DocumentPage.document == doc.id)
                 .order_by(DocumentPage.seq).tuples())
    vol = Volume.get_or_none(Volume.id == doc.volume_id) if doc.volume_id else None
    box = Box.get_or_none(Box.id == vol.box_id) if vol and vol.box_id else None
    what = {"customer": doc.customer.number, "category": doc.category, "doc_type": doc.doc_type,
            "title": doc.title, "barcode": doc.barcode, "page_count": doc.page_count,
            "volume": vol.barcode if vol else None, "box": box.barcode if box else None,
            "pages": [[sha, page_no] for _sf, page_no, sha in pages]}
    DocumentPage.delete().where(DocumentPage.document == doc.id).execute()
    removed = []
    for sf_id, sha in sorted({(sf, sha) for sf, _p, sha in pages}):
        if not _still_used(sf_id):
            ScanFixity.update(status="destroyed", destroyed_batch=batch.number).where(
                ScanFixity.scan_file == sf_id).execute()
            removed.append(sha)
    Tombstone.create(document=doc.id, batch=batch.id, destroyed_at=now,
                     destroyed_by=actor.username, what=json.dumps(what, ensure_ascii=False))
    Document.update(retention_eligible_on=None,
                    retention_note=t("[destroyed] 已在 {b} 中销毁", "[destroyed] destroyed in {b}",
                                     b=batch.number)).where(Document.id == doc.id).execute()
    if vol is not None:
        _empty_volume(batch, vol, box, actor)
    return removed


def _still_used(scan_file_id: int) -> bool:
    """A scan stays while a kept document, an open attention item or a register uses it."""
    return (DocumentPage.select().where(DocumentPage.scan_file == scan_file_id).exists()
            or AttentionItem.select().where((AttentionItem.scan_file == scan_file_id)
                                            & (AttentionItem.status == "open")).exists()
            or DisposalRegister.select().where(DisposalRegister.scan_file == scan_file_id)
            .exists())


def _empty_volume(batch: DisposalBatch, vol: Volume, box: Box | None, actor: Actor) -> None:
    """A volume with nothing left leaves its box; an empty box leaves its position."""
    live = (Document.select().join(Tombstone, on=(Tombstone.document == Document.id),
                                   join_type=pw.JOIN.LEFT_OUTER)
            .where((Document.volume == vol.id) & Tombstone.id.is_null()).exists())
    if live or box is None:
        return
    Volume.update(box=None).where(Volume.id == vol.id).execute()
    if Volume.select().where(Volume.box == box.id).exists():
        return
    if box.home_id is not None:
        Location.update(used=Location.used - 1).where(
            (Location.id == box.home_id) & (Location.used > 0)).execute()
    Movement.create(box=box.id, kind="destroy", from_location=box.current_id or box.home_id,
                    to_location=None, actor=actor.username,
                    note=t("销毁批次 {b} 清空", "emptied by disposal batch {b}", b=batch.number))
    Box.update(status="emptied", home=None, current=None, version=Box.version + 1).where(
        Box.id == box.id).execute()


def _unlink(root: Path, shas: list[str]) -> int:
    removed = 0
    for sha in shas:
        path = root / sha[:2] / sha
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _sweep_files(batch: DisposalBatch, root: Path, report: ExecuteReport) -> None:
    """Remove files of items a previous run destroyed but did not get to unlink."""
    rows = (DisposalItem.select(DisposalItem.removed_blobs)
            .where((DisposalItem.batch == batch.id) & (DisposalItem.state == "destroyed")
                   & (DisposalItem.removed_blobs != "[]")).tuples())
    for (blobs,) in rows:
        shas = [s for s in json.loads(blobs)
                if ScanFixity.select().where((ScanFixity.sha256 == s)
                                             & (ScanFixity.status == "destroyed")).exists()]
        report.blobs_removed += _unlink(root, shas)


def _finish(batch: DisposalBatch, actor: Actor, report: ExecuteReport) -> None:
    with dbmod.write_tx():
        n = (DisposalBatch.update(status="executed", executed_at=utcnow(),
                                  version=DisposalBatch.version + 1)
             .where((DisposalBatch.id == batch.id) & (DisposalBatch.status == "executing"))
             .execute())
        if n:
            audit.record(actor, "disposal.executed", "disposal_batch", batch.number, None,
                         {"destroyed": report.destroyed, "kept": report.kept,
                          "transferred": report.transferred, "held": report.held,
                          "files_removed": report.blobs_removed})
        else:
            report.already_done = 1
