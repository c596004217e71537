"""Importing customers from CSV: every row validated, all or nothing, one audit event.

Encodings: UTF-8 (with or without BOM) and GBK / GB18030 as exported by older systems.
The SQL is built once and run with executemany (PostgreSQL: execute_values), because the
Peewee query builder per row costs more than the database does (see docs/csv-import.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import operator
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

import peewee as pw

from hudang.store import audit, search
from hudang.store import db as dbmod
from hudang.store.barcodes import compile_linear, default_scheme
from hudang.store.bulk import (Batch, Constant, Target, bulk_insert, collector_paused,
                               copy_lines, copy_text_block, db_timestamp, load_staged,
                               load_cache_kib, page_cache, reserve_ids,
                               staged_load_available)
from hudang.store.errors import ImportFailed
from hudang.store.i18n import t
from hudang.store.models import Customer
from hudang.store.progress import Progress, no_progress
from hudang.store.services.corrections import record_corrections
from hudang.store.services.csvfile import (  # noqa: F401  (decode_csv_bytes: its old home)
    aliases, decode_csv_bytes, header_map, read_header, rejection)
from hudang.store.services.idnumbers import problems_of
from hudang.store.textclean import (IDENTIFIER_FIELDS, ascii_identifier,
                                     normalise_identifiers, unsafe_character)

# field -> accepted header names (Chinese first, then English); matching ignores case/spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("户号", "客户编号", "用户编号", "number", "customer_number", "customer_no"),
    "name": ("户名", "客户名称", "用户名称", "name", "customer_name"),
    "id_number": ("证件号码", "身份证号", "id_number", "id_no"),
    "phone": ("联系电话", "电话", "phone", "telephone"),
    "address": ("用电地址", "地址", "address"),
    "voltage_class": ("电压等级", "voltage_class", "class"),
    "supply_voltage": ("供电电压", "supply_voltage"),
    "line": ("线路", "line"),
    "area": ("台区", "area", "transformer_area"),
    "tariff": ("电价类别", "tariff"),
    "important": ("重要客户", "important"),
}
REQUIRED = ("number", "name", "voltage_class")
_VOLTAGE = {"高压": "HV", "hv": "HV", "低压": "LV", "lv": "LV"}
_YES = {"是", "y", "yes", "true", "1", "重要"}
_NO = {"", "否", "n", "no", "false", "0"}
_MAX_LEN = {f: Customer._meta.fields[f].max_length for f in COLUMNS if f != "important"}
_ALIASES = aliases(COLUMNS)
_MAX_PROBLEMS = 200
_PROGRESS_STEP = 50_000  # rows per insert statement batch, and per progress report
_INSERT_COLUMNS = ("id", "number", "name", "id_number", "phone", "address", "voltage_class",
                   "supply_voltage", "line", "area", "tariff", "status", "important",
                   "legal_hold", "created_at", "updated_at", "version")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    count: int
    hv: int
    lv: int
    file_name: str
    sha256: str
    encoding: str
    # Rows kept although their ID number failed its check: (row, customer number, problem).
    # Each customer is on the correction list (`hudang customer corrections`).
    corrections: list[tuple[int, str, str]] = dc_field(default_factory=list)

    @property
    def imported(self) -> int:
        """How many customers were imported (same as `count`)."""
        return self.count


# ---------------------------------------------------------------- reading the file

def _header_map(header: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Column index per field, or the problems with the header row."""
    return header_map(header, COLUMNS, REQUIRED, _ALIASES)


def _row_values(row: list[str], cols: dict[str, int]) -> dict[str, str]:
    values = {f: (row[i].strip() if i < len(row) else "") for f, i in cols.items()}
    return normalise_identifiers(values)


