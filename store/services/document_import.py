"""Importing the catalogue of existing paper documents (存量文件目录) from CSV.

A site moving to hudang brings its old system's catalogue: one row per document of a customer
already in the archive (import the customers first). Every row is validated; a bad file
imports nothing and lists each problem with its row number. A good file is inserted in one
transaction with one audit event (`document.import`); importing the same file again is
refused (its SHA-256 is in that event). Volumes (卷) and boxes (盒) the catalogue names that
the archive does not have yet are registered with it, under the box rule `boxing` enforces.
Retention is decided as filing decides it (`retention.decide_memoised`), once per distinct set
of facts rather than once per row.

Speed (docs/csv-import.md): the file is checked column by column, each repeated value
(category, date, volume, box) once, and only a row with a problem is looked at on its own;
the archive is asked once per column (customers, barcodes, volumes, boxes), and the rows are
inserted with one prepared statement (COPY on PostgreSQL) from columns zipped together.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import itertools
import json
import operator
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from dataclasses import field as dc_field
from pathlib import Path
from typing import NamedTuple

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.barcodes import BarcodeScheme, check_char, default_scheme
from hudang.store.bulk import (Batch, Constant, Target, bulk_insert, collector_paused,
                               db_timestamp, load_cache_kib, load_staged, page_cache,
                               reserve_ids, staged_load_available)
from hudang.common.domain import BoxStatus
from hudang.store.domain import HV, LV, VOLTAGE_CLASSES, category_code, local_time
from hudang.store.errors import AlreadyImported, BadCheckCharacter, ImportFailed
from hudang.store.i18n import t
from hudang.store.progress import Progress, no_progress
from hudang.store.services import serials
from hudang.store.services.business_import import lookup_in
from hudang.store.services.csvfile import (aliases, decode_csv_bytes, header_map, read_header,
                                           rejection)
from hudang.store.services.retention import decide_memoised
from hudang.store.services.retention_policy import RetentionRules
from hudang.store.textclean import ascii_identifier, unsafe_character

# field -> accepted header names (Chinese first, then English); matching ignores case/spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_number": ("户号", "客户编号", "用户编号", "customer_number", "customer",
                        "customer_no"),
    "category": ("类别", "档案类别", "category"),
    "doc_type": ("文件类型", "doc_type", "type"),
    "title": ("题名", "文件题名", "title"),
    "filed_on": ("日期", "形成日期", "归档日期", "date", "filed_on"),
    "page_count": ("页数", "pages", "page_count"),
    "barcode": ("条码", "文件条码", "barcode"),
    "business_process": ("业务流程", "业务类型", "business_process", "process"),
    "volume": ("案卷条码", "卷条码", "volume"),
    "box": ("档案盒条码", "盒条码", "box"),
}
FIELDS = tuple(COLUMNS)
REQUIRED = ("customer_number", "category", "doc_type", "filed_on")
# Limits of the columns the values land in (store/models.py); pages: a box holds no more.
_MAX_LEN = {"customer_number": 32, "doc_type": 64, "title": 256, "business_process": 64,
            "barcode": 32, "volume": 32, "box": 32}
MAX_PAGES = 99_999
EARLIEST = dt.date(1900, 1, 1)
_MAX_PROBLEMS = 200
_STEP = 50_000  # rows per insert statement, and per progress report
_ALIASES = aliases(COLUMNS)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
DOCUMENT_COLUMNS = ("id", "barcode", "customer_id", "volume_id", "category", "doc_type", "title",
                    "page_count", "filed_on", "business_process", "retention_class",
                    "retention_eligible_on", "retention_note", "retention_ruleset",
                    "legal_hold", "created_at")
VOLUME_COLUMNS = ("id", "barcode", "customer_id", "box_id", "category", "title", "seq",
                  "created_at")
BOX_COLUMNS = ("id", "barcode", "voltage_class", "status", "label", "created_at", "version")


@dataclass(frozen=True)
class DocumentImportResult:
    """What a documents import did."""

    count: int
    file_name: str
    sha256: str
    encoding: str
    customers: int
    categories: dict[str, int]
    barcodes_generated: int
    volumes_created: int
    boxes_created: int
    first_id: int
    last_id: int
    retention_ruleset: str = ""  # "" when no retention rules were given (decided later)
    retention: dict[str, int] = dc_field(default_factory=dict)  # status -> documents

    @property
    def imported(self) -> int:
        """How many documents were imported (same as `count`)."""
        return self.count


# ---------------------------------------------------------------- reading the file

def _header_map(header: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Column index per field, or the problems with the header row."""
    return header_map(header, COLUMNS, REQUIRED, _ALIASES)


