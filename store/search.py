"""Keyword search over customers: Chinese, fuzzy, fast for two-character queries on both backends.

Every searchable field is normalised (NFKC, lower case, punctuation and spaces dropped) and
cut into overlapping character bigrams plus a trailing unigram, each tagged with its field:
a substring of n >= 2 characters is then the phrase of its n-1 consecutive bigrams.

- SQLite: a contentless FTS5 table holds the bigrams as they are (tag + two characters). Its
  `ascii` tokenizer splits only on ASCII spaces and punctuation and folds only ASCII case, so
  every other character (CJK, 𠮷 outside the BMP, accented letters) is kept verbatim; a phrase
  query answers 2- and 3+-character substrings straight from the inverted index.
- PostgreSQL: a `bigint[]` of the tagged bigrams, each coded as one number (`_gram_codes`;
  no unigrams: one character is searched with the B-tree or `strpos`) with a GIN index;
  `grams @> ARRAY[...]` finds the candidates and `strpos` on the stored normalised field
  rechecks adjacency. Numbers, not text: the GIN index compares and stores 8-byte values,
  a third less work for an import than `text COLLATE "C"` (migration 13). (pg_trgm cannot
  serve two-character queries, and under the C locale it extracts no trigrams from CJK.)

The side table `customer_search` keeps the normalised fields that were indexed, so updates
can remove exactly the old entries; its B-tree on the name serves exact and prefix matches.
Tiers give the ranking, each one query with a LIMIT that stops early: exact number, exact
name, name prefix, name substring, number / phone / ID substring, pinyin initials, address.
A single character searches names that start with it; several words must all match.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import add
from typing import Any

import numpy as np
import peewee as pw

from hudang.store import db as dbmod
from hudang.store import pinyin_initials
from hudang.store.progress import Progress, no_progress
from hudang.store.errors import ValidationError
from hudang.store.i18n import t

FIELDS = ("name", "number", "phone", "id_number", "address", "initials")
TAGS = {"name": "n", "number": "h", "phone": "p", "id_number": "i", "address": "a",
        "initials": "q"}
_DROP = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"[0-9]+")
_ASCII_ALNUM = re.compile(r"[0-9a-z]+")
_LETTERS = re.compile(r"[a-z]+")
# A two-character query is one bigram, so any GIN hit is a match: building the bitmap of a
# common bigram (a district name: a fifth of all customers) costs tens of ms, a sample not.
_GIN_SAMPLE = 5000
_TOP_CHAR = "\U0010ffff"  # sorts after every character: the end of a prefix range
MAX_WORDS = 8  # a query of more words is refused: each adds a clause to one big WHERE
MAX_QUERY_CHARS = 200
PERSONAL_FIELDS = ("phone", "id_number")  # searched only for roles that may see them


class QueryTooLong(ValidationError):
    """A search with more words or characters than the caps."""


@dataclass(frozen=True)
class CustomerHit:
    """One search result: who, and which field matched."""

    customer_id: int
    number: str
    name: str
    voltage_class: str
    address: str
    status: str
    important: bool
    matched: str  # number / name / phone / id_number / initials / address / all


# ---------------------------------------------------------------- normalising and tokens

def normalise(text: str | None) -> str:
    """What is indexed and searched: NFKC, lower case, letters and digits only."""
    if not text:
        return ""
    if text.isascii():  # NFKC leaves ASCII alone: numbers, phones and ID numbers are quick
        return text.lower() if text.isalnum() else _DROP.sub("", text.lower())
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def _fts_tokens(tag: str, text: str) -> list[str]:
    """Tagged bigrams of `text` plus its trailing unigram (SQLite FTS5 tokens)."""
    return [tag + text[i:i + 2] for i in range(len(text))]


def _fts_text(tag: str, text: str) -> str:
    """`_fts_tokens` joined by spaces, built with C-level string operations (bulk path)."""
    if len(text) < 2:
        return tag + text if text else ""
    sep = " " + tag
    return tag + sep.join(map(add, text, text[1:])) + sep + text[-1]


def _grams(tag: str, text: str) -> list[str]:
    """Tagged bigrams of `text` plus its trailing unigram ([:-1]: the PostgreSQL bigrams)."""
    return [tag + text[i:i + 2] for i in range(len(text))]


# Polyphonic characters read differently as surnames (曾 zeng, 单 shan, 区 ou ...).
_SURNAME_INITIALS = {"曾": "z", "单": "s", "解": "x", "仇": "q", "区": "o", "查": "z",
                     "朴": "p", "盖": "g", "覃": "q", "缪": "m", "乐": "y", "尉": "y",
                     "秘": "b", "员": "y", "种": "c", "翟": "z", "藏": "z", "繁": "p"}


class _CharInitials(dict):
    """ord(char) -> its pinyin initial (or the character itself); a translate table."""

    first_letter = None

    def __missing__(self, code: int) -> str:
        if 0 <= code - pinyin_initials.FIRST < len(pinyin_initials.INITIALS):
            value = pinyin_initials.INITIALS[code - pinyin_initials.FIRST]
            self[code] = value
            return value
        if type(self).first_letter is None:
            type(self).first_letter = staticmethod(pinyin_initials.pypinyin_first_letter())
        value = self.first_letter(chr(code))
        self[code] = value
        return value


_CHAR_INITIALS = _CharInitials()


def initials(name: str) -> str:
    """Pinyin initials of a name (张三明 -> zsm); letters and digits are kept."""
    return _initials_of(normalise(name))


def _initials_of(text: str) -> str:
    """Initials of an already normalised name."""
    if not text:
        return ""
    first = _SURNAME_INITIALS.get(text[0]) or _CHAR_INITIALS[ord(text[0])]
    return normalise(first + text[1:].translate(_CHAR_INITIALS))


def _fields_of(customer_id: int, number: str, name: str, id_number: str, phone: str,
               address: str) -> tuple:
    """The side-table row (customer_id, normalised fields ...) of one customer."""
    nname = normalise(name)
    return (customer_id, nname, normalise(number), normalise(phone), normalise(id_number),
            normalise(address), _initials_of(nname))


def _fts_row(side: Sequence[Any]) -> tuple[int, str, str]:
    """The FTS5 (rowid, name, body) of a side-table row."""
    cid, name, number, phone, id_number, address, inits = side
    body = " ".join(filter(None, (_fts_text("h", number), _fts_text("p", phone),
                                  _fts_text("i", id_number), _fts_text("a", address),
                                  _fts_text("q", inits))))
    return cid, _fts_text("n", name), body


# A PostgreSQL bigram code: the two characters' code points (21 bits each) and the field.
_TAG_BITS = {"n": 1, "h": 2, "p": 3, "i": 4, "a": 5, "q": 6}


def _gram_codes(tag: str, text: str) -> list[int]:
    """The bigrams of `text` in field `tag` as PostgreSQL's bigint codes (one per pair)."""
    bits = _TAG_BITS[tag]
    return [(ord(a) << 24) | (ord(b) << 3) | bits for a, b in zip(text, text[1:])]