def _validate(values: dict[str, str], number_re: re.Pattern) -> tuple[dict, list[str]]:
    """The cleaned row and its problems (messages without the row number)."""
    errors: list[str] = []
    for field, value in values.items():
        bad = unsafe_character(value)
        if bad:
            errors.append(t("“{col}”含控制字符 {c}", "'{col}' contains the control character {c}",
                            col=COLUMNS[field][0], c=bad))
    for field in REQUIRED:
        if not values.get(field):
            errors.append(t("“{col}”不能为空", "'{col}' is empty", col=COLUMNS[field][0]))
    number = values.get("number", "")
    if number and not number_re.fullmatch(number):
        errors.append(t("户号“{v}”格式不对（应匹配 {p}）", "customer number '{v}' does not match "
                        "{p}", v=number, p=number_re.pattern))
    vc_raw = values.get("voltage_class", "")
    vc = _VOLTAGE.get(vc_raw.lower())
    if vc_raw and vc is None:
        errors.append(t("电压等级“{v}”应为 高压/低压 或 HV/LV", "voltage class '{v}' must be "
                        "高压/低压 or HV/LV", v=vc_raw))
    if vc == "LV" and not values.get("area"):
        errors.append(t("低压客户必须填写台区", "a low-voltage customer needs a 台区 (area)"))
    imp_raw = values.get("important", "").lower()
    if imp_raw not in _YES and imp_raw not in _NO:
        errors.append(t("重要客户“{v}”应为 是/否", "important '{v}' must be 是/否 (yes/no)",
                        v=values.get("important")))
    for field, limit in _MAX_LEN.items():
        if len(values.get(field, "")) > limit:
            errors.append(t("“{col}”超过 {n} 个字符", "'{col}' is longer than {n} characters",
                            col=COLUMNS[field][0], n=limit))
    clean = {f: values.get(f, "") for f in COLUMNS if f not in ("important", "voltage_class")}
    clean["voltage_class"] = vc or ""
    clean["important"] = imp_raw in _YES
    return clean, errors


class _RowCleaner:
    """Validates rows of one file: a quick all-good check, the full `_validate` otherwise."""

    def __init__(self, cols: dict[str, int], number_re: re.Pattern) -> None:
        self.cols, self.number_re = cols, number_re
        self.names = tuple(cols)
        self.idxs = tuple(cols.values())
        self.width = max(self.idxs) + 1
        self.limits = tuple(_MAX_LEN.get(f, 1 << 30) for f in self.names)
        self.blank = {f: "" for f in COLUMNS if f not in ("important", "voltage_class")}

    def __call__(self, raw: list[str]) -> tuple[dict, list[str]]:
        """The cleaned row and its problems, as `_validate` gives them."""
        if len(raw) < self.width:
            return _validate(_row_values(raw, self.cols), self.number_re)
        vals = [raw[i].strip() for i in self.idxs]
        values = dict(zip(self.names, vals))
        if not "".join(vals).isascii():  # full-width digits and the like: ASCII identifiers
            values = normalise_identifiers(values)
            vals = list(values.values())
        vc = _VOLTAGE.get(values["voltage_class"].lower())
        imp = values.get("important", "").lower()
        if not (vc and values["name"] and self.number_re.fullmatch(values["number"])
                and not unsafe_character("".join(vals))
                and (vc == "HV" or values.get("area")) and (imp in _YES or imp in _NO)
                and all(map(operator.le, map(len, vals), self.limits))):
            return _validate(values, self.number_re)
        clean = self.blank.copy()
        clean.update(values)
        clean["voltage_class"] = vc
        clean["important"] = imp in _YES
        return clean, []


# ---------------------------------------------------------------- whole columns at once
#
# A good file (the usual case) is checked column by column with C-level operations: one
# joined string per column for control characters, spaces and ASCII, one RE2 match for
# every customer number, set lookups for the coded columns. Any doubt returns None and the
# file goes through the per-row checks above, which say exactly which row is wrong; the
# two give the same rows (tests/store/test_import_columns.py).

_EDGE_SPACE = re.compile(r"\n[^\S\n]|[^\S\n]\n")
# Whitespace at a value's edge, or a character `unsafe_character` refuses, in the
# newline-joined values of every column: one linear-time pass over a whole batch that
# finds nothing in a clean file (re's \s is str.isspace(); every such character is below
# U+3001). Only a match sends the batch through the per-column checks.
_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001))
                  if c.isspace() and c != "\n")
_SUSPECT = compile_linear(f"\\n[{_SPACES}]|[{_SPACES}]\\n|[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f"
                          f"\\x{{202a}}-\\x{{202e}}\\x{{2066}}-\\x{{2069}}]")


def _suspect(text: str) -> bool:
    """Whether `_SUSPECT` finds something (a lone surrogate, which RE2 cannot read, counts)."""
    try:
        return _SUSPECT.search(text) is not None
    except UnicodeEncodeError:
        return True