def parse_date(text: str) -> dt.date | None:
    """A catalogue date: 2019-03-01, 2019/3/1, 2019.03.01, 20190301 or 2019年3月1日 (a time
    after it is ignored); None when it is not a real date."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():  # DA/T 22 writes dates as 20190301
        parts = (text[:4], text[4:6], text[6:])
    else:
        m = _DATE.fullmatch(ascii_identifier(text))
        if m is None:
            return None
        parts = m.groups()
    try:
        return dt.date(*map(int, parts))
    except ValueError:
        return None


@dataclass
class Catalogue:
    """A catalogue file's rows, column by column (what set-based checks and inserts read)."""

    row_nos: list[int]
    numbers: list[str]
    categories: list[str]
    doc_types: list[str]
    titles: list[str]
    dates: list[dt.date | None]
    pages: list[int]
    codes: list[str]  # "" where the file gives no barcode
    processes: list[str]
    volumes: list[str]
    boxes: list[str]

    def __len__(self) -> int:
        return len(self.row_nos)

    def keep(self, kept: list[int]) -> None:
        """Keep only these rows (by position), in order."""
        for name, values in vars(self).items():
            setattr(self, name, [values[i] for i in kept])

    def extend(self, more: Catalogue) -> None:
        """Add the rows of `more` after these."""
        for name, values in vars(self).items():
            values.extend(getattr(more, name))


