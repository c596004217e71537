"""Peewee models of the archive. Only store/ touches these; everyone else uses services."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from store.db import database


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
    status = pw.CharField(max_length=16, default="active", index=True)
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
    status = pw.CharField(max_length=24, default="unplaced", index=True)
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


# Creation order (parents first). Every model in the schema must be listed here.
ALL_MODELS: list[type[BaseModel]] = [
    SchemaVersion, User, Customer, Location, Box, Volume, Document, Contract, Movement,
    ScanFile, DocumentPage, AuditEvent, BarcodeSerial, ChangeLog,
]
