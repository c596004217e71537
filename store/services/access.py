"""Who may see what: personal data masked by role, important customers' files behind a grant.

Every surface that shows a customer (the desk, the CLI, exports) asks here: `masked` hides ID
and phone numbers from roles that may not see them; `open_customer_file` lets an important
customer's file open only for an approver, an administrator or a user holding a reading grant,
and writes who looked, when, from which terminal and at what into the audit log.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.db import read_tx, write_tx
from hudang.store.errors import NotFound, PermissionDenied
from hudang.store.i18n import t
from hudang.store.models import Customer
from hudang.store.services.customers import mask_id_number, mask_phone
from hudang.store.services.dto import CustomerInfo, LookupResult
from hudang.store.services.users import can_see_personal_data

FILE_ROLES = ("approver", "admin")  # may open any important customer's file
T = TypeVar("T")


def masked_customer(info: CustomerInfo, role: str) -> CustomerInfo:
    """The customer with ID and phone numbers masked unless `role` may see them."""
    if can_see_personal_data(role):
        return info
    return dataclasses.replace(info, id_number=mask_id_number(info.id_number),
                               phone=mask_phone(info.phone))


def masked(result: T, role: str) -> T:
    """A lookup result (or a customer) with personal data masked for `role`."""
    if isinstance(result, CustomerInfo):
        return masked_customer(result, role)  # type: ignore[return-value]
    if isinstance(result, LookupResult) and result.customer is not None:
        return dataclasses.replace(result, customer=masked_customer(result.customer, role))
    return result


def _important(number: str) -> bool:
    with read_tx():
        c = Customer.get_or_none(Customer.number == number.strip())
    if c is None:
        raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}", n=number))
    return bool(c.important)


def may_view_customer(actor: Actor, customer_number: str) -> bool:
    """Whether `actor` may open this customer's file and pages (important ones need a grant)."""
    if not _important(customer_number):
        return True
    if actor.role in FILE_ROLES:
        return True
    from hudang.store.services.loan_grants import can_view_pages

    try:
        return can_view_pages(actor.username, customer_number)
    except NotFound:  # an actor with no account (a service name) holds no grant
        return False


def may_view_pages(actor: Actor, customer_number: str) -> bool:
    """Whether `actor` may see this customer's scanned pages (same rule as the file)."""
    return may_view_customer(actor, customer_number)


def record_view(actor: Actor, customer_number: str, what: str, detail: Any = None) -> bool:
    """Audit a view of an important customer's file (`what`: file/pages/lookup/export…).

    Returns whether an event was written (ordinary customers' views are not logged).
    """
    if not _important(customer_number):
        return False
    with write_tx():
        audit.record(actor, "customer.view", "customer", customer_number, None,
                     {"what": what, "role": actor.role, "detail": detail})
    return True


def open_customer_file(actor: Actor, customer_number: str, what: str = "file",
                       detail: Any = None) -> None:
    """Refuse unless `actor` may open the file; audit the opening of an important one."""
    if not may_view_customer(actor, customer_number):
        with write_tx():
            audit.record(actor, "customer.view_refused", "customer", customer_number, None,
                         {"what": what, "role": actor.role})
        raise PermissionDenied(t(
            "{n} 是重要客户：需审批人或已批准的阅览授权才能查看",
            "{n} is an important customer: viewing needs an approver or an approved "
            "reading grant", n=customer_number))
    record_view(actor, customer_number, what, detail)


def customer_numbers_of(result: LookupResult) -> list[str]:
    """The customers a lookup result shows (for auditing views of important ones)."""
    numbers: list[str] = []
    if result.customer is not None:
        numbers.append(result.customer.number)
    if result.document is not None:
        numbers.append(result.document.customer_number)
    if result.volume is not None:
        numbers.append(result.volume.customer_number)
    if result.box is not None:
        numbers.extend(n for n, _ in result.box.customers)
    return list(dict.fromkeys(numbers))