class _Cleaner:
    """Validates a file's rows column by column: a value that repeats (category, date, page
    count, volume, box) is checked once; the rare row with a problem is then checked on its
    own (`_checked`), which words every problem it has."""

    def __init__(self, cols: dict[str, int], scheme: BarcodeScheme, today: dt.date) -> None:
        self.cols, self.scheme, self.today = cols, scheme, today
        self.width = max(cols.values()) + 1
        self.limits = tuple(_MAX_LEN.get(f, 1 << 30) for f in FIELDS)
        self.categories: dict[str, str | None] = {}  # None: not a category
        self.dates: dict[str, tuple] = {}  # (date or None, problem or None)
        self.pages: dict[str, int | None] = {"": 0}  # None: not a page count
        self.codes: dict[tuple[str, str], tuple[str, str | None]] = {}  # (code, problem)
        self.shapes = {kind: (prefix, len(prefix) + scheme.digits + 1)  # prefix, code length
                       for kind, prefix in scheme.prefixes.items()}

    def catalogue(self, rows: list[list[str]], row_nos: list[int],
                  problems: list[tuple[int, str]]) -> Catalogue:
        """The rows as columns, checked; each problem is added with its row number."""
        n, width = len(rows), self.width
        if n and min(map(len, rows)) < width:
            rows = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
        vals = {f: (list(map(str.strip, map(operator.itemgetter(self.cols[f]), rows)))
                    if f in self.cols else [""] * n) for f in FIELDS}
        for f in ("customer_number", "doc_type", "business_process"):  # one string a value
            vals[f] = list(map(sys.intern, vals[f]))
        numbers = vals["customer_number"]
        if not "".join(numbers).isascii():  # full-width digits and the like: one number
            numbers = vals["customer_number"] = [v if v.isascii() else ascii_identifier(v)
                                                 for v in numbers]
        bad: set[int] = set()
        for f, limit in zip(FIELDS, self.limits):
            col = vals[f]
            if unsafe_character("\t".join(col)):  # a tab is no control character here
                bad.update(i for i, v in enumerate(col) if unsafe_character(v))
            if n and max(map(len, col)) > limit:
                bad.update(i for i, v in enumerate(col) if len(v) > limit)
            if f in REQUIRED and not all(col):
                bad.update(i for i, v in enumerate(col) if not v)
        categories = self._mapped(vals["category"], self._category, "", bad)
        dates = self._mapped(vals["filed_on"], self._date, None, bad)
        pages = self._mapped(vals["page_count"], self._pages, 0, bad)
        volumes = self._mapped(vals["volume"], functools.partial(self._code, "volume"), "", bad)
        boxes = self._mapped(vals["box"], functools.partial(self._code, "box"), "", bad)
        codes = vals["barcode"]
        if any(codes):  # every row its own barcode: checked one by one, briskly
            fast = self._fast_barcode
            codes = [c and fast(c) for c in codes]
            if None in codes:
                bad.update(i for i, c in enumerate(codes) if c is None)
        titles = [t or d for t, d in zip(vals["title"], vals["doc_type"])]
        cat = Catalogue(row_nos, numbers, categories, vals["doc_type"], titles, dates, pages,
                        codes, vals["business_process"], volumes, boxes)
        blank = []
        for i in sorted(bad):
            raw = [vals[f][i] for f in FIELDS]
            if not "".join(raw):  # only spaces: a blank line
                blank.append(i)
                continue
            values, errors = self._checked(raw, numbers[i])
            problems += [(row_nos[i], e) for e in errors]
            (cat.numbers[i], cat.categories[i], cat.doc_types[i], cat.titles[i], cat.dates[i],
             cat.pages[i], cat.codes[i], cat.processes[i], cat.volumes[i],
             cat.boxes[i]) = values
        if blank:
            drop = set(blank)
            cat.keep([i for i in range(n) if i not in drop])
        return cat

    def _mapped(self, col: list[str], check, empty: object, bad: set[int]) -> list:
        """`col` with each distinct value checked once by `check(value, problems)` (an empty
        one is `empty`); rows whose value has a problem join `bad`."""
        table: dict[str, object] = {}
        wrong = set()
        for v in set(col):
            if not v:
                table[v] = empty
                continue
            problems: list[str] = []
            table[v] = check(v, problems)
            if problems:
                wrong.add(v)
        if wrong:
            bad.update(i for i, v in enumerate(col) if v in wrong)
        return list(map(table.__getitem__, col))

    def _fast_barcode(self, raw: str) -> str | None:
        """The barcode as printed when it plainly is a good document barcode, else None."""
        return self._as_printed("document", raw)

    def _as_printed(self, kind: str, raw: str) -> str | None:
        """`raw` when it is a good `kind` barcode exactly as the scheme prints it (no parsing
        needed: upper case, its prefix, its digits, the right check character), else None."""
        prefix, total = self.shapes[kind]
        if (len(raw) == total and raw.startswith(prefix) and raw.isascii()
                and raw[len(prefix):-1].isdigit() and check_char(raw[:-1]) == raw[-1]):
            return raw
        return None

    def _checked(self, vals: list[str], number: str) -> tuple[tuple, list[str]]:
        """One row on its own, every problem worded: the row as it is kept, and its problems."""
        _n, cat_raw, doc_type, title, date_raw, pages_raw, code, process, vol, box = vals
        errors: list[str] = []
        joined = "".join(vals)
        if unsafe_character(joined):
            for f, v in zip(FIELDS, vals):
                bad = unsafe_character(v)
                if bad:
                    errors.append(t("“{col}”含控制字符 {c}", "'{col}' contains the control "
                                    "character {c}", col=COLUMNS[f][0], c=bad))
        if not all(map(operator.le, map(len, vals), self.limits)):
            for f, v, limit in zip(FIELDS, vals, self.limits):
                if len(v) > limit:
                    errors.append(t("“{col}”超过 {n} 个字符", "'{col}' is longer than {n} "
                                    "characters", col=COLUMNS[f][0], n=limit))
        if not (number and cat_raw and doc_type and date_raw):
            errors += [t("“{col}”不能为空", "'{col}' is empty", col=COLUMNS[f][0])
                       for f, v in zip(FIELDS, (number, cat_raw, doc_type, "", date_raw))
                       if f in REQUIRED and not v]
        category = self._category(cat_raw, errors) if cat_raw else ""
        filed_on = self._date(date_raw, errors) if date_raw else None
        pages = self._pages(pages_raw, errors) if pages_raw else 0
        if code:
            code = self._fast_barcode(code) or self._code("document", code, errors)
        if vol:
            vol = self._code("volume", vol, errors)
        if box:
            box = self._code("box", box, errors)
        return (number, category, doc_type, title or doc_type, filed_on, pages, code, process,
                vol, box), errors

    def _category(self, raw: str, errors: list[str]) -> str:
        code = self.categories.get(raw, "")
        if code == "":
            try:
                code = category_code(raw)
            except ValueError:
                code = None
            self.categories[raw] = code
        if code is None:
            errors.append(t("类别“{v}”应为 YK/YJ/JL/DF/QT 或 业扩/用检/计量/电费/其它",
                            "category '{v}' must be YK/YJ/JL/DF/QT or 业扩/用检/计量/电费/其它",
                            v=raw))
            return ""
        return code

    def _date(self, raw: str, errors: list[str]) -> dt.date | None:
        hit = self.dates.get(raw)
        if hit is None:
            day = parse_date(raw)
            if day is None:
                hit = (None, t("日期“{v}”应为 YYYY-MM-DD（或 20190301、2019年3月1日）",
                               "date '{v}' must be YYYY-MM-DD (or 20190301, 2019年3月1日)",
                               v=raw))
            elif day > self.today:
                hit = (None, t("日期 {v} 在未来", "date {v} is in the future", v=day))
            elif day < EARLIEST:
                hit = (None, t("日期 {v} 早于 1900 年", "date {v} is before 1900", v=day))
            else:
                hit = (day, None)
            self.dates[raw] = hit
        if hit[1]:
            errors.append(hit[1])
        return hit[0]

    def _pages(self, raw: str, errors: list[str]) -> int:
        pages = self.pages.get(raw, -1)
        if pages == -1:
            text = ascii_identifier(raw)
            pages = int(text) if text.isdigit() and int(text) <= MAX_PAGES else None
            self.pages[raw] = pages
        if pages is None:
            errors.append(t("页数“{v}”应为 0 到 {n} 的整数", "page count '{v}' must be a whole "
                            "number from 0 to {n}", v=raw, n=MAX_PAGES))
            return 0
        return pages

    def _code(self, kind: str, raw: str, errors: list[str]) -> str:
        hit = self.codes.get((kind, raw))
        if hit is None:
            code = self._as_printed(kind, raw)
            hit = self.codes[(kind, raw)] = (code, None) if code else self._parse(kind, raw)
        if hit[1]:
            errors.append(hit[1])
        return hit[0]

    def _parse(self, kind: str, raw: str) -> tuple[str, str | None]:
        """(normalised code, problem or None) of a barcode that must be of `kind`."""
        col = COLUMNS[{"document": "barcode"}.get(kind, kind)][0]
        try:
            scan = self.scheme.parse(raw)
        except BadCheckCharacter:
            return "", t("“{col}”{v} 的校验位不对", "'{col}' {v} has a bad check character",
                         col=col, v=raw)
        if scan.kind != kind:
            name = {"document": ("文件", "document"), "volume": ("案卷", "volume"),
                    "box": ("档案盒", "box")}[kind]
            return "", t("“{col}”{v} 不是本档案库的{k}条码", "'{col}' {v} is not a {k} barcode "
                         "of this archive", col=col, v=raw, k=t(*name))
        return scan.code, None