def _pg_row(side: Sequence[Any]) -> tuple:
    """The PostgreSQL side row: the normalised fields plus their bigram codes."""
    codes: set[int] = set()
    for tag, value in zip(("n", "h", "p", "i", "a", "q"), side[1:]):
        codes.update(_gram_codes(tag, value))
    return (*side, sorted(codes))


# ---------------------------------------------------------------- whole columns at once
#
# A bulk import indexes a column of 100,000 values with a handful of C-level string
# operations on the column joined by newlines, instead of a dozen Python calls per value
# (these were most of an import's time). Each function gives exactly what the per-value
# function gives (tests/store/test_search_columns.py holds them equal); a value holding a
# newline itself falls back to the per-value path.

_DROP_KEEP_NL = re.compile(r"(?:[^\w\n]|_)+")


def _joined(values: Sequence[str]) -> str | None:
    """The values joined by newlines, or None when a value holds a newline itself."""
    text = "\n".join(values)
    return text if text.count("\n") == len(values) - 1 else None


def _split(text: str, count: int) -> list[str] | None:
    parts = text.split("\n")
    return parts if len(parts) == count else None


def normalise_column(values: Sequence[str]) -> list[str]:
    """`[normalise(v) for v in values]`, computed on the whole column."""
    text = _joined(values) if values else None
    if text is None:
        return [normalise(v) for v in values]
    if text.isascii():
        low = text.lower()
        out = _split(low if low.replace("\n", "").isalnum() else _DROP_KEEP_NL.sub("", low),
                     len(values))
    else:
        out = _split(_DROP_KEEP_NL.sub("", unicodedata.normalize("NFKC", text).lower()),
                     len(values))
    return out if out is not None else [normalise(v) for v in values]


def initials_column(names: Sequence[str]) -> list[str]:
    """`[_initials_of(n) for n in names]` for already normalised names, on the whole column."""
    text = _joined(names) if names else None
    if text is None:
        return [_initials_of(n) for n in names]
    _CHAR_INITIALS.setdefault(10, "\n")
    letters = _split(text.translate(_CHAR_INITIALS), len(names))
    if letters is None:
        return [_initials_of(n) for n in names]
    surname = _SURNAME_INITIALS
    return normalise_column([surname[n[0]] + t[1:] if n and n[0] in surname else t
                             for n, t in zip(names, letters)])


