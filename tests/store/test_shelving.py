"""Shelving on every backend: zones, capacity, moves, suggestions, and the race for a slot."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pytest

from hudang.store import archive
from hudang.store.errors import AlreadyShelved, PositionFull, WrongZone
from hudang.store.models import Location, Movement
from hudang.store.services import customers, locations, registry, shelving

from .helpers import KEEPER, box_with, customer, small_storeroom


def cell(code: str) -> str:
    return locations.get_location(code).barcode


def test_place_checks_zone_capacity_and_records_movement(db):
    small_storeroom()
    customer("3300000001", voltage="HV", area="")
    customer("3300000002")
    customer("3300000003")
    hv = box_with(["3300000001"], voltage="HV")
    lv = box_with(["3300000002", "3300000003"])
    with pytest.raises(WrongZone, match="高压区"):
        shelving.place_box(hv, cell("K1-B-01-L-01-1-1"), KEEPER)
    out = shelving.place_box(hv, cell("K1-A-01-L-01-1-1"), KEEPER)
    assert out.action == "placed" and out.box.home.code == "K1-A-01-L-01-1-1"
    assert out.box.status == "on_shelf" and out.position.used == 1
    another = box_with([], voltage="HV")
    with pytest.raises(PositionFull):
        shelving.place_box(another, cell("K1-A-01-L-01-1-1"), KEEPER)
    with pytest.raises(AlreadyShelved) as exc:
        shelving.place_box(hv, cell("K1-A-01-L-01-1-2"), KEEPER)
    assert exc.value.current_code == "K1-A-01-L-01-1-1"
    assert shelving.place_box(hv, cell("K1-A-01-L-01-1-1"), KEEPER).action == "already_here"
    shelving.place_box(lv, "K1-B-01-L-01-1-1", KEEPER)  # by location code works too
    assert Movement.select().count() == 2


def test_move_frees_old_slot_and_freed_slots_are_offered_first(db):
    small_storeroom()
    for n in ("3300000011", "3300000012", "3300000013"):
        customer(n)
    a, b = box_with(["3300000011"]), box_with(["3300000012"])
    shelving.place_box(a, cell("K1-B-01-L-01-1-1"), KEEPER)
    shelving.place_box(b, cell("K1-B-01-L-01-1-1"), KEEPER)
    customers.cancel_customer("3300000011", dt.date(2025, 1, 1), KEEPER)
    out = shelving.move_box(a, cell("K1-X-01-L-01-1-1"), KEEPER, note="销户")
    assert out.action == "moved"
    assert Location.get(Location.code == "K1-B-01-L-01-1-1").used == 1
    new = box_with(["3300000013"])
    assert shelving.suggest_position(new).code == "K1-B-01-L-01-1-1"  # 顶号换空间


def test_cancelled_box_is_suggested_the_cancelled_area_and_refused_elsewhere(db):
    small_storeroom()
    customer("3300000021")
    box = box_with(["3300000021"])
    customers.cancel_customer("3300000021", dt.date(2025, 1, 1), KEEPER)
    assert shelving.suggest_position(box).zone_class == "cancelled"
    with pytest.raises(WrongZone):
        shelving.place_box(box, cell("K1-B-01-L-01-1-1"), KEEPER)


def test_hv_box_holds_one_customer(db):
    customer("3300000031", voltage="HV", area="")
    customer("3300000032", voltage="HV", area="")
    box = box_with(["3300000031"], voltage="HV")
    with pytest.raises(Exception, match="一个客户"):
        registry.register_volume("3300000032", KEEPER, box_code=box)


def _race_worker(url: str, box: str, position: str, start, results) -> None:
    archive.open_archive(url)
    start.wait()
    try:
        shelving.place_box(box, position, KEEPER)
        results.put("ok")
    except PositionFull:
        results.put("full")
    except Exception as exc:  # noqa: BLE001 - report anything else to the test
        results.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        archive.close_archive()


def test_race_for_the_last_slot_has_exactly_one_winner(db, archive_url):
    small_storeroom()
    boxes = [registry.register_box("HV", KEEPER) for _ in range(6)]
    position = cell("K1-A-01-L-01-1-2")
    archive.close_archive()
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_race_worker, args=(archive_url, b, position, start, results))
             for b in boxes]
    for p in procs:
        p.start()
    start.set()
    outcomes = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert outcomes == ["full"] * 5 + ["ok"], outcomes
    archive.open_archive(archive_url)
    assert Location.get(Location.barcode == position).used == 1