def _rows(reader, problems: list[tuple[int, str]]):
    """(row number, cells) from row 2 on; a row the csv module refuses becomes a problem."""
    row_no = 1
    while True:
        row_no += 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            problems.append((row_no, t("无法读取：{e}（字段过长或引号不配对）",
                                       "cannot be read: {e} (a field too long, or unbalanced "
                                       "quotes)", e=exc)))
            if len(problems) > _MAX_PROBLEMS:
                return
            continue
        yield row_no, raw


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _lines(text: str):
    """The lines of `text` with their ends, as `io.StringIO(text, newline="")` gives them,
    without its copy of the whole text (four bytes a character)."""
    return (line for line in map(re.Match.group, _LINE.finditer(text)) if line)


def parse_documents_csv(data: bytes, scheme: BarcodeScheme | None = None,
                        today: dt.date | None = None, progress: Progress = no_progress
                        ) -> tuple[Catalogue, list[tuple[int, str]], str]:
    """(catalogue, problems, encoding); only what the file alone shows is checked here."""
    text, encoding = decode_csv_bytes(data)
    reader = csv.reader(_lines(text))
    cols = read_header(reader, _header_map, _summary)
    problems: list[tuple[int, str]] = []
    clean = _Cleaner(cols, scheme or default_scheme(), today or dt.date.today())
    cat = Catalogue(*([] for _ in fields(Catalogue)))
    records = _rows(reader, problems)
    while chunk := list(itertools.islice(records, _STEP)):
        # A chunk at a time: the csv module's row lists are never all held at once (about
        # 1 KB a row); the columns keep what the import needs.
        chunk = [(n, r) for n, r in chunk if any(r)]  # blank lines, or only empty cells
        if chunk:
            row_nos, rows = map(list, zip(*chunk))
            cat.extend(clean.catalogue(rows, row_nos, problems))
        progress("rows", len(cat), 0)
    del text
    given = [c for c in cat.codes if c]
    if len(set(given)) < len(given):
        first_row: dict[str, int] = {}
        for row_no, code in zip(cat.row_nos, cat.codes):
            if code in first_row:
                problems.append((row_no, t("条码 {v} 与第 {r} 行重复", "barcode {v} repeats "
                                           "row {r}", v=code, r=first_row[code])))
            elif code:
                first_row[code] = row_no
    if not len(cat) and not problems:
        problems.append((2, t("没有数据行", "no data rows")))
    progress("rows", len(cat), len(cat))
    return cat, problems, encoding


def _summary(problems: list[tuple[int, str]]) -> str:
    return rejection(problems, "文件")


# ---------------------------------------------------------------- what the archive holds

class _Customer(NamedTuple):
    id: int
    number: str
    name: str
    voltage_class: str
    status: str = ""
    cancelled_on: dt.date | None = None
    hold: bool = False
    area: str = ""
    line: str = ""


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _customers(numbers: list[str]) -> dict[str, _Customer]:
    """The archive's customers with these numbers."""
    cols = "id, number, name, voltage_class, status, cancelled_on, legal_hold, area, line"
    rows = lookup_in(f"SELECT {cols} FROM customer WHERE number IN "
                     "(SELECT value FROM json_each(?))",
                     f"SELECT {cols} FROM customer WHERE number = ANY(%s)", numbers)
    return {r[1]: _Customer(r[0], r[1], r[2], r[3], r[4], _as_date(r[5]), bool(r[6]),
                            r[7] or "", r[8] or "") for r in rows}