def fts_column(tag: str, values: Sequence[str]) -> list[str]:
    """`[_fts_text(tag, v) for v in values]`, built for the whole column with numpy."""
    return _pairs_column(tag, values, " ", True) or [_fts_text(tag, v) for v in values]


def codes_column(tag: str, values: Sequence[str]) -> list[str]:
    """Each value's bigram codes (`_gram_codes`) joined by commas, for the whole column.

    The values joined by newlines become one array of code points; each pair of neighbours
    not across a newline gives a code; a -1 after each value's codes marks where the next
    value begins in the single string all the codes are written into.
    """
    text = _joined(values) if values else None
    try:
        points = (np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
                  if text else None)
    except UnicodeEncodeError:  # a lone surrogate
        points = None
    if points is None:
        return [",".join(map(str, _gram_codes(tag, v))) for v in values]
    newline = points == 10
    pair = ~(newline[:-1] | newline[1:])
    codes = ((points[:-1] << 24) | (points[1:] << 3) | _TAG_BITS[tag])[pair]
    value_of = np.cumsum(newline)[:-1][pair]  # which value each code belongs to
    ends = np.searchsorted(value_of, np.arange(1, len(values) + 1))
    marked = np.insert(codes, ends, -1)
    parts = ",".join(map(str, marked.tolist())).split("-1")[:-1]
    return [part.strip(",") for part in parts]


def _pairs_column(tag: str, values: Sequence[str], sep: str, unigram: bool
                  ) -> list[str] | None:
    """Every value's tagged character pairs, for the whole column at once (None: can't).

    The values joined by newlines become one array of code points; every character gives
    the four code points sep + tag + itself + the next character, with the separator
    dropped at the start of a value, and at its end either the next character dropped
    (the trailing unigram) or the whole token; a newline is kept as it is; zeros mark what
    is dropped. Five times faster than building the pairs in Python, which was the
    largest part of an import.
    """
    text = _joined(values) if values else None
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) if text else None
    except UnicodeEncodeError:  # a lone surrogate
        codes = None
    if codes is None:
        return None
    newline = codes == 10
    last = np.zeros(len(codes), dtype=bool)  # a value's last character
    last[-1] = True
    last[:-1] |= newline[1:]
    out = np.empty((len(codes), 4), dtype=np.uint32)
    out[:, 0] = ord(sep)
    out[0, 0] = 0
    out[1:, 0][newline[:-1]] = 0  # no separator before a value's first token
    out[:, 1] = ord(tag)
    out[:, 2] = codes
    out[:-1, 3] = codes[1:]
    out[last, 3] = 0
    if not unigram:
        out[last & ~newline] = 0
    out[newline] = (10, 0, 0, 0)
    flat = out.ravel()
    parts = flat[flat != 0].tobytes().decode("utf-32-le").split("\n")
    return parts if len(parts) == len(values) else None


def pg_rows_for(ids: Sequence[int], numbers: Sequence[str], names: Sequence[str],
                id_numbers: Sequence[str], phones: Sequence[str], addresses: Sequence[str]
                ) -> list[tuple]:
    """The PostgreSQL side-table rows (with the bigram codes' array literal) of new customers."""
    nname, nnumber, nphone, nid, naddr = (normalise_column(c) for c in
                                          (names, numbers, phones, id_numbers, addresses))
    inits = initials_column(nname)
    grams = zip(codes_column("n", nname), codes_column("h", nnumber),
                codes_column("p", nphone), codes_column("i", nid), codes_column("a", naddr),
                codes_column("q", inits))
    literals = ["{" + ",".join(filter(None, g)) + "}" for g in grams]
    return list(zip(ids, nname, nnumber, nphone, nid, naddr, inits, literals))


def pg_copy_lines(ids: Sequence[int], numbers: Sequence[str], names: Sequence[str],
                  id_numbers: Sequence[str], phones: Sequence[str], addresses: Sequence[str]
                  ) -> str:
    """`pg_rows_for`'s rows as lines of COPY's text format (`_PG_COLUMNS`).

    Every value is safe there as it is: the normalised fields hold letters and digits only
    (no tab, newline or backslash), the literal digits and commas; writing them needs no
    quoting, a third of the time of the CSV writer's.
    """
    rows = pg_rows_for(ids, numbers, names, id_numbers, phones, addresses)
    return "".join(["\t".join([str(row[0]), *row[1:]]) + "\n" for row in rows])


