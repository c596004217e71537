"""The loan lifecycle on every backend: request, approve, check out, return, overdues, renewals."""

from __future__ import annotations

import datetime as dt

import pytest

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.errors import NotOnShelf, PermissionDenied, ValidationError
from hudang.store.models import AuditEvent, Box, LoanItem, LoanRequest, Movement
from hudang.store.services import loan_desk, loans
from hudang.store.services.loan_errors import (
    BorrowerBlocked, ItemOnLoan, LoanNeedsApproval, LoanStateError, NotInRequest, NotOnLoan,
    RenewalRefused, SelfApproval,
)
from hudang.store.services.loan_policy import LoanPolicy
from hudang.store.services.lookup import lookup
from tests.store.test_loans_setup import KEEPER

LI = Actor("li", "desk-2", "approver")
WANG = Actor("wang", "desk-3", "approver")
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today_as_the_test_runs():
    """TODAY is the day each test runs on, not the day the module was imported: a run that
    crosses midnight made loans due a day later than TODAY said."""
    global TODAY
    TODAY = dt.date.today()


def _box(code: str) -> Box:
    return Box.get(Box.barcode == code)


def _take_out(arch, codes=None, requester="zhang", **kw):
    return loans.request_loan(requester, codes or [arch.lv_a_doc, arch.lv_box2],
                              purpose="供电纠纷诉讼取证", use_kind="take_out", actor=KEEPER, **kw)


def test_full_lifecycle(arch):
    req = _take_out(arch)
    assert req.status == "pending" and req.approval_reasons == ["take_out"]
    assert req.slip_no.startswith("L") and len(req.items) == 2
    with pytest.raises(LoanNeedsApproval):
        loan_desk.checkout_item(req.slip_no, arch.lv_box, KEEPER)
    approved = loans.approve(req.slip_no, LI, "同意，限期归还")
    assert approved.status == "approved" and approved.approver == "li"

    picks = loan_desk.pick_list(req.slip_no)
    assert [p.box_barcode for p in picks] == [arch.lv_box2, arch.lv_box]  # walking order
    assert [p.walk_order for p in picks] == sorted(p.walk_order for p in picks)

    first = loan_desk.checkout_item(req.slip_no, arch.lv_a_doc, KEEPER)  # scanned by document
    assert first.item.box_barcode == arch.lv_box and first.remaining == 1
    assert first.loan.status == "active" and first.loan.due_on == TODAY + dt.timedelta(days=7)
    box = _box(arch.lv_box)
    assert (box.status, box.current_id) == ("on_loan", None)
    assert Movement.select().where((Movement.box == box) & (Movement.kind == "checkout")).count() == 1
    looked = lookup(arch.lv_box)
    assert looked.box.status == "on_loan" and looked.box.home.code == arch.homes[arch.lv_box]
    assert loan_desk.item_on_loan(arch.lv_a_vol).slip_no == req.slip_no
    loan_desk.checkout_item(req.slip_no, arch.lv_box2, KEEPER)

    back = loan_desk.return_item(arch.lv_box, KEEPER)  # partial return
    assert back.home.code == arch.homes[arch.lv_box] and back.still_out == 1
    assert back.loan.status == "active" and _box(arch.lv_box).status == "awaiting_reshelve"
    last = loan_desk.return_item(arch.lv_a_vol2, KEEPER, damaged=True, missing="第3页",
                                 note="封皮水渍")
    assert last.loan.status == "returned" and last.loan.closed_at is not None
    assert last.item.damaged and last.item.missing == "第3页"
    assert loan_desk.item_on_loan(arch.lv_box) is None

    assert {b for b, _ in loan_desk.awaiting_reshelve()} == {arch.lv_box, arch.lv_box2}
    out = loan_desk.reshelve(arch.lv_box, arch.homes[arch.lv_box], KEEPER)
    assert out.action == "reshelved" and _box(arch.lv_box).status == "on_shelf"
    assert _box(arch.lv_box).current_id == _box(arch.lv_box).home_id
    actions = [a for (a,) in AuditEvent.select(AuditEvent.action)
               .where(AuditEvent.entity_id == req.slip_no).order_by(AuditEvent.seq).tuples()]
    assert actions == ["loan.request", "loan.approve", "loan.checkout", "loan.checkout",
                       "loan.return", "loan.return"]
    assert audit.verify().ok