def _existing_barcodes(codes: list[str]) -> set[str]:
    return {r[0] for r in lookup_in(
        "SELECT barcode FROM document WHERE barcode IN (SELECT value FROM json_each(?))",
        "SELECT barcode FROM document WHERE barcode = ANY(%s)", codes)}


def _by_ids(sql: str, ids: list[int]) -> list[tuple]:
    """Rows of `sql`, whose `IN {ids}` is these ids (50,000 per statement)."""
    if not ids:
        return []
    return lookup_in(sql.format(ids="(SELECT value FROM json_each(?))"),
                     sql.replace("IN {ids}", "= ANY(%s)"), ids)


@dataclass
class _Box:
    id: int | None  # None: new, registered by this import
    code: str
    voltage_class: str
    members: dict[int, _Customer] = dc_field(default_factory=dict)  # customers it holds


@dataclass
class _Volume:
    id: int | None  # None: new, registered by this import
    code: str  # "" for a volume made up for loose documents put in a box
    customer: _Customer | None
    customer_id: int
    box: str  # its box's barcode, "" for none
    category: str | None
    first_row: int = 0


class _Plan:
    """Which volume each row goes into, and the volumes and boxes to register first."""

    def __init__(self) -> None:
        self.volumes: dict[str, _Volume] = {}  # by barcode: named by the file, existing or new
        self.auto: dict[tuple[int, str, str], _Volume] = {}  # by (customer, box, category)
        self.boxes: dict[str, _Box] = {}

    def new_volumes(self) -> list[_Volume]:
        new = [v for v in self.volumes.values() if v.id is None]
        new += [v for v in self.auto.values() if v.id is None]
        return sorted(new, key=operator.attrgetter("first_row"))

    def new_boxes(self) -> list[_Box]:
        return [b for b in self.boxes.values() if b.id is None]


def _plan_volumes(cat: Catalogue, cust: dict[str, _Customer],
                  problems: list[tuple[int, str]]) -> tuple[_Plan, list | None]:
    """Resolve the volume and box columns: the plan, and each row's volume key (or None)."""
    plan = _Plan()
    if not any(cat.volumes) and not any(cat.boxes):
        return plan, None
    for code, vid, cid, box_code, vol_cat in lookup_in(
            "SELECT v.barcode, v.id, v.customer_id, b.barcode, v.category FROM volume v "
            "LEFT JOIN box b ON b.id = v.box_id WHERE v.barcode IN "
            "(SELECT value FROM json_each(?))",
            "SELECT v.barcode, v.id, v.customer_id, b.barcode, v.category FROM volume v "
            "LEFT JOIN box b ON b.id = v.box_id WHERE v.barcode = ANY(%s)",
            sorted(set(cat.volumes) - {""})):
        plan.volumes[code] = _Volume(vid, code, None, cid, box_code or "", vol_cat)
    for code, bid, vc in lookup_in(
            "SELECT barcode, id, voltage_class FROM box WHERE barcode IN "
            "(SELECT value FROM json_each(?))",
            "SELECT barcode, id, voltage_class FROM box WHERE barcode = ANY(%s)",
            sorted(set(cat.boxes) - {""})):
        plan.boxes[code] = _Box(bid, code, vc)
    by_id = {b.id: b for b in plan.boxes.values()}
    in_box: dict[tuple[int, int, str], int] = {}  # (box, customer, category) -> first volume
    for vid, bid, vol_cat, cid, number, name, vc, area, line in _by_ids(
            "SELECT v.id, v.box_id, v.category, c.id, c.number, c.name, c.voltage_class, "
            "c.area, c.line FROM volume v JOIN customer c ON c.id = v.customer_id "
            "WHERE v.box_id IN {ids} ORDER BY v.id", sorted(by_id)):
        by_id[bid].members.setdefault(cid, _Customer(cid, number, name, vc, area=area or "",
                                                     line=line or ""))
        in_box.setdefault((bid, cid, vol_cat or ""), vid)
    keys: list = []
    for row_no, number, category, vol, box in zip(cat.row_nos, cat.numbers, cat.categories,
                                                  cat.volumes, cat.boxes):
        c = cust.get(number) if vol or box else None
        if c is None:
            keys.append(None)
            continue
        if not vol:  # loose documents put in a box: the customer's volume of that category
            key = (c.id, box, category)
            if key not in plan.auto:
                b = plan.boxes.get(box)
                vid = in_box.get((b.id, c.id, category)) if b is not None and b.id else None
                plan.auto[key] = _Volume(vid, "", c, c.id, box, category, row_no)
            keys.append(key)
            continue
        v = plan.volumes.get(vol)
        if v is None:
            v = plan.volumes[vol] = _Volume(None, vol, c, c.id, box, category, row_no)
        if v.customer_id != c.id:
            problems.append((row_no, _other_customer(v, cust)))
        elif box and v.box != box:
            if v.id is None and not v.box:
                v.box = box  # rows before this one left the new volume's box empty
            else:
                problems.append((row_no, t(
                    "案卷 {v} 在档案盒 {b} 中，不在 {c}", "volume {v} is in box {b}, not {c}",
                    v=vol, b=v.box or t("（未装盒）", "(no box)"), c=box)))
        if v.id is None and v.category != category:
            v.category = None  # documents of several categories: a volume of the whole file
        keys.append(vol)
    _check_boxes(plan, problems)
    return plan, keys


