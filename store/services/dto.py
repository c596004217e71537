"""Plain dataclasses the services return; screens and scripts never see Peewee rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    number: str
    name: str
    id_number: str
    phone: str
    address: str
    voltage_class: str
    supply_voltage: str
    line: str
    area: str
    tariff: str
    status: str
    cancelled_on: dt.date | None
    important: bool
    legal_hold: bool
    version: int


@dataclass(frozen=True)
class LocationInfo:
    id: int
    code: str
    kind: str
    label: str  # full path in words, e.g. 1号库房 A区 03列 左面 02节 4层 1格
    barcode: str | None
    capacity: int
    used: int
    zone_class: str

    @property
    def free(self) -> int:
        return max(self.capacity - self.used, 0)


@dataclass(frozen=True)
class MovementInfo:
    at: dt.datetime
    kind: str
    from_code: str | None
    to_code: str | None
    actor: str
    note: str


@dataclass(frozen=True)
class BoxInfo:
    id: int
    barcode: str
    voltage_class: str
    status: str
    label: str
    home: LocationInfo | None
    current: LocationInfo | None
    customers: list[tuple[str, str]] = field(default_factory=list)  # (number, name)
    contents: dict[str, int] = field(default_factory=dict)  # category -> documents
    volumes: int = 0
    movements: list[MovementInfo] = field(default_factory=list)
    version: int = 1


@dataclass(frozen=True)
class VolumeInfo:
    id: int
    barcode: str
    customer_number: str
    customer_name: str
    category: str | None
    title: str
    seq: int
    box: BoxInfo | None
    contents: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    barcode: str | None
    customer_number: str
    customer_name: str
    category: str
    doc_type: str
    title: str
    page_count: int
    filed_on: dt.date | None
    business_process: str
    volume_barcode: str | None
    box_barcode: str | None
    position: str | None  # home position label of its box
    scanned_pages: int = 0
    retention_eligible_on: dt.date | None = None
    scan_station: str | None = None  # the scanning station that filed its pages (issue 16)
    destroyed: bool = False  # a tombstone: destroyed by a disposal batch (issue 15)


@dataclass(frozen=True)
class ContractInfo:
    id: int
    number: str
    kind: str
    signed_on: dt.date | None
    expires_on: dt.date | None
    auto_renew: bool

    def days_to_expiry(self, today: dt.date) -> int | None:
        return None if self.expires_on is None else (self.expires_on - today).days


@dataclass(frozen=True)
class CustomerFile:
    """The customer's whole file (一户一档): documents by category, contracts, boxes."""

    customer: CustomerInfo
    documents: dict[str, list[DocumentInfo]]  # category code -> filing-date order
    contracts: list[ContractInfo]
    boxes: list[BoxInfo]


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    department: str
    staff_card: str | None
    active: bool


@dataclass(frozen=True)
class PositionInfo:
    """A shelf position with what should be there and what is there now."""

    location: LocationInfo
    home_boxes: list[BoxInfo]
    present_boxes: list[BoxInfo]


@dataclass(frozen=True)
class LookupResult:
    """What a scanned code is, and everything the desk shows about it."""

    kind: str  # document volume box position customer staff_card loan_slip
    code: str
    box: BoxInfo | None = None
    volume: VolumeInfo | None = None
    document: DocumentInfo | None = None
    position: PositionInfo | None = None
    customer: CustomerInfo | None = None
    customer_contents: dict[str, int] | None = None
    customer_boxes: list[BoxInfo] | None = None
    user: UserInfo | None = None
    loan: object | None = None  # store.services.loan_dto.LoanInfo for a loan slip
