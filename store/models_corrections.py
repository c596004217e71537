"""Customers marked for correction: a value an import kept although it failed a check."""

from __future__ import annotations

import peewee as pw

from hudang.store.models import BaseModel, Customer, utcnow


class CustomerCorrection(BaseModel):
    """One field of one customer that needs correcting, where it came from, and when fixed."""

    customer = pw.ForeignKeyField(Customer, backref="+", on_delete="CASCADE")
    field = pw.CharField(max_length=32)  # id_number …
    value = pw.CharField(max_length=64)
    problem = pw.TextField()
    source = pw.CharField(max_length=256, default="")  # e.g. "customers.csv row 12"
    created_at = pw.DateTimeField(default=utcnow)
    resolved_at = pw.DateTimeField(null=True, index=True)
    resolved_by = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = ((("customer", "field"), False),)


CORRECTION_MODELS = [CustomerCorrection]