def _other_customer(v: _Volume, cust: dict[str, _Customer]) -> str:
    if v.id is None:
        return t("案卷 {v} 在第 {r} 行属于户号 {n}", "volume {v} belongs to customer {n} on "
                 "row {r}", v=v.code, r=v.first_row, n=v.customer.number)
    owner = next((c.number for c in cust.values() if c.id == v.customer_id), "")
    return t("案卷 {v} 属于另一个客户{n}", "volume {v} belongs to another customer{n}",
             v=v.code, n=f"（{owner}）" if owner else "")


def _check_boxes(plan: _Plan, problems: list[tuple[int, str]]) -> None:
    """The box rule for every new volume put in a box (as `boxing.check_box_rule`): the box's
    class is its customers', an HV box holds one customer, an LV box one 台区 (or line)."""
    for v in plan.new_volumes():
        if not v.box:
            continue
        c = v.customer
        b = plan.boxes.get(v.box)
        if b is None:  # a new box takes the class of its first customer
            b = plan.boxes[v.box] = _Box(None, v.box, c.voltage_class)
        others = [o for cid, o in b.members.items() if cid != c.id]
        problem = None
        if b.voltage_class != c.voltage_class:
            problem = t("{v}客户的档案不能放入{b}档案盒 {c}",
                        "a {v} customer's file cannot go into {b} box {c}",
                        v=VOLTAGE_CLASSES.get(c.voltage_class, c.voltage_class),
                        b=VOLTAGE_CLASSES.get(b.voltage_class, b.voltage_class), c=b.code)
        elif others and b.voltage_class == HV:
            problem = t("高压档案盒 {c} 只能装一个客户的档案（已装 {n} {m}）",
                        "HV box {c} holds one customer only (it holds {n} {m})", c=b.code,
                        n=others[0].number, m=others[0].name)
        elif others and b.voltage_class == LV:
            o = others[0]
            same = (c.area == o.area) if (c.area and o.area) else (c.line == o.line)
            if not same:
                problem = t("低压档案盒 {c} 装的是 {a} 的客户，{n} 属于 {b}",
                            "LV box {c} holds customers of {a}; {n} is in {b}", c=b.code,
                            a=o.area or o.line or "—", n=c.number, b=c.area or c.line or "—")
        if problem:
            problems.append((v.first_row, problem))
        else:
            b.members.setdefault(c.id, c)


def _serial(code: str, scheme: BarcodeScheme, kind: str) -> int:
    return int(code[len(scheme.prefixes[kind]):-1])


def earlier_import(digest: str) -> tuple[int, str, int] | None:
    """(audit seq, when, documents) of an earlier import of the file with this SHA-256."""
    db = dbmod.require_database()
    p = db.param
    for seq, at, after in db.execute_sql(
            f"SELECT seq, at, after FROM audit_event WHERE action = {p} AND after LIKE {p} "
            f"ORDER BY seq", ("document.import", f'%"sha256":"{digest}"%')).fetchall():
        data = json.loads(after or "{}")
        if data.get("sha256") == digest:
            return int(seq), str(at), int(data.get("count", 0))
    return None


def _refuse_repeat(digest: str, name: str) -> None:
    found = earlier_import(digest)
    if found is not None:
        seq, at, count = found
        when = local_time(dt.datetime.fromisoformat(at.rstrip("Z")))
        raise AlreadyImported(t(
            "这个文件（{f}）已于 {at} 导入过（{n} 件，审计事件 #{seq}）；未做任何更改。",
            "This file ({f}) was already imported at {at} ({n} documents, audit event #{seq}); "
            "nothing was changed.", f=name, at=f"{when:%Y-%m-%d %H:%M}", n=count, seq=seq))


# ---------------------------------------------------------------- the service

def import_documents_csv(path: str | Path, actor: audit.Actor,
                         ruleset: RetentionRules | None = None, *,
                         scheme: BarcodeScheme | None = None,
                         progress: Progress = no_progress) -> DocumentImportResult:
    """Import every document in the catalogue CSV at `path`, or none (raises ImportFailed).

    With `ruleset`, each document's retention is decided now as filing decides it; without,
    it is left for `hudang retention recompute`. `scheme` is the archive's barcode scheme.
    """
    path = Path(path)
    if not path.is_file():  # a pipe or a device would block or never end
        raise ImportFailed(t("{p} 不是普通文件", "{p} is not a regular file", p=path),
                           [(0, "not a regular file")])
    with collector_paused():  # none of its row objects is in a cycle
        return _import(path, actor, ruleset, scheme or default_scheme(), progress)


