"""Shelving boxes onto dense-shelf positions: place, move, reshelve, suggest (顶号换空间)."""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from hudang.common.domain import BoxStatus
from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import CANCELLED, ZONE_CLASSES
from hudang.store.errors import AlreadyShelved, NotFound, PositionFull, ValidationError, WrongZone
from hudang.store.i18n import t
from hudang.store.models import Box, Customer, Location, Movement, Volume
from hudang.store.services import views
from hudang.store.services.convert import location_info
from hudang.store.services.dto import BoxInfo, LocationInfo


@dataclass(frozen=True)
class ShelveOutcome:
    """What a shelving scan did: 'placed', 'reshelved', 'moved' or 'already_here'."""

    action: str
    box: BoxInfo
    position: LocationInfo


def _box(code: str) -> Box:
    scan = default_scheme().parse(code)
    box = Box.get_or_none(Box.barcode == scan.code) if scan.kind == "box" else None
    if box is None:
        raise NotFound(t("没有档案盒 {c}", "no box {c}", c=scan.code))
    return box


def _position(code: str) -> Location:
    scan = default_scheme().parse(code)
    key = scan.code
    loc = Location.get_or_none((Location.barcode == key) | (Location.code == key))
    if loc is None:
        raise NotFound(t("没有架位 {c}", "no shelf position {c}", c=key))
    if loc.kind not in ("cell", "safe"):
        raise ValidationError(t("{c} 是{k}，不是可放档案盒的格位", "{c} is a {k}, not a shelf position",
                                c=loc.code, k=loc.kind))
    return loc


def box_zone_class(box: Box) -> str:
    """The zone a box belongs in: 'cancelled' when every customer in it is cancelled (销户)."""
    statuses = {s for (s,) in Customer.select(Customer.status).join(Volume)
                .where(Volume.box == box).distinct().tuples()}
    if statuses and statuses == {CANCELLED}:
        return "cancelled"
    return box.voltage_class


def _check_zone(box: Box, loc: Location) -> None:
    if loc.zone_class == "safe":
        return
    wanted = box_zone_class(box)
    if loc.zone_class != wanted:
        raise WrongZone(t("{b} 应放在{w}，{p} 属于{z}", "{b} belongs in the {w}; {p} is in the {z}",
                          b=box.barcode, w=ZONE_CLASSES.get(wanted, wanted), p=loc.code,
                          z=ZONE_CLASSES.get(loc.zone_class, loc.zone_class)))


def _take_slot(loc: Location) -> None:
    """Claim one slot of `loc`; race-free: the conditional update admits exactly one winner."""
    n = (Location.update(used=Location.used + 1)
         .where((Location.id == loc.id) & (Location.used < Location.capacity)).execute())
    if n != 1:
        raise PositionFull(t("架位 {c} 已满（容量 {n} 盒）", "position {c} is full ({n} boxes)",
                             c=loc.code, n=loc.capacity))


def _free_slot(loc_id: int) -> None:
    Location.update(used=Location.used - 1).where(
        (Location.id == loc_id) & (Location.used > 0)).execute()


def _set_box(box: Box, **changes) -> None:
    """Update a box only if nobody else changed it since we read it (version check)."""
    n = (Box.update(version=Box.version + 1, **changes)
         .where((Box.id == box.id) & (Box.version == box.version)).execute())
    if n != 1:
        raise ValidationError(t("档案盒 {c} 刚被其他终端改动，请重新扫描",
                                "box {c} was just changed at another terminal; scan it again",
                                c=box.barcode))


def _move_row(box: Box, kind: str, src: int | None, dst: int | None, actor: Actor,
              note: str = "") -> None:
    Movement.create(box=box, kind=kind, from_location=src, to_location=dst,
                    actor=actor.username, note=note)


