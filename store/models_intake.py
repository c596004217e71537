"""Intake tables (issue 13): handover batches (移交批次) and their items, and box move tasks."""

from __future__ import annotations

import peewee as pw

from hudang.store.models import BaseModel, Box, Customer, Document, Location, utcnow


class HandoverBatch(BaseModel):
    """Paper handed over to the archive room with its checklist (移交清单), signed by both sides."""

    number = pw.CharField(max_length=32, unique=True)  # a handover barcode (H…)
    sender = pw.CharField(max_length=64)  # 移交人
    receiver = pw.CharField(max_length=64)  # 接收人
    note = pw.TextField(default="")
    status = pw.CharField(max_length=16, default="open", index=True)  # open / closed
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)
    sender_signed_by = pw.CharField(max_length=64, default="")
    sender_signed_at = pw.DateTimeField(null=True)
    receiver_signed_by = pw.CharField(max_length=64, default="")
    receiver_signed_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class HandoverItem(BaseModel):
    """One line of the checklist: what should arrive, and what did (待补交 when it did not)."""

    batch = pw.ForeignKeyField(HandoverBatch, backref="items", on_delete="RESTRICT")
    seq = pw.IntegerField()  # 1-based line number on the list
    customer = pw.ForeignKeyField(Customer, null=True, backref="+", on_delete="RESTRICT")
    category = pw.CharField(max_length=2, default="")
    doc_type = pw.CharField(max_length=64, default="")
    title = pw.CharField(max_length=256, default="")
    page_count = pw.IntegerField(default=0)  # as listed by the sender
    received_pages = pw.IntegerField(null=True)  # as counted by the receiver
    barcode = pw.CharField(max_length=32, null=True, index=True)  # the document's, when it has one
    status = pw.CharField(max_length=16, default="expected", index=True)
    #          expected / received / to_supply / unexpected
    owed_by = pw.CharField(max_length=64, default="")  # who owes a to-supply item
    document = pw.ForeignKeyField(Document, null=True, backref="+", on_delete="SET NULL")
    received_at = pw.DateTimeField(null=True)
    received_by = pw.CharField(max_length=64, default="")
    note = pw.CharField(max_length=256, default="")

    class Meta:
        indexes = ((("batch", "seq"), True),)


class MoveTask(BaseModel):
    """A box (or a customer's volumes in it) that must move, e.g. to the cancelled area (销户)."""

    box = pw.ForeignKeyField(Box, backref="+", on_delete="RESTRICT")
    customer = pw.ForeignKeyField(Customer, null=True, backref="+", on_delete="RESTRICT")
    kind = pw.CharField(max_length=16)  # move_box / take_out
    reason = pw.CharField(max_length=256, default="")
    from_location = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    suggested = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)


INTAKE_MODELS: list[type[BaseModel]] = [HandoverBatch, HandoverItem, MoveTask]


def create_tables(db: pw.Database) -> None:
    """Migration 6: the intake tables."""
    db.create_tables(INTAKE_MODELS, safe=True)