# SQLite page cache while inserting: a document lands on random pages of the document
# table's indexes (customer, volume, barcode ...), ten million entries at the seeds' scale;
# with room for them each page is read from the file once (`bulk.load_cache_kib`).
_CACHE_PER_ROW_KIB = 8


def _import(path: Path, actor: audit.Actor, ruleset: RetentionRules | None,
            scheme: BarcodeScheme, progress: Progress) -> DocumentImportResult:
    """Check the file against itself, then against the archive; insert it, or raise."""
    name, data = path.name, path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    _refuse_repeat(digest, name)  # at once, before the work of reading a large file
    cat, problems, encoding = parse_documents_csv(data, scheme, progress=progress)
    del data  # the columns hold what is needed
    with dbmod.write_tx() as db, page_cache(load_cache_kib(len(cat.numbers),
                                                             _CACHE_PER_ROW_KIB)):
        if dbmod.is_postgres():  # two imports of one file: the second waits, then is refused
            db.execute_sql("LOCK TABLE document IN SHARE ROW EXCLUSIVE MODE")
        _refuse_repeat(digest, name)
        numbers = set(cat.numbers) - {""}
        cust = _customers(sorted(numbers))
        if len(cust) < len(numbers):
            problems += [(r, t("户号 {v} 不在档案中", "customer number {v} is not in the archive",
                               v=n)) for r, n in zip(cat.row_nos, cat.numbers)
                         if n and n not in cust]
        given = [c for c in cat.codes if c]
        taken = _existing_barcodes(given) if given else set()
        if taken:
            problems += [(r, t("条码 {v} 已在档案中", "barcode {v} is already in the archive",
                               v=c)) for r, c in zip(cat.row_nos, cat.codes) if c in taken]
        plan, keys = _plan_volumes(cat, cust, problems)
        if problems:
            problems.sort()
            raise ImportFailed(_summary(problems), problems[:_MAX_PROBLEMS])
        result = _insert(cat, keys, plan, cust, ruleset, scheme, name, digest, encoding,
                         progress)
        audit.record(actor, "document.import", "document", name, None,
                     {"file": name, "sha256": digest, "encoding": encoding,
                      "count": result.count, "customers": result.customers,
                      "categories": result.categories,
                      "barcodes_generated": result.barcodes_generated,
                      "volumes_created": result.volumes_created,
                      "boxes_created": result.boxes_created, "first_id": result.first_id,
                      "last_id": result.last_id, "retention_ruleset": result.retention_ruleset,
                      "retention": result.retention})
    return result


def _register_boxes_and_volumes(plan: _Plan, scheme: BarcodeScheme,
                                now: object) -> tuple[int, int]:
    """Insert the new boxes and volumes (ids and barcodes reserved first); return how many."""
    boxes = plan.new_boxes()
    volumes = plan.new_volumes()
    if boxes:
        serials.reserve_through("box", max(_serial(b.code, scheme, "box") for b in boxes))
        first = reserve_ids("box", len(boxes))
        for i, b in enumerate(boxes):
            b.id = first + i
        bulk_insert("box", BOX_COLUMNS, [(b.id, b.code, b.voltage_class, BoxStatus.UNPLACED.value,
                                          "", now, 1) for b in boxes])
    if not volumes:
        return 0, len(boxes)
    named = [v for v in volumes if v.code]
    if named:
        serials.reserve_through("volume", max(_serial(v.code, scheme, "volume") for v in named))
    unnamed = [v for v in volumes if not v.code]
    for v, code in zip(unnamed, serials.new_barcodes("volume", len(unnamed), scheme)
                       if unnamed else []):
        v.code = code
    seqs = dict(_by_ids("SELECT customer_id, COUNT(*) FROM volume WHERE customer_id IN {ids} "
                        "GROUP BY customer_id", sorted({v.customer_id for v in volumes})))
    first = reserve_ids("volume", len(volumes))
    records = []
    for i, v in enumerate(volumes):
        v.id = first + i
        seq = seqs[v.customer_id] = seqs.get(v.customer_id, 0) + 1
        box_id = plan.boxes[v.box].id if v.box else None
        records.append((v.id, v.code, v.customer_id, box_id, v.category,
                        f"{v.customer.name} 第{seq}卷"[:256], seq, now))
    bulk_insert("volume", VOLUME_COLUMNS, records)
    return len(volumes), len(boxes)


