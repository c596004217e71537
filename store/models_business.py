"""Business events from the marketing system, the tasks they imply, reminders, quality checks.

Tables of issue 14, created by migration 7 (`store/migrations.py`). Only store/ touches them.
All timestamps are naive UTC, like every other row.
"""

from __future__ import annotations

import peewee as pw

from hudang.store.models import BaseModel, Contract, Customer, Document, Volume, utcnow


class BusinessEvent(BaseModel):
    """One completed process step (业务环节) exported by the marketing system (营销系统)."""

    customer = pw.ForeignKeyField(Customer, backref="+", on_delete="RESTRICT")
    process_id = pw.CharField(max_length=64)
    process_type = pw.CharField(max_length=32)  # 新装 增容 减容 更名过户 迁址 移表 销户 …
    step = pw.CharField(max_length=64)
    completed_at = pw.DateTimeField(index=True)
    staff = pw.CharField(max_length=64, default="")
    team = pw.CharField(max_length=64, default="")
    unit = pw.CharField(max_length=64, default="")
    source = pw.CharField(max_length=128, default="")  # file name it came in
    imported_at = pw.DateTimeField(default=utcnow)

    class Meta:
        # An event is the same step of a process completed at the same moment: importing an
        # export again, or an overlapping one, adds nothing twice.
        indexes = ((("process_id", "step", "completed_at"), True),)


class BusinessTask(BaseModel):
    """A task an event implies (digitise, paper, contract filing, step limit, shelve a volume)."""

    event = pw.ForeignKeyField(BusinessEvent, null=True, backref="tasks", on_delete="RESTRICT")
    # Few indexes on purpose: millions of rows are inserted per import (see docs/business.md);
    # the customer's tasks are found through its events, open ones through a partial index.
    volume = pw.ForeignKeyField(Volume, null=True, backref="+", on_delete="RESTRICT",
                                index=False)  # partial index in create_business_tables
    customer = pw.ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", index=False)
    process_id = pw.CharField(max_length=64, default="")
    kind = pw.CharField(max_length=16)  # digitise paper contract_filing step_limit shelve
    doc_type = pw.CharField(max_length=64, default="")
    start_at = pw.DateTimeField()
    due_at = pw.DateTimeField()
    warning_from = pw.DateTimeField()
    match_from = pw.DateTimeField()  # documents scanned from here on satisfy the task
    sent_at = pw.DateTimeField(null=True)  # paper sent by the team, not yet received (待移交)
    done_at = pw.DateTimeField(null=True)
    done_how = pw.CharField(max_length=16, default="")  # scan catalogued handover next_step
    #                                                    shelved waived
    document = pw.ForeignKeyField(Document, null=True, backref="+", on_delete="SET NULL",
                                  index=False)  # read from the task side only
    waived_by = pw.CharField(max_length=64, default="")
    waive_reason = pw.TextField(default="")
    staff = pw.CharField(max_length=64, default="")
    team = pw.CharField(max_length=64, default="")
    unit = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = ((("start_at", "kind"), False),)


class Reminder(BaseModel):
    """One reminder sent for a subject in a state; (subject, state) is never reminded twice."""

    subject = pw.CharField(max_length=64)  # task:123 / contract:45:2027-01-31
    state = pw.CharField(max_length=8)  # yellow / red
    kind = pw.CharField(max_length=16)  # one of the six reminder kinds
    task = pw.ForeignKeyField(BusinessTask, null=True, backref="reminders", on_delete="CASCADE")
    contract = pw.ForeignKeyField(Contract, null=True, backref="+", on_delete="CASCADE")
    recipient = pw.CharField(max_length=64, default="")
    escalated_to = pw.CharField(max_length=64, default="")
    team = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("subject", "state"), True),)


class QualityCheck(BaseModel):
    """A document drawn in the monthly random audit sample (抽查), and its check result."""

    month = pw.CharField(max_length=7)  # YYYY-MM
    document = pw.ForeignKeyField(Document, backref="+", on_delete="CASCADE")
    seed = pw.BigIntegerField()
    result = pw.CharField(max_length=8, default="pending")  # pending pass fail
    note = pw.TextField(default="")
    staff = pw.CharField(max_length=64, default="")
    team = pw.CharField(max_length=64, default="")
    unit = pw.CharField(max_length=64, default="")
    checked_by = pw.CharField(max_length=64, default="")
    checked_at = pw.DateTimeField(null=True)
    sampled_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("month", "document"), True),)


BUSINESS_MODELS = [BusinessEvent, BusinessTask, Reminder, QualityCheck]


def create_business_tables(db: pw.Database) -> None:
    """Migration 7: the tables above, and documents looked up by customer and type."""
    db.create_tables(BUSINESS_MODELS, safe=True)
    db.execute_sql("CREATE INDEX IF NOT EXISTS business_task_open ON business_task "
                   "(warning_from) WHERE done_at IS NULL")
    db.execute_sql("CREATE INDEX IF NOT EXISTS business_task_volume ON business_task "
                   "(volume_id) WHERE volume_id IS NOT NULL")
    db.execute_sql("CREATE INDEX IF NOT EXISTS document_customer_doc_type ON document "
                   "(customer_id, doc_type, scanned_at)")
