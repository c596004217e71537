"""What every tabular import shares: the file's encoding, its header row, the rejection.

Customers, documents, business events and handover lists all take UTF-8 (BOM or not) or
GBK files whose header names columns in Chinese or English, refuse unknown, repeated or
missing columns on row 1, and reject the whole file with one summary of its problems.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from hudang.store.errors import ImportFailed
from hudang.store.i18n import t

_SPACES = re.compile(r"\s+")


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (BOM or not), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK and GB2312, so GBK files decode the same way
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise ImportFailed(t("无法识别文件编码（支持 UTF-8 与 GBK）：第 {pos} 字节附近有无效字符。",
                             "Unknown file encoding (UTF-8 and GBK are supported): invalid "
                             "bytes near byte {pos}.", pos=exc.start),
                           [(0, "encoding")]) from None


def header_key(name: object) -> str:
    """A header cell as it is matched: no BOM, no spaces, lower case."""
    return _SPACES.sub("", str(name or "").lstrip("\ufeff")).lower()


def aliases(columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """header key -> field, for columns given as field -> accepted header names."""
    return {header_key(a): f for f, names in columns.items() for a in names}


def header_map(header: Iterable[object], columns: Mapping[str, Sequence[str]],
               required: Iterable[str], known: Mapping[str, str] | None = None
               ) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Column index per field, or the problems with the header row (all on row 1)."""
    known = aliases(columns) if known is None else known
    found: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for i, raw in enumerate(header):
        key = header_key(raw)
        if not key:
            continue
        field = known.get(key)
        if field is None:
            problems.append((1, t("未知列“{col}”", "unknown column '{col}'", col=raw)))
        elif field in found:
            problems.append((1, t("列“{col}”重复", "column '{col}' appears twice", col=raw)))
        else:
            found[field] = i
    problems += [(1, t("缺少必需列“{col}”", "missing required column '{col}'",
                       col=columns[f][0])) for f in required if f not in found]
    return found, problems


def rejection(problems: list[tuple[int, str]], what_zh: str) -> str:
    """The one-line summary of a rejected file: how many problems, on how many rows, the
    first three. `what_zh` names what was not imported (客户, 文件, 事件 …)."""
    rows = {r for r, _ in problems}
    first = "; ".join(f"{t('第 {r} 行', 'row {r}', r=r)}: {m}" for r, m in problems[:3])
    return t("导入失败，未导入任何{what}：{n} 个问题，涉及 {k} 行。{first}",
             "Import rejected, nothing imported: {n} problem(s) on {k} row(s). {first}",
             what=what_zh, n=len(problems), k=len(rows), first=first)


def read_header(reader: Iterator[list[str]],
                columns_of: Callable[[list[str]], tuple[dict[str, int], list[tuple[int, str]]]],
                summary: Callable[[list[tuple[int, str]]], str]) -> dict[str, int]:
    """The columns of the first row (`columns_of`: field -> index, problems), or
    ImportFailed: row 1 unreadable, the file empty, or the header's own problems."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFailed(t("第 1 行无法读取：{e}", "row 1 cannot be read: {e}", e=exc),
                           [(1, str(exc))]) from None
    if header is None:
        raise ImportFailed(t("文件是空的", "The file is empty"), [(1, "empty")])
    cols, problems = columns_of(header)
    if problems:
        raise ImportFailed(summary(problems), problems)
    return cols