def test_approval_by_the_requester_is_refused(arch):
    req = _take_out(arch, requester="li")
    before = AuditEvent.select().count()
    with pytest.raises(SelfApproval):
        loans.approve(req.slip_no, LI)
    with pytest.raises(PermissionDenied):
        loans.approve(req.slip_no, Actor("keeper1"))  # a keeper is no approver
    with pytest.raises(SelfApproval):
        loans.reject(req.slip_no, LI, "自己驳回")
    assert AuditEvent.select().count() == before
    assert loans.get_loan(req.slip_no).status == "pending"
    assert loans.approve(req.slip_no, Actor("boss")).status == "approved"  # admin may approve


def test_important_customer_always_needs_approval(arch):
    read_plain = loans.request_loan("zhang", [arch.lv_b], purpose="核对户名",
                                    use_kind="reading", actor=KEEPER)
    assert read_plain.status == "approved" and not read_plain.approval_reasons
    read_vip = loans.request_loan("zhang", [arch.hv_vol_df], purpose="核对电费",
                                  use_kind="reading", actor=KEEPER)
    assert read_vip.status == "pending" and read_vip.approval_reasons == ["important"]
    with pytest.raises(LoanNeedsApproval):
        loan_desk.checkout_item(read_vip.slip_no, arch.hv_box, KEEPER)
    # The floor holds even when a policy asks for no approval at all.
    lax = LoanPolicy(approval_uses=())
    assert loans.request_loan("wang", [arch.hv_customer], purpose="查阅", use_kind="reading",
                              actor=KEEPER, policy=lax).approval_reasons == ["important"]
    assert loans.request_loan("wang", [arch.lv_box2], purpose="诉讼", use_kind="take_out",
                              actor=KEEPER, policy=lax).approval_reasons == ["take_out"]


def test_reject_needs_a_reason_and_closes_the_slip(arch):
    req = _take_out(arch)
    with pytest.raises(ValidationError):
        loans.reject(req.slip_no, LI, "  ")
    done = loans.reject(req.slip_no, LI, "非司法用途，请改用复制件")
    assert done.status == "rejected" and done.decision_note.startswith("非司法")
    assert {i.status for i in done.items} == {"cancelled"}
    with pytest.raises(LoanStateError):
        loan_desk.checkout_item(req.slip_no, arch.lv_box, KEEPER)
    with pytest.raises(LoanStateError):
        loans.approve(req.slip_no, WANG)


def _overdue_loan(arch, requester="zhang"):
    req = _take_out(arch, [arch.lv_box2], requester=requester)
    loans.approve(req.slip_no, LI if requester != "li" else WANG)
    loan_desk.checkout_item(req.slip_no, arch.lv_box2, KEEPER,
                            today=TODAY - dt.timedelta(days=20))
    return loans.get_loan(req.slip_no)


def test_overdue_list_blocks_new_loans_until_an_approver_overrides(arch):
    late = _overdue_loan(arch)
    assert late.due_on == TODAY - dt.timedelta(days=13)
    rows = loans.overdue_list(TODAY)
    assert [(r.slip_no, r.borrower, r.days_overdue) for r in rows] == [(late.slip_no, "zhang", 13)]
    assert rows[0].borrower_name == "张三丰" and rows[0].items[0].box_barcode == arch.lv_box2
    assert loans.borrower_overdues("zhang", TODAY) == [late.slip_no]

    count = LoanRequest.select().count()
    with pytest.raises(BorrowerBlocked) as blocked:
        loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading", actor=KEEPER)
    assert blocked.value.overdue_slips == [late.slip_no] and late.slip_no in str(blocked.value)
    with pytest.raises(ValidationError):
        loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading",
                           actor=KEEPER, override_by="li")
    with pytest.raises(PermissionDenied):
        loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading",
                           actor=KEEPER, override_by="keeper1", override_reason="急用")
    with pytest.raises(SelfApproval):
        loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading",
                           actor=KEEPER, override_by="zhang", override_reason="急用")
    assert LoanRequest.select().count() == count
    ok = loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading",
                            actor=KEEPER, override_by="li", override_reason="法院调查，当日归还")
    assert ok.override_by == "li" and ok.override_reason == "法院调查，当日归还"
    assert loans.request_loan("wang", [arch.lv_b], purpose="查阅", use_kind="reading",
                              actor=KEEPER).status == "approved"  # others are not blocked
    loan_desk.return_item(arch.lv_box2, KEEPER)
    assert loans.overdue_list(TODAY) == []
    assert loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading",
                              actor=KEEPER).status == "approved"


