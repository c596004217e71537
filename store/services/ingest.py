"""Ingest: the content-addressed scan store, filing scans exactly once, attention queue, fsck."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import peewee as pw

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.domain import CATEGORIES, category_code
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import (AttentionItem, ChangeLog, Customer, Document, DocumentPage,
                          IngestRecord, ScanFile, utcnow)
from hudang.store.progress import Progress, no_progress
from hudang.store.services import fixity

DEFAULT_CATEGORY = "QT"  # 其它: where pages go when nothing names a category


class IngestOutcome(StrEnum):
    """What filing a claimed file came to (stored in IngestRecord.outcome)."""

    FILED = "filed"
    DUPLICATE = "duplicate"
    ATTENTION = "attention"
_CHUNK = 1 << 20


class ScanStore:
    """Files named by their SHA-256 under `root`; written to a temp name, fsynced, renamed."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, src: Path) -> tuple[str, int]:
        """Copy `src` into the store (idempotent); return (sha256, size)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{os.getpid()}-{time.monotonic_ns()}"
        digest, size = hashlib.sha256(), 0
        try:
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                while chunk := fin.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    fout.write(chunk)
                fout.flush()
                os.fsync(fout.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            if target.exists() and file_sha256(target) == sha:
                tmp.unlink()
                return sha, size
            target.parent.mkdir(parents=True, exist_ok=True)
            _publish(tmp, target)
            _fsync_dir(target.parent)
            return sha, size
        finally:
            if tmp.exists():
                tmp.unlink()


def _publish(tmp: Path, target: Path) -> None:
    """Give `tmp` its content-addressed name without ever rewriting a blob another station
    (sharing the store) has just written: a hard link fails if the name exists."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        if file_sha256(target) != target.name:  # a damaged blob: replace it
            os.replace(tmp, target)
    except OSError:  # a share without hard links
        os.replace(tmp, target)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class PageRecord:
    """One page of a scan file and the barcodes found on it."""

    page_no: int
    barcodes: list[dict] = field(default_factory=list)
    error: str | None = None  # the page could not be read at all
    damaged: str | None = None  # the page decoded only in part (e.g. truncated image data)


@dataclass
class Segment:
    """Pages the linker put together, and what it linked them to (or why it could not).

    The one segment type: the linkers build it and filing stores it as it is.
    """

    pages: list[int] = field(default_factory=list)
    customer_number: str | None = None
    category: str | None = None
    document_barcode: str | None = None
    source: str = ""
    reason: str = ""
    doc_type: str = ""
    title: str = ""  # empty: the original file name
    business_process: str = ""
    rules: list[str] = field(default_factory=list)  # classification rules that decided it
    reason_detail: str = ""  # shown to the keeper (e.g. the rule trace, summarised)


SegmentRecord = Segment  # the name filing used before the two segment types became one


@dataclass
class FilingRequest:
    """Everything needed to file one claimed file in one transaction."""

    claim_id: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    station: str
    pages: list[PageRecord]
    segments: list[Segment]
    separator_pages: list[int] = field(default_factory=list)
    scanned_at: dt.datetime | None = None
    actor: Actor = field(default_factory=lambda: Actor("daemon", "scanner", "system"))
    ruleset: Any = None  # rules.RuleSet: retention of new documents (None: left for recompute)
    sm3: str = ""  # SM3 of the stored file (fixity); "" is filled in by `hudang fixity check`


@dataclass
class FiledDocument:
    document_id: int
    customer_number: str
    category: str
    pages: list[int]
    barcode: str | None
    created: bool
    scanned_at: dt.datetime | None
    business_step_at: dt.datetime | None
    doc_type: str = ""
    title: str = ""
    retention_class: str = ""
    retention_eligible_on: dt.date | None = None
    retention_ruleset: str = ""


@dataclass
class FilingResult:
    """What became of a claimed file: filed, duplicate (of which documents) or attention."""

    outcome: IngestOutcome
    claim_id: str
    sha256: str
    scan_file_id: int | None
    documents: list[FiledDocument] = field(default_factory=list)
    attention_ids: list[int] = field(default_factory=list)
    duplicate_of: list[int] = field(default_factory=list)
    already_recorded: bool = False


@dataclass
class AttentionSummary:
    id: int
    scan_file_id: int
    sha256: str
    original_name: str
    station: str
    page_nos: list[int]
    reason_code: str
    reason: str
    hints: dict
    status: str
    created_at: dt.datetime
    document_id: int | None


