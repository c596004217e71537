"""Peewee models of the archive. Only store/ touches these; everyone else uses services."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from hudang.common.domain import BoxStatus, CustomerStatus, LoanItemStatus
from hudang.store.db import database


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, the one clock every row uses."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row per applied migration; the highest is the schema's version."""

    version = pw.IntegerField(primary_key=True)
    applied_at = pw.DateTimeField(default=utcnow)
    description = pw.TextField(default="")


class User(BaseModel):
    username = pw.CharField(max_length=64, unique=True)
    display_name = pw.CharField(max_length=64)
    role = pw.CharField(max_length=16)  # keeper / approver / admin / auditor
    department = pw.CharField(max_length=64, default="")
    password_hash = pw.TextField(default="")
    staff_card = pw.CharField(max_length=32, null=True, unique=True)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class Customer(BaseModel):
    """One customer, one file (一户一档)."""

    number = pw.CharField(max_length=32, unique=True)  # 户号
    name = pw.CharField(max_length=128)  # 户名 (real name)
    id_number = pw.CharField(max_length=32, default="")  # 身份证 / 统一社会信用代码
    phone = pw.CharField(max_length=32, default="")
    address = pw.CharField(max_length=256, default="")
    voltage_class = pw.CharField(max_length=2)  # HV / LV
    supply_voltage = pw.CharField(max_length=16, default="")  # e.g. 10kV, 380V
    line = pw.CharField(max_length=64, default="", index=True)  # 线路
    area = pw.CharField(max_length=64, default="", index=True)  # 台区 (LV)
    tariff = pw.CharField(max_length=32, default="")  # 居民 / 一般工商业 / 大工业 / 农业 ...
    status = pw.CharField(max_length=16, default=CustomerStatus.ACTIVE, index=True)
    cancelled_on = pw.DateField(null=True)  # 销户日期
    important = pw.BooleanField(default=False)  # 重要客户: use needs approval
    legal_hold = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)


class Location(BaseModel):
    """A node of 库房-区-列-面-节-层-格; cells (格) and safes hold boxes."""

    code = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=16)  # room zone row side section shelf cell safe
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    name = pw.CharField(max_length=64, default="")
    barcode = pw.CharField(max_length=32, null=True, unique=True)
    capacity = pw.IntegerField(default=0)
    used = pw.IntegerField(default=0)  # boxes whose home is here (kept by the shelving service)
    zone_class = pw.CharField(max_length=16, default="")  # HV / LV / cancelled / safe
    walk_order = pw.CharField(max_length=64, default="", index=True)  # sortable walking order

    class Meta:
        constraints = [pw.Check("used >= 0"), pw.Check("used <= capacity OR capacity = 0")]


class Box(BaseModel):
    """A kraft-paper box (盒): HV boxes hold one customer, LV boxes several."""

    barcode = pw.CharField(max_length=32, unique=True)
    voltage_class = pw.CharField(max_length=2)
    home = pw.ForeignKeyField(Location, null=True, backref="home_boxes", on_delete="RESTRICT")
    current = pw.ForeignKeyField(Location, null=True, backref="current_boxes",
                                 on_delete="RESTRICT")
    status = pw.CharField(max_length=24, default=BoxStatus.UNPLACED, index=True)
    label = pw.CharField(max_length=128, default="")
    created_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)


class Volume(BaseModel):
    """A volume (卷) of one customer's file, kept in a box."""

    barcode = pw.CharField(max_length=32, unique=True)
    customer = pw.ForeignKeyField(Customer, backref="volumes", on_delete="RESTRICT")
    box = pw.ForeignKeyField(Box, null=True, backref="volumes", on_delete="RESTRICT")
    category = pw.CharField(max_length=2, null=True)
    title = pw.CharField(max_length=256, default="")
    seq = pw.IntegerField(default=1)
    created_at = pw.DateTimeField(default=utcnow)


class Document(BaseModel):
    """A document (件) of a customer's file."""

    barcode = pw.CharField(max_length=32, null=True, unique=True)
    # Its own index and retention_eligible_on's are dropped by migration 14: wider indexes
    # start with each (Meta below; document_retention_due, document_customer_doc_type).
    customer = pw.ForeignKeyField(Customer, backref="documents", on_delete="RESTRICT")
    volume = pw.ForeignKeyField(Volume, null=True, backref="documents", on_delete="RESTRICT")
    category = pw.CharField(max_length=2, index=True)  # YK YJ JL DF QT
    doc_type = pw.CharField(max_length=64, default="")  # 用电申请书, 供用电合同 ...
    title = pw.CharField(max_length=256, default="")
    page_count = pw.IntegerField(default=0)
    filed_on = pw.DateField(null=True)
    business_process = pw.CharField(max_length=64, default="")  # 新装, 增容, 更名过户 ...
    business_step_at = pw.DateTimeField(null=True)  # when the business step produced it
    scanned_at = pw.DateTimeField(null=True)  # first scanned pages filed
    retention_class = pw.CharField(max_length=64, default="")
    retention_eligible_on = pw.DateField(null=True, index=True)
    retention_note = pw.CharField(max_length=256, default="")  # why no date, candidates ...
    retention_ruleset = pw.CharField(max_length=64, default="")
    legal_hold = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "category", "filed_on"), False),)