def test_open_loan_limit_comes_from_policy(arch):
    policy = LoanPolicy(open_loans={"default": 1})
    loans.request_loan("zhang", [arch.lv_b], purpose="查阅", use_kind="reading", actor=KEEPER,
                       policy=policy)
    with pytest.raises(BorrowerBlocked) as blocked:
        loans.request_loan("zhang", [arch.lv_a], purpose="查阅", use_kind="reading",
                           actor=KEEPER, policy=policy)
    assert blocked.value.open_loans == 1
    loans.request_loan("zhang", [arch.lv_a], purpose="查阅", use_kind="reading", actor=KEEPER,
                       policy=policy, override_by="wang", override_reason="领导交办")


def test_renewals_within_and_beyond_policy(arch):
    policy = LoanPolicy(renewals={"take_out": 2}, renewal_period={"default": 5})
    req = _take_out(arch, [arch.lv_box2], policy=policy)
    loans.approve(req.slip_no, LI, policy=policy)
    with pytest.raises(LoanStateError):
        loans.renew(req.slip_no, KEEPER, policy)  # nothing is out yet
    start = TODAY - dt.timedelta(days=3)
    due = loan_desk.checkout_item(req.slip_no, arch.lv_box2, KEEPER, policy, today=start).loan.due_on
    assert due == start + dt.timedelta(days=7)
    once = loans.renew(req.slip_no, KEEPER, policy)
    assert once.due_on == due + dt.timedelta(days=5) and once.renewals == 1
    twice = loans.renew(req.slip_no, KEEPER, policy)
    assert twice.due_on == due + dt.timedelta(days=10) and twice.renewals == 2
    with pytest.raises(RenewalRefused):
        loans.renew(req.slip_no, KEEPER, policy)
    assert loans.get_loan(req.slip_no).due_on == twice.due_on


def test_overdue_or_reading_room_loans_are_not_renewed(arch):
    late = _overdue_loan(arch)
    with pytest.raises(RenewalRefused):
        loans.renew(late.slip_no, KEEPER)
    assert loans.renew(late.slip_no, KEEPER, LoanPolicy(allow_overdue_renewal=True)).renewals == 1
    read = loans.request_loan("wang", [arch.lv_b], purpose="查阅", use_kind="reading",
                              actor=KEEPER)
    loan_desk.checkout_item(read.slip_no, arch.lv_b_vol, KEEPER)
    with pytest.raises(RenewalRefused):
        loans.renew(read.slip_no, KEEPER)


def test_return_of_an_item_not_on_loan_changes_nothing(arch):
    def state():
        return (AuditEvent.select().count(), Movement.select().count(),
                [(b.status, b.version) for b in Box.select().order_by(Box.id)],
                [(i.status, i.returned_at) for i in LoanItem.select().order_by(LoanItem.id)])

    req = loans.request_loan("zhang", [arch.lv_a], purpose="查阅", use_kind="reading",
                             actor=KEEPER)
    before = state()
    for code in (arch.hv_box, arch.lv_a_vol, arch.lv_a):
        with pytest.raises(NotOnLoan) as err:
            loan_desk.return_item(code, KEEPER)
        assert "没有借出" in str(err.value)
    assert state() == before
    loan_desk.checkout_item(req.slip_no, arch.lv_box, KEEPER)
    loan_desk.return_item(arch.lv_box, KEEPER)
    after_first = state()
    with pytest.raises(NotOnLoan):
        loan_desk.return_item(arch.lv_box, KEEPER)  # returned twice
    assert state() == after_first


def test_checkout_only_items_of_the_slip_and_only_from_the_shelf(arch):
    mine = loans.request_loan("zhang", [arch.lv_a_vol], purpose="查阅", use_kind="reading",
                              actor=KEEPER)
    theirs = loans.request_loan("wang", [arch.lv_b_vol], purpose="查阅", use_kind="reading",
                                actor=KEEPER)
    with pytest.raises(NotInRequest):
        loan_desk.checkout_item(mine.slip_no, arch.lv_box2, KEEPER)
    loan_desk.checkout_item(theirs.slip_no, arch.lv_b_vol, KEEPER)
    with pytest.raises(ItemOnLoan) as taken:  # the same LV box holds both customers
        loan_desk.checkout_item(mine.slip_no, arch.lv_a_vol, KEEPER)
    assert taken.value.holder == "wang" and taken.value.slip_no == theirs.slip_no
    assert "王审批" in str(taken.value)
    with pytest.raises(ItemOnLoan):
        loan_desk.checkout_item(theirs.slip_no, arch.lv_box, KEEPER)  # already out on it
    loan_desk.return_item(arch.lv_b_vol, KEEPER)
    with pytest.raises(NotOnShelf):  # back, but not yet reshelved
        loan_desk.checkout_item(mine.slip_no, arch.lv_a_vol, KEEPER)
    loan_desk.reshelve(arch.lv_box, arch.homes[arch.lv_box], KEEPER)
    assert loan_desk.checkout_item(mine.slip_no, arch.lv_a_vol, KEEPER).loan.status == "active"


