"""Domain vocabulary shared by every room: categories, voltage classes, roles, statuses."""

from __future__ import annotations

from enum import StrEnum

# The five categories of a customer's file (一户一档), in the order the file shows them.
CATEGORIES: dict[str, str] = {
    "YK": "业扩",  # service connection / expansion, subdivided by business process
    "YJ": "用检",  # usage inspection
    "JL": "计量",  # metering
    "DF": "电费",  # billing
    "QT": "其它",  # other, incl. image files
}
CATEGORY_EN = {"YK": "Service connection", "YJ": "Inspection", "JL": "Metering",
               "DF": "Billing", "QT": "Other"}


def category_code(value: str) -> str:
    """Accept a code (YK) or the Chinese name (业扩 / 业扩档案) and return the code."""
    v = value.strip()
    if v.upper() in CATEGORIES:
        return v.upper()
    v = v.removesuffix("档案")
    for code, name in CATEGORIES.items():
        if v == name or (name == "其它" and v == "其他"):
            return code
    raise ValueError(f"unknown category {value!r}: expected one of "
                     + ", ".join(f"{c}/{n}" for c, n in CATEGORIES.items()))


HV, LV = "HV", "LV"  # 高压 (10 kV and above) / 低压 (220/380 V)
VOLTAGE_CLASSES = {HV: "高压", LV: "低压"}



class CustomerStatus(StrEnum):
    """A customer's status: active, or cancelled (销户)."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


ACTIVE, CANCELLED = CustomerStatus.ACTIVE, CustomerStatus.CANCELLED
CUSTOMER_STATUSES = {ACTIVE: "正常", CANCELLED: "已销户"}

ROLES = {"keeper": "档案管理员", "approver": "审批人", "admin": "系统管理员", "auditor": "审计员"}

# Location hierarchy 库房-区-列-面-节-层-格, outermost first.
LOCATION_LEVELS = ["room", "zone", "row", "side", "section", "shelf", "cell"]
LOCATION_LEVEL_NAMES = {"room": "库房", "zone": "区", "row": "列", "side": "面",
                        "section": "节", "shelf": "层", "cell": "格", "safe": "保险柜"}
# What a zone holds: HV boxes, LV boxes, cancelled customers' boxes, or rights certificates.
ZONE_CLASSES = {"HV": "高压区", "LV": "低压区", "cancelled": "销户区", "safe": "权证保险柜"}



class BoxStatus(StrEnum):
    """Where a box is in its life: not yet shelved, on its shelf, away, or back and waiting."""

    UNPLACED = "unplaced"
    ON_SHELF = "on_shelf"
    ON_LOAN = "on_loan"
    READING_ROOM = "reading_room"
    AWAITING_RESHELVE = "awaiting_reshelve"


BOX_AWAY = (BoxStatus.ON_LOAN, BoxStatus.READING_ROOM)  # out of the storeroom with a borrower


class LoanStatus(StrEnum):
    """A borrowing slip (出借单): asked, decided, out, and closed."""

    PENDING = "pending"  # waiting for an approver
    APPROVED = "approved"  # may be checked out
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ACTIVE = "active"  # something on it is out
    RETURNED = "returned"  # everything came back


LOAN_OPEN = (LoanStatus.PENDING, LoanStatus.APPROVED, LoanStatus.ACTIVE)


class LoanItemStatus(StrEnum):
    """One box on a slip: to fetch, out with the borrower, back, or dropped."""

    REQUESTED = "requested"
    OUT = "out"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class GrantStatus(StrEnum):
    """An electronic-reading grant for an important customer's pages."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


BOX_STATUSES = {
    "unplaced": "未上架",
    "on_shelf": "在架",
    "on_loan": "借出",
    "reading_room": "阅览中",
    "awaiting_reshelve": "待归架",
}

# Box movements (the append-only history), as the desk names them.
MOVEMENT_KINDS = {"shelve": ("上架", "shelved"), "move": ("移架", "moved"),
                  "reshelve": ("归架", "reshelved"), "checkout": ("出库", "checked out"),
                  "return": ("归还", "returned")}


def movement_name(kind: str) -> str:
    """A movement kind in the current language."""
    from hudang.common.i18n import language

    names = MOVEMENT_KINDS.get(kind)
    return kind if names is None else names[1 if language() == "en" else 0]


def local_time(utc_naive):
    """A stored (naive UTC) timestamp in this machine's local time, for display."""
    import datetime as dt

    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
