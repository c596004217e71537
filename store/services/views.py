"""Read models of boxes, volumes, documents and positions, built from SQL written once."""

from __future__ import annotations

import datetime as dt

from store.services import rawsql
from store.services.dto import (
    BoxInfo, DocumentInfo, LocationInfo, MovementInfo, PositionInfo, VolumeInfo,
)

LOC_COLS = "id, code, kind, name, barcode, capacity, used, zone_class"
_LOC_BY_ID = f"SELECT {LOC_COLS} FROM location WHERE id = ?"
_BOX = ("SELECT id, barcode, voltage_class, status, label, home_id, current_id, version "
        "FROM box WHERE {where}")
_BOX_CUSTOMERS = ("SELECT DISTINCT c.number, c.name FROM volume v JOIN customer c "
                  "ON c.id = v.customer_id WHERE v.box_id = ? ORDER BY c.number")
_BOX_CONTENTS = ("SELECT d.category, COUNT(*) FROM document d JOIN volume v "
                 "ON v.id = d.volume_id WHERE v.box_id = ? GROUP BY d.category")
_BOX_VOLUMES = "SELECT COUNT(*) FROM volume WHERE box_id = ?"
_MOVES = ("SELECT m.at, m.kind, f.code, tl.code, m.actor, m.note FROM movement m "
          "LEFT JOIN location f ON f.id = m.from_location_id "
          "LEFT JOIN location tl ON tl.id = m.to_location_id "
          "WHERE m.box_id = ? ORDER BY m.id DESC LIMIT ?")


def _as_datetime(v) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v))


def _as_date(v) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def location_by_id(loc_id: int | None) -> LocationInfo | None:
    if loc_id is None:
        return None
    r = rawsql.one(_LOC_BY_ID, (loc_id,))
    return None if r is None else LocationInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])


def box_info(where: str, param, *, detail: bool = True, moves: int = 5) -> BoxInfo | None:
    """A box by `where` ('id = ?' or 'barcode = ?'), with its customers, contents and moves."""
    r = rawsql.one(_BOX.format(where=where), (param,))
    if r is None:
        return None
    box_id, home_id, current_id = r[0], r[5], r[6]
    home = location_by_id(home_id)
    current = home if current_id == home_id else location_by_id(current_id)
    if not detail:
        return BoxInfo(box_id, r[1], r[2], r[3], r[4], home, current, version=r[7])
    customers = [(n, name) for n, name in rawsql.rows(_BOX_CUSTOMERS, (box_id,))]
    contents = dict(rawsql.rows(_BOX_CONTENTS, (box_id,)))
    volumes = rawsql.one(_BOX_VOLUMES, (box_id,))[0]
    movements = [MovementInfo(_as_datetime(m[0]), m[1], m[2], m[3], m[4], m[5])
                 for m in rawsql.rows(_MOVES, (box_id, moves))]
    return BoxInfo(box_id, r[1], r[2], r[3], r[4], home, current, customers, contents,
                   volumes, movements, r[7])


_VOLUME = ("SELECT v.id, v.barcode, c.number, c.name, v.category, v.title, v.seq, v.box_id "
           "FROM volume v JOIN customer c ON c.id = v.customer_id WHERE v.{where}")
_VOLUME_CONTENTS = "SELECT category, COUNT(*) FROM document WHERE volume_id = ? GROUP BY category"


def volume_info(where: str, param) -> VolumeInfo | None:
    r = rawsql.one(_VOLUME.format(where=where), (param,))
    if r is None:
        return None
    box = box_info("id = ?", r[7]) if r[7] is not None else None
    contents = dict(rawsql.rows(_VOLUME_CONTENTS, (r[0],)))
    return VolumeInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], box, contents)


_DOCUMENT = ("SELECT d.id, d.barcode, c.number, c.name, d.category, d.doc_type, d.title, "
             "d.page_count, d.filed_on, d.business_process, v.barcode, b.barcode, hl.name, "
             "(SELECT COUNT(*) FROM document_page p WHERE p.document_id = d.id), "
             "d.retention_eligible_on "
             "FROM document d JOIN customer c ON c.id = d.customer_id "
             "LEFT JOIN volume v ON v.id = d.volume_id LEFT JOIN box b ON b.id = v.box_id "
             "LEFT JOIN location hl ON hl.id = b.home_id WHERE d.{where}")


def _document_row(r: tuple) -> DocumentInfo:
    return DocumentInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _as_date(r[8]), r[9],
                        r[10], r[11], r[12], r[13], _as_date(r[14]))


def document_info(where: str, param) -> DocumentInfo | None:
    r = rawsql.one(_DOCUMENT.format(where=where), (param,))
    return None if r is None else _document_row(r)


def customer_documents(customer_id: int) -> list[DocumentInfo]:
    """Every document of a customer, in filing-date order."""
    sql = _DOCUMENT.format(where="customer_id = ? ORDER BY d.filed_on, d.id")
    return [_document_row(r) for r in rawsql.rows(sql, (customer_id,))]


def boxes_of_customer(customer_id: int) -> list[BoxInfo]:
    ids = rawsql.rows("SELECT DISTINCT box_id FROM volume WHERE customer_id = ? "
                      "AND box_id IS NOT NULL ORDER BY box_id", (customer_id,))
    return [b for (i,) in ids if (b := box_info("id = ?", i, moves=3)) is not None]


def customer_contents(customer_id: int) -> dict[str, int]:
    return dict(rawsql.rows("SELECT category, COUNT(*) FROM document WHERE customer_id = ? "
                            "GROUP BY category", (customer_id,)))


def position_info(loc: LocationInfo) -> PositionInfo:
    home = [b for (i,) in rawsql.rows("SELECT id FROM box WHERE home_id = ? ORDER BY barcode",
                                      (loc.id,))
            if (b := box_info("id = ?", i, moves=1))]
    present = [b for (i,) in rawsql.rows("SELECT id FROM box WHERE current_id = ? "
                                         "ORDER BY barcode", (loc.id,))
               if (b := box_info("id = ?", i, moves=1))]
    return PositionInfo(loc, home, present)
