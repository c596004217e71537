"""`date_fields_read` is true to `evaluate`: dates it does not name never change a decision,
and of a date it reads by the year only the year does. Bulk jobs decide once per what is read."""

from __future__ import annotations

import datetime as dt
import random
import shutil

import pytest

from hudang.rules import load_ruleset
from hudang.rules.retention import FACT_NAMES, RetentionFacts, date_fields_read, evaluate
from hudang.store.services.retention import decide_memoised
from hudang.store.services.retention_policy import RetentionFacts as StoreFacts
from tests.rules.conftest import SAMPLE_RULES

DATES = ("filed_on", "business_step_at", "cancelled_on", "contract_signed_on",
         "contract_expires_on")
FIELD = {"document.filed_on": "filed_on", "document.business_step_at": "business_step_at",
         "customer.cancelled_on": "cancelled_on", "contract.signed_on": "contract_signed_on",
         "contract.expires_on": "contract_expires_on"}
# Every trigger field, both countings, bounds (not_after) read by day and by year.
MIXED = """
triggers:
  filed: {name: 归档, date_field: document.filed_on}
  step: {name: 业务环节, date_field: document.business_step_at, not_after: document.filed_on}
  cancelled: {name: 销户, date_field: customer.cancelled_on}
  signed: {name: 签订, date_field: contract.signed_on, not_after: customer.cancelled_on}
  expired: {name: 到期, date_field: contract.expires_on, not_after: contract.signed_on}
schedules:
  - {id: a, match: {categories: [YK]}, trigger: step, period: P2Y, disposition: review}
  - {id: b, match: {categories: [YK, JL]}, trigger: filed, period: P3Y, counting: from_next_january,
     disposition: review}
  - {id: cancelled-lv, match: {customer_statuses: [cancelled]}, trigger: cancelled,
     period: P5Y, counting: from_next_january, disposition: destroy_after_review}
  - {id: active-customer, match: {customer_statuses: [active]}, trigger: cancelled,
     period: P3Y, disposition: review}
  - {id: d, match: {doc_types: [供用电合同]}, trigger: signed, period: P10Y,
     disposition: review}
  - {id: e, match: {doc_types: [供用电合同, 调度协议]}, trigger: expired, period: P1Y,
     counting: from_next_january, disposition: review}
  - {id: f, match: {categories: [QT], voltage_classes: [HV]}, trigger: filed,
     disposition: keep_permanently}
  - {id: g, match: {categories: [DF]}, trigger: filed, period: P10Y, disposition: review}
"""


def _random_facts(rng: random.Random) -> dict:
    def day():
        return None if rng.random() < 0.25 else dt.date(2000, 1, 1) + dt.timedelta(
            days=rng.randrange(9000))

    return {"category": rng.choice(["YK", "YJ", "JL", "DF", "QT"]),
            "doc_type": rng.choice(["", "用电申请书", "供用电合同", "调度协议", "土地使用证"]),
            "voltage_class": rng.choice(["HV", "LV"]),
            "customer_status": rng.choice(["active", "cancelled"]),
            "legal_hold": rng.random() < 0.1, **{name: day() for name in DATES}}


def _outcome(ruleset, values: dict) -> tuple:
    d = evaluate(ruleset, RetentionFacts.model_construct(**values))
    return d.status, d.schedule_id, d.eligible_on, d.note


def _same_year(value: dt.date | None, rng: random.Random) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, rng.randint(1, 12), rng.randint(1, 28))


@pytest.fixture(params=["shipped", "mixed"])
def rules(request, tmp_path):
    if request.param == "shipped":
        return load_ruleset(SAMPLE_RULES)
    target = tmp_path / "rules"
    shutil.copytree(SAMPLE_RULES, target)
    (target / "retention.yaml").write_text(MIXED, encoding="utf-8")
    return load_ruleset(target)


def test_dates_not_read_never_change_the_decision(rules):
    rng = random.Random(5)
    for _ in range(3000):
        values = _random_facts(rng)
        read = dict(date_fields_read(rules, RetentionFacts.model_construct(**values)))
        other = dict(values)
        for field, name in FIELD.items():
            if field not in read:
                other[name] = _random_facts(rng)[name]
            elif read[field] == "year":
                other[name] = _same_year(values[name], rng)
        assert _outcome(rules, other) == _outcome(rules, values), (values, other, read)


def test_the_store_decides_once_per_what_is_read_and_gets_every_answer_right(rules):
    rng = random.Random(9)
    cache: dict = {}
    facts = [_random_facts(rng) for _ in range(4000)]
    for values in facts:
        key = tuple(values[name] for name in FACT_NAMES)
        status, schedule, eligible_on, note = decide_memoised(rules, key, cache)
        d = rules.decide(StoreFacts(*key))
        assert (status, schedule, eligible_on) == (d.status, d.schedule_id, d.eligible_on)
        assert note == f"[{d.status}] {d.note}"[:256]
    assert len(cache) < len(facts)  # some documents shared a decision