# Patterns whose every part is a word character, \d, `.`, a plain [...] class, a group or a
# quantifier cannot match a newline, so the numbers joined by newlines match one by one.
_NEWLINE_FREE = re.compile(r"(?:[\w^$(){}|?*+,.:\-\[\]]|\\d)*")


def _all_numbers_match(number_re, numbers: list[str]) -> bool:
    """Whether every number fullmatches the pattern (one RE2 pass when the pattern allows)."""
    source = number_re.pattern
    if _NEWLINE_FREE.fullmatch(source) and "[^" not in source and \
            "(?" not in source.replace("(?:", ""):
        joined = compile_linear(f"(?m)(?:(?:{source})\n)*(?:{source})")
        return joined.fullmatch("\n".join(numbers)) is not None
    return all(number_re.fullmatch(n) for n in numbers)


@dataclass
class _Table:
    """Validated rows as columns, in file order, with their row numbers."""

    columns: dict[str, list]  # every COLUMNS field; voltage_class HV/LV, important bool
    row_nos: list[int]

    def __len__(self) -> int:
        return len(self.row_nos)

    def rows(self) -> list[dict]:
        """The rows as dicts (with "_row"), as `parse_customers_csv` returns them."""
        names = list(self.columns)
        return [dict(zip(names, values), _row=row_no)
                for row_no, *values in zip(self.row_nos, *self.columns.values())]


def _fast_table(raws: list[list[str]], row_nos: list[int], cols: dict[str, int],
                number_re) -> _Table | None:
    """The validated columns when every row is good, else None (nothing decided)."""
    if not raws or min(map(len, raws)) <= max(cols.values()):
        return None
    width = len(raws[0])
    if all(len(raw) == width for raw in raws):  # the usual file: one flat list, sliced
        flat = list(itertools.chain.from_iterable(raws))
        columns: dict[str, list] = {f: flat[i::width] for f, i in cols.items()}
    else:
        picked = zip(*map(operator.itemgetter(*cols.values()), raws))
        columns = dict(zip(cols, map(list, picked)))
    joined = {f: "\n".join(col) for f, col in columns.items()}
    if _suspect("\n" + "\n".join(joined.values()) + "\n"):  # one pass for all columns
        for field, col in columns.items():
            if _EDGE_SPACE.search("\n" + joined[field] + "\n"):
                col[:] = [v.strip() for v in col]
            if unsafe_character("".join(col)):
                return None
            joined[field] = "\n".join(col)
    for field in IDENTIFIER_FIELDS:
        if field in columns and not joined[field].isascii():
            columns[field][:] = [ascii_identifier(v) for v in columns[field]]
            if unsafe_character("".join(columns[field])):
                return None
    if "id_number" in columns:
        columns["id_number"] = [v.upper() for v in columns["id_number"]] \
            if not "".join(columns["id_number"]).isupper() else columns["id_number"]
    numbers = columns["number"]
    if any("" in columns[f] for f in REQUIRED) or len(set(numbers)) != len(numbers):
        return None
    if any(max(map(len, columns[f])) > limit for f, limit in _MAX_LEN.items()
           if f in columns):
        return None
    volts = {v: _VOLTAGE.get(v.lower()) for v in set(columns["voltage_class"])}
    if None in volts.values():
        return None
    columns["voltage_class"] = classes = list(map(volts.__getitem__, columns["voltage_class"]))
    if "LV" in classes:
        area = columns.get("area")
        if area is None or "" in itertools.compress(area, map("LV".__eq__, classes)):
            return None
    flags = {v: v.lower() in _YES for v in set(columns.get("important", ()))
             if v.lower() in _YES or v.lower() in _NO}
    if len(flags) != len(set(columns.get("important", ()))):
        return None
    columns["important"] = (list(map(flags.__getitem__, columns["important"]))
                            if "important" in columns else [False] * len(raws))
    if not _all_numbers_match(number_re, numbers):
        return None
    blank = [""] * len(raws)
    ordered = {f: columns.get(f, blank) for f in COLUMNS}
    return _Table(ordered, row_nos)


