"""Old names of the loan desk's door, kept for callers: the desk has one door, `tui.services`.

`loan_services(app)` is the app's `DeskServices`, which has the loan calls too.
"""

from __future__ import annotations

from hudang.tui.services import STATUS_ORDER, DeskServices, LoanBoard, ReadingRoomRow

LoanDeskServices = DeskServices

__all__ = ["STATUS_ORDER", "DeskServices", "LoanBoard", "LoanDeskServices", "ReadingRoomRow",
           "loan_services"]


def loan_services(app) -> DeskServices:
    """The app's one service facade (loans included)."""
    return app.services
