"""The four properties (四性, DA/T 70): authenticity, integrity, usability, security.

Per customer: every stored scan has its recorded digests, every audit event about the
file still hashes and links, the catalogue agrees with the pages, every page opens and
renders (the shell passes the renderer), and holds, grants and the important flag are
shown. For the whole archive a summary built from the database alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw
from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.i18n import t
from hudang.store.models import AuditEvent, Customer, Document, DocumentPage, ReadingGrant, utcnow
from hudang.store.models_disposal import Hold, ScanFixity, Tombstone
from hudang.store.progress import Progress, no_progress
from hudang.store.services import custody, fixity

PageRenderer = Callable[[Path, str, int], None]  # (file, media type, page no); raises if broken
FilingScope = Mapping[str, Collection[str]]  # business process -> required document types


@dataclass
class Property:
    name: str
    ok: bool = True
    checked: int = 0
    findings: list[str] = field(default_factory=list)

    def fail(self, finding: str) -> None:
        self.ok = False
        self.findings.append(finding)


@dataclass
class FourProperties:
    scope: str  # a customer number, or "archive"
    authenticity: Property
    integrity: Property
    usability: Property
    security: Property

    @property
    def ok(self) -> bool:
        return all(p.ok for p in (self.authenticity, self.integrity, self.usability,
                                  self.security))


def _event_ok(ev: AuditEvent) -> bool:
    digest = audit._digest(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.terminal, ev.action,
                           ev.entity, ev.entity_id, ev.before, ev.after)
    if digest != ev.hash:
        return False
    if ev.seq == 1:
        return ev.prev_hash == audit.GENESIS
    prev = AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == ev.seq - 1).scalar()
    return prev == ev.prev_hash


def _authenticity(docs, events, scan_root: Path) -> Property:
    prop = Property(t("真实性", "authenticity"))
    found = fixity.verify_scans(scan_root, custody.scan_ids(docs))
    prop.checked = found.checked + len(events)
    for p in found.problems:
        prop.fail(t("扫描文件 {s} {w}", "scan {s} {w}", s=p.sha256[:16],
                    w=t("丢失", "missing") if p.problem == "missing" else t("被改动", "altered")))
    for ev in events:
        if not _event_ok(ev):
            prop.fail(t("审计事件 #{n}（{a}）哈希或链接不符", "audit event #{n} ({a}) does not "
                        "hash or link", n=ev.seq, a=ev.action))
    return prop


def _integrity(docs, scope: FilingScope | None = None) -> Property:
    prop = Property(t("完整性", "integrity"))
    for d in docs:
        if d.destroyed:
            continue
        prop.checked += 1
        label = d.barcode or f"#{d.id}"
        if d.pages and d.page_count != len(d.pages):
            prop.fail(t("文件 {d}：目录 {c} 页，扫描 {s} 页", "document {d}: catalogue says {c} "
                        "pages, {s} scanned", d=label, c=d.page_count, s=len(d.pages)))
        seqs = [p.seq for p in d.pages]
        if seqs != list(range(1, len(seqs) + 1)):
            prop.fail(t("文件 {d}：页序不连续", "document {d}: pages out of sequence", d=label))
        if not d.filed_on:
            prop.fail(t("文件 {d}：没有归档日期", "document {d}: no filing date", d=label))
    if scope is None:
        prop.findings.append(t("未检查归档范围（规则中没有 filing_scope）",
                               "filing scope not checked (no filing_scope in the rules)"))
        return prop
    _check_scope(prop, docs, scope)
    return prop


def _check_scope(prop: Property, docs, scope: FilingScope) -> None:
    """Every business process of the file holds the document types its scope requires."""
    by_process: dict[str, set[str]] = {}
    for d in docs:
        if d.business_process and not d.destroyed:
            by_process.setdefault(d.business_process, set()).add(d.doc_type)
    for process, present in sorted(by_process.items()):
        missing = [k for k in scope.get(process, ()) if k not in present]
        prop.checked += 1
        if missing:
            prop.fail(t("业务流程「{p}」缺少：{m}", "process {p} lacks: {m}", p=process,
                        m="、".join(missing)))


def _usability(docs, scan_root: Path, render: PageRenderer | None) -> Property:
    prop = Property(t("可用性", "usability"))
    if render is None:
        prop.findings.append(t("未检查页面渲染", "page rendering not checked"))
        return prop
    for d in docs:
        for p in d.pages:
            prop.checked += 1
            try:
                render(scan_root / p.scan_sha256[:2] / p.scan_sha256, p.media_type, p.page_no)
            except Exception as exc:  # noqa: BLE001 - any failure to render is the finding
                prop.fail(t("文件 {d} 第 {s} 页无法打开：{e}", "document {d} page {s} does not "
                            "open: {e}", d=d.barcode or f"#{d.id}", s=p.seq,
                            e=str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__))
    return prop


def _security(customer) -> Property:
    prop = Property(t("安全性", "security"))
    holds = Hold.select().where((Hold.customer == customer.id) & (Hold.status == "active")).count()
    grants = (ReadingGrant.select().where((ReadingGrant.customer == customer.id)
                                          & (ReadingGrant.status == "approved")
                                          & (ReadingGrant.valid_until > utcnow())).count())
    prop.checked = 1
    prop.findings.append(t("重要客户：{i}；有效冻结 {h} 项；有效阅览授权 {g} 项",
                           "important: {i}; active holds: {h}; valid reading grants: {g}",
                           i=t("是", "yes") if customer.important else t("否", "no"),
                           h=holds, g=grants))
    if grants and not customer.important:
        prop.findings.append(t("非重要客户存在阅览授权", "reading grants on a customer that is "
                               "not important"))
    return prop


def check_customer(number: str, scan_root: Path, render: PageRenderer | None = None,
                   scope: FilingScope | None = None) -> FourProperties:
    """The four properties of one customer's file (`scope`: the rules' filing scope)."""
    with dbmod.read_tx():
        customer = custody.customer_of(number)
        docs = custody.documents_of(customer)
        events = custody.events_of(customer, docs)
        authenticity = _authenticity(docs, events, Path(scan_root))
        security = _security(customer)
    return FourProperties(customer.number, authenticity, _integrity(docs, scope),
                          _usability(docs, Path(scan_root), render), security)


def check_archive(progress: Progress = no_progress) -> FourProperties:
    """A summary for the archive from the database: last fixity results, chain, catalogue.

    The walk of the audit chain is the long part; `progress` hears it."""
    auth = Property(t("真实性", "authenticity"))
    chain = audit.verify(progress=progress)
    auth.checked = chain.events
    for problem in chain.problems[:20]:
        auth.fail(problem)
    for status, n in (ScanFixity.select(ScanFixity.status, pw.fn.COUNT(ScanFixity.id))
                      .group_by(ScanFixity.status).tuples()):
        auth.findings.append(t("扫描文件 {s}：{n}", "scans {s}: {n}", s=status, n=n))
        if status in ("missing", "altered"):
            auth.ok = False
    integ = Property(t("完整性", "integrity"))
    scanned = (DocumentPage.select(DocumentPage.document, pw.fn.COUNT(DocumentPage.id).alias("n"))
               .group_by(DocumentPage.document))
    bad = (Document.select(pw.fn.COUNT(Document.id)).join(scanned, on=(
        scanned.c.document_id == Document.id)).where(Document.page_count != scanned.c.n).scalar())
    integ.checked = Document.select().count()
    if bad:
        integ.fail(t("{n} 份文件目录页数与扫描页数不符", "{n} documents: catalogue pages differ from "
                     "scanned pages", n=bad))
    unfiled = Document.select().where(Document.filed_on.is_null()).count()
    if unfiled:
        integ.fail(t("{n} 份文件没有归档日期", "{n} documents have no filing date", n=unfiled))
    usab = Property(t("可用性", "usability"))
    usab.findings.append(t("逐页渲染请按户检查：hudang check four-properties 户号",
                           "page rendering is checked per customer"))
    sec = Property(t("安全性", "security"))
    sec.findings.append(t("有效冻结 {h} 项；重要客户 {i} 户；已销毁文件 {d} 份",
                          "active holds {h}; important customers {i}; destroyed documents {d}",
                          h=Hold.select().where(Hold.status == "active").count(),
                          i=Customer.select().where(Customer.important == True).count(),
                          d=Tombstone.select().count()))
    return FourProperties("archive", auth, integ, usab, sec)


