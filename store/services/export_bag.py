"""Export a customer's file for transfer as a BagIt bag: pages, catalogue, audit events.

An important customer's file leaves only with an approver's name on it; every export is
audited, and the stored scans are fixity-checked first.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied, ValidationError
from hudang.store.i18n import t
from hudang.store.models import User
from hudang.store.services import custody, exports, fixity
from hudang.store.services.customers import mask_id_number, mask_phone
from hudang.store.services.disposal import FixityFailed

_EXT = {"application/pdf": ".pdf", "image/tiff": ".tif", "image/png": ".png",
        "image/jpeg": ".jpg"}
CSV_FIELDS = ["customer", "document_id", "barcode", "category", "doc_type", "title", "filed_on",
              "business_process", "retention_class", "retention_eligible_on", "destroyed",
              "page_seq", "scan_file", "scan_page"]


@dataclass(frozen=True)
class BagInfo:
    path: str
    customer: str
    documents: int
    pages: int
    scans: int
    events: int
    oxum: str
    approved_by: str
    catalogue_encoding: str = "utf-8-sig"
    catalogue_note: str = ""  # characters GBK lacks, when the catalogue was written as gbk


def _check_approver(customer, actor: Actor, approved_by: str | None) -> str:
    if not customer.important:
        return approved_by or ""
    if not approved_by:
        raise PermissionDenied(t("重要客户 {c} 的档案导出须经审批人同意（--approved-by）",
                                 "exporting important customer {c} needs an approver "
                                 "(--approved-by)", c=customer.number))
    user = User.get_or_none((User.username == approved_by) & (User.active == True))
    if user is None or user.role not in ("approver", "admin"):
        raise PermissionDenied(t("{u} 不是审批人", "{u} is not an approver", u=approved_by))
    if user.username == actor.username:
        raise PermissionDenied(t("导出人不能自己审批", "the exporter cannot approve their own "
                                 "export"))
    return user.username


def export_bag(number: str, out_dir: Path, scan_root: Path, actor: Actor, *,
               approved_by: str | None = None,
               csv_encoding: str = exports.DEFAULT_CSV_ENCODING) -> BagInfo:
    """Write and validate a BagIt bag of the customer's file; audited.

    `data/catalogue.csv` is written in `csv_encoding` (UTF-8 with BOM, or GBK for older
    Excel) with its values exact (no formula guard: the bag is a transfer record, and
    `catalogue.json` beside it is the machine-readable form)."""
    exports.check_encoding(csv_encoding)
    import bagit

    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValidationError(t("目录 {d} 不是空的", "directory {d} is not empty", d=out_dir))
    with dbmod.read_tx():
        customer = custody.customer_of(number)
        approver = _check_approver(customer, actor, approved_by)
        docs = custody.documents_of(customer)
        events = custody.events_of(customer, docs)
    ids = custody.scan_ids(docs)
    check = fixity.check(scan_root, actor, scan_file_ids=ids, purpose=f"export {number}")
    if not check.ok:
        raise FixityFailed(t("{n} 个扫描文件丢失或被改动，未导出", "{n} stored scans are missing or "
                             "altered; nothing exported", n=len(check.problems)))
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        scans, written = _write_payload(out_dir, customer, docs, events, Path(scan_root),
                                        csv_encoding)
        bag = bagit.make_bag(str(out_dir), {
            "Source-Organization": "hudang",
            "External-Identifier": customer.number,
            "External-Description": t("户号 {n} 的客户档案", "customer file {n}", n=number),
            "Bag-Group-Identifier": approver or ""}, checksums=["sha256", "sha512"])
        bag.validate()
    except (OSError, bagit.BagError) as exc:
        raise ValidationError(t("导出失败：{e}", "export failed: {e}", e=exc)) from None
    info = BagInfo(str(out_dir), customer.number, len(docs),
                   sum(len(d.pages) for d in docs), scans, len(events),
                   bag.info.get("Payload-Oxum", ""), approver, csv_encoding, written.warning())
    with dbmod.write_tx():
        audit.record(actor, "export.bag", "customer", customer.number, None,
                     asdict(info) | {"important": customer.important})
    return info


def _write_payload(out: Path, customer, docs, events, scan_root: Path,
                   encoding: str) -> tuple[int, exports.CsvWritten]:
    (out / "scans").mkdir()
    copied: set[str] = set()
    for d in docs:
        for p in d.pages:
            if p.scan_sha256 not in copied:
                shutil.copy2(scan_root / p.scan_sha256[:2] / p.scan_sha256,
                             out / "scans" / (p.scan_sha256 + _EXT.get(p.media_type, ".bin")))
                copied.add(p.scan_sha256)
    written = exports.write_csv(
        out / "catalogue.csv", CSV_FIELDS,
        ([customer.number, d.id, d.barcode or "", d.category, d.doc_type, d.title,
          d.filed_on or "", d.business_process, d.retention_class,
          d.retention_eligible_on or "", d.destroyed, p.seq if p else "",
          p.scan_sha256 if p else "", p.page_no if p else ""]
         for d in docs for p in (d.pages or [None])), encoding, guard_formulas=False)
    catalogue = {"customer": {"number": customer.number, "name": customer.name,
                              "id_number": mask_id_number(customer.id_number),
                              "phone": mask_phone(customer.phone),
                              "voltage_class": customer.voltage_class,
                              "status": customer.status, "cancelled_on": customer.cancelled_on,
                              "important": customer.important},
                 "documents": [asdict(d) for d in docs]}
    (out / "catalogue.json").write_text(json.dumps(catalogue, ensure_ascii=False, indent=2,
                                                   default=str), encoding="utf-8")
    with open(out / "audit.jsonl", "w", encoding="utf-8") as fh:
        for e in events:
            before, after = _masked(e.before), _masked(e.after)
            fh.write(json.dumps({"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
                                 "entity": e.entity, "entity_id": e.entity_id,
                                 "before": before, "after": after, "prev_hash": e.prev_hash,
                                 "hash": e.hash,
                                 "masked": (before, after) != (e.before, e.after)},
                                ensure_ascii=False) + "\n")
    return len(copied), written


_PERSONAL = {"id_number": mask_id_number, "phone": mask_phone}


def _masked(text: str) -> str:
    """An event's JSON with ID and phone numbers masked (the hash then covers the original)."""
    if not text or not any(k in text for k in _PERSONAL):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if not isinstance(value, dict):
        return text
    masked = {k: _PERSONAL[k](v) if k in _PERSONAL and isinstance(v, str) else v
              for k, v in value.items()}
    return json.dumps(masked, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