def sqlite_rows_for(ids: Sequence[int], numbers: Sequence[str], names: Sequence[str],
                    id_numbers: Sequence[str], phones: Sequence[str],
                    addresses: Sequence[str]) -> tuple[list[tuple], list[tuple]]:
    """The side-table rows and FTS rows of new customers given as columns (SQLite)."""
    sides, (fts_name, body) = sqlite_columns_for(numbers, names, id_numbers, phones, addresses)
    return list(zip(ids, *sides)), list(zip(ids, fts_name, body))


def sqlite_columns_for(numbers: Sequence[str], names: Sequence[str],
                       id_numbers: Sequence[str], phones: Sequence[str],
                       addresses: Sequence[str]) -> tuple[list[list[str]], list[list[str]]]:
    """SQLite index columns of new customers: the side table's (`SIDE_COLUMNS` after the
    id) and the FTS table's (name, body)."""
    nname, nnumber, nphone, nid, naddr = (normalise_column(c) for c in
                                          (names, numbers, phones, id_numbers, addresses))
    inits = initials_column(nname)
    body = list(map(" ".join, zip(fts_column("h", nnumber), fts_column("p", nphone),
                                  fts_column("i", nid), fts_column("a", naddr),
                                  fts_column("q", inits))))
    return [nname, nnumber, nphone, nid, naddr, inits], [fts_column("n", nname), body]


# ---------------------------------------------------------------- schema (migration 2)

_SQLITE_DDL = [
    "CREATE TABLE IF NOT EXISTS customer_search (customer_id INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, number TEXT NOT NULL, phone TEXT NOT NULL, id_number TEXT NOT NULL, "
    "address TEXT NOT NULL, initials TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS customer_search_name ON customer_search (name)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_fts USING fts5(name, body, "
    "tokenize='ascii', content='', columnsize=0)",
    # A 64 MB pending-terms buffer (default 1 MB) makes bulk indexing 3-5x faster: fewer
    # small segments to write and merge. Only a large write transaction ever fills it.
    "INSERT INTO customer_fts (customer_fts, rank) VALUES ('hashsize', 67108864)",
]
_PG_DDL = [
    "CREATE TABLE IF NOT EXISTS customer_search (customer_id INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, number TEXT NOT NULL, phone TEXT NOT NULL, id_number TEXT NOT NULL, "
    "address TEXT NOT NULL, initials TEXT NOT NULL, grams BIGINT[] NOT NULL)",
    "CREATE INDEX IF NOT EXISTS customer_search_name ON customer_search "
    "(name text_pattern_ops, customer_id)",
    "CREATE INDEX IF NOT EXISTS customer_search_grams ON customer_search USING gin (grams)",
]


def create_index(db: pw.Database) -> None:
    """Create the search tables and index every customer already in the archive (migration 2)."""
    for sql in (_PG_DDL if dbmod.is_postgres() else _SQLITE_DDL):
        db.execute_sql(sql)
    cursor = db.execute_sql("SELECT id, number, name, id_number, phone, address FROM customer")
    index_customers_bulk(cursor)


def compare_grams_bytewise(db: pw.Database) -> None:
    """PostgreSQL: the bigram array compared byte by byte (migration 12).

    Under the database's collation (C.UTF-8, zh_CN.UTF-8 ...) every comparison the GIN
    index makes goes through strcoll; bigrams need only equality and a stable order, and
    "C" makes an import's GIN merge a third faster. Archives created since have it already.
    """
    if not dbmod.is_postgres():
        return
    column = _grams_column(db)
    if column and column[0] == "text[]" and column[1] != "C":
        db.execute_sql('ALTER TABLE customer_search ALTER COLUMN grams TYPE text[] COLLATE "C"')


def _grams_column(db: pw.Database) -> tuple[str, str | None] | None:
    """PostgreSQL: the bigram column's type and collation (None: no such column yet)."""
    return db.execute_sql(
        "SELECT format_type(a.atttypid, a.atttypmod), c.collname FROM pg_attribute a "
        "LEFT JOIN pg_collation c ON c.oid = a.attcollation "
        "WHERE a.attrelid = to_regclass('customer_search') AND a.attname = 'grams'"
    ).fetchone()


def code_grams(db: pw.Database) -> None:
    """PostgreSQL: bigrams as bigint codes instead of text (migration 13): re-index.

    The GIN index then compares and keeps 8-byte numbers; an import's GIN work (pending-list
    inserts and their merge) fell by a third. The index is rebuilt from the customer table
    (about a minute per million customers); SQLite's index is unchanged.
    """
    if not dbmod.is_postgres():
        return
    column = _grams_column(db)
    if column and column[0] != "bigint[]":
        rebuild_index()


