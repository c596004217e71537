"""The disposal desk under Pilot: due list, batches, approval and witnessing by the signed-in
user (the store enforces roles; every signature is audited under the user's name)."""

from __future__ import annotations

import datetime as dt

import pytest
from hudang.store.audit import Actor
from hudang.store.models import AuditEvent, Customer, Document
from hudang.store.models_disposal import DisposalSignoff
from hudang.store.services import disposal, registry, users
from hudang.tui.screens.customer import CustomerFileScreen
from hudang.tui.screens.disposal import DisposalScreen

from tests.tui.conftest import ACTOR, scan, screen_text, settle

pytestmark = pytest.mark.asyncio
SIZE = (120, 36)


@pytest.fixture
def batch(desk_archive):
    Customer.update(status="cancelled", cancelled_on=dt.date(2018, 5, 1)).where(
        Customer.number == "0600000003").execute()
    code = registry.register_document("0600000003", "DF", "电费发票", ACTOR, page_count=2,
                                      filed_on=dt.date(2017, 1, 1))
    Document.update(retention_class="cancelled-lv", retention_eligible_on=dt.date(2022, 1, 1)
                    ).where(Document.barcode == code).execute()
    users.add_user("app2", "审批乙", "approver", "password123", issue_card=False)
    info = disposal.propose(dt.date(2026, 1, 1), ACTOR, ["cancelled-lv"])
    disposal.decide(info.number, None, "destroy", "到期", ACTOR)
    return info.number


async def test_approve_and_witness_at_the_desk(make_desk, batch):
    app = make_desk("admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_disposal()
        await settle(pilot)
        assert isinstance(app.screen, DisposalScreen)
        text = screen_text(app)
        assert batch in text and "cancelled-lv 1" in text and "待鉴定审批" in text
        await pilot.press("a")
        await settle(pilot)
        assert "已审批" in screen_text(app)
        await pilot.press("a")  # the same approver again: refused, on screen
        await settle(pilot)
        assert "已签署过" in screen_text(app)
    disposal.approve(batch, Actor("app2"))
    app = make_desk("keeper")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_disposal()
        await settle(pilot)
        app.screen.query_one("#batch-scan").focus()
        await pilot.pause()
        await scan(pilot, batch.lower(), field="#batch-scan")
        await pilot.press("w")
        await settle(pilot)
        assert "已签字" in screen_text(app) and "监销 1/2" in screen_text(app)
    signed = {(s.kind, s.username) for s in DisposalSignoff.select()}
    assert signed == {("approve", "admin"), ("approve", "app2"), ("witness", "keeper")}
    ev = AuditEvent.select().where(AuditEvent.action == "disposal.witnessed").get()
    assert (ev.actor, ev.terminal) == ("keeper", "desk-test")


async def test_customer_file_shows_a_hold(make_desk, desk_archive):
    from hudang.store.services import holds

    holds.place("0600000002", "审计冻结", ACTOR)
    app = make_desk("keeper")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(CustomerFileScreen("0600000002"))
        await settle(pilot)
        assert "法律冻结" in screen_text(app)
