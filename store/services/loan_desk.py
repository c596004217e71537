"""At the desk: pick lists, checkout by scanning, returns, reshelving, the reading room.

Checkout and return are race-free across terminals: the box changes state only through
a conditional UPDATE on its status and version, so of two terminals scanning the same
box at the same moment exactly one wins and the other is told who has it.
"""

from __future__ import annotations

import datetime as dt

from hudang.common.domain import BoxStatus, LoanItemStatus, LoanStatus
from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import NotFound, NotOnShelf, UnknownBarcode, ValidationError
from hudang.store.i18n import t
from hudang.store.models import (
    Box, ChangeLog, Customer, Document, LoanItem, LoanRequest, Movement, User, Volume, utcnow,
)
from hudang.store.services import shelving
from hudang.store.services.convert import location_info
from hudang.store.services.dto import LocationInfo
from hudang.store.services.loan_dto import (
    CheckoutOutcome, LoanItemInfo, ReturnOutcome, item_info, loan_info,
)
from hudang.store.services.loan_errors import (
    ItemOnLoan, LoanNeedsApproval, LoanStateError, NotInRequest, NotOnLoan,
)
from hudang.store.services.loan_policy import DEFAULT_POLICY, LoanPolicyLike
from hudang.store.services.loans import _slip, categories_of, latest_due

OUT_STATUSES = (BoxStatus.ON_LOAN, BoxStatus.READING_ROOM)


def box_status_for(use_kind: str) -> str:
    """Reading-room use keeps the box in the room (阅览中); anything else is on loan (借出)."""
    return BoxStatus.READING_ROOM if use_kind == "reading" else BoxStatus.ON_LOAN


def boxes_for_code(raw: str) -> list[Box]:
    """The boxes a scanned box, volume, document barcode or customer number stands for."""
    scan = default_scheme().parse(raw)
    code = scan.code
    box_id = None
    if scan.kind == "box":
        box = Box.get_or_none(Box.barcode == code)
        if box is not None:
            return [box]
    elif scan.kind == "volume":
        v = Volume.get_or_none(Volume.barcode == code)
        box_id = v.box_id if v else None
        if v is not None and box_id is None:
            raise ValidationError(t("案卷 {c} 未装盒", "volume {c} is not in a box", c=code))
    elif scan.kind == "document":
        d = Document.get_or_none(Document.barcode == code)
        if d is not None:
            box_id = d.volume.box_id if d.volume_id else None
            if box_id is None:
                raise ValidationError(t("文件 {c} 未装盒", "document {c} is not in a box", c=code))
    elif scan.kind == "customer":
        c = Customer.get_or_none(Customer.number == code)
        if c is not None:
            return list(Box.select().join(Volume, on=(Volume.box == Box.id))
                        .where(Volume.customer == c).distinct().order_by(Box.barcode))
    if box_id is not None:
        return [Box.get_by_id(box_id)]
    raise UnknownBarcode(t("{c} 不是已登记的档案盒、案卷、文件或户号",
                           "{c} is not a registered box, volume, document or customer", c=code))


def _holder_error(box_id: int, scanned: str) -> Exception:
    """Why a box cannot leave the shelf now: who has it, or where it is instead."""
    box = Box.get_by_id(box_id)
    if box.status in OUT_STATUSES:
        row = (LoanItem.select(LoanItem, LoanRequest, User)
               .join(LoanRequest).join(User, on=(LoanRequest.requester == User.id))
               .where((LoanItem.box == box.id) & (LoanItem.status == LoanItemStatus.OUT)).first())
        if row is not None:
            req = row.request
            who = f"{req.requester.display_name}（{req.department}）" if req.department \
                else req.requester.display_name
            return ItemOnLoan(t("{c} 已被 {w} 借出（出借单 {s}，应还 {d}）",
                                "{c} is out with {w} (slip {s}, due {d})", c=scanned, w=who,
                                s=req.slip_no, d=req.due_on),
                              holder=req.requester.username, slip_no=req.slip_no)
        return ItemOnLoan(t("{c} 不在架上（{st}）", "{c} is not on the shelf ({st})", c=scanned,
                            st=box.status))
    if box.status == BoxStatus.AWAITING_RESHELVE:
        return NotOnShelf(t("档案盒 {b} 刚归还，待归架：请先扫描上架",
                            "box {b} was just returned and awaits reshelving: shelve it first",
                            b=box.barcode))
    if box.status != BoxStatus.ON_SHELF:
        return NotOnShelf(t("档案盒 {b} 尚未上架", "box {b} is not on a shelf", b=box.barcode))
    return ValidationError(t("档案盒 {b} 刚被其他终端改动，请重新扫描",
                             "box {b} was just changed at another terminal; scan it again",
                             b=box.barcode))


