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
from hudang.store.progress import Progress, no_progress
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


def execute(number: str, scan_root: Path, actor: Actor, chunk: int = CHUNK,
            progress: Progress = no_progress) -> ExecuteReport:
    """Destroy what the batch decided to destroy; re-running finishes or does nothing.

    `progress` hears the fixity re-check ("verify": scans) and then the items closed
    ("documents": items of this run)."""
    batch = _ready(number)
    report = ExecuteReport(batch.number)
    _sweep_files(batch, Path(scan_root), report)  # files a crashed run left behind
    _check_fixity(batch, Path(scan_root), actor, report, progress)
    with dbmod.write_tx():
        DisposalBatch.update(status="executing").where(
            (DisposalBatch.id == batch.id) & (DisposalBatch.status == "approved")).execute()
    kill_after = int(os.environ.get(FAULT_ENV, "0") or 0)
    chunks = 0
    total = DisposalItem.select().where((DisposalItem.batch == batch.id)
                                        & (DisposalItem.state == "open")).count()
    done = 0
    progress("documents", 0, total)
    while True:
        items = list(DisposalItem.select().where((DisposalItem.batch == batch.id)
                                                 & (DisposalItem.state == "open"))
                     .order_by(DisposalItem.id).limit(chunk))
        if not items:
            break
        removed = _run_chunk(batch, items, actor, report)
        chunks += 1
        done += len(items)
        if kill_after and chunks >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # fault injection: die before files go
        report.blobs_removed += _unlink(Path(scan_root), removed)
        progress("documents", done, total)
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


def _check_fixity(batch: DisposalBatch, root: Path, actor: Actor, report: ExecuteReport,
                  progress: Progress = no_progress) -> None:
    """Every scan still to be destroyed must be the file that was filed."""
    open_docs = DisposalItem.select(DisposalItem.document).where(
        (DisposalItem.batch == batch.id) & (DisposalItem.state == "open")
        & (DisposalItem.decision == "destroy"))
    ids = [i for (i,) in DocumentPage.select(DocumentPage.scan_file).distinct()
           .where(DocumentPage.document.in_(open_docs)).tuples()]
    if not ids:
        return
    found = fixity.check(root, actor, scan_file_ids=ids, purpose=f"disposal {batch.number}",
                         progress=lambda _stage, done, total: progress("verify", done, total))
    report.fixity_checked = found.checked
    if not found.ok:
        shown = ", ".join(f"{p.sha256[:12]} {p.problem}" for p in found.problems[:5])
        raise FixityFailed(t("批次 {b} 有 {n} 个扫描文件丢失或被改动，未销毁任何文件：{s}",
                             "batch {b}: {n} stored scans are missing or altered; nothing was "
                             "destroyed: {s}", b=batch.number, n=len(found.problems), s=shown))


def _run_chunk(batch: DisposalBatch, items: list[DisposalItem], actor: Actor,
               report: ExecuteReport) -> list[str]:
    """One transaction: close every item of the chunk; return the files to remove after it.

    Set-based (a handful of statements per chunk, not per item): a batch of 100,000
    documents is executed in minutes, not hours.
    """
    now = utcnow()
    with dbmod.write_tx():
        held = _held_docs([i.document_id for i in items])
        outcome: dict[str, list[int]] = {"held": [], "kept": [], "transferred": [],
                                         "destroyed": []}
        for item in items:
            if item.document_id in held:
                outcome["held"].append(item.document_id)
            elif item.decision in ("keep", "transfer"):
                _keep_or_transfer(batch, item)
                outcome["kept" if item.decision == "keep" else "transferred"].append(
                    item.document_id)
            else:
                outcome["destroyed"].append(item.document_id)
        removed_by_doc = _destroy(batch, outcome["destroyed"], actor, now)
        by_doc = {i.document_id: i.id for i in items}
        for state, docs in outcome.items():
            setattr(report, state, getattr(report, state) + len(docs))
            rows = [(state, now, json.dumps(removed_by_doc.get(d, [])), by_doc[d]) for d in docs]
            _update_items(rows)
        removed = sorted({s for shas in removed_by_doc.values() for s in shas})
        audit.record(actor, "disposal.executed_chunk", "disposal_batch", batch.number, None,
                     {k: v for k, v in outcome.items() if v} | {"files_removed": len(removed)})
        ChangeLog.create(topic="disposal", ref=batch.number)
    return removed


def _update_items(rows: list[tuple]) -> None:
    if not rows:
        return
    db = dbmod.require_database()
    p = db.param
    db.cursor().executemany(f"UPDATE disposal_item SET state = {p}, done_at = {p}, "
                            f"removed_blobs = {p} WHERE id = {p}",
                            [(s, n.isoformat(sep=" "), b, i) for s, n, b, i in rows])


def _held_docs(doc_ids: list[int]) -> set[int]:
    """Documents under a hold now (on themselves or their customer)."""
    rows = (Document.select(Document.id).join(Customer)
            .where(Document.id.in_(doc_ids)
                   & ((Document.legal_hold == True) | (Customer.legal_hold == True)))
            .tuples())
    return {r for (r,) in rows}