def _existing_numbers(numbers: list[str]) -> set[str]:
    """Which of these customer numbers the archive already has (one statement per 50,000)."""
    db = dbmod.require_database()
    found: set[str] = set()
    for start in range(0, len(numbers), 50_000):
        chunk = numbers[start:start + 50_000]
        if dbmod.is_postgres():
            cursor = db.execute_sql("SELECT number FROM customer WHERE number = ANY(%s)",
                                    (chunk,))
        else:
            cursor = db.execute_sql("SELECT number FROM customer WHERE number IN "
                                    "(SELECT value FROM json_each(?))", (json.dumps(chunk),))
        found.update(r[0] for r in cursor.fetchall())
    return found


def parse_customers_csv(data: bytes, number_pattern: str | None = None
                        ) -> tuple[list[dict], str]:
    """Validated rows (dicts with "_row") and the encoding; raise ImportFailed listing every bad row."""
    table, encoding = _parse_table(data, number_pattern)
    return table.rows(), encoding


def _parse_table(data: bytes, number_pattern: str | None = None) -> tuple[_Table, str]:
    """Validated rows as columns and the encoding; raise ImportFailed listing every bad row."""
    text, encoding = decode_csv_bytes(data)
    number_re = compile_linear(number_pattern or default_scheme().customer_pattern)
    reader = csv.reader(io.StringIO(text, newline=""))
    cols = read_header(reader, _header_map, _summary)
    problems: list[tuple[int, str]] = []
    raws, row_nos = _data_rows(reader, problems)
    table = None if problems else _fast_table(raws, row_nos, cols, number_re)
    if table is None:
        table = _checked_rows(raws, row_nos, cols, number_re, problems)
    numbers = table.columns["number"]
    if not numbers and not problems:
        problems.append((2, t("没有数据行", "no data rows")))
    existing = _existing_numbers(list(dict.fromkeys(filter(None, numbers))))
    if existing:
        first_row: dict[str, int] = {}
        for number, row_no in zip(numbers, table.row_nos):
            first_row.setdefault(number, row_no)
        problems += [(first_row[n], t("户号 {v} 已在档案中", "customer number {v} is already "
                                      "in the archive", v=n))
                     for n in sorted(existing, key=first_row.get)]
    if problems:
        problems.sort()
        raise ImportFailed(_summary(problems), problems[:_MAX_PROBLEMS])
    return table, encoding


def _checked_rows(raws: list[list[str]], row_nos: list[int], cols: dict[str, int],
                  number_re, problems: list[tuple[int, str]]) -> _Table:
    """Every row checked on its own: problems are added with their row numbers."""
    rows: list[dict] = []
    first_row: dict[str, int] = {}
    clean_row = _RowCleaner(cols, number_re)
    for row_no, raw in zip(row_nos, raws):
        clean, errors = clean_row(raw)
        number = clean["number"]
        if number in first_row:
            errors.append(t("户号 {v} 与第 {r} 行重复", "customer number {v} repeats row {r}",
                            v=number, r=first_row[number]))
        elif number:
            first_row[number] = row_no
        problems += [(row_no, e) for e in errors]
        rows.append(clean)
    return _Table({f: [r[f] for r in rows] for f in COLUMNS}, row_nos)


def _data_rows(reader, problems: list[tuple[int, str]]) -> tuple[list[list[str]], list[int]]:
    """The rows after the header that are not blank, with their row numbers (header = 1).

    The csv module reads on in C until a row it refuses, which becomes a problem with its
    number (a refused row still counts, as the per-row reading always did).
    """
    rows: list = []
    while True:
        try:
            rows.extend(reader)
            break
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            problems.append((len(rows) + 2, t("无法读取：{e}（字段过长或引号不配对）",
                                              "cannot be read: {e} (a field too long, or "
                                              "unbalanced quotes)", e=exc)))
            rows.append(None)
            if len(problems) > _MAX_PROBLEMS:
                break
    if not problems:  # the usual case: keep every row whose first cell is not blank at once
        blank = [i for i, raw in enumerate(rows)
                 if not (raw and raw[0].strip()) and not "".join(raw).strip()]
        if not blank:
            return rows, list(range(2, len(rows) + 2))
    kept = [(i + 2, raw) for i, raw in enumerate(rows)
            if raw is not None and ((raw and raw[0].strip()) or "".join(raw).strip())]
    return [raw for _, raw in kept], [n for n, _ in kept]


