"""Models of a file's end of life: legal holds, fixity of stored scans, disposal batches.

Created by migration 8 (`store/migrations.py`); not part of `ALL_MODELS`.
"""

from __future__ import annotations

import peewee as pw

from hudang.store.models import BaseModel, Customer, Document, ScanFile, utcnow


class Hold(BaseModel):
    """A legal hold (法律冻结) on a customer's whole file or on one document: blocks disposal."""

    customer = pw.ForeignKeyField(Customer, backref="+", on_delete="RESTRICT")
    document = pw.ForeignKeyField(Document, null=True, backref="+", on_delete="RESTRICT")
    reason = pw.TextField()
    status = pw.CharField(max_length=16, default="active", index=True)  # active / released
    placed_by = pw.CharField(max_length=64)
    placed_at = pw.DateTimeField(default=utcnow)
    released_by = pw.CharField(max_length=64, default="")
    released_at = pw.DateTimeField(null=True)
    release_reason = pw.TextField(default="")

    class Meta:
        table_name = "legal_hold"


class ScanFixity(BaseModel):
    """The SHA-256 and SM3 (GB/T 32905) of a stored scan, and what the last check found."""

    scan_file = pw.ForeignKeyField(ScanFile, unique=True, backref="+", on_delete="RESTRICT")
    sha256 = pw.CharField(max_length=64)
    sm3 = pw.CharField(max_length=64, default="")  # "" until back-filled from an intact file
    recorded_at = pw.DateTimeField(default=utcnow)
    checked_at = pw.DateTimeField(null=True)
    status = pw.CharField(max_length=16, default="unchecked", index=True)
    #   unchecked / ok / missing / altered / destroyed (removed by a disposal batch)
    destroyed_batch = pw.CharField(max_length=32, default="")


class DisposalBatch(BaseModel):
    """A destruction batch (销毁批次): proposed, appraised, approved twice, witnessed, executed."""

    number = pw.CharField(max_length=32, unique=True)  # XH2026-0001
    status = pw.CharField(max_length=16, default="proposed", index=True)
    #   proposed -> approved -> executing -> executed
    as_of = pw.DateField()
    proposed_by = pw.CharField(max_length=64)
    proposed_at = pw.DateTimeField(default=utcnow)
    approved_at = pw.DateTimeField(null=True)
    executed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class DisposalItem(BaseModel):
    """One document of a batch, with what it was (kept after destruction) and its appraisal."""

    batch = pw.ForeignKeyField(DisposalBatch, backref="items", on_delete="RESTRICT")
    document = pw.ForeignKeyField(Document, backref="+", on_delete="RESTRICT")
    list_kind = pw.CharField(max_length=8)  # destroy (销毁清单) / review (复审清单)
    decision = pw.CharField(max_length=16, default="pending")  # pending destroy keep transfer
    keep_until = pw.DateField(null=True)
    reason = pw.TextField(default="")
    decided_by = pw.CharField(max_length=64, default="")
    decided_at = pw.DateTimeField(null=True)
    state = pw.CharField(max_length=16, default="open", index=True)
    #   open / destroyed / kept / transferred / held (a hold arrived before execution)
    customer_number = pw.CharField(max_length=32)
    customer_name = pw.CharField(max_length=128)
    barcode = pw.CharField(max_length=32, default="")
    category = pw.CharField(max_length=2)
    doc_type = pw.CharField(max_length=64, default="")
    title = pw.CharField(max_length=256, default="")
    pages = pw.IntegerField(default=0)
    retention_class = pw.CharField(max_length=64, default="")
    eligible_on = pw.DateField(null=True)
    retention_note = pw.CharField(max_length=256, default="")
    removed_blobs = pw.TextField(default="[]")  # JSON sha256 list whose files this item removes
    done_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("batch", "document"), True), (("document", "state"), False))


class DisposalSignoff(BaseModel):
    """An approval (审批) or a witness's signature (监销) on a batch, by a signed-in user."""

    batch = pw.ForeignKeyField(DisposalBatch, backref="signoffs", on_delete="RESTRICT")
    kind = pw.CharField(max_length=8)  # approve / witness
    username = pw.CharField(max_length=64)
    display_name = pw.CharField(max_length=64, default="")
    role = pw.CharField(max_length=16, default="")
    note = pw.TextField(default="")
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("batch", "kind", "username"), True),)


class DisposalRegister(BaseModel):
    """A printed destruction register (销毁清册), kept permanently in the scan store."""

    batch = pw.ForeignKeyField(DisposalBatch, backref="registers", on_delete="RESTRICT")
    scan_file = pw.ForeignKeyField(ScanFile, backref="+", on_delete="RESTRICT")
    created_by = pw.CharField(max_length=64)
    created_at = pw.DateTimeField(default=utcnow)


class Tombstone(BaseModel):
    """What a destroyed document was, when and in which batch it was destroyed."""

    document = pw.ForeignKeyField(Document, unique=True, backref="+", on_delete="RESTRICT")
    batch = pw.ForeignKeyField(DisposalBatch, backref="+", on_delete="RESTRICT")
    destroyed_at = pw.DateTimeField(default=utcnow)
    destroyed_by = pw.CharField(max_length=64)
    what = pw.TextField(default="{}")  # JSON: volume, box, position, pages, scan hashes


DISPOSAL_MODELS: list[type[BaseModel]] = [Hold, ScanFixity, DisposalBatch, DisposalItem,
                                          DisposalSignoff, DisposalRegister, Tombstone]


def create_disposal_tables(db: pw.Database) -> None:
    """Migration 8: the tables above, and a fixity row for every scan already stored.

    SM3 of an existing scan is left empty: `hudang fixity check` fills it in once it has
    confirmed the file still has its recorded SHA-256.
    """
    db.create_tables(DISPOSAL_MODELS, safe=True)
    db.execute_sql("INSERT INTO scan_fixity (scan_file_id, sha256, sm3, recorded_at, status, "
                   "destroyed_batch) SELECT s.id, s.sha256, '', s.received_at, 'unchecked', '' "
                   "FROM scan_file s WHERE NOT EXISTS (SELECT 1 FROM scan_fixity f "
                   "WHERE f.scan_file_id = s.id)")
    # Holds listed per customer; active holds found quickly.
    db.execute_sql("CREATE INDEX IF NOT EXISTS legal_hold_customer_status ON legal_hold (customer_id, status)")