def pick_list(slip_no: str) -> list[LoanItemInfo]:
    """Items of a slip still to be fetched, in walking order (room, row, section, shelf)."""
    with read_tx():
        req = _slip(slip_no)
        items = [item_info(i, req.slip_no) for i in
                 LoanItem.select().where((LoanItem.request == req)
                                         & (LoanItem.status == LoanItemStatus.REQUESTED))]
        return sorted(items, key=lambda i: (i.walk_order or "~", i.box_barcode))


def _due(req: LoanRequest, policy: LoanPolicyLike, today: dt.date) -> dt.date:
    """The period wanted, never beyond what the policy allows from today."""
    cats = categories_of(LoanItem.select().where(LoanItem.request == req))
    latest = latest_due(policy, req.reader_type, req.use_kind, cats, today)
    if req.wanted_days is None:
        return latest
    return min(today + dt.timedelta(days=req.wanted_days), latest)


def checkout_item(slip_no: str, code: str, actor: Actor,
                  policy: LoanPolicyLike = DEFAULT_POLICY,
                  today: dt.date | None = None) -> CheckoutOutcome:
    """Scan one item of an approved slip out; only items of that slip, only if on the shelf."""
    today = today or dt.date.today()
    with write_tx():
        req = _slip(slip_no)
        if req.status == LoanStatus.PENDING:
            raise LoanNeedsApproval(t("出借单 {s} 尚未审批", "slip {s} is not approved yet",
                                      s=req.slip_no))
        if req.status not in (LoanStatus.APPROVED, LoanStatus.ACTIVE):
            raise LoanStateError(t("出借单 {s} 状态为 {st}，不能出库", "slip {s} is {st}; nothing "
                                   "can be checked out", s=req.slip_no, st=req.status))
        box_ids = [b.id for b in boxes_for_code(code)]
        mine = list(LoanItem.select().where((LoanItem.request == req)
                                            & LoanItem.box.in_(box_ids)))
        item = next((i for i in mine if i.status == LoanItemStatus.REQUESTED), None)
        if item is None:
            if any(i.status == LoanItemStatus.OUT for i in mine):
                raise ItemOnLoan(t("{c} 已按本出借单出库", "{c} is already out on this slip",
                                   c=code), holder=req.requester.username, slip_no=req.slip_no)
            raise NotInRequest(t("{c} 不在出借单 {s} 上", "{c} is not on slip {s}",
                                 c=code, s=req.slip_no))
        box = Box.get_by_id(item.box_id)
        if box.status != BoxStatus.ON_SHELF:
            raise _holder_error(box.id, code)
        won = (Box.update(status=box_status_for(req.use_kind), current=None,
                          version=Box.version + 1)
               .where((Box.id == box.id) & (Box.status == BoxStatus.ON_SHELF)
                      & (Box.version == box.version)).execute())
        if won != 1:
            raise _holder_error(box.id, code)
        now = utcnow()
        taken = (LoanItem.update(status=LoanItemStatus.OUT, checked_out_at=now,
                                 checked_out_by=actor.username)
                 .where((LoanItem.id == item.id)
                        & (LoanItem.status == LoanItemStatus.REQUESTED)).execute())
        if taken != 1:
            raise _holder_error(box.id, code)
        due = req.due_on
        if req.status == LoanStatus.APPROVED:
            due = _due(req, policy, today)
            n = (LoanRequest.update(status=LoanStatus.ACTIVE, checked_out_at=now, due_on=due,
                                    version=LoanRequest.version + 1)
                 .where((LoanRequest.id == req.id) & (LoanRequest.status == LoanStatus.APPROVED))
                 .execute())
            if n != 1:  # another terminal started this slip a moment ago
                due = LoanRequest.get_by_id(req.id).due_on
        Movement.create(box=box, kind="checkout", from_location=box.current_id,
                        to_location=None, actor=actor.username, note=req.slip_no)
        ChangeLog.create(topic="loan", ref=req.slip_no)
        audit.record(actor, "loan.checkout", "loan", req.slip_no,
                     {"box": box.barcode, "status": box.status},
                     {"box": box.barcode, "status": box_status_for(req.use_kind),
                      "item": item.code, "due_on": due})
        fresh = LoanRequest.get_by_id(req.id)
        remaining = (LoanItem.select().where((LoanItem.request == req)
                                             & (LoanItem.status == LoanItemStatus.REQUESTED)
                                             ).count())
        return CheckoutOutcome(item_info(LoanItem.get_by_id(item.id), req.slip_no),
                               loan_info(fresh), remaining)