def _summary(problems: list[tuple[int, str]]) -> str:
    return rejection(problems, "客户")


# ---------------------------------------------------------------- the service

def _check_id_numbers(table: _Table, first_id: int, file_name: str
                      ) -> list[tuple[int, str, str]]:
    """Check every ID number (python-stdnum); keep failing rows, mark them for correction.

    Legacy lists are dirty: a row is never refused for its ID number, but each failure is
    reported with its row number and the customer goes on the correction list.
    """
    flagged: list[tuple[int, str, str]] = []
    marks: list[tuple] = []
    _id_number_problems(table.columns, table.row_nos, first_id, file_name, flagged, marks)
    record_corrections(marks)
    return flagged


def _id_number_problems(columns: dict[str, list], row_nos: Sequence[int], first_id: int,
                        file_name: str, flagged: list[tuple[int, str, str]],
                        marks: list[tuple]) -> None:
    """Add each failing ID number of these rows (ids from `first_id`) to `flagged` (row,
    customer number, problem) and `marks` (the correction list's rows)."""
    values, numbers = columns["id_number"], columns["number"]
    for i, problem in problems_of(values, dt.date.today()):
        flagged.append((row_nos[i], numbers[i], problem))
        marks.append((first_id + i, "id_number", values[i], problem,
                      t("{f} 第 {r} 行", "{f} row {r}", f=file_name, r=row_nos[i])))


def import_customers_csv(path: str | Path, actor: audit.Actor,
                         number_pattern: str | None = None,
                         progress: Progress = no_progress) -> ImportResult:
    """Import every customer in the CSV at `path`, or none of them (raises ImportFailed)."""
    path = Path(path)
    if not path.is_file():  # a pipe or a device would block or never end
        raise ImportFailed(t("{p} 不是普通文件", "{p} is not a regular file", p=path),
                           [(0, "not a regular file")])
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    now = db_timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    with collector_paused(), dbmod.write_tx():
        loaded = _import_staged(data, number_pattern, now, path.name, progress)
        if loaded is None:
            loaded = _import_checked(data, number_pattern, now, path.name, progress)
        count, hv, first_id, encoding, flagged = loaded
        result = ImportResult(count, hv, count - hv, path.name, digest, encoding, flagged)
        audit.record(actor, "customer.import", "customer", path.name, None,
                     {"count": result.count, "hv": hv, "lv": result.lv, "file": path.name,
                      "sha256": digest, "encoding": encoding, "corrections": len(flagged),
                      "first_id": first_id, "last_id": first_id + count - 1})
    return result


_Loaded = tuple[int, int, int, str, list[tuple[int, str, str]]]  # count hv first_id enc flagged


def _import_checked(data: bytes, number_pattern: str | None, now: object, file_name: str,
                    progress: Progress) -> _Loaded:
    """The whole file checked first (every problem reported), then written."""
    table, encoding = _parse_table(data, number_pattern)
    count = len(table)
    first_id = reserve_ids("customer", count)
    c = table.columns
    ids = range(first_id, first_id + count)
    constant = itertools.repeat
    records = list(zip(ids, c["number"], c["name"], c["id_number"], c["phone"],
                       c["address"], c["voltage_class"], c["supply_voltage"], c["line"],
                       c["area"], c["tariff"], constant("active"), c["important"],
                       constant(False), constant(now), constant(now), constant(1)))
    progress("customers", 0, count)
    for start in range(0, count, _PROGRESS_STEP):
        bulk_insert("customer", _INSERT_COLUMNS, records[start:start + _PROGRESS_STEP])
        progress("customers", min(start + _PROGRESS_STEP, count), count)
    search.index_new_customers(ids, c["number"], c["name"], c["id_number"], c["phone"],
                               c["address"], progress)
    flagged = _check_id_numbers(table, first_id, file_name)
    return count, c["voltage_class"].count("HV"), first_id, encoding, flagged


class _NeedsChecking(Exception):
    """The staged load met something only the checked path reports well; nothing is kept."""


