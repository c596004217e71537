"""What a customer's file consists of, for checks and transfer: documents, pages, scans, events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hudang.store.errors import NotFound
from hudang.store.i18n import t
from hudang.store.models import AuditEvent, Box, Customer, Document, DocumentPage, ScanFile, Volume
from hudang.store.models_disposal import Tombstone


@dataclass
class PageRef:
    seq: int
    scan_sha256: str
    scan_file_id: int
    page_no: int
    media_type: str


@dataclass
class DocRecord:
    id: int
    barcode: str | None
    category: str
    doc_type: str
    title: str
    page_count: int
    filed_on: dt.date | None
    business_process: str
    retention_class: str
    retention_eligible_on: dt.date | None
    retention_note: str
    legal_hold: bool
    destroyed: bool
    volume: str | None
    pages: list[PageRef] = field(default_factory=list)


def customer_of(number: str) -> Customer:
    c = Customer.get_or_none(Customer.number == number.strip())
    if c is None:
        raise NotFound(t("没有户号 {n}", "no customer {n}", n=number))
    return c


def documents_of(customer: Customer) -> list[DocRecord]:
    """Every document of the customer with its pages (destroyed ones flagged, no pages)."""
    destroyed = {d for (d,) in Tombstone.select(Tombstone.document).join(Document)
                 .where(Document.customer == customer.id).tuples()}
    vols = {v.id: v.barcode for v in Volume.select().where(Volume.customer == customer.id)}
    docs: dict[int, DocRecord] = {}
    for d in (Document.select().where(Document.customer == customer.id)
              .order_by(Document.filed_on, Document.id)):
        docs[d.id] = DocRecord(d.id, d.barcode, d.category, d.doc_type, d.title, d.page_count,
                               d.filed_on, d.business_process, d.retention_class,
                               d.retention_eligible_on, d.retention_note, d.legal_hold,
                               d.id in destroyed, vols.get(d.volume_id))
    pages = (DocumentPage.select(DocumentPage.document, DocumentPage.seq, ScanFile.sha256,
                                 ScanFile.id, DocumentPage.page_no, ScanFile.media_type)
             .join(ScanFile).where(DocumentPage.document.in_(list(docs) or [0]))
             .order_by(DocumentPage.document, DocumentPage.seq).tuples())
    for doc_id, seq, sha, sf_id, page_no, media in pages:
        docs[doc_id].pages.append(PageRef(seq, sha, sf_id, page_no, media))
    return list(docs.values())


def scan_ids(docs: list[DocRecord]) -> list[int]:
    return sorted({p.scan_file_id for d in docs for p in d.pages})


def events_of(customer: Customer, docs: list[DocRecord]) -> list[AuditEvent]:
    """Audit events about the customer, its documents, volumes and boxes, in chain order."""
    ids = {customer.number, str(customer.id)}
    ids |= {str(d.id) for d in docs} | {d.barcode for d in docs if d.barcode}
    vols = list(Volume.select(Volume.barcode, Volume.box).where(Volume.customer == customer.id)
                .tuples())
    ids |= {v for v, _b in vols}
    box_ids = [b for _v, b in vols if b]
    ids |= {b for (b,) in Box.select(Box.barcode).where(Box.id.in_(box_ids or [0])).tuples()}
    mention = f'"customer":"{customer.number}"'
    query = (AuditEvent.select()
             .where(AuditEvent.entity_id.in_(sorted(ids))
                    | (AuditEvent.entity.in_(("hold", "attention_item", "loan", "grant"))
                       & AuditEvent.after.contains(mention)))
             .order_by(AuditEvent.seq))
    return list(query)