class Contract(BaseModel):
    customer = pw.ForeignKeyField(Customer, backref="contracts", on_delete="RESTRICT")
    number = pw.CharField(max_length=64, default="")
    kind = pw.CharField(max_length=64, default="供用电合同")
    signed_on = pw.DateField(null=True)
    expires_on = pw.DateField(null=True, index=True)
    auto_renew = pw.BooleanField(default=False)
    document = pw.ForeignKeyField(Document, null=True, on_delete="SET NULL")


class Movement(BaseModel):
    """Append-only history of where a box went."""

    box = pw.ForeignKeyField(Box, backref="movements", on_delete="RESTRICT")
    kind = pw.CharField(max_length=24)  # shelve move checkout return reshelve
    from_location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT",
                                       backref="+")
    to_location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT", backref="+")
    at = pw.DateTimeField(default=utcnow, index=True)
    actor = pw.CharField(max_length=64, default="")
    note = pw.CharField(max_length=256, default="")


class ScanFile(BaseModel):
    """A file in the content-addressed scan store."""

    sha256 = pw.CharField(max_length=64, unique=True)
    size = pw.BigIntegerField()
    media_type = pw.CharField(max_length=64)
    original_name = pw.TextField(default="")
    station = pw.CharField(max_length=64, default="")
    page_count = pw.IntegerField(default=0)
    received_at = pw.DateTimeField(default=utcnow)


class DocumentPage(BaseModel):
    """A page of a document, pointing at a page of a stored scan file."""

    document = pw.ForeignKeyField(Document, backref="pages", on_delete="CASCADE")
    scan_file = pw.ForeignKeyField(ScanFile, backref="pages", on_delete="RESTRICT")
    page_no = pw.IntegerField()  # 1-based page within the scan file
    seq = pw.IntegerField()  # 1-based page within the document
    barcodes = pw.TextField(default="[]")  # JSON: value, symbology, rect


class AuditEvent(BaseModel):
    """Append-only, hash-chained record of every change."""

    seq = pw.BigIntegerField(unique=True)  # 1, 2, 3 ... without gaps; a gap is a deleted row
    at = pw.CharField(max_length=32)  # ISO timestamp, UTC, microseconds (hashed as text)
    actor = pw.CharField(max_length=64)
    terminal = pw.CharField(max_length=64, default="")
    action = pw.CharField(max_length=64, index=True)
    entity = pw.CharField(max_length=32, default="")
    entity_id = pw.CharField(max_length=64, default="")
    before = pw.TextField(default="")
    after = pw.TextField(default="")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64, unique=True)


class BarcodeSerial(BaseModel):
    """The next free serial per barcode kind (allocated inside write transactions)."""

    kind = pw.CharField(max_length=16, primary_key=True)
    next_serial = pw.BigIntegerField(default=1)


class ChangeLog(BaseModel):
    """A small feed the desk polls to learn that another process changed something."""

    at = pw.DateTimeField(default=utcnow)
    topic = pw.CharField(max_length=32)
    ref = pw.CharField(max_length=64, default="")


# --- Ingest (hot-folder daemon, issue 5): one row per claimed file, and the needs-attention queue.
class IngestRecord(BaseModel):
    """What became of one claimed hot-folder file; `claim_id` makes filing idempotent."""

    claim_id = pw.CharField(max_length=64, unique=True)
    sha256 = pw.CharField(max_length=64, index=True)
    scan_file = pw.ForeignKeyField(ScanFile, null=True, backref="ingests", on_delete="RESTRICT")
    outcome = pw.CharField(max_length=16)  # filed / duplicate / attention
    original_name = pw.TextField(default="")
    station = pw.CharField(max_length=64, default="")
    detail = pw.TextField(default="{}")  # JSON: documents, duplicate_of, page errors ...
    created_at = pw.DateTimeField(default=utcnow)


