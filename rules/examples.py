"""Run the `examples:` administrators write in their rule files (`hudang rules test`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hudang.rules.checklists import CONTRACT_DEADLINE, step_of
from hudang.rules.classification import ClassificationInput, ExampleCustomer, classify
from hudang.rules.loader import RuleSet
from hudang.rules.policies import deadline_due, loan_terms
from hudang.rules.retention import RetentionFacts, evaluate
from hudang.common.i18n import t


@dataclass
class ExampleResult:
    file: str
    line: int
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _line(rs: RuleSet, name: str, path: tuple) -> int:
    src = rs.sources.get(name)
    return src.position(path)[0] if src else 0


def _cmp(problems: list[str], what: str, want: object, got: object) -> None:
    if want != got:
        problems.append(t("{w}：应为 {a!r}，实际 {b!r}", "{w}: expected {a!r}, got {b!r}",
                          w=what, a=want, b=got))


def run_examples(rs: RuleSet) -> list[ExampleResult]:
    """Every example of every file, each with what differed (empty when it passed)."""
    return (_classification(rs) + _retention(rs) + _policies(rs) + _calendar(rs)
            + _barcodes(rs) + _checklists(rs))


def classification_input(ex_input) -> ClassificationInput:
    """A ClassificationInput from an example's `input:` mapping."""
    rel = ex_input.path.replace("\\", "/")
    return ClassificationInput(
        station=ex_input.station, hot_folder=ex_input.hot_folder, relative_path=rel,
        file_name=rel.rsplit("/", 1)[-1], media_type=ex_input.media_type,
        page_count=ex_input.page_count,
        barcodes=[(b.value, b.symbology, b.page) for b in ex_input.barcodes])


def _classification(rs: RuleSet) -> list[ExampleResult]:
    out = []
    for i, ex in enumerate(rs.classification.examples):
        d = classify(rs, classification_input(ex.input))
        res = ExampleResult("classification.yaml", _line(rs, "classification.yaml",
                                                          ("examples", i)), ex.name)
        exp = ex.expect
        got = {"category": d.category, "doc_type": d.doc_type, "customer": d.customer_number,
               "business_process": d.business_process, "title": d.title,
               "needs_attention": d.needs_attention, "rules": d.matched_rules}
        retention_keys = {"retention_schedule", "retention_status", "eligible_on"}
        if exp.model_fields_set & retention_keys:
            got.update(_retention_of(rs, d, ex.input.customer))
        for key in exp.model_fields_set:
            _cmp(res.problems, key, getattr(exp, key), got[key])
        out.append(res)
    return out


def _retention_of(rs: RuleSet, d, customer) -> dict:
    """What retention.yaml decides for a classified example (its customer facts or defaults)."""
    c = customer or ExampleCustomer()
    facts = RetentionFacts.model_construct(
        category=d.category or "QT", doc_type=d.doc_type or "", voltage_class=c.voltage_class,
        customer_status=c.status, filed_on=c.filed_on, business_step_at=None,
        cancelled_on=c.cancelled_on, contract_signed_on=None,
        contract_expires_on=c.contract_expires_on, legal_hold=c.legal_hold)
    r = evaluate(rs, facts)
    return {"retention_schedule": r.schedule_id or None, "retention_status": r.status,
            "eligible_on": r.eligible_on}


def _retention(rs: RuleSet) -> list[ExampleResult]:
    out = []
    for i, ex in enumerate(rs.retention.examples):
        d = evaluate(rs, ex.input)
        res = ExampleResult("retention.yaml", _line(rs, "retention.yaml", ("examples", i)),
                            ex.name)
        got = {"schedule": d.schedule_id or None, "status": d.status,
               "eligible_on": d.eligible_on, "disposal_blocked": d.disposal_blocked}
        for key in ex.expect.model_fields_set:
            _cmp(res.problems, key, getattr(ex.expect, key), got[key])
        out.append(res)
    return out


def _policies(rs: RuleSet) -> list[ExampleResult]:
    out = []
    for i, ex in enumerate(rs.policies.examples.deadlines):
        due = deadline_due(rs, ex.deadline, ex.start)
        res = ExampleResult("policies.yaml", _line(rs, "policies.yaml",
                                                    ("examples", "deadlines", i)),
                            f"{ex.deadline} {ex.start}")
        _cmp(res.problems, "due", ex.expect_due, due.due_at.date())
        if due.uncovered_years:
            res.problems.append(t("日历未覆盖 {y} 年", "calendar does not cover {y}",
                                  y=due.uncovered_years))
        out.append(res)
    for i, ex in enumerate(rs.policies.examples.loans):
        terms = loan_terms(rs, ex.reader_type, ex.category, ex.use_kind, ex.important)
        res = ExampleResult("policies.yaml", _line(rs, "policies.yaml", ("examples", "loans", i)),
                            ex.name)
        got = {"allowed": terms.allowed, "period_working_days": terms.period_working_days,
               "max_open_loans": terms.max_open_loans,
               "approvers": [a.approver for a in terms.approvals]}
        for key in ex.expect.model_fields_set:
            _cmp(res.problems, key, getattr(ex.expect, key), got[key])
        out.append(res)
    return out


def _calendar(rs: RuleSet) -> list[ExampleResult]:
    out = []
    for i, ex in enumerate(rs.calendar_file.examples):
        got = rs.calendar.add_working_days(ex.start, ex.add_working_days)
        res = ExampleResult("calendar.yaml", _line(rs, "calendar.yaml", ("examples", i)),
                            ex.name or f"{ex.start} + {ex.add_working_days}")
        _cmp(res.problems, "date", ex.expect, got.date)
        if got.uncovered_years:
            res.problems.append(t("日历未覆盖 {y} 年", "calendar does not cover {y}",
                                  y=got.uncovered_years))
        out.append(res)
    return out


def _barcodes(rs: RuleSet) -> list[ExampleResult]:
    out = []
    scheme = rs.barcode_scheme()
    for i, ex in enumerate(rs.barcodes.examples):
        res = ExampleResult("barcodes.yaml", _line(rs, "barcodes.yaml", ("examples", i)),
                            ex.scan)
        try:
            scan = scheme.parse(ex.scan)
            _cmp(res.problems, "kind", ex.kind, scan.kind)
            if "serial" in ex.model_fields_set:
                _cmp(res.problems, "serial", ex.serial, scan.serial)
        except Exception as exc:  # a bad check character is a failed example, not a crash
            res.problems.append(str(exc))
        out.append(res)
    return out


def _checklists(rs: RuleSet) -> list[ExampleResult]:
    out = []
    for i, ex in enumerate(rs.checklists.examples):
        res = ExampleResult("checklists.yaml", _line(rs, "checklists.yaml", ("examples", i)),
                            ex.name)
        step = step_of(rs, ex.process_type, ex.step)
        lim = step.next_step_within if step else None
        got = {"documents": list(step.documents) if step else None,
               "contract_deadline": CONTRACT_DEADLINE[step.contract] if step and step.contract
               else None,
               "step_limit_working_days": lim.working_days if lim else None}
        for key in ex.expect.model_fields_set:
            _cmp(res.problems, key, getattr(ex.expect, key), got[key])
        out.append(res)
    return out
