"""A small archive at the end of its life, for disposal, hold and fixity tests.

C1 (cancelled, LV): box B1 -> volume -> d1 (scan s1), alone in its box on a shelf.
C2 (cancelled, LV): box B2 -> volume -> d2 (scan s2), d3 (scan s3), d7 (billing: review).
C3 (active): d4 shares scan s3 with d3, not due.  C4 (cancelled, held): d5 due but held.
C5 (active, stray cancellation date): d8 dated but never proposed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from hudang.store.models import Customer, Document, DocumentPage, ScanFile
from hudang.store.services import fixity, holds, locations, registry, shelving, users
from hudang.store.services.ingest import ScanStore

from .helpers import KEEPER, customer, small_storeroom

D = dt.date
DESTROY_CLASSES = ["cancelled-hv", "cancelled-lv"]
DUE = D(2020, 1, 1)


@dataclass
class World:
    store: ScanStore
    docs: dict[str, int] = field(default_factory=dict)
    barcodes: dict[str, str] = field(default_factory=dict)
    scans: dict[str, str] = field(default_factory=dict)  # name -> sha256
    boxes: dict[str, str] = field(default_factory=dict)


def _scan(world: World, name: str, tmp: Path) -> ScanFile:
    src = tmp / f"{name}.bin"
    src.write_bytes(f"scan {name} ".encode() * 50)
    sha, size = world.store.put(src)
    sf = ScanFile.create(sha256=sha, size=size, media_type="application/pdf",
                         original_name=f"{name}.pdf", page_count=1)
    fixity.record_filed(sf.id, sha, fixity.sm3_of(world.store.path_for(sha)))
    world.scans[name] = sha
    return sf


def _doc(world: World, name: str, number: str, vol: str | None, category: str = "YK",
         retention_class: str = "cancelled-lv", eligible: D | None = DUE,
         scan: ScanFile | None = None) -> None:
    code = registry.register_document(number, category, "用电申请书", KEEPER, volume_code=vol,
                                      page_count=1 if scan else 0, filed_on=D(2015, 1, 1))
    doc = Document.get(Document.barcode == code)
    Document.update(retention_class=retention_class, retention_eligible_on=eligible,
                    retention_note="[dated] test").where(Document.id == doc.id).execute()
    if scan is not None:
        DocumentPage.create(document=doc, scan_file=scan, page_no=1, seq=1)
    world.docs[name], world.barcodes[name] = doc.id, code


def _cancel(number: str) -> None:
    Customer.update(status="cancelled", cancelled_on=D(2016, 3, 1)).where(
        Customer.number == number).execute()


def build(tmp: Path) -> World:
    world = World(ScanStore(tmp / "scans"))
    small_storeroom()
    for number in ("3300000001", "3300000002", "3300000003", "3300000004", "3300000005"):
        customer(number)
    for number in ("3300000001", "3300000002", "3300000004"):
        _cancel(number)
    Customer.update(cancelled_on=D(2016, 3, 1)).where(Customer.number == "3300000005").execute()
    s1, s2, s3 = (_scan(world, n, tmp) for n in ("s1", "s2", "s3"))
    for name, number in (("B1", "3300000001"), ("B2", "3300000002")):
        box = registry.register_box("LV", KEEPER)
        world.boxes[name] = box
        vol = registry.register_volume(number, KEEPER, box_code=box)
        if name == "B1":
            _doc(world, "d1", number, vol, scan=s1)
        else:
            _doc(world, "d2", number, vol, scan=s2)
            _doc(world, "d3", number, vol, scan=s3)
            _doc(world, "d7", number, vol, category="DF", retention_class="billing-10y")
        cell = "K1-X-01-L-01-1-1" if name == "B1" else "K1-X-01-L-01-1-2"
        shelving.place_box(box, locations.get_location(cell).barcode, KEEPER)
    _doc(world, "d4", "3300000003", None, eligible=None, scan=s3)
    _doc(world, "d5", "3300000004", None)
    holds.place("3300000004", "诉讼：(2026)粤0604民初1号", KEEPER)
    _doc(world, "d8", "3300000005", None)
    for name, role in (("boss", "approver"), ("app1", "approver"), ("app2", "approver"),
                       ("wit1", "keeper"), ("wit2", "auditor"), ("keeper1", "keeper")):
        users.add_user(name, name.upper(), role, "password123", issue_card=False)
    return world
