"""Cancelling a customer (销户): retention dates at once, boxes moved out, positions reused.

In one transaction: the customer is marked cancelled from a date with a reason; each of its
documents gets its retention date from the rules straight away (cancellation is the trigger
of most schedules); each box that now holds only cancelled customers gets a move task to
the cancelled area with a suggested position there, and its old home position is freed at
once for new customers (顶号换空间). A box shared with active customers gets a task to take
the cancelled customer's volumes out instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import ValidationError
from hudang.store.i18n import t
from hudang.store.models import Box, Customer, Document, Location, Movement, Volume
from hudang.store.models_intake import MoveTask
from hudang.store.services import customers, retention, shelving
from hudang.store.services.dto import CustomerInfo


@dataclass(frozen=True)
class MoveTaskInfo:
    id: int
    box: str
    kind: str  # move_box / take_out
    customer_number: str | None
    reason: str
    from_code: str | None
    suggested_code: str | None
    suggested_label: str | None
    done: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class CancelOutcome:
    customer: CustomerInfo
    documents_dated: int
    documents_undated: int
    tasks: list[MoveTaskInfo] = field(default_factory=list)


def _task_info(task: MoveTask) -> MoveTaskInfo:
    box = Box.get_by_id(task.box_id)
    src = Location.get_by_id(task.from_location_id) if task.from_location_id else None
    dst = Location.get_by_id(task.suggested_id) if task.suggested_id else None
    cust = Customer.get_by_id(task.customer_id) if task.customer_id else None
    if task.kind == "move_box":
        done = box.home_id is not None and Location.get_by_id(box.home_id).zone_class in (
            "cancelled", "safe")
    else:
        done = not (Volume.select().where((Volume.box == box)
                                          & (Volume.customer == task.customer_id)).exists())
    return MoveTaskInfo(task.id, box.barcode, task.kind, cust.number if cust else None,
                        task.reason, src.code if src else None, dst.code if dst else None,
                        dst.name if dst else None, done, task.created_at)


def _free_home(box: Box, actor: Actor, reason: str) -> Location | None:
    """Release the box's home position now; the box stays where it is until it is moved."""
    if box.home_id is None:
        return None
    old = Location.get_by_id(box.home_id)
    shelving._free_slot(old.id)
    shelving._set_box(box, home=None)
    Movement.create(box=box, kind="move", from_location=old.id, to_location=None,
                    actor=actor.username, note=reason[:256])
    audit.record(actor, "box.release", "box", box.barcode, {"home": old.code},
                 {"home": None, "reason": reason})
    return old


def _stamp_documents(customer: Customer, ruleset: Any) -> tuple[int, int]:
    """Give every document of the customer its retention outcome from `ruleset` now."""
    if ruleset is None:
        return 0, Document.select().where(Document.customer == customer).count()
    dated = undated = 0
    for (doc_id,) in Document.select(Document.id).where(Document.customer == customer).tuples():
        stamp = retention.stamp_document(ruleset, doc_id)
        if stamp.eligible_on is not None:
            dated += 1
        else:
            undated += 1
    return dated, undated


def cancel(number: str, cancelled_on: dt.date, reason: str, actor: Actor,
           ruleset: Any = None) -> CancelOutcome:
    """销户 a customer: retention dated, move tasks made, old positions freed; one transaction."""
    if not reason.strip():
        raise ValidationError(t("销户必须写明原因", "a cancellation needs a reason"))
    tasks: list[MoveTask] = []
    with write_tx():
        info = customers.cancel_customer(number, cancelled_on, actor)
        customer = Customer.get_by_id(info.id)
        dated, undated = _stamp_documents(customer, ruleset)
        box_ids = sorted({v.box_id for v in Volume.select(Volume.box)
                          .where((Volume.customer == customer) & Volume.box.is_null(False))})
        note = t("销户 {n}：{r}", "cancelled {n}: {r}", n=customer.number, r=reason.strip())
        for box_id in box_ids:
            box = Box.get_by_id(box_id)
            if shelving.box_zone_class(box) == "cancelled":
                old = _free_home(box, actor, note)
                suggested = shelving.suggest_position(box.barcode)
                tasks.append(MoveTask.create(
                    box=box, customer=customer, kind="move_box", reason=note[:256],
                    from_location=old.id if old else None,
                    suggested=suggested.id if suggested else None, created_by=actor.username))
            else:
                tasks.append(MoveTask.create(
                    box=box, customer=customer, kind="take_out", reason=note[:256],
                    from_location=box.home_id, suggested=None, created_by=actor.username))
        audit.record(actor, "customer.cancel_file", "customer", customer.number, None,
                     {"on": cancelled_on.isoformat(), "reason": reason.strip(),
                      "documents_dated": dated, "documents_undated": undated,
                      "ruleset": getattr(ruleset, "version", None),
                      "tasks": [(Box.get_by_id(x.box_id).barcode, x.kind) for x in tasks]})
        return CancelOutcome(customers.get_customer(customer.number), dated, undated,
                             [_task_info(x) for x in tasks])


def move_tasks(include_done: bool = False) -> list[MoveTaskInfo]:
    """Move tasks, oldest first; a task is done once the box is homed in the cancelled area."""
    with read_tx():
        rows = [_task_info(x) for x in MoveTask.select().order_by(MoveTask.id)]
    return rows if include_done else [r for r in rows if not r.done]