def place_box(box_code: str, position_code: str, actor: Actor) -> ShelveOutcome:
    """Shelve a box at a position; a box homed elsewhere raises AlreadyShelved (offer a move)."""
    with write_tx():
        box, loc = _box(box_code), _position(position_code)
        if box.status in (BoxStatus.ON_LOAN, BoxStatus.READING_ROOM):
            raise ValidationError(t("档案盒 {b} 仍在借出中：请先办理归还，再上架",
                                    "box {b} is still on loan: take the return first, then shelve",
                                    b=box.barcode))
        if box.home_id == loc.id:
            if box.current_id == loc.id and box.status == BoxStatus.ON_SHELF:
                action = "already_here"
            else:
                _set_box(box, current=loc.id, status=BoxStatus.ON_SHELF)
                _move_row(box, "reshelve", box.current_id, loc.id, actor)
                audit.record(actor, "box.reshelve", "box", box.barcode,
                             {"status": box.status}, {"status": BoxStatus.ON_SHELF, "at": loc.code})
                action = "reshelved"
        elif box.home_id is not None:
            home = Location.get_by_id(box.home_id)
            raise AlreadyShelved(t("档案盒 {b} 已在 {h}，是否移到 {p}？",
                                   "box {b} already lives at {h}; move it to {p}?",
                                   b=box.barcode, h=home.code, p=loc.code), home.code)
        else:
            _check_zone(box, loc)
            _take_slot(loc)
            _set_box(box, home=loc.id, current=loc.id, status=BoxStatus.ON_SHELF)
            _move_row(box, "shelve", None, loc.id, actor)
            audit.record(actor, "box.shelve", "box", box.barcode, {"home": None},
                         {"home": loc.code})
            action = "placed"
    with read_tx():
        return ShelveOutcome(action, views.box_info("id = ?", box.id),
                             location_info(Location.get_by_id(loc.id)))


def move_box(box_code: str, position_code: str, actor: Actor, note: str = "") -> ShelveOutcome:
    """Give a box a new home position; its old slot is freed for reuse."""
    with write_tx():
        box, loc = _box(box_code), _position(position_code)
        if box.home_id == loc.id:
            return place_box(box_code, position_code, actor)
        _check_zone(box, loc)
        _take_slot(loc)
        old = box.home_id
        if old is not None:
            _free_slot(old)
        present = box.status in (BoxStatus.ON_SHELF, BoxStatus.UNPLACED,
                                 BoxStatus.AWAITING_RESHELVE)
        _set_box(box, home=loc.id, current=loc.id if present else box.current_id,
                 status=BoxStatus.ON_SHELF if present else box.status)
        _move_row(box, "move", old, loc.id, actor, note)
        old_code = Location.get_by_id(old).code if old else None
        audit.record(actor, "box.move", "box", box.barcode, {"home": old_code},
                     {"home": loc.code, "note": note})
    with read_tx():
        return ShelveOutcome("moved", views.box_info("id = ?", box.id),
                             location_info(Location.get_by_id(loc.id)))


def _box_sort_key(box: Box) -> tuple[str, str, str] | None:
    first = (Customer.select(Customer.line, Customer.area, Customer.number).join(Volume)
             .where(Volume.box == box).order_by(Customer.line, Customer.area, Customer.number)
             .tuples().first())
    return tuple(first) if first else None


def _freed_cells(zone_class: str) -> pw.Select:
    """Cells in a zone that once held a box that has since moved out (顶号换空间)."""
    vacated = (Movement.select(Movement.from_location)
               .where(Movement.kind == "move", Movement.from_location.is_null(False)))
    return (Location.select().where((Location.kind == "cell") & (Location.zone_class == zone_class)
                                    & (Location.used < Location.capacity)
                                    & Location.id.in_(vacated))
            .order_by(Location.walk_order))


def suggest_position(box_code: str) -> LocationInfo | None:
    """Where a new or homeless box should go, by the shelving rules of DOMAIN.md.

    Cancelled customers' boxes go to the cancelled area. Positions freed by boxes that moved
    out are offered first. LV boxes keep line / 台区 / customer-number order; HV boxes get the
    first free cell of the HV zone in walking order.
    """
    with read_tx():
        box = _box(box_code)
        zone = box_zone_class(box)
        freed = _freed_cells(zone).first()
        if freed is not None:
            return location_info(freed)
        free_cells = (Location.select().where((Location.kind == "cell")
                                              & (Location.zone_class == zone)
                                              & (Location.used < Location.capacity))
                      .order_by(Location.walk_order))
        if zone == "LV":
            key = _box_sort_key(box)
            if key is not None:
                neighbour = (Location.select(Location.walk_order)
                             .join(Box, on=(Box.home == Location.id))
                             .join(Volume, on=(Volume.box == Box.id))
                             .join(Customer, on=(Customer.id == Volume.customer))
                             .where((Location.zone_class == "LV")
                                    & (pw.Tuple(Customer.line, Customer.area, Customer.number)
                                       <= pw.Tuple(*key)))
                             .order_by(Customer.line.desc(), Customer.area.desc(),
                                       Customer.number.desc())
                             .scalar())
                if neighbour is not None:
                    after = free_cells.where(Location.walk_order >= neighbour).first()
                    if after is not None:
                        return location_info(after)
        first = free_cells.first()
        return location_info(first) if first else None
