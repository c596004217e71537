"""Errors a user can cause at the loan desk; each message is ready for the screen."""

from __future__ import annotations

from hudang.store.errors import ArchiveError


class LoanError(ArchiveError):
    """Base of every loan-desk error."""

    code = "loan_error"


class LoanStateError(LoanError):
    """The slip is not in a state that allows this step (e.g. approving a returned loan)."""

    code = "loan_state"


class LoanNeedsApproval(LoanError):
    """Checkout of a request that has not been approved."""

    code = "loan_needs_approval"


class SelfApproval(LoanError):
    """A requester tried to approve (or override for) their own request."""

    code = "self_approval"


class BorrowerBlocked(LoanError):
    """The borrower has overdue items or too many open loans; an approver may override."""

    code = "borrower_blocked"

    def __init__(self, message: str, overdue_slips: list[str] | None = None,
                 open_loans: int = 0):
        super().__init__(message)
        self.overdue_slips = overdue_slips or []
        self.open_loans = open_loans


class ItemOnLoan(LoanError):
    """The item is already out; `holder` and `slip_no` say who has it."""

    code = "item_on_loan"

    def __init__(self, message: str, holder: str = "", slip_no: str = ""):
        super().__init__(message)
        self.holder = holder
        self.slip_no = slip_no


class NotInRequest(LoanError):
    """A scanned item is not on the slip being checked out."""

    code = "not_in_request"


class NotOnLoan(LoanError):
    """A return was scanned for an item that is not on loan; nothing changed."""

    code = "not_on_loan"


class RenewalRefused(LoanError):
    """The renewal is beyond policy (too many renewals, overdue, or not renewable)."""

    code = "renewal_refused"


class LoanNotAllowed(LoanError):
    """The policy does not allow this reader this use of this file category at all."""

    code = "loan_not_allowed"