def index_is_current() -> bool:
    """Whether the archive's search index has this module's format (benchmark archives).

    Archives built before migration 2 settled on raw-character tokens (`ascii` tokenizer,
    64 MB pending-terms buffer) hold base-36 tokens that today's queries cannot match.
    """
    if dbmod.is_postgres():
        return True
    db = dbmod.require_database()
    row = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'customer_fts'").fetchone()
    hashsize = db.execute_sql("SELECT 1 FROM customer_fts_config WHERE k = 'hashsize'"
                              ).fetchone() if row else None
    return bool(row and "tokenize='ascii'" in row[0] and hashsize)


def upgrade_token_format(db: pw.Database) -> None:
    """Archives indexed before the raw-character tokens (development builds) are re-indexed."""
    if not index_is_current():
        rebuild_index()


def rebuild_index() -> int:
    """Drop and rebuild the whole search index from the customer table; return how many."""
    db = dbmod.require_database()
    with dbmod.write_tx():
        for table in ("customer_fts", "customer_search"):
            db.execute_sql(f"DROP TABLE IF EXISTS {table}")
        for sql in (_PG_DDL if dbmod.is_postgres() else _SQLITE_DDL):
            db.execute_sql(sql)
        cursor = db.execute_sql("SELECT id, number, name, id_number, phone, address "
                                "FROM customer")
        return index_customers_bulk(cursor)


# ---------------------------------------------------------------- keeping the index

def _executemany(sql: str, rows: list) -> None:
    """Run `sql` once per row on the current connection (inside the caller's transaction)."""
    if not rows:
        return
    db = dbmod.require_database()
    if dbmod.is_postgres():
        from psycopg2.extras import execute_values

        with db.cursor() as cur:
            execute_values(cur, sql, rows, page_size=1000)
    else:
        db.cursor().executemany(sql, rows)


SIDE_COLUMNS = ("customer_id", "name", "number", "phone", "id_number", "address", "initials")
_PG_COLUMNS = ("customer_id", "name", "number", "phone", "id_number", "address", "initials",
               "grams")
_PG_UPSERT = (f"INSERT INTO customer_search ({', '.join(_PG_COLUMNS)}) VALUES %s"
    " ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, number = EXCLUDED.number, "
    "phone = EXCLUDED.phone, id_number = EXCLUDED.id_number, address = EXCLUDED.address, "
    "initials = EXCLUDED.initials, grams = EXCLUDED.grams")
_SQ_SIDE = ("INSERT OR REPLACE INTO customer_search (customer_id, name, number, phone, "
            "id_number, address, initials) VALUES (?, ?, ?, ?, ?, ?, ?)")
_SQ_FTS = "INSERT INTO customer_fts (rowid, name, body) VALUES (?, ?, ?)"
_SQ_FTS_DELETE = ("INSERT INTO customer_fts (customer_fts, rowid, name, body) "
                  "VALUES ('delete', ?, ?, ?)")


def _sqlite_forget(customer_ids: Sequence[int]) -> None:
    """Remove the FTS entries of these customers, rebuilt exactly from the side table."""
    db = dbmod.require_database()
    for cid in customer_ids:
        old = db.execute_sql("SELECT customer_id, name, number, phone, id_number, address, "
                             "initials FROM customer_search WHERE customer_id = ?",
                             (cid,)).fetchone()
        if old is not None:
            db.execute_sql(_SQ_FTS_DELETE, _fts_row(old))
            db.execute_sql("DELETE FROM customer_search WHERE customer_id = ?", (cid,))


def _as_tuple(row: Any) -> tuple:
    """(id, number, name, id_number, phone, address) from a model, a mapping or a tuple."""
    if isinstance(row, (tuple, list)):
        return tuple(row)
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return (get("id"), get("number"), get("name"), get("id_number") or "",
            get("phone") or "", get("address") or "")


def index_customer(customer: Any) -> None:
    """Insert or replace one customer's index entries (call inside the write transaction)."""
    with dbmod.write_tx():
        side = _fields_of(*_as_tuple(customer))
        if dbmod.is_postgres():
            _executemany(_PG_UPSERT, [_pg_row(side)])
        else:
            _sqlite_forget([side[0]])
            _executemany(_SQ_SIDE, [side])
            _executemany(_SQ_FTS, [_fts_row(side)])