def _reason_text(code: str, **params: str) -> str:
    texts = {
        "no_link": ("未找到文件标签、分隔页或户号", "No document label, separator or customer number"),
        "only_separators": ("只有分隔页，没有文件页", "Only separator sheets, no document pages"),
        "unknown_customer": ("户号 {value} 不在档案中", "Customer {value} is not in the archive"),
        "unknown_document": ("文件条码 {value} 未登记", "Document barcode {value} is not registered"),
        "scan_missing": ("扫描文件丢失，请重新扫描", "The scan file is missing: scan it again"),
        "scan_altered": ("扫描文件内容被改动，请重新扫描",
                         "The scan file was altered: scan it again"),
        "no_rule": ("分类规则无法归档：{value}", "Classification rules could not file it: {value}"),
        "page_damaged": ("第 {value} 页损坏（可读的页已保留，请核对或重新扫描）",
                         "page {value} damaged (readable pages kept: check or scan again)"),
    }
    zh, en = texts[code]
    return t(zh, en, **params)


def _documents_of(scan_file: ScanFile) -> list[int]:
    rows = (DocumentPage.select(DocumentPage.document).distinct()
            .where(DocumentPage.scan_file == scan_file))
    return sorted(r.document_id for r in rows)


def recorded_outcome(claim_id: str) -> FilingResult | None:
    """The result filed earlier under `claim_id`, or None (lets a restart finish the job)."""
    rec = IngestRecord.get_or_none(IngestRecord.claim_id == claim_id)
    return _from_record(rec) if rec else None


def _from_record(rec: IngestRecord) -> FilingResult:
    detail = json.loads(rec.detail or "{}")
    docs = [FiledDocument(**{**d, "scanned_at": None, "business_step_at": None,
                             "retention_eligible_on": _date(d.get("retention_eligible_on"))})
            for d in detail.get("documents", [])]
    return FilingResult(IngestOutcome(rec.outcome), rec.claim_id, rec.sha256, rec.scan_file_id,
                        docs, detail.get("attention", []), detail.get("duplicate_of", []), True)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _add_pages(document: Document, scan_file: ScanFile, pages: list[int],
               page_map: dict[int, PageRecord]) -> None:
    last = (DocumentPage.select(pw.fn.MAX(DocumentPage.seq))
            .where(DocumentPage.document == document).scalar()) or 0
    for offset, page_no in enumerate(pages, start=1):
        rec = page_map.get(page_no) or PageRecord(page_no)
        DocumentPage.create(document=document, scan_file=scan_file, page_no=page_no,
                            seq=last + offset, barcodes=json.dumps(rec.barcodes,
                                                                   ensure_ascii=False))
    Document.update(page_count=Document.page_count + len(pages)).where(
        Document.id == document.id).execute()


def _new_document(customer: Customer, category: str, title: str,
                  scanned_at: dt.datetime | None, doc_type: str = "",
                  business_process: str = "") -> Document:
    return Document.create(customer=customer, category=category, title=title[:256],
                           doc_type=doc_type[:64], business_process=business_process[:64],
                           filed_on=utcnow().date(), scanned_at=scanned_at, page_count=0)


def _stamp_retention(ruleset: Any, doc: Document) -> dict:
    """Decide a document's retention with the active rules (only if never decided before)."""
    if ruleset is None or doc.retention_ruleset:
        return {}
    from hudang.store.services.retention import stamp_document

    stamp = stamp_document(ruleset, doc.id)
    doc.retention_class, doc.retention_eligible_on = stamp.retention_class, stamp.eligible_on
    doc.retention_note, doc.retention_ruleset = stamp.note, stamp.ruleset
    return {"retention_class": stamp.retention_class,
            "retention_eligible_on": stamp.eligible_on.isoformat() if stamp.eligible_on else None,
            "retention_note": stamp.note, "retention_ruleset": stamp.ruleset}


def _filed(doc: Document, pages: list[int], created: bool) -> FiledDocument:
    return FiledDocument(doc.id, doc.customer.number, doc.category, list(pages), doc.barcode,
                         created, doc.scanned_at, doc.business_step_at, doc.doc_type,
                         doc.title, doc.retention_class, doc.retention_eligible_on,
                         doc.retention_ruleset)


def _damaged_pages(seg: Segment, page_map: dict[int, PageRecord]) -> list[int]:
    """Pages of `seg` that could not be read whole: they must not be filed as good."""
    return [p for p in seg.pages
            if p in page_map and (page_map[p].damaged or page_map[p].error)]


