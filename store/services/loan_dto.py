"""Plain dataclasses of the loan desk, and the one place loan rows become them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from hudang.common.domain import GrantStatus, LoanItemStatus
from hudang.store.models import Box, Customer, LoanItem, LoanRequest, Location, ReadingGrant, User
from hudang.store.services.convert import location_info
from hudang.store.services.dto import LocationInfo


@dataclass(frozen=True)
class LoanItemInfo:
    id: int
    slip_no: str
    item_kind: str  # customer / volume / document / box
    code: str  # what was asked for
    box_barcode: str
    box_status: str
    customer_number: str | None
    customer_name: str | None
    category: str | None
    title: str  # volume or document title, or the box label
    status: str  # requested / out / returned / cancelled
    home: LocationInfo | None  # where the box lives (shown large when it comes back)
    walk_order: str
    checked_out_at: dt.datetime | None
    checked_out_by: str
    returned_at: dt.datetime | None
    returned_by: str
    damaged: bool
    missing: str
    return_note: str


@dataclass(frozen=True)
class LoanInfo:
    id: int
    slip_no: str
    requester: str  # username
    requester_name: str
    department: str
    reader_type: str
    purpose: str
    use_kind: str
    wanted_days: int | None  # None: as long as the policy allows
    status: str
    approval_reasons: list[str]
    approver: str | None
    approver_name: str | None
    decided_at: dt.datetime | None
    decision_note: str
    override_by: str | None
    override_reason: str
    created_by: str
    created_at: dt.datetime
    checked_out_at: dt.datetime | None
    due_on: dt.date | None
    renewals: int
    closed_at: dt.datetime | None
    version: int
    items: list[LoanItemInfo] = field(default_factory=list)

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)

    def items_out(self) -> list[LoanItemInfo]:
        return [i for i in self.items if i.status == LoanItemStatus.OUT]

    def days_overdue(self, today: dt.date) -> int:
        """Whole days past the due date while anything is still out (0 when not overdue)."""
        if self.due_on is None or not self.items_out():
            return 0
        return max((today - self.due_on).days, 0)


@dataclass(frozen=True)
class CheckoutOutcome:
    """One item scanned out: the item, the slip as it is now, and what is left to pick."""

    item: LoanItemInfo
    loan: LoanInfo
    remaining: int


@dataclass(frozen=True)
class ReturnOutcome:
    """One item back: shows its home position large and that it waits to be reshelved."""

    item: LoanItemInfo
    loan: LoanInfo
    home: LocationInfo | None
    still_out: int


@dataclass(frozen=True)
class OverdueRow:
    slip_no: str
    borrower: str
    borrower_name: str
    department: str
    due_on: dt.date
    days_overdue: int
    items: list[LoanItemInfo]


@dataclass(frozen=True)
class ReadingGrantInfo:
    id: int
    username: str
    user_name: str
    customer_number: str
    customer_name: str
    status: str
    reason: str
    days: int
    requested_by: str
    requested_at: dt.datetime
    approver: str | None
    decided_at: dt.datetime | None
    decision_note: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None

    def active_at(self, at: dt.datetime) -> bool:
        return (self.status == GrantStatus.APPROVED and self.valid_from is not None
                and self.valid_until is not None and self.valid_from <= at < self.valid_until)


def _as_date(v) -> dt.date | None:
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


def item_info(item: LoanItem, slip_no: str) -> LoanItemInfo:
    box: Box = item.box
    home = Location.get_or_none(Location.id == box.home_id) if box.home_id else None
    customer: Customer | None = item.customer if item.customer_id else None
    if item.document_id:
        title = item.document.title
    elif item.volume_id:
        title = item.volume.title
    else:
        title = box.label or box.barcode
    return LoanItemInfo(
        id=item.id, slip_no=slip_no, item_kind=item.item_kind, code=item.code,
        box_barcode=box.barcode, box_status=box.status,
        customer_number=customer.number if customer else None,
        customer_name=customer.name if customer else None, category=item.category,
        title=title, status=item.status, home=location_info(home),
        walk_order=home.walk_order if home else "", checked_out_at=item.checked_out_at,
        checked_out_by=item.checked_out_by, returned_at=item.returned_at,
        returned_by=item.returned_by, damaged=bool(item.damaged), missing=item.missing,
        return_note=item.return_note)


def loan_info(req: LoanRequest) -> LoanInfo:
    """A slip with its items (read inside the caller's transaction)."""
    requester: User = req.requester
    approver: User | None = req.approver if req.approver_id else None
    override: User | None = req.override_by if req.override_by_id else None
    items = [item_info(i, req.slip_no)
             for i in LoanItem.select().where(LoanItem.request == req).order_by(LoanItem.id)]
    return LoanInfo(
        id=req.id, slip_no=req.slip_no, requester=requester.username,
        requester_name=requester.display_name, department=req.department,
        reader_type=req.reader_type, purpose=req.purpose, use_kind=req.use_kind,
        wanted_days=req.wanted_days, status=req.status,
        approval_reasons=json.loads(req.approval_reasons or "[]"),
        approver=approver.username if approver else None,
        approver_name=approver.display_name if approver else None,
        decided_at=req.decided_at, decision_note=req.decision_note,
        override_by=override.username if override else None,
        override_reason=req.override_reason, created_by=req.created_by,
        created_at=req.created_at, checked_out_at=req.checked_out_at,
        due_on=_as_date(req.due_on), renewals=req.renewals, closed_at=req.closed_at,
        version=req.version, items=items)


def grant_info(g: ReadingGrant) -> ReadingGrantInfo:
    return ReadingGrantInfo(
        id=g.id, username=g.user.username, user_name=g.user.display_name,
        customer_number=g.customer.number, customer_name=g.customer.name, status=g.status,
        reason=g.reason, days=g.days, requested_by=g.requested_by, requested_at=g.requested_at,
        approver=g.approver.username if g.approver_id else None, decided_at=g.decided_at,
        decision_note=g.decision_note, valid_from=g.valid_from, valid_until=g.valid_until)