def unindex_customer(customer_id: int) -> None:
    """Remove a customer from the index (call inside the write transaction)."""
    with dbmod.write_tx():
        if dbmod.is_postgres():
            dbmod.require_database().execute_sql(
                "DELETE FROM customer_search WHERE customer_id = %s", (customer_id,))
        else:
            _sqlite_forget([customer_id])


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _column_chunks(rows: Iterable[Any], progress: Progress, total: int
                   ) -> Iterator[list[list]]:
    """The rows as columns, `_COLUMN_CHUNK` at a time; progress reported as each is taken."""
    done = 0
    for chunk in _chunks(rows, _COLUMN_CHUNK):
        columns = [list(c) if None not in c else ["" if v is None else v for v in c]
                   for c in zip(*map(_as_tuple, chunk))]  # a NULL field: nothing indexed
        yield columns
        done += len(chunk)
        progress("index", done, total)


def index_customers_bulk(rows: Iterable[Any], progress: Progress = no_progress,
                         total: int = 0) -> int:
    """Index customers that are NOT yet indexed (import, generator, rebuild); return how many.

    The side-table and FTS rows (SQLite) or bigram arrays (PostgreSQL) are built a column
    at a time (`sqlite_rows_for`, `pg_rows_for`). PostgreSQL queues the GIN entries and
    merges them in one pass at the end. On SQLite a job of `_BULK_SEGMENT` rows or more
    (`total`, when the caller knows it) writes its own FTS5 segment with automerge off.
    """
    count = 0
    db = dbmod.require_database()
    postgres = dbmod.is_postgres()
    with dbmod.write_tx(), bulk_segment(total):
        if postgres:
            from hudang.store.bulk import copy_lines  # COPY, not INSERT

            db.execute_sql("SET LOCAL gin_pending_list_limit = '256MB'")
            # One COPY for the whole job, its rows made a chunk at a time as the server
            # reads: the server inserts one chunk's GIN entries while the next is built.
            count = copy_lines("customer_search", _PG_COLUMNS,
                               (pg_copy_lines(*columns) for columns in
                                _column_chunks(rows, progress, total)))
            if count and db.execute_sql(
                    "SELECT to_regclass('customer_search_grams') IS NOT NULL").fetchone()[0]:
                db.execute_sql("SELECT gin_clean_pending_list('customer_search_grams')")
        else:
            for columns in _column_chunks(rows, progress, total):
                sides, fts = sqlite_rows_for(*columns)
                _executemany(_SQ_SIDE.replace("OR REPLACE ", ""), sides)
                _executemany(_SQ_FTS, fts)
                count += len(columns[0])
    return count


@contextlib.contextmanager
def bulk_segment(total: int) -> Iterator[Callable[[], None]]:
    """SQLite: a job indexing `total` new customers (`_BULK_SEGMENT` or more) writes its
    own FTS5 segment at the end, with automerge off (call inside the write transaction).
    It yields `flush`, which writes the segment at once (a caller with other work for the
    end can overlap the two); the block's end writes it otherwise.

    A savepoint makes FTS5 write its pending terms as one new segment now, while automerge
    is off: merging that segment into a 2-million-row index at commit took 10 µs per
    imported row, half the import. The merge is left to FTS5's own crisis merge (16
    segments on a level) and to later writes' automerge.
    """
    if dbmod.is_postgres() or total < _BULK_SEGMENT:
        yield lambda: None
        return
    db = dbmod.require_database()
    automerge = _fts_setting(db, "automerge", 4)
    db.execute_sql(_SQ_FTS_CONFIG, ("automerge", 0))
    flushed = []

    def flush() -> None:  # the segment written now (once), not when the block ends
        if not flushed:
            db.execute_sql("SAVEPOINT hudang_fts_flush")
            db.execute_sql("RELEASE hudang_fts_flush")
            flushed.append(True)

    yield flush
    flush()
    db.execute_sql(_SQ_FTS_CONFIG, ("automerge", automerge))


def index_new_customers(ids: Sequence[int], numbers: Sequence[str], names: Sequence[str],
                        id_numbers: Sequence[str], phones: Sequence[str],
                        addresses: Sequence[str], progress: Progress = no_progress) -> int:
    """Index customers NOT yet indexed, given as columns (an import); return how many."""
    return index_customers_bulk(zip(ids, numbers, names, id_numbers, phones, addresses),
                                progress, len(ids))


_BULK_SEGMENT = 10_000  # imports at least this big write their own FTS5 segment
_SQ_FTS_CONFIG = "INSERT INTO customer_fts (customer_fts, rank) VALUES (?, ?)"


def _fts_setting(db: pw.Database, key: str, default: int) -> int:
    """An FTS5 configuration value of the customer index (its default when never set)."""
    row = db.execute_sql("SELECT v FROM customer_fts_config WHERE k = ?", (key,)).fetchone()
    return int(row[0]) if row else default