def _out_item(code: str) -> LoanItem:
    boxes = boxes_for_code(code)
    items = list(LoanItem.select().where(LoanItem.box.in_([b.id for b in boxes])
                                         & (LoanItem.status == LoanItemStatus.OUT)))
    if not items:
        raise NotOnLoan(t("{c} 没有借出，无需归还（未做任何改动）",
                          "{c} is not on loan; nothing to return (nothing changed)", c=code))
    if len(items) > 1:
        raise ValidationError(t("{c} 对应多个借出的档案盒，请扫描档案盒条码",
                                "{c} stands for several boxes on loan; scan the box barcode",
                                c=code))
    return items[0]


def return_item(code: str, actor: Actor, *, damaged: bool = False, missing: str = "",
                note: str = "") -> ReturnOutcome:
    """Take one item back; the keeper records damage or what is missing. Partial returns ok."""
    with write_tx():
        item = _out_item(code)
        box = Box.get_by_id(item.box_id)
        ok = (Box.update(status=BoxStatus.AWAITING_RESHELVE, current=None, version=Box.version + 1)
              .where((Box.id == box.id) & Box.status.in_(OUT_STATUSES)
                     & (Box.version == box.version)).execute())
        back = (LoanItem.update(status=LoanItemStatus.RETURNED, returned_at=utcnow(),
                                returned_by=actor.username, damaged=damaged,
                                missing=missing.strip(), return_note=note.strip())
                .where((LoanItem.id == item.id)
                       & (LoanItem.status == LoanItemStatus.OUT)).execute())
        if ok != 1 or back != 1:
            raise NotOnLoan(t("{c} 刚在其他终端办理了归还（未做任何改动）",
                              "{c} was just returned at another terminal (nothing changed)",
                              c=code))
        req = LoanRequest.get_by_id(item.request_id)
        left = (LoanItem.select().where((LoanItem.request == req)
                                        & LoanItem.status.in_([LoanItemStatus.OUT,
                                                               LoanItemStatus.REQUESTED])
                                        ).count())
        if left == 0:
            (LoanRequest.update(status=LoanStatus.RETURNED, closed_at=utcnow(),
                                version=LoanRequest.version + 1)
             .where((LoanRequest.id == req.id)
                    & (LoanRequest.status == LoanStatus.ACTIVE)).execute())
        Movement.create(box=box, kind="return", from_location=None, to_location=None,
                        actor=actor.username, note=req.slip_no)
        ChangeLog.create(topic="loan", ref=req.slip_no)
        audit.record(actor, "loan.return", "loan", req.slip_no,
                     {"box": box.barcode, "status": box.status},
                     {"box": box.barcode, "status": BoxStatus.AWAITING_RESHELVE, "item": item.code,
                      "damaged": damaged, "missing": missing.strip(), "note": note.strip()})
        fresh = LoanRequest.get_by_id(req.id)
        info = item_info(LoanItem.get_by_id(item.id), req.slip_no)
        still = LoanItem.select().where((LoanItem.request == req)
                                        & (LoanItem.status == LoanItemStatus.OUT)).count()
        return ReturnOutcome(info, loan_info(fresh), info.home, still)


def item_on_loan(code: str) -> LoanItemInfo | None:
    """The loan item a scanned code is out on, if any (the desk offers its return)."""
    with read_tx():
        try:
            item = _out_item(code)
        except (NotOnLoan, NotFound, UnknownBarcode, ValidationError):
            return None
        return item_info(item, item.request.slip_no)


def reshelve(box_code: str, position_code: str, actor: Actor) -> shelving.ShelveOutcome:
    """Scan a returned box onto its shelf; a box still on loan must be returned first."""
    with write_tx():
        scan = default_scheme().parse(box_code)
        box = Box.get_or_none(Box.barcode == scan.code) if scan.kind == "box" else None
        if box is None:
            raise NotFound(t("没有档案盒 {c}", "no box {c}", c=scan.code))
        if box.status in OUT_STATUSES:
            raise _holder_error(box.id, box.barcode)
        return shelving.place_box(box_code, position_code, actor)


def awaiting_reshelve() -> list[tuple[str, LocationInfo | None]]:
    """Boxes back from loan waiting to go home: (box barcode, home position)."""
    with read_tx():
        rows = Box.select().where(Box.status == BoxStatus.AWAITING_RESHELVE).order_by(Box.barcode)
        return [(b.barcode, location_info(b.home) if b.home_id else None) for b in rows]


def in_reading_room() -> list[LoanItemInfo]:
    """Items still in the reading room (the list to check at closing time)."""
    with read_tx():
        q = (LoanItem.select().join(LoanRequest)
             .where((LoanItem.status == LoanItemStatus.OUT) & (LoanRequest.use_kind == "reading"))
             .order_by(LoanRequest.id, LoanItem.id))
        return [item_info(i, i.request.slip_no) for i in q]