def test_reading_room_is_same_day_with_a_closing_list(arch):
    req = loans.request_loan("zhang", [arch.lv_a], purpose="核对", use_kind="reading",
                             actor=KEEPER)
    assert req.wanted_days is None
    out = loan_desk.checkout_item(req.slip_no, arch.lv_box, KEEPER)
    assert out.loan.due_on == TODAY and _box(arch.lv_box).status == "reading_room"
    assert [i.box_barcode for i in loan_desk.in_reading_room()] == [arch.lv_box]
    assert loans.overdue_list(TODAY) == []
    assert [r.slip_no for r in loans.overdue_list(TODAY + dt.timedelta(days=1))] == [req.slip_no]
    with pytest.raises(ValidationError):
        loans.request_loan("wang", [arch.lv_b], purpose="核对", use_kind="reading",
                           actor=KEEPER, wanted_days=2)
    loan_desk.return_item(arch.lv_a, KEEPER)
    assert loan_desk.in_reading_room() == []


def test_period_wanted_is_kept_within_policy(arch):
    with pytest.raises(ValidationError):
        _take_out(arch, [arch.lv_box2], wanted_days=30)
    req = _take_out(arch, [arch.lv_box2], wanted_days=3)
    loans.approve(req.slip_no, WANG)
    assert (loan_desk.checkout_item(req.slip_no, arch.lv_box2, KEEPER).loan.due_on
            == TODAY + dt.timedelta(days=3))
    policy = LoanPolicy(periods={"default": {"default": 7, "DF": 2}})
    short = _take_out(arch, [arch.hv_vol_df], requester="wang", policy=policy)
    loans.approve(short.slip_no, LI, policy=policy)
    assert (loan_desk.checkout_item(short.slip_no, arch.hv_box, KEEPER, policy).loan.due_on
            == TODAY + dt.timedelta(days=2))


def test_cancel_pending_and_drop_untaken_items(arch):
    pending = _take_out(arch)
    assert loans.cancel(pending.slip_no, KEEPER, "不需要了").status == "cancelled"
    with pytest.raises(LoanStateError):
        loans.approve(pending.slip_no, LI)
    req = _take_out(arch)
    loans.approve(req.slip_no, LI)
    loan_desk.checkout_item(req.slip_no, arch.lv_box2, KEEPER)
    partly = loans.cancel(req.slip_no, KEEPER, "只取一盒")
    assert partly.status == "active"
    assert sorted(i.status for i in partly.items) == ["cancelled", "out"]
    assert _box(arch.lv_box).status == "on_shelf"
    assert loan_desk.return_item(arch.lv_box2, KEEPER).loan.status == "returned"
    with pytest.raises(LoanStateError):
        loans.cancel(req.slip_no, KEEPER)


def test_unknown_or_unboxed_items_are_refused(arch):
    from hudang.store.errors import UnknownBarcode
    from hudang.store.services import registry

    with pytest.raises(UnknownBarcode):
        loans.request_loan("zhang", ["张三"], purpose="查阅", use_kind="reading", actor=KEEPER)
    loose = registry.register_volume(arch.lv_b, Actor("setup"), None, "QT", "散卷")
    with pytest.raises(ValidationError):
        loans.request_loan("zhang", [loose], purpose="查阅", use_kind="reading", actor=KEEPER)
    with pytest.raises(ValidationError):
        loans.request_loan("zhang", [arch.lv_b], purpose=" ", use_kind="reading", actor=KEEPER)
    with pytest.raises(ValidationError):
        loans.request_loan("zhang", [arch.lv_b], purpose="x", use_kind="lend", actor=KEEPER)
    assert LoanRequest.select().count() == 0


def test_whole_customer_file_spans_its_boxes(arch):
    req = loans.request_loan("zhang", [arch.lv_a, arch.lv_a_vol], purpose="整理",
                             use_kind="reading", actor=KEEPER)
    assert sorted(i.box_barcode for i in req.items) == sorted([arch.lv_box, arch.lv_box2])
    assert {i.item_kind for i in req.items} == {"customer"}
    listed = loans.list_loans("approved", "zhang")
    assert [r.slip_no for r in listed] == [req.slip_no]