def _insert(cat: Catalogue, keys: list | None, plan: _Plan, cust: dict[str, _Customer],
            ruleset: RetentionRules | None, scheme: BarcodeScheme, file_name: str,
            digest: str, encoding: str, progress: Progress) -> DocumentImportResult:
    """Write the boxes, volumes and documents of a validated file; return what was done.

    Column by column: the document rows are zipped from columns the database's answers
    were mapped onto, so Python touches a row only to decide its retention."""
    n = len(cat)
    now = db_timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    n_volumes, n_boxes = _register_boxes_and_volumes(plan, scheme, now)
    customers = list(map(cust.__getitem__, cat.numbers))
    order = sorted(range(n), key=list(map(operator.attrgetter("id"), customers)).__getitem__)
    if order != list(range(n)):
        # Documents in customer order (a customer's in file order): the indexes that start
        # with the customer then fill page by page; a file in another order (by box, by
        # barcode) took twice the CPU time into a 1,000,000-document archive.
        cat.keep(order)
        customers = [customers[i] for i in order]
        keys = None if keys is None else [keys[i] for i in order]
    codes = cat.codes
    given = [c for c in codes if c]
    if given:
        serials.reserve_through("document", max(_serial(c, scheme, "document") for c in given))
    missing = n - len(given)
    if missing:
        fresh = iter(serials.new_barcodes("document", missing, scheme))
        codes = [c or next(fresh) for c in codes]
    first_id = reserve_ids("document", n)
    if keys is None:
        volume_ids: list = [None] * n
    else:
        ids = {k: v.id for k, v in plan.volumes.items()}
        ids.update((k, v.id) for k, v in plan.auto.items())
        volume_ids = list(map(ids.get, keys))
    if dbmod.is_postgres():
        dates = cat.dates
        day = _same
    else:  # SQLite keeps dates as ISO text
        iso = {d: d.isoformat() for d in set(cat.dates)}
        dates = list(map(iso.__getitem__, cat.dates))
        day = _iso
    version = ruleset.version if ruleset is not None else ""
    statuses: Counter = Counter()
    cache: dict = {}  # decisions, shared by documents that agree in what the rules read

    def stored(rows: range) -> Iterator[tuple]:
        """(class, eligible day as stored, note) of these rows, decided by the rules."""
        if ruleset is None:
            return itertools.repeat(("", None, ""), len(rows))
        at = slice(rows.start, rows.stop)
        decisions = [decide_memoised(ruleset, (category, doc_type, c.voltage_class, c.status,
                                               filed_on, None, c.cancelled_on, None, None,
                                               c.hold), cache)
                     for category, doc_type, filed_on, c in zip(
                         cat.categories[at], cat.doc_types[at], cat.dates[at], customers[at])]
        statuses.update(map(operator.itemgetter(0), decisions))
        kept = {d: (d[1], day(d[2]), d[3]) for d in set(decisions)}
        return map(kept.__getitem__, decisions)

    customer_ids = [c.id for c in customers]

    def records(rows: range) -> Iterator[tuple]:
        """The document rows of these catalogue rows, all columns but the constant ones."""
        at = slice(rows.start, rows.stop)
        return ((*row, *kept) for *row, kept in zip(
            range(first_id + rows.start, first_id + rows.stop), codes[at], customer_ids[at],
            volume_ids[at], cat.categories[at], cat.doc_types[at], cat.titles[at],
            cat.pages[at], dates[at], cat.processes[at], stored(rows)))

    constants = (version, False, now)
    progress("documents", 0, n)
    if n >= _STAGED_MIN_ROWS and staged_load_available():
        _load_staged(n, records, constants, progress)
    else:
        done = 0
        while done < n:  # made as they go in: never all at once (PostgreSQL streams them)
            step = range(done, min(done + _STEP, n))
            done += bulk_insert("document", DOCUMENT_COLUMNS,
                                ((*r, *constants) for r in records(step)))
            progress("documents", done, n)
    return DocumentImportResult(
        n, file_name, digest, encoding, len(set(cat.numbers)),
        dict(sorted(Counter(cat.categories).items())), missing, n_volumes, n_boxes, first_id,
        first_id + n - 1, version, dict(sorted(statuses.items())))


_STAGED_MIN_ROWS = 10_000  # smaller files gain little from a second thread
_STAGED_BATCH = 10_000  # rows per staged batch


def _load_staged(n: int, records: Callable[[range], Iterator[tuple]], constants: tuple,
                 progress: Progress) -> None:
    """SQLite: the document rows made a batch at a time on a worker thread (retention
    decided there too) while SQLite writes the previous batch (`bulk.load_staged`)."""
    width = len(DOCUMENT_COLUMNS) - len(constants)
    target = Target("document", DOCUMENT_COLUMNS,
                    (*range(width), *map(Constant, constants)))

    def batches() -> Iterator[Batch]:  # the worker thread: no database here
        for start in range(0, n, _STAGED_BATCH):
            rows = range(start, min(start + _STAGED_BATCH, n))
            yield Batch(list(records(rows)), (target,))

    done = {"rows": 0}

    def reported(batch: Batch) -> None:
        done["rows"] += len(batch.rows)
        progress("documents", done["rows"], n)

    load_staged(batches(), reported)


def _same(value):
    return value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