def _file_segment(req: FilingRequest, scan_file: ScanFile, seg: Segment,
                  page_map: dict[int, PageRecord]) -> FiledDocument | AttentionItem:
    scanned_at = req.scanned_at or utcnow()
    damaged = _damaged_pages(seg, page_map)
    if damaged:
        return _open_attention(req, scan_file, seg, "page_damaged",
                               ", ".join(str(p) for p in damaged))
    if seg.document_barcode:
        doc = Document.get_or_none(Document.barcode == seg.document_barcode)
        if doc is None:
            return _open_attention(req, scan_file, seg, "unknown_document", seg.document_barcode)
        created = False
        if doc.scanned_at is None:
            Document.update(scanned_at=scanned_at).where(Document.id == doc.id).execute()
            doc.scanned_at = scanned_at
    elif seg.customer_number and not seg.reason:  # a reason: the linker could not decide
        customer = Customer.get_or_none(Customer.number == seg.customer_number)
        if customer is None:
            return _open_attention(req, scan_file, seg, "unknown_customer", seg.customer_number)
        category = seg.category if seg.category in CATEGORIES else DEFAULT_CATEGORY
        doc = _new_document(customer, category, seg.title or req.original_name, scanned_at,
                            seg.doc_type, seg.business_process)
        created = True
    else:
        return _open_attention(req, scan_file, seg, seg.reason or "no_link", seg.reason_detail)
    _add_pages(doc, scan_file, seg.pages, page_map)
    retention = _stamp_retention(req.ruleset, doc)
    filed = _filed(doc, seg.pages, created)
    hours = None
    if doc.business_step_at and doc.scanned_at:
        hours = round((doc.scanned_at - doc.business_step_at).total_seconds() / 3600, 2)
    audit.record(req.actor, "document.created" if created else "document.pages_added",
                 "document", doc.id, None,
                 {"customer": filed.customer_number, "category": filed.category,
                  "scan_sha256": req.sha256, "pages": seg.pages, "source": seg.source,
                  "scanned_at": str(doc.scanned_at), "hours_after_business_step": hours,
                  "doc_type": doc.doc_type, "title": doc.title,
                  "business_process": doc.business_process, "rules": seg.rules, **retention})
    return filed


def _open_attention(req: FilingRequest, scan_file: ScanFile, seg: Segment, code: str,
                    value: str) -> AttentionItem:
    hints = {"customer": seg.customer_number, "category": seg.category,
             "document_barcode": seg.document_barcode, "doc_type": seg.doc_type,
             "title": seg.title, "business_process": seg.business_process,
             "rules": seg.rules,
             "barcodes": sorted({b["value"] for p in seg.pages
                                 for b in _page(req, p).barcodes})}
    item = AttentionItem.create(scan_file=scan_file, page_nos=json.dumps(seg.pages),
                                reason_code=code, reason=_reason_text(code, value=value),
                                station=req.station, hints=json.dumps(hints, ensure_ascii=False))
    audit.record(req.actor, "attention.opened", "attention_item", item.id, None,
                 {"scan_sha256": req.sha256, "pages": seg.pages, "reason": code,
                  "value": value})
    return item


def _page(req: FilingRequest, page_no: int) -> PageRecord:
    return next((p for p in req.pages if p.page_no == page_no), PageRecord(page_no))


def file_scan(req: FilingRequest) -> FilingResult:
    """File a claimed scan in one transaction: scan file, documents, pages, attention, audit."""
    with dbmod.write_tx():
        if dbmod.is_postgres():  # stations filing the same content queue here, one by one
            dbmod.require_database().execute_sql(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (req.sha256,))
        prior = IngestRecord.get_or_none(IngestRecord.claim_id == req.claim_id)
        if prior is not None:
            return _from_record(prior)
        existing = ScanFile.get_or_none(ScanFile.sha256 == req.sha256)
        if existing is not None:
            return _record_duplicate(req, existing)
        scan_file = ScanFile.create(sha256=req.sha256, size=req.size, media_type=req.media_type,
                                    original_name=req.original_name, station=req.station,
                                    page_count=len(req.pages))
        fixity.record_filed(scan_file.id, req.sha256, req.sm3)
        page_errors = {p.page_no: p.error or p.damaged for p in req.pages
                       if p.error or p.damaged}
        audit.record(req.actor, "scan.received", "scan_file", scan_file.id, None,
                     {"sha256": req.sha256, "name": req.original_name, "station": req.station,
                      "pages": len(req.pages), "separator_pages": req.separator_pages,
                      "page_errors": page_errors})
        page_map = {p.page_no: p for p in req.pages}
        result = FilingResult(IngestOutcome.FILED, req.claim_id, req.sha256, scan_file.id)
        segments = req.segments or [Segment([p.page_no for p in req.pages],
                                            reason="only_separators")]
        for seg in segments:
            out = _file_segment(req, scan_file, seg, page_map)
            if isinstance(out, FiledDocument):
                result.documents.append(out)
            else:
                result.attention_ids.append(out.id)
        if result.attention_ids:
            result.outcome = IngestOutcome.ATTENTION
        detail = {"documents": [_doc_detail(d) for d in result.documents],
                  "ruleset": req.ruleset.version if req.ruleset is not None else "",
                  "attention": result.attention_ids, "page_errors": page_errors,
                  "page_barcodes": {str(p.page_no): p.barcodes for p in req.pages if p.barcodes}}
        IngestRecord.create(claim_id=req.claim_id, sha256=req.sha256, scan_file=scan_file,
                            outcome=result.outcome, original_name=req.original_name,
                            station=req.station, detail=json.dumps(detail, ensure_ascii=False))
        ChangeLog.create(topic="ingest", ref=req.sha256[:16])
    return result


