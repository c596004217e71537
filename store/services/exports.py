"""Files people open in Excel: CSV in the encoding they choose, .xlsx with real dates and widths.

Every table the product writes for people goes through here (the loan register, the
stocktake report, a transfer bag's catalogue, the monthly scores), so they all behave alike.

CSV (`write_csv`):
- `utf-8-sig` (the default): UTF-8 with a BOM, which Excel needs to open Chinese correctly.
- `gbk`: for Excel on older Chinese Windows, which reads a CSV in the ANSI code page (GBK).
  A character GBK has no code for (a rare name character such as 𠮷, an emoji, a no-break
  space) is written the GB18030 way (GBK's superset: every GBK character has the same bytes)
  so nothing is lost, and the result lists every such cell: the caller warns that older
  Excel shows those characters wrongly and that `utf-8-sig` shows them as they are.
- a character no encoding can write (a lone surrogate) stops the export with its row and
  column: a clear `ValidationError`, never a traceback, and nothing is written.
- a cell that starts like a formula (= + - @) gets a leading apostrophe (CSV injection),
  unless the caller keeps values exact (a transfer package's catalogue).
- the file appears whole or not at all (written beside, then renamed).

.xlsx (`new_workbook`, `add_table`, `save_workbook`): a bold, frozen header; dates and times
as real Excel dates (sortable, filterable); text that looks like a formula stays text; each
column as wide as its widest value, counting a Chinese character as two.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hudang.store.errors import ValidationError
from hudang.store.i18n import t

CSV_ENCODINGS = ("utf-8-sig", "gbk")
DEFAULT_CSV_ENCODING = "utf-8-sig"
_CODEC = {"utf-8-sig": "utf-8-sig", "gbk": "gb18030"}
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class OutsideGbk:
    """A cell holding characters GBK has no code for (written as GB18030)."""

    row: int  # the spreadsheet row: the header is row 1
    column: str  # its header
    chars: str


@dataclass
class CsvWritten:
    """What `write_csv` wrote: the data rows, and the cells older Excel will show wrongly."""

    path: Path
    rows: int
    encoding: str
    outside_gbk: list[OutsideGbk] = field(default_factory=list)

    def warning(self) -> str:
        """One honest line about characters GBK lacks ('' when there are none)."""
        if not self.outside_gbk:
            return ""
        shown = "；".join(f"{t('第 {r} 行', 'row {r}', r=c.row)}「{c.column}」{c.chars}"
                         for c in self.outside_gbk[:5])
        more = (t(" 等 {n} 处", " and {n} more", n=len(self.outside_gbk) - 5)
                if len(self.outside_gbk) > 5 else "")
        return t("注意：{n} 处字符不在 GBK 字符集中，已按 GB18030 写出，旧版 Excel 会显示为乱码："
                 "{s}{m}。要原样显示请用 utf-8-sig 编码导出。",
                 "note: {n} cell(s) hold characters GBK lacks; they were written as GB18030 and "
                 "older Excel shows them wrongly: {s}{m}. Export with utf-8-sig to keep them "
                 "as they are.", n=len(self.outside_gbk), s=shown, m=more)


def check_encoding(encoding: str) -> str:
    """The encoding if it is one the exports offer, else a clear error."""
    if encoding not in CSV_ENCODINGS:
        raise ValidationError(t("CSV 编码应为 {c}：{e}", "CSV encoding must be {c}: {e}",
                                c=" / ".join(CSV_ENCODINGS), e=encoding))
    return encoding


def csv_cell(value: object, guard_formulas: bool = True) -> object:
    """A value as a CSV cell: None is empty; text that starts like a formula is quoted."""
    if value is None:
        return ""
    if guard_formulas and isinstance(value, str) and value[:1] in _FORMULA_START:
        return "'" + value
    return value


def _not_in_gbk(text: str) -> str:
    out = []
    for ch in dict.fromkeys(text):
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            out.append(ch)
    return "".join(out)


def _char_name(ch: str) -> str:
    return f"「{ch}」U+{ord(ch):04X}" if ch.isprintable() else f"U+{ord(ch):04X}"


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              encoding: str = DEFAULT_CSV_ENCODING, *,
              guard_formulas: bool = True) -> CsvWritten:
    """Write `header` and `rows` to `path` in `encoding` (see the module's notes)."""
    check_encoding(encoding)
    path = Path(path)
    codec = _CODEC[encoding]
    result = CsvWritten(path, 0, encoding)
    line = io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n")
    tmp = _beside(path)
    try:
        with tmp.open("wb") as out:
            if encoding == "utf-8-sig":
                out.write(b"\xef\xbb\xbf")
            _write_row(out, writer, line, 1, header, list(header), codec, encoding, result)
            for number, row in enumerate(rows, start=2):
                cells = [csv_cell(v, guard_formulas) for v in row]
                _write_row(out, writer, line, number, header, cells, codec, encoding, result)
                result.rows += 1
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def _beside(path: Path) -> Path:
    """A temporary name next to `path` (same folder: the rename is atomic; umask applies)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")


def _write_row(out, writer, line: io.StringIO, number: int, header: Sequence[str],
               cells: list, codec: str, encoding: str, result: CsvWritten) -> None:
    line.seek(0)
    line.truncate()
    writer.writerow(cells)
    text = line.getvalue()
    try:
        data = text.encode("utf-8" if codec == "utf-8-sig" else codec)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        column = next((str(h) for h, c in zip(header, cells) if bad in str(c)), "")
        raise ValidationError(t("第 {r} 行「{c}」列有无法写入文件的字符 {ch}，未导出",
                                "row {r}, column {c}: character {ch} cannot be written to a "
                                "file; nothing was exported", r=number, c=column,
                                ch=", ".join(_char_name(ch) for ch in bad))) from None
    if encoding == "gbk":
        try:
            text.encode("gbk")
        except UnicodeEncodeError:
            for h, c in zip(header, cells):
                missing = _not_in_gbk(str(c))
                if missing:
                    result.outside_gbk.append(OutsideGbk(number, str(h), missing))
    out.write(data)


# --------------------------------------------------------------------------- .xlsx

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
PERCENT_FORMAT = "0.0%"
_MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Columns `text` takes in Excel's default font: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def new_workbook():
    """An empty workbook (openpyxl is imported here: kept off the desk's cold start)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def _shown(value: object, number_format: str) -> str:
    """Roughly what Excel shows for a value in a format (for the column width)."""
    if isinstance(value, dt.datetime):
        return "2026-01-01" if number_format == DATE_FORMAT else "2026-01-01 00:00:00"
    if isinstance(value, dt.date):
        return "2026-01" if number_format == MONTH_FORMAT else "2026-01-01"
    if isinstance(value, float) and "%" in number_format:
        return f"{value * 100:+.1f}%"
    return "" if value is None else str(value)


def add_table(book, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]], *,
              formats: dict[int, str] | None = None, freeze: str = "A2"):
    """A sheet of one table: bold frozen header, real dates, text kept text, fitted widths.

    `formats` maps a 0-based column to an Excel number format (percentages, a month);
    dates and times without one get `yyyy-mm-dd` / `yyyy-mm-dd hh:mm:ss`.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = formats or {}
    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [display_width(str(h)) for h in headers]
    for n, row in enumerate(rows):
        sheet.append(list(row))
        for i, cell in enumerate(sheet[sheet.max_row]):
            value = cell.value
            fmt = formats.get(i)
            if fmt is None and isinstance(value, dt.datetime):
                fmt = DATETIME_FORMAT
            elif fmt is None and isinstance(value, dt.date):
                fmt = DATE_FORMAT
            if fmt and value is not None:
                cell.number_format = fmt
            if isinstance(value, str) and value[:1] == "=":
                cell.data_type = "s"  # text, never a formula
            if n < 1000 and i < len(widths):  # widths from the first rows: enough to fit
                widths[i] = max(widths[i], display_width(_shown(value, fmt or "")))
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = freeze
    return sheet


def save_workbook(book, path: str | Path, title: str = "") -> Path:
    """Save with a document title and creation time; the file appears whole or not at all."""
    from hudang.store.models import utcnow

    path = Path(path)
    if title:
        book.properties.title = title
    book.properties.created = utcnow()
    tmp = _beside(path)
    try:
        with tmp.open("wb") as out:
            book.save(out)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
