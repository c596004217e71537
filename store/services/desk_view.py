"""The desk's whole question about one scan, answered in one snapshot.

A scan is parsed once (by the desk, into a `Scan`); this service then reads everything the
desk shows for it inside one read transaction: the lookup, the loan an item is out on
(who has it, until when) and, for a customer number, the customer's whole file.
"""

from __future__ import annotations

from dataclasses import dataclass

from hudang.store.barcodes import Scan
from hudang.store.db import read_tx
from hudang.store.services import customers, loan_desk, loans
from hudang.store.services.dto import CustomerFile, LookupResult
from hudang.store.services.loan_dto import LoanInfo
from hudang.store.services.lookup import lookup_scan

ITEM_KINDS = ("box", "volume", "document")
OUT_STATUSES = ("on_loan", "reading_room")


@dataclass(frozen=True)
class ScanAnswer:
    """What one scan is: the lookup, the loan it is out on (if any), a customer's file."""

    result: LookupResult
    loan: LoanInfo | None = None
    file: CustomerFile | None = None

    @property
    def on_loan(self) -> bool:
        """Whether the scanned item's box is out (lent or in the reading room)."""
        return self.loan is not None

    @property
    def awaiting_reshelve(self) -> bool:
        box = self.result.box
        return box is not None and box.status == "awaiting_reshelve"


def answer_scan(scan: Scan, *, with_file: bool = True) -> ScanAnswer:
    """Look `scan` up with its loan and (for a customer) its file, all from one snapshot.

    Raises the lookup's errors (UnknownBarcode, BadCheckCharacter) for a code that is not
    in the archive.
    """
    with read_tx():
        result = lookup_scan(scan)
        loan = None
        box = result.box
        if result.kind in ITEM_KINDS and box is not None and box.status in OUT_STATUSES:
            item = loan_desk.item_on_loan(box.barcode if result.kind == "box" else result.code)
            if item is not None:
                loan = loans.get_loan(item.slip_no)
        file = None
        if with_file and result.kind == "customer":
            file = customers.customer_file(result.code)
        return ScanAnswer(result, loan, file)