def _doc_detail(d: FiledDocument) -> dict:
    out = asdict(d)
    out.pop("scanned_at")
    out.pop("business_step_at")
    if out["retention_eligible_on"] is not None:
        out["retention_eligible_on"] = out["retention_eligible_on"].isoformat()
    return out


def _record_duplicate(req: FilingRequest, existing: ScanFile) -> FilingResult:
    docs = _documents_of(existing)
    IngestRecord.create(claim_id=req.claim_id, sha256=req.sha256, scan_file=existing,
                        outcome=IngestOutcome.DUPLICATE, original_name=req.original_name,
                        station=req.station, detail=json.dumps({"duplicate_of": docs}))
    audit.record(req.actor, "scan.duplicate", "scan_file", existing.id, None,
                 {"sha256": req.sha256, "name": req.original_name, "station": req.station,
                  "duplicate_of_documents": docs})
    return FilingResult(IngestOutcome.DUPLICATE, req.claim_id, req.sha256, existing.id,
                        duplicate_of=docs)


def _summary(item: AttentionItem) -> AttentionSummary:
    sf = item.scan_file
    return AttentionSummary(item.id, sf.id, sf.sha256, sf.original_name, item.station,
                            json.loads(item.page_nos), item.reason_code, item.reason,
                            json.loads(item.hints or "{}"), item.status, item.created_at,
                            item.document_id)


def list_attention(status: str | None = "open") -> list[AttentionSummary]:
    """The needs-attention queue (oldest first); `status=None` lists every item."""
    query = AttentionItem.select(AttentionItem, ScanFile).join(ScanFile)
    if status:
        query = query.where(AttentionItem.status == status)
    return [_summary(i) for i in query.order_by(AttentionItem.created_at, AttentionItem.id)]


def assign_attention(item_id: int, actor: Actor, *, customer_number: str | None = None,
                     category: str | None = None, document_barcode: str | None = None,
                     doc_type: str = "", title: str = "", business_process: str = "",
                     ruleset: Any = None) -> FiledDocument:
    """A keeper links an attention item to a customer and category (or a registered document).

    Filed the normal way: with `ruleset` (the active rules.RuleSet) a new document gets its
    retention class, eligibility date and rule-set version exactly as the daemon's would.
    """
    if not document_barcode and not customer_number:
        raise ValidationError(t("请指定户号或文件条码", "Give a customer number or a document barcode"))
    with dbmod.write_tx():
        item = AttentionItem.get_or_none(AttentionItem.id == item_id)
        if item is None:
            raise NotFound(t("待处理项 {id} 不存在", "Attention item {id} does not exist", id=item_id))
        claimed = (AttentionItem.update(status="assigned", resolved_at=utcnow(),
                                        resolved_by=actor.username)
                   .where((AttentionItem.id == item_id) & (AttentionItem.status == "open"))
                   .execute())
        if claimed != 1:
            raise ValidationError(t("待处理项 {id} 已处理", "Attention item {id} was already handled",
                                    id=item_id))
        pages = json.loads(item.page_nos)
        scan_file = item.scan_file
        if document_barcode:
            doc = Document.get_or_none(Document.barcode == document_barcode.strip().upper())
            if doc is None:
                raise NotFound(_reason_text("unknown_document", value=document_barcode))
            created = False
        else:
            customer = Customer.get_or_none(Customer.number == customer_number.strip())
            if customer is None:
                raise NotFound(_reason_text("unknown_customer", value=customer_number))
            try:
                code = category_code(category or DEFAULT_CATEGORY)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
            doc = _new_document(customer, code, title or scan_file.original_name,
                                scan_file.received_at, doc_type, business_process)
            created = True
        page_map = _page_records(scan_file, pages)
        _add_pages(doc, scan_file, pages, page_map)
        retention = _stamp_retention(ruleset, doc)
        AttentionItem.update(document=doc).where(AttentionItem.id == item_id).execute()
        audit.record(actor, "attention.assigned", "attention_item", item_id,
                     {"status": "open"}, {"status": "assigned", "document": doc.id,
                                          "customer": doc.customer.number,
                                          "category": doc.category, "pages": pages,
                                          "doc_type": doc.doc_type, **retention})
        ChangeLog.create(topic="ingest", ref=f"attention:{item_id}")
    return _filed(doc, pages, created)