_COLUMN_CHUNK = 10_000  # numpy works best on arrays that fit the CPU cache


# ---------------------------------------------------------------- searching

_COLUMNS = ("c.id, c.number, c.name, c.voltage_class, c.address, c.status, c.important")


def _hit(row: Sequence[Any], matched: str) -> CustomerHit:
    return CustomerHit(int(row[0]), row[1], row[2], row[3], row[4], row[5], bool(row[6]),
                       matched)


def _fts_phrase(tag: str, term: str) -> str:
    """The FTS5 expression for `term` as a substring of a `tag` field."""
    tokens = _fts_tokens(tag, term)
    if len(term) == 1:
        return f'"{tokens[0]}"*'
    return '"' + " ".join(tokens[:-1]) + '"'


def _tiers(term: str) -> list[tuple[str, str]]:
    """The (kind, field) tiers a normalised term is searched in, best first."""
    if len(term) == 1:
        return [("prefix", "name")]
    tiers = [("exact", "number"), ("exact", "name"), ("prefix", "name"), ("contains", "name")]
    if _DIGITS.fullmatch(term):
        tiers += [("contains", "number"), ("contains", "phone")]
    if _LETTERS.fullmatch(term):
        tiers.append(("contains", "initials"))
    if _ASCII_ALNUM.fullmatch(term):  # ID numbers and credit codes mix digits and letters
        tiers.append(("contains", "id_number"))
    tiers.append(("contains", "address"))
    return tiers


def _sqlite_tier(kind: str, field: str, term: str, limit: int) -> list[tuple]:
    db = dbmod.require_database()
    if kind == "exact" and field == "number":
        sql = f"SELECT {_COLUMNS} FROM customer c WHERE c.number = ? ORDER BY c.id LIMIT ?"
        return db.execute_sql(sql, (term, limit)).fetchall()
    if kind in ("exact", "prefix"):  # the B-tree on the normalised name, in name order
        where, params = ("s.name = ?", (term,)) if kind == "exact" else \
            ("s.name >= ? AND s.name < ?", (term, term + _TOP_CHAR))
        sql = (f"SELECT {_COLUMNS} FROM customer_search s JOIN customer c "
               f"ON c.id = s.customer_id WHERE {where} ORDER BY s.name, s.customer_id LIMIT ?")
        return db.execute_sql(sql, (*params, limit)).fetchall()
    column = "name" if field == "name" else "body"
    sql = (f"SELECT {_COLUMNS} FROM customer_fts f JOIN customer c ON c.id = f.rowid "
           f"WHERE customer_fts MATCH ? ORDER BY f.rowid LIMIT ?")
    return db.execute_sql(sql, (f"{column} : {_fts_phrase(TAGS[field], term)}",
                                limit)).fetchall()


_PG_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # conn -> names


def _pg_execute(name: str, types: str, sql: str, params: tuple) -> list[tuple]:
    """Run `sql` ($1, $2 ... placeholders) as a server-side prepared statement.

    Planning these small queries costs ~1 ms each on PostgreSQL, more than running them; a
    statement prepared once per connection is planned once (then a cached generic plan).
    """
    db = dbmod.require_database()
    conn = db.connection()
    names = _PG_PREPARED.setdefault(conn, set())
    if name not in names:
        db.execute_sql(f"PREPARE {name} ({types}) AS {sql}")
        names.add(name)
    marks = ", ".join(["%s"] * len(params))
    return db.execute_sql(f"EXECUTE {name} ({marks})", params).fetchall()


def _pg_tier(kind: str, field: str, term: str, limit: int) -> list[tuple]:
    if kind == "exact" and field == "number":
        sql = f"SELECT {_COLUMNS} FROM customer c WHERE c.number = $1 ORDER BY c.id LIMIT $2"
        return _pg_execute("hudang_search_number", "text, int", sql, (term, limit))
    if kind == "exact":  # (name, customer_id) index: an index-only scan once vacuumed
        where, types, params = "s.name = $1", "text", (term,)
    elif kind == "prefix":  # names that start with it (text_pattern_ops range)
        where, types, params = ("s.name ~>=~ $1 AND s.name ~<~ $2", "text, text",
                                (term, term + _TOP_CHAR))
    else:
        where, types = f"s.grams @> $1 AND strpos(s.{field}, $2) > 0", "bigint[], text"
        params = (_gram_codes(TAGS[field], term), term)
    n = len(params) + 1
    # No ORDER BY inside: the bitmap heap scan then stops after `limit` rows instead of
    # reading every match of a common bigram; the tier is sorted by id here.
    sql = (f"SELECT {_COLUMNS} FROM customer c WHERE c.id IN (SELECT s.customer_id "
           f"FROM customer_search s WHERE {where} LIMIT ${n})")
    name = f"hudang_search_{kind}_{field}"
    return sorted(_pg_execute(name, types + ", int", sql, (*params, limit)))


