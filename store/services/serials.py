"""Allocating barcode serials, race-free on both backends."""

from __future__ import annotations

from hudang.store import db as dbmod
from hudang.store.barcodes import BarcodeScheme, default_scheme
from hudang.store.models import BarcodeSerial


def allocate(kind: str, count: int = 1) -> int:
    """Reserve `count` consecutive serials of `kind`; return the first. Call in a write tx."""
    with dbmod.write_tx():
        BarcodeSerial.insert(kind=kind, next_serial=1).on_conflict_ignore().execute()
        if dbmod.is_postgres():
            row = (BarcodeSerial.select().where(BarcodeSerial.kind == kind)
                   .for_update().get())
        else:
            row = BarcodeSerial.get(BarcodeSerial.kind == kind)
        first = row.next_serial
        (BarcodeSerial.update(next_serial=BarcodeSerial.next_serial + count)
         .where(BarcodeSerial.kind == kind).execute())
    return first


def new_barcodes(kind: str, count: int = 1, scheme: BarcodeScheme | None = None) -> list[str]:
    """`count` fresh barcodes of `kind`."""
    scheme = scheme or default_scheme()
    first = allocate(kind, count)
    return [scheme.make(kind, first + i) for i in range(count)]


def reserve_through(kind: str, serial: int) -> None:
    """Make sure serials up to `serial` are never handed out again (pre-printed labels)."""
    with dbmod.write_tx():
        BarcodeSerial.insert(kind=kind, next_serial=1).on_conflict_ignore().execute()
        (BarcodeSerial.update(next_serial=serial + 1)
         .where((BarcodeSerial.kind == kind) & (BarcodeSerial.next_serial <= serial)).execute())
