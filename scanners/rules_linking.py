"""The YAML-driven linker: separator sheets and labels cut a file, classification rules name it.

Precedence, per segment (documented in docs/daemon.md):

1. A document label (`D…`) wins outright: the pages join that registered document, whose
   customer and category were fixed when it was registered; rules are not consulted.
2. A separator sheet `HDS-<customer>-<category>` is the operator's explicit statement about
   the document behind it: its customer and category win over the rules. The rules still
   decide what the sheet does not say (document type, business process, title, and the
   category or customer when the sheet leaves them out).
3. Otherwise the rules decide category, document type, customer, business process, title.
4. The hot folder's `customer` / `category` hints fill only what is still empty.

A segment without a category or a customer goes to the needs-attention queue, with the
rule trace summarised as the reason.
"""

from __future__ import annotations

import logging
from typing import Any

from hudang.store.i18n import t

from hudang.scanners.linking import DefaultLinker, LinkPlan, ScanInfo, Segment

log = logging.getLogger("hudang.scanners")
REASON_LIMIT = 600  # characters of rule trace kept in an attention item's reason


class RulesLinker:
    """Links with the rule set `source` holds now (a RulesHolder, or a fixed RuleSet)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    @property
    def ruleset(self) -> Any:
        """The active rule set (None while no valid set has ever loaded)."""
        return getattr(self.source, "current", self.source)

    @property
    def ready(self) -> bool:
        """False until a valid rule set is active: files then wait in the hot folder."""
        return self.ruleset is not None

    def link(self, scan: ScanInfo) -> LinkPlan:
        """Split structurally, then classify each segment that no document label claims."""
        ruleset = self.ruleset
        if ruleset is None:
            raise RuntimeError("no valid rule set is active")
        segments, separators = DefaultLinker(ruleset.barcode_scheme()).split(scan)
        for seg in segments:
            if not seg.document_barcode:
                self._classify(ruleset, scan, seg)
        return LinkPlan(segments, separators, ruleset)

    def _classify(self, ruleset: Any, scan: ScanInfo, seg: Segment) -> None:
        from hudang.rules import ClassificationInput, classify

        inp = ClassificationInput(
            station=scan.station, hot_folder=scan.hot_folder,
            relative_path=scan.relative_path or scan.file_name, file_name=scan.file_name,
            media_type=scan.media_type, page_count=len(seg.pages),
            barcodes=[(b.value, b.symbology, n) for n, page in enumerate(seg.pages, start=1)
                      for b in scan.pages[page - 1]])
        d = classify(ruleset, inp)
        seg.rules = list(d.matched_rules)
        seg.doc_type = d.doc_type or ""
        seg.business_process = d.business_process or ""
        seg.title = d.title or ""
        if seg.customer_number is None and d.customer_number:
            seg.customer_number = d.customer_number
        if seg.category is None and d.category:
            seg.category = d.category
        if d.matched_rules and seg.source != "separator":
            seg.source = "rules"
        if seg.customer_number is None and scan.customer_hint:
            seg.customer_number, seg.source = scan.customer_hint, seg.source or "station"
        if seg.category is None and scan.category_hint:
            seg.category = scan.category_hint
        if seg.category is None or seg.customer_number is None:
            seg.reason = "no_rule"
            seg.reason_detail = summarise(d, seg)


def summarise(decision: Any, seg: Segment) -> str:
    """One line for the keeper: what was missing and why each rule did (not) match."""
    missing = []
    if seg.category is None:
        missing.append(t("类别", "category"))
    if seg.customer_number is None:
        missing.append(t("户号", "customer number"))
    head = t("规则 {v} 未给出{m}", "rules {v} gave no {m}", v=decision.ruleset_version,
             m=t("、", " or ").join(missing))
    parts = []
    for tr in decision.trace:
        if tr.skipped:
            parts.append(f"{tr.rule_id}: {tr.skipped}")
        else:
            mark = "✓" if tr.matched else "✗"
            parts.append(f"{tr.rule_id} {mark} {'; '.join(tr.reasons)}")
    text = head + (": " + " | ".join(parts) if parts else t("（没有规则）", " (no rules)"))
    return text if len(text) <= REASON_LIMIT else text[:REASON_LIMIT - 1] + "…"