def _keep_or_transfer(batch: DisposalBatch, item: DisposalItem) -> None:
    if item.decision == "keep":
        note = t("[dated] 经 {b} 鉴定延长保管：{r}", "[dated] kept longer by {b}: {r}",
                 b=batch.number, r=item.reason)
        until = item.keep_until
    else:
        note = t("[transferred] 经 {b} 鉴定移交：{r}", "[transferred] transferred by {b}: {r}",
                 b=batch.number, r=item.reason)
        until = None
    Document.update(retention_eligible_on=until, retention_note=note[:256]).where(
        Document.id == item.document_id).execute()


def _destroy(batch: DisposalBatch, doc_ids: list[int], actor: Actor, now) -> dict[int, list[str]]:
    """Tombstone documents; return, per document, the scans no kept record uses any more."""
    if not doc_ids:
        return {}
    pages = list(DocumentPage.select(DocumentPage.document, DocumentPage.scan_file,
                                     DocumentPage.page_no, ScanFile.sha256)
                 .join(ScanFile).where(DocumentPage.document.in_(doc_ids))
                 .order_by(DocumentPage.document, DocumentPage.seq).tuples())
    docs = list(Document.select(Document.id, Document.barcode, Document.category,
                                Document.doc_type, Document.title, Document.page_count,
                                Document.volume, Customer.number, Volume.barcode.alias("vol"),
                                Box.barcode.alias("box"))
                .join(Customer).switch(Document)
                .join(Volume, pw.JOIN.LEFT_OUTER, on=(Volume.id == Document.volume))
                .join(Box, pw.JOIN.LEFT_OUTER, on=(Box.id == Volume.box))
                .where(Document.id.in_(doc_ids)).dicts())
    DocumentPage.delete().where(DocumentPage.document.in_(doc_ids)).execute()
    scans = {sf: sha for _d, sf, _p, sha in pages}
    gone = set(scans) - _still_used(list(scans))
    if gone:
        ScanFixity.update(status="destroyed", destroyed_batch=batch.number).where(
            ScanFixity.scan_file.in_(sorted(gone))).execute()
    removed: dict[int, list[str]] = {}
    page_list: dict[int, list] = {}
    for doc, sf, page_no, sha in pages:
        page_list.setdefault(doc, []).append([sha, page_no])
        if sf in gone:
            removed.setdefault(doc, []).append(sha)
    Tombstone.insert_many([{
        "document": d["id"], "batch": batch.id, "destroyed_at": now,
        "destroyed_by": actor.username,
        "what": json.dumps({"customer": d["number"], "category": d["category"],
                            "doc_type": d["doc_type"], "title": d["title"],
                            "barcode": d["barcode"], "page_count": d["page_count"],
                            "volume": d["vol"], "box": d["box"],
                            "pages": page_list.get(d["id"], [])}, ensure_ascii=False)}
        for d in docs]).execute()
    Document.update(retention_eligible_on=None,
                    retention_note=t("[destroyed] 已在 {b} 中销毁", "[destroyed] destroyed in {b}",
                                     b=batch.number)).where(Document.id.in_(doc_ids)).execute()
    _empty_volumes(batch, {d["volume"] for d in docs if d["volume"]}, actor)
    return removed


def _still_used(scan_ids: list[int]) -> set[int]:
    """Scans a kept document, an open attention item or a register still uses."""
    if not scan_ids:
        return set()
    used = {s for (s,) in DocumentPage.select(DocumentPage.scan_file).distinct()
            .where(DocumentPage.scan_file.in_(scan_ids)).tuples()}
    used |= {s for (s,) in AttentionItem.select(AttentionItem.scan_file)
             .where(AttentionItem.scan_file.in_(scan_ids) & (AttentionItem.status == "open"))
             .tuples()}
    used |= {s for (s,) in DisposalRegister.select(DisposalRegister.scan_file)
             .where(DisposalRegister.scan_file.in_(scan_ids)).tuples()}
    return used


def _empty_volumes(batch: DisposalBatch, volume_ids: set[int], actor: Actor) -> None:
    """Volumes with nothing left leave their boxes; boxes left empty leave their positions."""
    if not volume_ids:
        return
    live = {v for (v,) in Document.select(Document.volume).distinct()
            .join(Tombstone, pw.JOIN.LEFT_OUTER, on=(Tombstone.document == Document.id))
            .where(Document.volume.in_(sorted(volume_ids)) & Tombstone.id.is_null()).tuples()}
    empty = sorted(volume_ids - live)
    if not empty:
        return
    boxes = {b for (b,) in Volume.select(Volume.box).where(Volume.id.in_(empty)
                                                           & Volume.box.is_null(False)).tuples()}
    Volume.update(box=None).where(Volume.id.in_(empty)).execute()
    if not boxes:
        return
    still = {b for (b,) in Volume.select(Volume.box).distinct()
             .where(Volume.box.in_(sorted(boxes))).tuples()}
    for box in Box.select().where(Box.id.in_(sorted(boxes - still))).order_by(Box.id):
        _empty_box(batch, box, actor)


def _empty_box(batch: DisposalBatch, box: Box, actor: Actor) -> None:
    if box.home_id is not None:
        Location.update(used=Location.used - 1).where(
            (Location.id == box.home_id) & (Location.used > 0)).execute()
    if box.home_id is not None or box.current_id is not None:
        Movement.create(box=box.id, kind="destroy", from_location=box.current_id or box.home_id,
                        to_location=None, actor=actor.username,
                        note=t("销毁批次 {b} 清空", "emptied by disposal batch {b}",
                               b=batch.number))
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
