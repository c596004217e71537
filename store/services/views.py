"""Read models of boxes, volumes, documents and positions, built from SQL written once."""

from __future__ import annotations

import datetime as dt

from hudang.store.services import rawsql
from hudang.store.services.dto import (
    BoxInfo, DocumentInfo, LocationInfo, MovementInfo, PositionInfo, VolumeInfo,
)

LOC_COLS = "id, code, kind, name, barcode, capacity, used, zone_class"
_LOC_BY_ID = f"SELECT {LOC_COLS} FROM location WHERE id = ?"
_L = "{a}.id, {a}.code, {a}.kind, {a}.name, {a}.barcode, {a}.capacity, {a}.used, {a}.zone_class"
# One round trip for the box, both of its positions and its volume count.
_BOX = ("SELECT b.id, b.barcode, b.voltage_class, b.status, b.label, b.version, "
        "(SELECT COUNT(*) FROM volume v WHERE v.box_id = b.id), "
        + _L.format(a="h") + ", " + _L.format(a="c") +
        " FROM box b LEFT JOIN location h ON h.id = b.home_id "
        "LEFT JOIN location c ON c.id = b.current_id WHERE b.{where}")
# One round trip for who is in the box and what they have in it, by category.
_BOX_CONTENTS = ("SELECT c.number, c.name, d.category, COUNT(d.id) FROM volume v "
                 "JOIN customer c ON c.id = v.customer_id "
                 "LEFT JOIN document d ON d.volume_id = v.id WHERE v.box_id = ? "
                 "GROUP BY c.number, c.name, d.category ORDER BY c.number")
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


def _loc(cols: tuple) -> LocationInfo | None:
    return None if cols[0] is None else LocationInfo(*cols)


def location_by_id(loc_id: int | None) -> LocationInfo | None:
    if loc_id is None:
        return None
    r = rawsql.one(_LOC_BY_ID, (loc_id,))
    return None if r is None else LocationInfo(*r)


def box_info(where: str, param, *, detail: bool = True, moves: int = 5) -> BoxInfo | None:
    """A box by `where` ('id = ?' or 'barcode = ?'), with its customers, contents and moves."""
    r = rawsql.one(_BOX.format(where=where), (param,))
    if r is None:
        return None
    box_id = r[0]
    home, current = _loc(r[7:15]), _loc(r[15:23])
    if not detail:
        return BoxInfo(box_id, r[1], r[2], r[3], r[4], home, current, volumes=r[6],
                       version=r[5])
    customers: list[tuple[str, str]] = []
    contents: dict[str, int] = {}
    for number, name, category, n in rawsql.rows(_BOX_CONTENTS, (box_id,)):
        if not customers or customers[-1][0] != number:
            customers.append((number, name))
        if category is not None:
            contents[category] = contents.get(category, 0) + n
    movements = [MovementInfo(_as_datetime(m[0]), m[1], m[2], m[3], m[4], m[5])
                 for m in rawsql.rows(_MOVES, (box_id, moves))] if moves else []
    return BoxInfo(box_id, r[1], r[2], r[3], r[4], home, current, customers, contents,
                   r[6], movements, r[5])


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
             "d.retention_eligible_on, "
             "(SELECT MIN(s.station) FROM document_page p JOIN scan_file s "
             "ON s.id = p.scan_file_id WHERE p.document_id = d.id), "
             "EXISTS (SELECT 1 FROM tombstone t WHERE t.document_id = d.id) "
             "FROM document d JOIN customer c ON c.id = d.customer_id "
             "LEFT JOIN volume v ON v.id = d.volume_id LEFT JOIN box b ON b.id = v.box_id "
             "LEFT JOIN location hl ON hl.id = b.home_id WHERE d.{where}")


def _document_row(r: tuple) -> DocumentInfo:
    return DocumentInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _as_date(r[8]), r[9],
                        r[10], r[11], r[12], r[13], _as_date(r[14]), r[15] or None,
                        bool(r[16]))


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
