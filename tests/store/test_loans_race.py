"""Many terminals scanning the same box out at the same moment: exactly one loan, on every backend."""

from __future__ import annotations

import threading

from hudang.store import audit
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.models import Box, LoanItem, Movement
from hudang.store.services import loan_desk, loans
from hudang.store.services.loan_errors import ItemOnLoan
from hudang.store.services.loan_policy import LoanPolicy
from tests.store.test_loans_setup import KEEPER

ROOMY = LoanPolicy(open_loans={"default": 100})
WORKERS = 8


def _race(jobs: list[tuple[str, str]]) -> list[object]:
    """Run checkout_item(slip, code) for every job in its own thread, all released at once."""
    results: list[object] = [None] * len(jobs)
    gate = threading.Barrier(len(jobs))

    def work(n: int, slip: str, code: str) -> None:
        try:
            gate.wait()
            results[n] = loan_desk.checkout_item(slip, code, Actor(f"desk-{n}", f"desk-{n}"),
                                                 ROOMY)
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[n] = exc
        finally:
            dbmod.database.close()

    threads = [threading.Thread(target=work, args=(n, slip, code))
               for n, (slip, code) in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in threads)
    return results


def _approved_slips(arch, n: int) -> list[str]:
    requesters = ["zhang", "keeper1", "audit", "boss"]
    slips = []
    for i in range(n):
        req = loans.request_loan(requesters[i % len(requesters)], [arch.lv_box2],
                                 purpose=f"核对 {i}", use_kind="take_out", actor=KEEPER,
                                 policy=ROOMY)
        slips.append(loans.approve(req.slip_no, Actor("li" if i % 2 else "wang"),
                                   policy=ROOMY).slip_no)
    return slips


def test_concurrent_checkouts_of_one_box_make_exactly_one_loan(arch):
    slips = _approved_slips(arch, WORKERS)
    results = _race([(s, arch.lv_box2) for s in slips])
    wins = [r for r in results if isinstance(r, loan_desk.CheckoutOutcome)]
    losses = [r for r in results if isinstance(r, ItemOnLoan)]
    assert len(wins) == 1, results
    assert len(losses) == WORKERS - 1, results
    winner = wins[0].loan
    assert {e.slip_no for e in losses} == {winner.slip_no}
    assert {e.holder for e in losses} == {winner.requester}
    assert all(winner.requester_name in str(e) for e in losses)
    box = Box.get(Box.barcode == arch.lv_box2)
    assert box.status == "on_loan" and box.current_id is None
    assert LoanItem.select().where(LoanItem.status == "out").count() == 1
    assert Movement.select().where(Movement.kind == "checkout").count() == 1
    assert audit.verify().ok


def test_concurrent_scans_of_one_slip_take_the_item_once(arch):
    slip = _approved_slips(arch, 1)[0]
    results = _race([(slip, code) for code in [arch.lv_box2, arch.lv_a_vol2] * 3])
    wins = [r for r in results if isinstance(r, loan_desk.CheckoutOutcome)]
    assert len(wins) == 1, results
    assert all(isinstance(r, ItemOnLoan) for r in results if r is not wins[0]), results
    assert LoanItem.select().where(LoanItem.status == "out").count() == 1
    assert Movement.select().where(Movement.kind == "checkout").count() == 1


def test_concurrent_requests_respect_the_open_loan_limit(arch):
    from hudang.store.models import LoanRequest
    from hudang.store.services.loan_errors import BorrowerBlocked

    one = LoanPolicy(open_loans={"default": 1})
    results: list[object] = [None] * 6
    gate = threading.Barrier(len(results))

    def work(n: int) -> None:
        try:
            gate.wait()
            results[n] = loans.request_loan("zhang", [arch.lv_b], purpose=f"查阅 {n}",
                                            use_kind="reading", actor=KEEPER, policy=one)
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[n] = exc
        finally:
            dbmod.database.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(results))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert sum(isinstance(r, BorrowerBlocked) for r in results) == len(results) - 1, results
    assert LoanRequest.select().count() == 1