_STAGED_MIN_ROWS = 10_000  # smaller files gain little from a second thread
_STAGED_CHUNK = 10_000  # rows per batch (numpy's index text works best at this size)
# SQLite page cache while loading: a new customer lands on random pages of the line, area
# and search-name indexes; with room for those indexes (a few hundred MB at 2 million
# customers) each page is read from the file once, not again after being pushed out.
_CACHE_PER_ROW_KIB = 8
_STAGED_COLUMNS = ("id", "number", "name", "id_number", "phone", "address", "voltage_class",
                   "supply_voltage", "line", "area", "tariff", "important")


@dataclass
class _Chunk:
    """A batch of rows that passed the batch checks, as columns, with ids and row numbers."""

    ids: range
    columns: dict[str, list]
    row_nos: list[int]


class _Stream:
    """A clean file read and checked a batch at a time (`chunks`), and what it held."""

    def __init__(self, text: str, number_pattern: str | None, first_id: int) -> None:
        self.number_re = compile_linear(number_pattern or default_scheme().customer_pattern)
        self.reader = csv.reader(io.StringIO(text, newline=""))
        self.first_id = first_id
        self.rows = self.hv = 0
        self.seen: set[str] = set()
        self.batches: list[_Chunk] = []  # every batch read, for the ID checks and the index
        self.refused = False
        try:
            self.cols = read_header(self.reader, _header_map, _summary)
        except ImportFailed:  # the checked path reports it
            raise _NeedsChecking from None

    def chunks(self) -> Iterator[_Chunk]:
        """Each batch, or _NeedsChecking at the first that does not pass (no database here;
        `refused` says so too, where a driver reports the exception as its own)."""
        while True:
            try:
                raws = list(itertools.islice(self.reader, _STAGED_CHUNK))
            except csv.Error:
                self.refused = True
                raise _NeedsChecking from None
            if not raws:
                return
            row_nos = list(range(self.rows + 2, self.rows + 2 + len(raws)))
            table = _fast_table(raws, row_nos, self.cols, self.number_re)
            if table is None or not self.seen.isdisjoint(table.columns["number"]):
                self.refused = True
                raise _NeedsChecking
            self.seen.update(table.columns["number"])
            first = self.first_id + self.rows
            chunk = _Chunk(range(first, first + len(raws)), table.columns, row_nos)
            self.batches.append(chunk)
            self.rows += len(raws)
            self.hv += table.columns["voltage_class"].count("HV")
            yield chunk

    def check_id_numbers(self, file_name: str) -> tuple[list[tuple], list[tuple]]:
        """The ID numbers' problems: (row, number, problem) and the correction-list rows."""
        flagged: list[tuple[int, str, str]] = []
        marks: list[tuple] = []
        for chunk in self.batches:
            _id_number_problems(chunk.columns, chunk.row_nos, chunk.ids.start, file_name,
                                flagged, marks)
        return flagged, marks


def _import_staged(data: bytes, number_pattern: str | None, now: object, file_name: str,
                   progress: Progress) -> _Loaded | None:
    """A clean file, checked and written a batch at a time while the next is read.

    SQLite: a worker thread reads, checks and prepares each batch (customer rows, search
    side rows and FTS rows) while SQLite writes the previous one (`bulk.load_staged`).
    PostgreSQL: the batches are read and checked as one COPY sends them, so the server
    inserts rows while the client reads on; the search rows follow in a second COPY.
    Anything the batch checks do not pass - a problem row, a number repeated across
    batches or already in the archive (the UNIQUE index refuses it), a blank or unreadable
    row - rolls the batches back and returns None: the checked path then reports every
    problem with its row number, or imports what these checks were too strict for.
    Returns None at once for small files.
    """
    estimate = data.count(b"\n")  # at least the rows after the header (UTF-8 and GBK alike)
    if estimate < _STAGED_MIN_ROWS or not (dbmod.is_postgres() or staged_load_available()):
        return None  # before decoding: the checked path decodes the file itself
    text, encoding = decode_csv_bytes(data)
    db = dbmod.require_database()
    refused: tuple[type[BaseException], ...] = (_NeedsChecking, sqlite3.IntegrityError,
                                                pw.IntegrityError)
    if dbmod.is_postgres():
        import psycopg2

        refused += (psycopg2.IntegrityError,)
    try:
        with db.atomic():  # a savepoint: a batch refused undoes them all
            progress("customers", 0, estimate)
            stream = _Stream(text, number_pattern, reserve_ids("customer", estimate))
            if dbmod.is_postgres():
                flagged, marks = _stream_copy(stream, now, file_name, progress, estimate)
            else:
                flagged, marks = _stream_staged(stream, now, file_name, progress, estimate)
            if not stream.rows:
                raise _NeedsChecking
            record_corrections(marks)
    except refused:
        return None
    progress("customers", stream.rows, stream.rows)
    return stream.rows, stream.hv, stream.first_id, encoding, flagged


