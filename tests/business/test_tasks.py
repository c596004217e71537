"""Tasks satisfied by what the archive sees; reminders once per state; waivers; status; KPI."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.errors import AlreadyExists, PermissionDenied, ValidationError
from hudang.store.models import AuditEvent, Contract, Customer
from hudang.store.models_business import BusinessTask, QualityCheck, Reminder
from hudang.store.services import business_quality as quality
from hudang.store.services.business_import import import_events
from hudang.store.services.business_kpi import kpi
from hudang.store.services.business_remind import reminders_for, remind_pass
from hudang.store.services.business_rules import local_offset
from hudang.store.services.business_tasks import (
    counts_by_kind,
    handover_received,
    handover_sent,
    open_tasks,
    process_status,
    sweep,
    waive_task,
)
from tests.business.conftest import ADMIN, scanned, write_csv

KEEPER = Actor("keeper1", "test", "keeper")


def utc(local: dt.datetime) -> dt.datetime:
    return local - local_offset()


@pytest.fixture
def p1(people, brules, tmp_path):
    """Process P1 (新装) accepted 2026-03-02 10:00 by wang of 营业一班."""
    import_events(write_csv(tmp_path / "e.csv", [
        "3300000001,P1,新装,受理,2026-03-02 10:00,wang,营业一班,城东供电所"]), ADMIN, brules)
    return "P1"


def _task(kind: str, doc_type: str = "") -> BusinessTask:
    return BusinessTask.get((BusinessTask.kind == kind) & (BusinessTask.doc_type == doc_type))


def test_a_scan_for_customer_and_type_satisfies_digitise(db, p1):
    scanned("3300000001", "用电申请书", dt.datetime(2026, 3, 3, 9, 0))
    scanned("3300000002", "身份证明", dt.datetime(2026, 3, 3, 9, 0))  # another customer
    scanned("3300000001", "身份证明", dt.datetime(2025, 1, 1, 9, 0))  # long before the step
    with dbmod.write_tx():
        counts = sweep(utc(dt.datetime(2026, 3, 3, 12)))
    assert counts["scan"] == 1
    app = _task("digitise", "用电申请书")
    assert app.done_how == "scan" and app.done_at == utc(dt.datetime(2026, 3, 3, 9, 0))
    assert _task("digitise", "身份证明").done_at is None
    st = process_status("P1")
    assert not st.complete and st.missing == ["受理:身份证明"]
    scanned("3300000001", "身份证明", dt.datetime(2026, 3, 4, 9, 0))
    assert process_status("P1").complete


def test_catalogued_document_and_next_step_satisfy(db, p1, brules, tmp_path):
    from hudang.store.services import registry

    vol = registry.register_volume("3300000001", KEEPER)
    from hudang.store.models import Volume

    scanned("3300000001", "用电申请书", dt.datetime(2026, 3, 3, 9),
            volume=Volume.get(Volume.barcode == vol), filed_on=dt.date(2026, 3, 5))
    import_events(write_csv(tmp_path / "e2.csv", [
        "3300000001,P1,新装,现场勘查,2026-03-04 15:00,wang,营业一班,城东供电所"]), ADMIN, brules)
    with dbmod.write_tx():
        sweep(utc(dt.datetime(2026, 3, 6)))
    paper = _task("paper", "用电申请书")
    assert paper.done_how == "catalogued" and paper.done_at.date() == dt.date(2026, 3, 5)
    limit = BusinessTask.get((BusinessTask.kind == "step_limit")
                             & (BusinessTask.start_at == utc(dt.datetime(2026, 3, 2, 10))))
    assert limit.done_how == "next_step"


def test_handover_hooks_move_paper_to_sent_then_done(db, p1):
    with dbmod.write_tx():
        assert handover_sent(Customer.get().id, ["身份证明"], utc(dt.datetime(2026, 3, 3))) == 1
    kinds = {t.doc_type: t.reminder_kind for t in open_tasks(utc(dt.datetime(2026, 3, 3)),
                                                             kind="paper")}
    assert kinds == {"身份证明": "待移交", "用电申请书": "待发送"}
    with dbmod.write_tx():
        handover_received(Customer.get().id, ["身份证明"], utc(dt.datetime(2026, 3, 4)))
    assert _task("paper", "身份证明").done_how == "handover"


def test_states_follow_the_rules(db, p1):
    def state_at(local):
        return {(t.kind, t.doc_type): t.state for t in open_tasks(utc(local))}

    assert state_at(dt.datetime(2026, 3, 2, 12))[("digitise", "身份证明")] == "green"
    assert state_at(dt.datetime(2026, 3, 3, 23))[("digitise", "身份证明")] == "yellow"  # 12 h
    assert state_at(dt.datetime(2026, 3, 4, 10, 1))[("digitise", "身份证明")] == "red"
    # paper: 5 working days from Monday 2026-03-02 = Monday 03-09, yellow from Friday 03-06
    assert state_at(dt.datetime(2026, 3, 6, 12))[("paper", "身份证明")] == "green"
    assert state_at(dt.datetime(2026, 3, 7, 12))[("paper", "身份证明")] == "yellow"
    assert state_at(dt.datetime(2026, 3, 10, 1))[("paper", "身份证明")] == "red"


def test_remind_records_each_state_once_and_escalates_red(db, p1, brules):
    s1 = remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 3, 23)))
    assert s1.new_reminders == {"yellow": 2}  # both digitise tasks turned yellow
    assert s1.open_counts["待添加"]["yellow"] == 2
    s2 = remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 3, 23, 30)))
    assert s2.new_reminders == {}
    s3 = remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 5, 9)))
    assert s3.new_reminders == {"red": 2}
    assert s3.escalated == {"lead1": 2}
    red = Reminder.select().where(Reminder.state == "red")
    assert {(r.recipient, r.escalated_to, r.kind) for r in red} == {("wang", "lead1", "待添加")}
    assert Reminder.select().count() == 4
    actions = [a.action for a in AuditEvent.select().where(AuditEvent.action == "business.remind")]
    assert len(actions) == 3


def test_a_users_reminders_and_what_was_escalated_to_them(db, p1, brules):
    """"Mine" at the desk: wang answers for P1; lead1 leads 营业一班 and gets its red items."""
    remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 3, 23)))  # two digitise: yellow
    remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 5, 9)))  # red, escalated to lead1
    wang = reminders_for("wang")
    assert [(r.state, r.kind, r.escalated) for r in wang] == [("red", "待添加", False)] * 2 + [
        ("yellow", "待添加", False)] * 2  # newest first
    assert wang[0].at == dt.datetime(2026, 3, 5, 9) and wang[0].customer_number == "3300000001"
    lead = reminders_for("lead1")
    assert [(r.state, r.escalated, r.staff, r.team) for r in lead] == [
        ("red", True, "wang", "营业一班")] * 2
    assert {r.doc_type for r in lead} == {"用电申请书", "身份证明"} and not any(r.done for r in lead)
    assert reminders_for("lead1", kind="待发送") == [] and reminders_for("lead2") == []
    now = utc(dt.datetime(2026, 3, 5, 10))
    assert {t.doc_type for t in open_tasks(now, mine="lead1")} == {"用电申请书", "身份证明"}
    assert counts_by_kind(now, mine="lead1") == {"待添加": {"red": 2, "yellow": 0, "green": 0}}
    own = open_tasks(now, mine="wang")
    assert len(own) == len(open_tasks(now)) and {t.staff for t in own} == {"wang"}
    assert open_tasks(now, mine="lead2") == [] and counts_by_kind(now, mine="lead2") == {}
    scanned("3300000001", "用电申请书", dt.datetime(2026, 3, 5, 9, 30))  # done, late
    with dbmod.write_tx():
        sweep(now)
    assert [t.doc_type for t in open_tasks(now, mine="lead1")] == ["身份证明"]
    assert {(r.doc_type, r.done) for r in reminders_for("lead1")} == {("用电申请书", True),
                                                                      ("身份证明", False)}


def test_contract_alerts_from_the_rules(db, people, brules):
    with dbmod.write_tx():
        c = Customer.get(Customer.number == "3300000002")
        Contract.create(customer=c, number="HT1", expires_on=dt.date(2026, 4, 20))
        Contract.create(customer=c, number="HT2", expires_on=dt.date(2026, 4, 5))
        Contract.create(customer=c, number="HT3", expires_on=dt.date(2026, 9, 1))
        Contract.create(customer=c, number="HT4", expires_on=dt.date(2026, 4, 5), auto_renew=True)
    s = remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 30, 9)))
    assert s.contracts == {"yellow": 1, "red": 1}  # HT1 within 30 days, HT2 within 7
    again = remind_pass(brules, ADMIN, utc(dt.datetime(2026, 3, 31, 9)))
    assert Reminder.select().where(Reminder.kind == "合同预警").count() == 2
    assert again.new_reminders == {}


def test_waive_needs_an_authorised_user_and_a_reason(db, p1):
    task = _task("digitise", "身份证明")
    with pytest.raises(PermissionDenied):
        waive_task(task.id, "客户未提供", KEEPER)
    with pytest.raises(ValidationError):
        waive_task(task.id, "  ", ADMIN)
    waive_task(task.id, "客户为单位，无需身份证明", ADMIN)
    task = _task("digitise", "身份证明")
    assert (task.done_how, task.waived_by) == ("waived", "admin1")
    ev = AuditEvent.get(AuditEvent.action == "business.task_waive")
    assert "无需身份证明" in ev.after and ev.actor == "admin1"
    st = process_status("P1")
    assert st.missing == ["受理:用电申请书"]
    with pytest.raises(ValidationError):
        waive_task(task.id, "again", ADMIN)


def test_kpi_counts_rates_ranking_and_change(db, people, brules, tmp_path):
    import_events(write_csv(tmp_path / "e.csv", [
        "3300000001,A1,迁址,受理,2026-03-02 10:00,wang,营业一班,城东供电所",
        "3300000002,B1,迁址,受理,2026-03-02 10:00,li,营业二班,城东供电所",
        "3300000003,B2,迁址,受理,2026-02-10 10:00,li,营业二班,城东供电所"]), ADMIN, brules)
    scanned("3300000001", "用电申请书", dt.datetime(2026, 3, 3, 9))   # on time
    scanned("3300000002", "用电申请书", dt.datetime(2026, 3, 6, 9))   # late (> 48 h)
    scanned("3300000003", "用电申请书", dt.datetime(2026, 2, 11, 9))  # February, on time
    with dbmod.write_tx():
        sweep(utc(dt.datetime(2026, 4, 1)))
    now = utc(dt.datetime(2026, 4, 1))
    rep = kpi("2026-03", "team", now)
    by = {r.group: r for r in rep.rows}
    assert (by["营业一班"].timely.count, by["营业一班"].timely.of) == (1, 1)
    assert (by["营业二班"].timely.count, by["营业二班"].timely.of) == (0, 1)
    assert by["营业二班"].over.count == 1 and by["营业二班"].over.of == 1
    assert by["营业一班"].rank == 1 and by["营业二班"].rank == 2
    assert by["营业二班"].change["timely"] == pytest.approx(-1.0)  # Feb 100 % -> Mar 0 %
    assert by["营业一班"].change["timely"] is None  # no February figure
    assert (rep.total.timely.count, rep.total.timely.of) == (1, 2)
    unit = kpi("2026-03", "unit", now)
    assert [r.group for r in unit.rows] == ["城东供电所"]


def test_quality_sample_is_reproducible_and_feeds_the_kpi(db, people, brules):
    ids = [scanned("3300000001", f"文件{i}", dt.datetime(2026, 3, 1 + i, 9)) for i in range(20)]
    heard = []
    rows = quality.sample("2026-03", 25, 7, ADMIN, progress=lambda *a: heard.append(a))
    drawn = [r.document_id for r in rows]
    assert len(drawn) == 5 and set(drawn) <= set(ids)
    assert heard[0] == ("sample", 0, 5) and heard[-1] == ("sample", 5, 5)
    with pytest.raises(AlreadyExists):
        quality.sample("2026-03", 25, 7, ADMIN)
    with dbmod.write_tx():
        QualityCheck.delete().execute()
    assert [r.document_id for r in quality.sample("2026-03", 25, 7, ADMIN)] == drawn
    quality.record_result("2026-03", drawn[0], "pass", "", ADMIN)
    with pytest.raises(ValidationError):
        quality.record_result("2026-03", drawn[1], "fail", "", ADMIN)
    quality.record_result("2026-03", drawn[1], "fail", "缺页", ADMIN)
    total = kpi("2026-03", "team", utc(dt.datetime(2026, 4, 1))).total
    assert (total.quality.count, total.quality.of, total.quality_pending) == (1, 2, 3)


def test_a_volume_not_shelved_is_a_shelve_task_until_its_box_is(db, people, brules):
    from hudang.store.models import utcnow
    from hudang.store.services import locations, registry, shelving
    from tests.store.helpers import small_storeroom

    small_storeroom()
    box = registry.register_box("LV", KEEPER)
    registry.register_volume("3300000001", KEEPER, box_code=box)
    first = remind_pass(brules, ADMIN, utcnow())
    assert first.shelve_tasks_added == 1
    assert [t.reminder_kind for t in open_tasks(kind="待移交卷宗")] == ["待移交卷宗"]
    assert remind_pass(brules, ADMIN, utcnow()).shelve_tasks_added == 0
    shelving.place_box(box, locations.cells_under("K1-B")[0].barcode, KEEPER)
    assert remind_pass(brules, ADMIN, utcnow()).satisfied["shelved"] == 1
    assert open_tasks(kind="shelve") == []


def test_the_handover_service_moves_paper_tasks(db, p1):
    from hudang.store.services import handover

    batch = handover.new_batch("营业一班 wang", "档案室", KEEPER)
    handover.add_item(batch.number, "3300000001", "YK", "身份证明", KEEPER, page_count=2)
    kinds = {t.doc_type: t.reminder_kind for t in open_tasks(utc(dt.datetime(2026, 3, 3)),
                                                             kind="paper")}
    assert kinds == {"身份证明": "待移交", "用电申请书": "待发送"}
    handover.receive(batch.number, "1", KEEPER)
    assert _task("paper", "身份证明").done_how == "handover"
    assert _task("paper", "用电申请书").done_at is None
