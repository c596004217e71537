"""Stocktake (盘点): what should be in a scope, compared with what the keeper scanned there.

A stocktake only reads the archive and compares; it never changes a box's loan state or
home. The desk warns while scanning (`check_scan`: a box seen twice, in the wrong cell,
from outside the scope, or lent out), tracks which cells were counted (boxes whose cell was
never counted are "not counted", not "missing"), and finishing writes a single audit event
with the report's counts: once per stocktake, however often it is asked (`finish` takes the
stocktake's token).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hudang.common.domain import BoxStatus
from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import BOX_STATUSES
from hudang.store.errors import NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import AuditEvent
from hudang.store.services import exports, rawsql
from hudang.store.services.dto import LocationInfo
from hudang.store.services.locations import cells_under, get_location

# Statuses under which a box is expected on its shelf; any other means "away, legitimately".
PRESENT_STATUSES = (BoxStatus.ON_SHELF,)
AWAY_STATUSES = (BoxStatus.ON_LOAN, BoxStatus.READING_ROOM)


@dataclass(frozen=True)
class ExpectedBox:
    """A box whose home is inside the scope."""

    barcode: str
    status: str
    home_code: str
    home_label: str


@dataclass(frozen=True)
class StocktakeScope:
    """The cells of a shelf / section / row / room and the boxes whose home is there."""

    root: LocationInfo
    cells: list[LocationInfo]
    expected: dict[str, ExpectedBox]  # box barcode -> expectation

    @property
    def cell_codes(self) -> set[str]:
        return {c.code for c in self.cells}


@dataclass(frozen=True)
class ReportLine:
    """One finding: which box, where it was seen, where it belongs, its status."""

    kind: str  # missing misplaced unexpected on_loan_present unknown
    box: str
    seen_at: str | None
    home: str | None
    status: str | None


@dataclass
class StocktakeReport:
    """The outcome of a stocktake; `ok` lists boxes found where they belong."""

    scope: str
    scanned: int
    ok: list[str] = field(default_factory=list)
    missing: list[ReportLine] = field(default_factory=list)
    misplaced: list[ReportLine] = field(default_factory=list)
    unexpected: list[ReportLine] = field(default_factory=list)
    on_loan_present: list[ReportLine] = field(default_factory=list)
    not_counted: list[ReportLine] = field(default_factory=list)  # home cell never scanned
    uncounted_cells: list[str] = field(default_factory=list)

    def lines(self) -> list[ReportLine]:
        return (self.missing + self.misplaced + self.unexpected + self.on_loan_present
                + self.not_counted)

    def counts(self) -> dict[str, int]:
        return {"ok": len(self.ok), "missing": len(self.missing),
                "misplaced": len(self.misplaced), "unexpected": len(self.unexpected),
                "on_loan_present": len(self.on_loan_present),
                "not_counted": len(self.not_counted),
                "uncounted_cells": len(self.uncounted_cells)}


_EXPECTED = ("SELECT b.barcode, b.status, l.code, l.name FROM box b JOIN location l "
             "ON l.id = b.home_id WHERE l.code = ? OR l.code LIKE ?")
_BOX = ("SELECT b.barcode, b.status, l.code FROM box b LEFT JOIN location l "
        "ON l.id = b.home_id WHERE b.barcode = ?")


def open_scope(code: str) -> StocktakeScope:
    """The scope rooted at a location code or position barcode (shelf, section, row, room)."""
    root = get_location(code.strip().upper())
    cells = cells_under(root.code)
    if not cells:
        raise ValidationError(t("{c} 下没有格位", "{c} holds no shelf positions", c=root.code))
    with read_tx():
        rows = rawsql.rows(_EXPECTED, (root.code, root.code + "-%"))
    expected = {r[0]: ExpectedBox(r[0], r[1], r[2], r[3]) for r in rows}
    return StocktakeScope(root, cells, expected)


def resolve_cell(scope: StocktakeScope, code: str) -> LocationInfo:
    """The cell of the scope a scanned position barcode (or typed code) names."""
    key = default_scheme().parse(code).code
    for cell in scope.cells:
        if key in (cell.barcode, cell.code):
            return cell
    raise NotFound(t("{c} 不在本次盘点范围 {s} 内", "{c} is outside this stocktake ({s})",
                     c=key, s=scope.root.code))


def check_scan(scope: StocktakeScope, cell_code: str, box_code: str,
               seen: set[str]) -> str | None:
    """A live warning for one box scanned in a cell (no database): what is odd about it.

    "duplicate" (already scanned in this stocktake), "foreign" (its home is outside the
    scope, or it is not registered), "misplaced" (its home is another cell of the scope),
    "on_loan_present" (recorded as lent out, yet here); None when it is where it belongs.
    """
    if box_code in seen:
        return "duplicate"
    exp = scope.expected.get(box_code)
    if exp is None:
        return "foreign"
    if exp.home_code != cell_code:
        return "misplaced"
    if exp.status in AWAY_STATUSES:
        return "on_loan_present"
    return None


def build_report(scope: StocktakeScope, seen: list[tuple[str, str]],
                 counted_cells: set[str] | None = None) -> StocktakeReport:
    """Compare scans — (cell code, box barcode) pairs — with what should be in the scope.

    `counted_cells`: the cells the keeper scanned (by default every cell of the scope); a box
    not found whose home cell was never counted is "not counted", not "missing".
    """
    report = StocktakeReport(scope.root.code, len(seen))
    counted = set(counted_cells) if counted_cells is not None else scope.cell_codes
    report.uncounted_cells = [c.code for c in scope.cells if c.code not in counted]
    found: set[str] = set()
    with read_tx():
        for cell_code, raw in seen:
            code = default_scheme().parse(raw).code
            if code in found:
                continue
            found.add(code)
            exp = scope.expected.get(code)
            if exp is None:
                r = rawsql.one(_BOX, (code,))
                status, home = (r[1], r[2]) if r else (None, None)
                report.unexpected.append(
                    ReportLine("unexpected" if r else "unknown", code, cell_code, home, status))
                if r and status in AWAY_STATUSES:
                    report.on_loan_present.append(
                        ReportLine("on_loan_present", code, cell_code, home, status))
                continue
            if exp.status in AWAY_STATUSES:
                report.on_loan_present.append(
                    ReportLine("on_loan_present", code, cell_code, exp.home_code, exp.status))
            if exp.home_code != cell_code:
                report.misplaced.append(
                    ReportLine("misplaced", code, cell_code, exp.home_code, exp.status))
            elif exp.status not in AWAY_STATUSES:
                report.ok.append(code)
    for code, exp in sorted(scope.expected.items(), key=lambda kv: (kv[1].home_code, kv[0])):
        if code not in found and exp.status not in AWAY_STATUSES:
            kind = "missing" if exp.home_code in counted else "not_counted"
            line = ReportLine(kind, code, None, exp.home_code, exp.status)
            (report.missing if kind == "missing" else report.not_counted).append(line)
    return report


def finish(report: StocktakeReport, actor: Actor, token: str = "") -> bool:
    """Record that a stocktake was done (counts only); box states are left as they are.

    With the stocktake's `token`, finishing again (a second key press, a second terminal
    resuming the same stocktake) records nothing and returns False.
    """
    with write_tx():
        if token and (AuditEvent.select().where(
                (AuditEvent.action == "stocktake.finish")
                & (AuditEvent.entity_id == report.scope)
                & AuditEvent.after.contains(f'"token":"{token}"')).exists()):
            return False
        after = {"scanned": report.scanned, **report.counts()}
        if token:
            after["token"] = token
        audit.record(actor, "stocktake.finish", "location", report.scope, None, after)
        return True


CSV_HEADER = ("finding", "box", "seen_at", "home", "status")  # English: for scripts
CSV_HEADER_ZH = ("发现", "档案盒", "扫描位置", "归属架位", "状态")
FINDING_NAMES = {"missing": ("缺失", "missing"), "misplaced": ("错架", "misplaced"),
                 "unexpected": ("多出", "unexpected"), "unknown": ("未登记", "unknown"),
                 "on_loan_present": ("借出但在架", "on loan but present"),
                 "not_counted": ("未盘点", "not counted"), "ok": ("正常", "OK"),
                 "duplicate": ("重复扫描", "scanned twice"),
                 "foreign": ("不属于本范围", "not from this scope"),
                 "uncounted_cells": ("未盘点格位", "cells not counted")}


def finding_name(kind: str) -> str:
    zh, en = FINDING_NAMES.get(kind, (kind, kind))
    return t(zh, en)


def _status_name(status: str | None) -> str:
    """A box status in the report's language (the stored code in English)."""
    if not status:
        return ""
    return t(BOX_STATUSES.get(status, status), status)


def report_table(report: StocktakeReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The report as a header and one row per finding (in the report's language)."""
    header = CSV_HEADER if t("zh", "en") == "en" else CSV_HEADER_ZH
    return header, [(finding_name(line.kind), line.box, line.seen_at or "", line.home or "",
                     _status_name(line.status)) for line in report.lines()]


def write_report_csv(report: StocktakeReport, path, encoding: str = "utf-8-sig"
                     ) -> exports.CsvWritten:
    """The report as a CSV file people open in Excel (`exports.write_csv`)."""
    header, rows = report_table(report)
    return exports.write_csv(path, header, rows, encoding)