def _stream_staged(stream: _Stream, now: object, file_name: str, progress: Progress,
                   estimate: int) -> tuple[list[tuple], list[tuple]]:
    """SQLite: each batch made on a worker thread, written here (`bulk.load_staged`)."""
    width = len(_STAGED_COLUMNS)
    side_at = range(width, width + len(search.SIDE_COLUMNS) - 1)
    targets = (
        Target("customer", (*_STAGED_COLUMNS, "status", "legal_hold", "created_at",
                            "updated_at", "version"),
               (*range(width), Constant("active"), Constant(False), Constant(now),
                Constant(now), Constant(1))),
        Target("customer_search", search.SIDE_COLUMNS, (0, *side_at)),
        Target("customer_fts", ("rowid", "name", "body"), (0, side_at[-1] + 1,
                                                           side_at[-1] + 2)))

    def batches() -> Iterator[Batch]:  # the worker thread: no database here
        for chunk in stream.chunks():
            c = chunk.columns
            sides, fts = search.sqlite_columns_for(c["number"], c["name"], c["id_number"],
                                                   c["phone"], c["address"])
            yield Batch(list(zip(chunk.ids, *(c[f] for f in _STAGED_COLUMNS[1:]), *sides,
                                 *fts)), targets)

    checked: list[tuple[list[tuple], list[tuple]]] = []
    loaded = {"rows": 0}

    def reported(batch: Batch) -> None:
        loaded["rows"] += len(batch.rows)
        progress("customers", loaded["rows"], max(estimate, loaded["rows"]))

    with search.bulk_segment(estimate) as flush, \
            page_cache(load_cache_kib(estimate, _CACHE_PER_ROW_KIB)):
        # The ID numbers are checked on the worker while SQLite writes the FTS5 segment.
        load_staged(batches(), reported,
                    tail=lambda: checked.append(stream.check_id_numbers(file_name)),
                    meanwhile=flush)
    return checked[0] if checked else ([], [])


def _stream_copy(stream: _Stream, now: object, file_name: str, progress: Progress,
                 estimate: int) -> tuple[list[tuple], list[tuple]]:
    """PostgreSQL: the customer rows in one COPY as they are read and checked, then the
    search rows in another; the ID numbers are checked on a second thread meanwhile."""
    def blocks() -> Iterator[str]:  # COPY text, a batch at a time, as the server reads
        for chunk in stream.chunks():
            c = chunk.columns
            same = [[value] * len(chunk.ids) for value in ("active", False, now, now, 1)]
            yield copy_text_block([list(chunk.ids), c["number"], c["name"], c["id_number"],
                                   c["phone"], c["address"], c["voltage_class"],
                                   c["supply_voltage"], c["line"], c["area"], c["tariff"],
                                   same[0], c["important"], *same[1:]])
            progress("customers", stream.rows, max(estimate, stream.rows))

    try:
        copy_lines("customer", _INSERT_COLUMNS, blocks())
    except Exception:
        if stream.refused:  # psycopg2 reports it as a cancelled COPY
            raise _NeedsChecking from None
        raise
    outcome: list = []

    def check() -> None:
        try:
            outcome.append(stream.check_id_numbers(file_name))
        except BaseException as exc:  # noqa: BLE001 - raised in the importing thread
            outcome.append(exc)

    # Pure Python, while this thread mostly waits for the server (the search COPY's GIN
    # entries and their merge): psycopg2 lets go of the GIL while it waits.
    checker = threading.Thread(target=check, name="hudang-id-check", daemon=True)
    checker.start()
    try:
        chunks = stream.batches
        search.index_customers_bulk(
            itertools.chain.from_iterable(
                zip(k.ids, k.columns["number"], k.columns["name"], k.columns["id_number"],
                    k.columns["phone"], k.columns["address"]) for k in chunks),
            progress, stream.rows)
    finally:
        checker.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
