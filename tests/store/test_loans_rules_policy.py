"""The loan services driven by the shipped rules (sample_data/rules/policies.yaml) via the CLI adapter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hudang.cli_loans import RulesLoanPolicy, load_loan_policy
from hudang.settings import load_settings
from hudang.rules import load_ruleset
from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied
from hudang.store.services import loan_desk, loans
from hudang.store.services.loan_errors import LoanNotAllowed
from hudang.store.services.loan_policy import DEFAULT_POLICY, LoanPolicyLike
from tests.store.test_loans_setup import KEEPER

RULES = Path(__file__).resolve().parents[2] / "sample_data" / "rules"


@pytest.fixture(scope="module")
def policy() -> RulesLoanPolicy:
    return RulesLoanPolicy(load_ruleset(RULES))


def test_adapter_answers_the_protocol(policy):
    assert isinstance(policy, LoanPolicyLike) and isinstance(DEFAULT_POLICY, LoanPolicyLike)
    assert policy.max_open_loans("external") == 2
    # 10 working days from Monday 2026-09-28 run over the National Day holiday.
    assert policy.due_date("staff", "YK", "take_out", dt.date(2026, 9, 28)) > \
        dt.date(2026, 9, 28) + dt.timedelta(days=14)


def test_rules_refuse_and_require_approvals(arch, policy):
    with pytest.raises(LoanNotAllowed):  # staff may not take billing (电费) originals out
        loans.request_loan("zhang", [arch.hv_vol_df], purpose="诉讼", use_kind="take_out",
                           actor=KEEPER, policy=policy)
    with pytest.raises(LoanNotAllowed):  # a whole file holds every category
        loans.request_loan("zhang", [arch.lv_a], purpose="诉讼", use_kind="take_out",
                           actor=KEEPER, policy=policy)
    vip = loans.request_loan("zhang", [arch.hv_vol_yk], purpose="诉讼", use_kind="take_out",
                             actor=KEEPER, policy=policy)
    assert vip.approval_reasons == ["important-customer", "original-out"]
    ext = loans.request_loan("zhang", [arch.lv_b_vol], purpose="法院调卷", use_kind="copying",
                             reader_type="external", actor=KEEPER, policy=policy)
    assert ext.approval_reasons == ["external-reader"]
    with pytest.raises(PermissionDenied) as denied:
        loans.approve(ext.slip_no, Actor("keeper1"), policy=policy)
    assert "分管领导" in str(denied.value)
    loans.approve(vip.slip_no, Actor("li"), policy=policy)
    start = dt.date(2026, 9, 28)
    out = loan_desk.checkout_item(vip.slip_no, arch.hv_box, KEEPER, policy, today=start)
    assert out.loan.due_on == policy.due_date("staff", "YK", "take_out", start)


def test_load_loan_policy_uses_rules_dir_or_defaults(tmp_path):
    bare = load_settings(env={"HUDANG_HOME": str(tmp_path)})
    assert load_loan_policy(bare) is DEFAULT_POLICY
    wired = load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_RULES_DIR": str(RULES)})
    assert isinstance(load_loan_policy(wired), RulesLoanPolicy)