class AttentionItem(BaseModel):
    """Pages of a scan file the daemon could not link; a keeper assigns them by hand."""

    scan_file = pw.ForeignKeyField(ScanFile, backref="attention_items", on_delete="RESTRICT")
    page_nos = pw.TextField(default="[]")  # JSON list of 1-based pages of the scan file
    reason_code = pw.CharField(max_length=32)  # no_link / unknown_customer / unknown_document ...
    reason = pw.TextField(default="")
    station = pw.CharField(max_length=64, default="")
    hints = pw.TextField(default="{}")  # JSON: suggested customer, category, barcodes seen
    status = pw.CharField(max_length=16, default="open", index=True)  # open / assigned
    document = pw.ForeignKeyField(Document, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    resolved_at = pw.DateTimeField(null=True)
    resolved_by = pw.CharField(max_length=64, default="")


# --- Loans (issue 4): borrowing slips (出借单), their items, electronic-reading grants.
class LoanRequest(BaseModel):
    """A borrowing slip (档案资料出借单): who wants which files, why, how, for how long."""

    slip_no = pw.CharField(max_length=32, unique=True)  # a loan_slip barcode
    requester = pw.ForeignKeyField(User, backref="loan_requests", on_delete="RESTRICT")
    department = pw.CharField(max_length=64, default="")
    reader_type = pw.CharField(max_length=32, default="staff")
    purpose = pw.TextField(default="")
    use_kind = pw.CharField(max_length=16)  # reading / take_out / copying
    wanted_days = pw.IntegerField(null=True)  # calendar days; NULL = as long as policy allows
    status = pw.CharField(max_length=16, index=True)  # pending approved rejected cancelled
    #                                                   active returned
    approval_reasons = pw.TextField(default="[]")  # JSON list: important, take_out ...
    approver = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = pw.DateTimeField(null=True)
    decision_note = pw.TextField(default="")
    override_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    override_reason = pw.TextField(default="")  # why an overdue/limit block was lifted
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)
    checked_out_at = pw.DateTimeField(null=True)
    due_on = pw.DateField(null=True, index=True)
    renewals = pw.IntegerField(default=0)
    closed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class LoanItem(BaseModel):
    """One physical unit of a slip: the box that leaves the shelf for what was asked."""

    request = pw.ForeignKeyField(LoanRequest, backref="items", on_delete="RESTRICT")
    item_kind = pw.CharField(max_length=16)  # customer / volume / document / box
    code = pw.CharField(max_length=32)  # what was asked for: barcode or 户号
    customer = pw.ForeignKeyField(Customer, null=True, backref="+", on_delete="RESTRICT")
    volume = pw.ForeignKeyField(Volume, null=True, backref="+", on_delete="RESTRICT")
    document = pw.ForeignKeyField(Document, null=True, backref="+", on_delete="RESTRICT")
    box = pw.ForeignKeyField(Box, backref="loan_items", on_delete="RESTRICT")
    category = pw.CharField(max_length=2, null=True)
    status = pw.CharField(max_length=16, default=LoanItemStatus.REQUESTED,
                         index=True)  # requested out
    #                                                     returned cancelled
    checked_out_at = pw.DateTimeField(null=True)
    checked_out_by = pw.CharField(max_length=64, default="")
    returned_at = pw.DateTimeField(null=True)
    returned_by = pw.CharField(max_length=64, default="")
    damaged = pw.BooleanField(default=False)
    missing = pw.TextField(default="")  # what did not come back (pages, documents)
    return_note = pw.TextField(default="")

    class Meta:
        indexes = ((("box", "status"), False),)


class ReadingGrant(BaseModel):
    """Approved, time-limited permission to view an important customer's scanned pages."""

    user = pw.ForeignKeyField(User, backref="reading_grants", on_delete="RESTRICT")
    customer = pw.ForeignKeyField(Customer, backref="+", on_delete="RESTRICT")
    status = pw.CharField(max_length=16, index=True)  # pending approved rejected revoked
    reason = pw.TextField(default="")
    days = pw.IntegerField(default=1)
    requested_by = pw.CharField(max_length=64, default="")
    requested_at = pw.DateTimeField(default=utcnow)
    approver = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = pw.DateTimeField(null=True)
    decision_note = pw.TextField(default="")
    valid_from = pw.DateTimeField(null=True)
    valid_until = pw.DateTimeField(null=True, index=True)


# Creation order (parents first). Every model in the schema must be listed here.
ALL_MODELS: list[type[BaseModel]] = [
    SchemaVersion, User, Customer, Location, Box, Volume, Document, Contract, Movement,
    ScanFile, DocumentPage, AuditEvent, BarcodeSerial, ChangeLog,
]
ALL_MODELS += [IngestRecord, AttentionItem]  # ingest block above (issue 5)
ALL_MODELS += [LoanRequest, LoanItem, ReadingGrant]  # loans block above (issue 4)
