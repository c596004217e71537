"""The storeroom's places: 库房-区-列-面-节-层-格, with a barcode and capacity per cell."""

from __future__ import annotations

from dataclasses import dataclass

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import AlreadyExists, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Location
from hudang.store.services import serials
from hudang.store.services.convert import location_info
from hudang.store.services.dto import LocationInfo

SIDE_NAMES = {"L": ("左面", "left"), "R": ("右面", "right")}


@dataclass(frozen=True)
class ZoneSpec:
    """One zone (区) of dense shelving to create: rows × sides × sections × shelves × cells."""

    code: str
    zone_class: str  # HV / LV / cancelled
    rows: int
    sections: int
    shelves: int
    cells: int
    capacity: int  # boxes per cell
    sides: tuple[str, ...] = ("L", "R")
    name: str = ""


def _label(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def build_shelving(room_code: str, room_name: str, zones: list[ZoneSpec],
                   actor: Actor) -> int:
    """Create a room and its zones down to cells; return how many cells were created."""
    for z in zones:
        if z.zone_class not in ("HV", "LV", "cancelled"):
            raise ValidationError(t("区的类别必须是 HV/LV/cancelled，而不是 {c}",
                                    "zone class must be HV, LV or cancelled, not {c}",
                                    c=z.zone_class))
    scheme = default_scheme()
    created = 0
    with write_tx():
        if Location.select().where(Location.code == room_code).exists():
            raise AlreadyExists(t("库房 {c} 已存在", "room {c} already exists", c=room_code))
        room = Location.create(code=room_code, kind="room", name=room_name,
                               walk_order=room_code)
        for z in zones:
            zone_label = _label(room_name, z.name or f"{z.code}区")
            zone = Location.create(code=f"{room_code}-{z.code}", kind="zone", parent=room,
                                   name=zone_label, zone_class=z.zone_class,
                                   walk_order=f"{room_code}|{z.code}")
            n_cells = z.rows * len(z.sides) * z.sections * z.shelves * z.cells
            first = serials.allocate("position", n_cells)
            cell_rows = []
            for r in range(1, z.rows + 1):
                row = Location.create(code=f"{zone.code}-{r:02d}", kind="row", parent=zone,
                                      name=_label(zone_label, f"{r:02d}列"),
                                      zone_class=z.zone_class,
                                      walk_order=f"{zone.walk_order}|{r:03d}")
                for side_code in z.sides:
                    side_name = SIDE_NAMES.get(side_code, (side_code + "面", side_code))[0]
                    side = Location.create(code=f"{row.code}-{side_code}", kind="side",
                                           parent=row, name=_label(row.name, side_name),
                                           zone_class=z.zone_class,
                                           walk_order=f"{row.walk_order}|{side_code}")
                    for s in range(1, z.sections + 1):
                        sec = Location.create(code=f"{side.code}-{s:02d}", kind="section",
                                              parent=side, name=_label(side.name, f"{s:02d}节"),
                                              zone_class=z.zone_class,
                                              walk_order=f"{side.walk_order}|{s:03d}")
                        for h in range(1, z.shelves + 1):
                            shelf = Location.create(
                                code=f"{sec.code}-{h}", kind="shelf", parent=sec,
                                name=_label(sec.name, f"{h}层"), zone_class=z.zone_class,
                                walk_order=f"{sec.walk_order}|{h:02d}")
                            for c in range(1, z.cells + 1):
                                serial = first + len(cell_rows)
                                cell_rows.append(dict(
                                    code=f"{shelf.code}-{c}", kind="cell", parent=shelf.id,
                                    name=_label(shelf.name, f"{c}格"),
                                    barcode=scheme.make("position", serial),
                                    capacity=z.capacity, used=0, zone_class=z.zone_class,
                                    walk_order=f"{shelf.walk_order}|{c:02d}"))
            for i in range(0, len(cell_rows), 500):
                Location.insert_many(cell_rows[i:i + 500]).execute()
            created += len(cell_rows)
        audit.record(actor, "location.build", "location", room_code, None,
                     {"room": room_name, "zones": [z.code for z in zones], "cells": created})
    return created


def add_safe(room_code: str, code: str, name: str, capacity: int, actor: Actor) -> LocationInfo:
    """A safe (保险柜) for rights certificates (权证), shelved like a cell."""
    with write_tx():
        room = Location.get_or_none((Location.code == room_code) & (Location.kind == "room"))
        if room is None:
            raise NotFound(t("没有库房 {c}", "no room {c}", c=room_code))
        serial = serials.allocate("position")
        loc = Location.create(code=f"{room_code}-{code}", kind="safe", parent=room,
                              name=_label(room.name, name), capacity=capacity,
                              barcode=default_scheme().make("position", serial),
                              zone_class="safe", walk_order=f"{room_code}|~{code}")
        audit.record(actor, "location.add_safe", "location", loc.code, None,
                     {"name": loc.name, "capacity": capacity})
    return location_info(loc)


def get_location(code_or_barcode: str) -> LocationInfo:
    """A location by its code (K1-A-03-L-02-4-1) or its position barcode."""
    key = code_or_barcode.strip().upper()
    with read_tx():
        loc = Location.get_or_none((Location.code == key) | (Location.barcode == key))
        if loc is None:
            raise NotFound(t("没有位置 {c}", "no location {c}", c=code_or_barcode))
        return location_info(loc)


def cells_under(code: str) -> list[LocationInfo]:
    """Every cell or safe under a room, zone, row, side, section or shelf, in walking order."""
    with read_tx():
        root = Location.get_or_none(Location.code == code.strip().upper())
        if root is None:
            raise NotFound(t("没有位置 {c}", "no location {c}", c=code))
        if root.kind in ("cell", "safe"):
            return [location_info(root)]
        prefix = root.code + "-"
        rows = (Location.select()
                .where(Location.code.startswith(prefix) & Location.kind.in_(["cell", "safe"]))
                .order_by(Location.walk_order))
        return [location_info(r) for r in rows]


def list_rooms() -> list[LocationInfo]:
    with read_tx():
        return [location_info(r) for r in
                Location.select().where(Location.kind.in_(["room", "zone"]))
                .order_by(Location.walk_order)]
