"""Who may see what: masking by role, important customers behind a grant, views audited."""

from __future__ import annotations

import pytest

from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied
from hudang.store.models import AuditEvent
from hudang.store.services import access, customers, loan_grants, users

from .helpers import customer

KEEPER = Actor("zhang", "desk-2", "keeper")
APPROVER = Actor("li", "desk-1", "approver")


@pytest.fixture
def staff(db):
    users.add_user("zhang", "张三", "keeper", "password-123")
    users.add_user("li", "李四", "approver", "password-123")
    customer("3300000001", name="重要甲", voltage="HV", important=True)
    customer("3300000002", name="普通乙")


def _views() -> list[tuple[str, str, str]]:
    return [(e.actor, e.terminal, e.entity_id) for e in
            AuditEvent.select().where(AuditEvent.action == "customer.view")]


def test_personal_data_is_masked_unless_the_role_may_see_it(staff):
    info = customers.get_customer("3300000002")
    shown = access.masked(info, "keeper")
    assert shown.id_number == "440604********1234" and shown.phone == "138****5678"
    assert access.masked(info, "auditor").id_number == info.id_number


def test_important_files_and_pages_need_an_approver_or_a_grant(staff):
    assert access.may_view_customer(KEEPER, "3300000002")
    assert not access.may_view_customer(KEEPER, "3300000001")
    assert not access.may_view_pages(KEEPER, "3300000001")
    assert access.may_view_customer(APPROVER, "3300000001")
    with pytest.raises(PermissionDenied):
        access.open_customer_file(KEEPER, "3300000001", "pages", {"document": "D1"})
    grant = loan_grants.request_reading("zhang", "3300000001", "核对", 2, KEEPER)
    loan_grants.approve_reading(grant.id, APPROVER)
    assert access.may_view_pages(KEEPER, "3300000001")
    access.open_customer_file(KEEPER, "3300000001", "pages", {"document": "D1", "page": 2})
    access.open_customer_file(KEEPER, "3300000002", "file")  # ordinary: not logged
    assert _views() == [("zhang", "desk-2", "3300000001")]
    refused = AuditEvent.get(AuditEvent.action == "customer.view_refused")
    assert refused.actor == "zhang" and '"what":"pages"' in refused.after