def _prefer_indexes(sample_gin: bool) -> None:
    """PostgreSQL settings for this search transaction, sent in one round trip.

    No sequential scans: a common bigram makes the planner expect LIMIT rows soon from one,
    but customers of one street or district sit together in the table, so it can read
    thousands of rows first. Generic plans: the prepared tier statements skip planning.
    With `sample_gin` (two-character queries: one bigram, so every GIN hit is a match) the
    GIN scan returns a random few thousand hits of a common bigram instead of all of them.
    """
    sql = ("SET LOCAL enable_seqscan = off; SET LOCAL jit = off; "
           "SET LOCAL plan_cache_mode = force_generic_plan")
    if sample_gin:
        sql += f"; SET LOCAL gin_fuzzy_search_limit = {_GIN_SAMPLE}"
    dbmod.require_database().execute_sql(sql)


def search_customers(text: str, limit: int = 50, *,
                     personal: bool = True) -> list[CustomerHit]:
    """Customers matching `text` (a substring of name, number, phone, ID, address or initials).

    Without `personal` (a role that may not see ID and phone numbers) those two fields are not
    searched, so fragments of them find nobody. More than MAX_WORDS words is refused.
    """
    if len(text or "") > MAX_QUERY_CHARS:
        raise QueryTooLong(t("搜索内容最多 {n} 个字符", "a search is at most {n} characters",
                                n=MAX_QUERY_CHARS))
    terms = [normalise(part) for part in (text or "").split()]
    terms = [t for t in terms if t]
    if len(terms) > MAX_WORDS:
        raise QueryTooLong(t("搜索最多 {n} 个词，请减少关键词", "a search is at most {n} words: use fewer",
                                n=MAX_WORDS))
    if not terms or limit <= 0:
        return []
    if len(terms) > 1:
        return _search_all_terms(terms, limit, personal)
    term = terms[0]
    tier_fn = _pg_tier if dbmod.is_postgres() else _sqlite_tier
    hits: list[CustomerHit] = []
    seen: set[int] = set()
    own_tx = not dbmod.require_database().in_transaction()
    with dbmod.read_tx():
        if own_tx and dbmod.is_postgres():
            _prefer_indexes(sample_gin=len(term) == 2)
        for kind, field in _tiers(term):
            if not personal and field in PERSONAL_FIELDS:
                continue
            for row in tier_fn(kind, field, term, limit + len(seen)):
                if row[0] not in seen:
                    seen.add(row[0])
                    hits.append(_hit(row, field))
                    if len(hits) >= limit:
                        return hits
    return hits


def _search_all_terms(terms: list[str], limit: int, personal: bool = True) -> list[CustomerHit]:
    """Several words: customers where every word is a substring of some field."""
    db = dbmod.require_database()
    fields = [f for f in FIELDS if personal or f not in PERSONAL_FIELDS]
    own_tx = not db.in_transaction()
    with dbmod.read_tx():
        if dbmod.is_postgres():
            if own_tx:
                _prefer_indexes(sample_gin=False)
            else:
                db.execute_sql("SET LOCAL jit = off")
            conds, params = [], []
            for term in terms:
                alts = []
                for f in fields:
                    if len(term) == 1:
                        alts.append(f"strpos(s.{f}, %s) > 0")
                        params.append(term)
                    else:
                        alts.append(f"(s.grams @> %s::bigint[] AND strpos(s.{f}, %s) > 0)")
                        params += [_gram_codes(TAGS[f], term), term]
                conds.append("(" + " OR ".join(alts) + ")")
            sql = (f"SELECT {_COLUMNS} FROM customer_search s JOIN customer c "
                   f"ON c.id = s.customer_id WHERE {' AND '.join(conds)} ORDER BY c.id LIMIT %s")
            rows = db.execute_sql(sql, (*params, limit)).fetchall()
        else:
            expr = " AND ".join(
                "(" + " OR ".join(_fts_phrase(TAGS[f], term) for f in fields) + ")"
                for term in terms)
            sql = (f"SELECT {_COLUMNS} FROM customer_fts f JOIN customer c ON c.id = f.rowid "
                   f"WHERE customer_fts MATCH ? ORDER BY f.rowid LIMIT ?")
            rows = db.execute_sql(sql, (expr, limit)).fetchall()
    return [_hit(r, "all") for r in rows]
