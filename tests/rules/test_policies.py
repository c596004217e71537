"""Deadlines and loan policy read from policies.yaml, counted on the calendar."""

from __future__ import annotations

import datetime as dt

from hudang.rules import contract_alerts, deadline_due, loan_terms, process_state

D, DT = dt.date, dt.datetime


def test_digitise_within_48_hours_with_warning(ruleset):
    due = deadline_due(ruleset, "digitise", DT(2025, 9, 30, 15, 0))
    assert due.due_at == DT(2025, 10, 2, 15, 0)  # calendar hours: holidays do not stop the clock
    assert due.warning_from == DT(2025, 10, 2, 3, 0)
    assert process_state(due, DT(2025, 10, 1, 9)) == "normal"
    assert process_state(due, DT(2025, 10, 2, 9)) == "warning"
    assert process_state(due, DT(2025, 10, 2, 15, 1)) == "overdue"
    assert process_state(due, DT(2025, 10, 9), done=True) == "normal"


def test_paper_transfer_five_working_days_over_a_holiday(ruleset):
    due = deadline_due(ruleset, "paper_transfer", D(2025, 9, 26))
    assert due.due_at == DT(2025, 10, 10, 23, 59, 59)
    assert due.warning_from.date() == D(2025, 10, 9)
    assert due.uncovered_years == ()


def test_contract_filing_deadlines(ruleset):
    signed = deadline_due(ruleset, "contract_filing_signed", D(2026, 3, 2))
    changed = deadline_due(ruleset, "contract_filing_changed", D(2026, 3, 2))
    dispute = deadline_due(ruleset, "contract_filing_dispute_closed", D(2026, 3, 2))
    cal = ruleset.calendar
    for due, n in ((signed, 30), (changed, 15), (dispute, 10)):
        assert cal.working_days_between(D(2026, 3, 2), due.due_at.date())[0] == n
    assert dispute.due_at < changed.due_at < signed.due_at


def test_deadline_into_an_uncovered_year_is_flagged(ruleset):
    due = deadline_due(ruleset, "contract_filing_signed", D(2026, 12, 1))
    assert due.uncovered_years == (2027,)


def test_contract_reminders_30_and_7_days(ruleset):
    expires = D(2026, 3, 31)
    assert contract_alerts(ruleset, expires, D(2026, 2, 28)) == []
    assert contract_alerts(ruleset, expires, D(2026, 3, 1)) == [("remind", D(2026, 3, 1))]
    assert contract_alerts(ruleset, expires, D(2026, 3, 24)) == [("remind", D(2026, 3, 1)),
                                                                  ("warn", D(2026, 3, 24))]


def test_loan_terms_by_reader_category_and_use(ruleset):
    view = loan_terms(ruleset, "staff", "DF", "view")
    assert view.allowed and view.period_working_days == 5 and view.max_renewals == 1
    assert not view.needs_approval and view.max_open_loans == 5
    important = loan_terms(ruleset, "staff", "DF", "view", important=True)
    assert [a.rule_id for a in important.approvals] == ["important-customer"]
    out = loan_terms(ruleset, "senior_manager", "QT", "original_out")
    assert out.allowed and [a.approver for a in out.approvals] == ["archive_leader"]
    assert not loan_terms(ruleset, "staff", "DF", "original_out").allowed
    assert "unknown reader type" in loan_terms(ruleset, "visitor", "DF", "view").reason