def _page_records(scan_file: ScanFile, pages: list[int]) -> dict[int, PageRecord]:
    rec = IngestRecord.get_or_none((IngestRecord.scan_file == scan_file)
                                   & (IngestRecord.outcome != IngestOutcome.DUPLICATE))
    barcodes = json.loads(rec.detail).get("page_barcodes", {}) if rec else {}
    return {p: PageRecord(p, barcodes.get(str(p), [])) for p in pages}


@dataclass
class FsckReport:
    """Scan-store files no document refers to, and scan files that are missing or altered."""

    checked: int = 0
    orphans: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    temp_files: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Store and database agree (leftover temp copies are listed but are no disagreement)."""
        return not (self.orphans or self.missing or self.altered)


def fsck(store: ScanStore, *, repair: bool = False, actor: Actor | None = None,
         grace_seconds: float = 3600.0, progress: Progress = no_progress) -> FsckReport:
    """Compare the scan store with the database; with `repair`, quarantine and re-queue.

    `progress` hears ("scans", re-hashed, known scans): every known file is read whole."""
    actor = actor or Actor("fsck", "cli", "admin")
    report = FsckReport()
    known = {sf.sha256: sf for sf in ScanFile.select().where(
        ScanFile.id.not_in(fixity.destroyed_scans()))}  # destroyed by a disposal batch
    on_disk: set[str] = set()
    now = time.time()
    if store.root.is_dir():
        for sub in sorted(store.root.iterdir()):
            if sub.name.startswith(".tmp-"):
                report.temp_files.append(str(sub))
                if repair and now - sub.stat().st_mtime > grace_seconds:
                    sub.unlink()  # an interrupted copy: never referenced by any row
                    report.repaired.append(f"removed {sub}")
                continue
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for f in sorted(sub.iterdir()):
                on_disk.add(f.name)
                if f.name not in known:
                    report.orphans.append(f.name)
                    if repair and now - f.stat().st_mtime > grace_seconds:
                        report.repaired.append(_quarantine(store, f, "orphans"))
    progress("scans", 0, len(known))
    for sha, sf in known.items():
        report.checked += 1
        if report.checked % 200 == 0:
            progress("scans", report.checked, len(known))
        path = store.path_for(sha)
        if sha not in on_disk:
            report.missing.append(sha)
            if repair:
                report.repaired.append(_requeue(sf, "scan_missing", actor))
        elif file_sha256(path) != sha:
            report.altered.append(sha)
            if repair:
                report.repaired.append(_quarantine(store, path, "altered"))
                report.repaired.append(_requeue(sf, "scan_altered", actor))
    progress("scans", report.checked, len(known))
    return report


def _quarantine(store: ScanStore, path: Path, folder: str) -> str:
    dest_dir = store.root / folder
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{path.name}.{int(time.time())}"
    shutil.move(str(path), dest)
    return f"moved {path} -> {dest}"


def _requeue(sf: ScanFile, code: str, actor: Actor) -> str:
    with dbmod.write_tx():
        open_item = (AttentionItem.select().where((AttentionItem.scan_file == sf)
                                                  & (AttentionItem.reason_code.in_(
                                                      ("scan_missing", "scan_altered")))
                                                  & (AttentionItem.status == "open")).exists())
        if open_item:
            return f"{sf.sha256[:12]}: already queued ({code})"
        pages = list(range(1, sf.page_count + 1))
        item = AttentionItem.create(scan_file=sf, page_nos=json.dumps(pages), reason_code=code,
                                    reason=_reason_text(code), station=sf.station,
                                    hints=json.dumps({"documents": _documents_of(sf)}))
        audit.record(actor, "fsck.requeued", "attention_item", item.id, None,
                     {"sha256": sf.sha256, "reason": code})
    return f"{sf.sha256[:12]}: queued for attention ({code})"
