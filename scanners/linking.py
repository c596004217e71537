"""Linking pages to the archive: a small interface with a built-in default rule set.

`scanners.rules_linking.RulesLinker` is the YAML-driven linker (issue 6); `DefaultLinker` is
used when no rules directory exists. Anything with a `link(ScanInfo) -> LinkPlan` method will
do. The linker is pure: the ingest service checks what it names against the database and
sends anything unknown to the needs-attention queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from hudang.store.barcodes import BarcodeScheme, default_scheme, normalise_scan
from hudang.store.domain import CATEGORIES, category_code
from hudang.store.errors import BadCheckCharacter
from hudang.store.services.ingest import Segment

from hudang.scanners.decode import Barcode

SEPARATOR_PREFIX = "HDS"  # cover sheet / separator: "HDS" or "HDS-<customer>-<category>"


@dataclass
class ScanInfo:
    """What the linker sees: the file's name, its station's hints and each page's barcodes."""

    file_name: str
    station: str
    pages: list[list[Barcode]]  # index 0 is page 1 (checked values only: see decode.checked)
    category_hint: str | None = None
    customer_hint: str | None = None
    hot_folder: str = ""  # the hot folder's name, as classification rules see it
    relative_path: str = ""  # the file's path relative to the hot folder
    media_type: str = ""  # sniffed from the bytes: application/pdf, image/tiff ...


@dataclass
class LinkPlan:
    """Segments in page order, plus pages that were only separators (kept out of documents)."""

    segments: list[Segment]
    separator_pages: list[int] = field(default_factory=list)
    ruleset: Any = field(default=None, repr=False)  # the rules.RuleSet used (None: default)


class Linker(Protocol):
    def link(self, scan: ScanInfo) -> LinkPlan: ...


def parse_separator(value: str) -> tuple[str | None, str | None] | None:
    """(customer, category) of a separator barcode, or None when `value` is not one."""
    code = normalise_scan(value)
    if code == SEPARATOR_PREFIX:
        return (None, None)
    if not code.startswith(SEPARATOR_PREFIX + "-"):
        return None
    parts = code.split("-")[1:]
    customer = parts[0] or None if parts else None
    category = None
    if len(parts) > 1 and parts[1]:
        try:
            category = category_code(parts[1])
        except ValueError:
            return None
    return (customer, category)


def separator_value(customer: str | None = None, category: str | None = None) -> str:
    """The separator barcode the daemon expects for `customer` and `category`."""
    if not customer:
        return SEPARATOR_PREFIX
    return f"{SEPARATOR_PREFIX}-{customer}" + (f"-{category}" if category else "")


class DefaultLinker:
    """Document labels, then separators, then customer numbers from barcodes or the file name."""

    def __init__(self, scheme: BarcodeScheme | None = None) -> None:
        self.scheme = scheme or default_scheme()

    def _kind(self, value: str) -> tuple[str, str]:
        try:
            scan = self.scheme.parse(value)
        except BadCheckCharacter:
            return ("bad", normalise_scan(value))
        return (scan.kind, scan.code)

    def _from_name(self, name: str) -> tuple[str | None, str | None]:
        stem = name.rsplit(".", 1)[0]
        tokens = [tok for tok in re.split(r"[\s_\-.,()（）\[\]]+", stem) if tok]
        customer = category = None
        for tok in tokens:
            if customer is None and self._kind(tok)[0] == "customer":
                customer = tok
            if category is None:
                try:
                    if tok.upper() in CATEGORIES or tok.removesuffix("档案") in CATEGORIES.values():
                        category = category_code(tok)
                except ValueError:
                    pass
        if customer is None:  # a number glued to Chinese text, e.g. 3300012345用电申请书
            for run in re.findall(r"\d+", stem):
                if self._kind(run)[0] == "customer":
                    customer = run
                    break
        return customer, category

    def split(self, scan: ScanInfo) -> tuple[list[Segment], list[int]]:
        """Structural pass: separator sheets and document labels cut the file into segments."""
        segments: list[Segment] = []
        separators: list[int] = []
        current: Segment | None = None
        for index, codes in enumerate(scan.pages):
            page = index + 1
            sep = next((s for s in (parse_separator(b.value) for b in codes) if s), None)
            if sep is not None:
                customer, category = sep
                if customer is None and current is not None:  # bare: same customer, category
                    customer, category = current.customer_number, current.category
                current = Segment(customer_number=customer, category=category,
                                  source="separator")
                segments.append(current)
                separators.append(page)
                continue
            label = next((code for kind, code in map(self._kind, (b.value for b in codes))
                          if kind == "document"), None)
            if label and (current is None or (current.pages
                                              and current.document_barcode != label)):
                current = Segment(document_barcode=label, source="document_label")
                segments.append(current)
            elif label and current.document_barcode is None:
                current.document_barcode = label
            if current is None:
                current = Segment()
                segments.append(current)
            current.pages.append(page)
        return [s for s in segments if s.pages], separators

    def link(self, scan: ScanInfo) -> LinkPlan:
        segments, separators = self.split(scan)
        for seg in segments:
            if seg.customer_number is not None:
                continue
            customer = next((code for p in seg.pages for kind, code in
                             (self._kind(b.value) for b in scan.pages[p - 1])
                             if kind == "customer"), None)
            if customer:
                seg.customer_number, seg.source = customer, seg.source or "barcode"
        self._fill_defaults(scan, segments)
        return LinkPlan(segments, separators)

    def _fill_defaults(self, scan: ScanInfo, segments: list[Segment]) -> None:
        name_customer, name_category = self._from_name(scan.file_name)
        for seg in segments:
            if seg.document_barcode:
                continue
            if seg.customer_number is None and name_customer:
                seg.customer_number, seg.source = name_customer, seg.source or "file_name"
            if seg.customer_number is None and scan.customer_hint:
                seg.customer_number, seg.source = scan.customer_hint, seg.source or "station"
            seg.category = seg.category or name_category or scan.category_hint
            if seg.customer_number is None:
                seg.reason = "no_link"
