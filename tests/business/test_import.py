"""Importing business events: three formats, all or nothing with row numbers, idempotent."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from hudang.store.errors import ImportFailed
from hudang.store.models import AuditEvent
from hudang.store.models_business import BusinessEvent, BusinessTask
from hudang.store.services.business_import import import_events
from hudang.store.services.business_rules import local_offset
from tests.business.conftest import ADMIN, write_csv


def test_csv_import_generates_the_tasks_the_checklist_implies(db, people, brules, tmp_path):
    f = write_csv(tmp_path / "ev.csv", [
        "3300000001,P1,新装,受理,2026-03-02 10:00,wang,营业一班,城东供电所",
        "3300000001,P1,新装,签订合同,2026-03-05 09:30:00,wang,营业一班,城东供电所"])
    res = import_events(f, ADMIN, brules)
    assert (res.imported, res.already_known, res.file_format) == (2, 0, "csv-utf-8")
    kinds = sorted((t.kind, t.doc_type) for t in BusinessTask.select())
    assert kinds == [("contract_filing", "供用电合同"), ("digitise", "供用电合同"),
                     ("digitise", "用电申请书"), ("digitise", "身份证明"),
                     ("paper", "供用电合同"), ("paper", "用电申请书"), ("paper", "身份证明"),
                     ("step_limit", "")]
    assert res.tasks == 8
    dig = BusinessTask.get((BusinessTask.kind == "digitise") & (BusinessTask.doc_type == "身份证明"))
    assert dig.due_at - dig.start_at == dt.timedelta(hours=48)
    assert dig.staff == "wang" and dig.team == "营业一班" and dig.unit == "城东供电所"
    assert AuditEvent.select().where(AuditEvent.action == "business.events_import").count() == 1


def test_reimport_changes_nothing(db, people, brules, tmp_path):
    f = write_csv(tmp_path / "ev.csv", ["3300000002,P2,增容,受理,2026-03-02 10:00,li,营业二班,"])
    import_events(f, ADMIN, brules)
    before = (BusinessEvent.select().count(), BusinessTask.select().count(),
              AuditEvent.select().count())
    again = import_events(f, ADMIN, brules)
    assert (again.imported, again.already_known, again.tasks) == (0, 1, 0)
    assert (BusinessEvent.select().count(), BusinessTask.select().count(),
            AuditEvent.select().count()) == before


def test_gbk_csv(db, people, brules, tmp_path):
    f = write_csv(tmp_path / "gbk.csv", ["3300000003,P3,更名过户,受理,2026/3/2 8:05,赵六,营业三班,城西"],
                  encoding="gbk")
    res = import_events(f, ADMIN, brules)
    assert res.file_format == "csv-gbk" and res.imported == 1
    assert BusinessEvent.get().step == "受理" and BusinessEvent.get().staff == "赵六"


def test_bad_rows_are_numbered_and_nothing_is_imported(db, people, brules, tmp_path):
    f = write_csv(tmp_path / "bad.csv", [
        "3300000001,P1,新装,受理,2026-03-02 10:00,wang,营业一班,",
        "9999999999,P9,新装,受理,2026-03-02 10:00,wang,营业一班,",
        "3300000002,P2,装修,受理,2026-03-02 10:00,wang,营业一班,",
        "3300000003,P3,新装,受理,next tuesday,wang,营业一班,",
        "3300000003,,新装,受理,2026-03-02 10:00,wang,营业一班,"])
    with pytest.raises(ImportFailed) as info:
        import_events(f, ADMIN, brules)
    rows = sorted({r for r, _ in info.value.problems})
    assert rows == [3, 4, 5, 6]
    text = " ".join(m for _, m in info.value.problems)
    assert "9999999999" in text and "装修" in text and "next tuesday" in text
    assert BusinessEvent.select().count() == 0 and BusinessTask.select().count() == 0


def test_unknown_column_is_reported_on_row_one(db, people, brules, tmp_path):
    f = tmp_path / "cols.csv"
    f.write_text("户号,流程编号,业务类型,环节,完成时刻\n3300000001,P1,新装,受理,2026-03-02\n",
                 encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_events(f, ADMIN, brules)
    assert {r for r, _ in info.value.problems} == {1}


def test_xlsx_with_real_dates_and_numbers(db, people, brules, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["户号", "流程编号", "业务类型", "环节", "完成时间", "责任人", "班组", "供电单位"])
    sheet.append([3300000001, 1001, "新装", "受理", dt.datetime(2026, 3, 2, 10, 0), "wang",
                  "营业一班", "城东供电所"])
    sheet.append([3300000002, "P-2", "迁址", "受理", "2026-03-03 11:00", "li", "营业二班", ""])
    book.save(tmp_path / "ev.xlsx")
    res = import_events(tmp_path / "ev.xlsx", ADMIN, brules)
    assert (res.imported, res.file_format) == (2, "xlsx")
    ev = BusinessEvent.get(BusinessEvent.process_id == "1001")
    assert ev.customer.number == "3300000001"


def test_xlsx_bad_row_number(db, people, brules, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["户号", "流程编号", "业务类型", "环节", "完成时间"])
    sheet.append(["3300000001", "P1", "新装", "受理", dt.datetime(2026, 3, 2, 10)])
    sheet.append(["3300000001", "P1", "新装", "", dt.datetime(2026, 3, 3, 10)])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportFailed) as info:
        import_events(tmp_path / "bad.xlsx", ADMIN, brules)
    assert [r for r, _ in info.value.problems] == [3]


def test_jsonl_with_english_keys(db, people, brules, tmp_path):
    lines = [json.dumps({"customer_number": "3300000001", "process_id": "J1",
                         "process_type": "移表", "step": "受理",
                         "completed_at": "2026-03-02T10:00:00+08:00", "staff": "wang"}),
             "",
             json.dumps({"户号": "3300000002", "流程编号": "J2", "业务类型": "移表", "环节": "装表接电",
                         "完成时间": "2026-03-04 16:00"}, ensure_ascii=False)]
    f = tmp_path / "ev.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = import_events(f, ADMIN, brules)
    assert (res.imported, res.file_format) == (2, "jsonl")


def test_jsonl_broken_line_is_numbered(db, people, brules, tmp_path):
    f = tmp_path / "ev.jsonl"
    f.write_text('{"customer_number": "3300000001", "process_id": "J1", "process_type": "移表", '
                 '"step": "受理", "completed_at": "2026-03-02 10:00"}\n{not json\n[1, 2]\n',
                 encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_events(f, ADMIN, brules)
    assert [r for r, _ in info.value.problems] == [2, 3]
    assert BusinessEvent.select().count() == 0


def test_jsonl_unknown_key_is_a_numbered_problem_even_on_a_good_line(db, people, brules,
                                                                     tmp_path):
    good = {"customer_number": "3300000001", "process_id": "J1", "process_type": "移表",
            "step": "受理", "completed_at": "2026-03-02 10:00"}
    f = tmp_path / "ev.jsonl"
    f.write_text(json.dumps(good) + "\n" + json.dumps(dict(good, step="装表接电", colour="red"))
                 + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_events(f, ADMIN, brules)
    assert [r for r, _ in info.value.problems] == [2]
    assert "colour" in info.value.problems[0][1]
    assert BusinessEvent.select().count() == 0


def test_not_an_xlsx(db, people, brules, tmp_path):
    f = tmp_path / "fake.xlsx"
    f.write_bytes(b"this is not a zip")
    with pytest.raises(ImportFailed):
        import_events(f, ADMIN, brules)


def test_big_files_are_inserted_in_chunks_with_distinct_ids(db, people, brules, tmp_path,
                                                            monkeypatch):
    from hudang.store.services import business_import

    monkeypatch.setattr(business_import, "CHUNK", 2)
    rows = [f"330000000{1 + i % 3},C{i},新装,受理,2026-03-{1 + i:02d} 10:00,wang,营业一班,"
            for i in range(5)]
    res = import_events(write_csv(tmp_path / "c.csv", rows), ADMIN, brules)
    assert res.imported == 5 and res.tasks == 25
    assert BusinessEvent.select().count() == 5 and BusinessTask.select().count() == 25
    events = {e.id: e for e in BusinessEvent.select()}
    assert all(events[t.event_id].process_id == t.process_id for t in BusinessTask.select())


def _stored_tasks() -> dict[tuple, list[tuple]]:
    """(process, step, local completion) -> sorted (kind, doc, due, warning, match) in UTC."""
    events = {e.id: e for e in BusinessEvent.select()}
    off = local_offset()
    out: dict[tuple, list[tuple]] = {}
    for task in BusinessTask.select():
        e = events[task.event_id]
        assert (task.customer_id, task.process_id, task.start_at) == (
            e.customer_id, e.process_id, e.completed_at)
        assert (task.staff, task.team, task.unit) == (e.staff, e.team, e.unit)
        out.setdefault((e.process_id, e.step, e.completed_at + off), []).append(
            (task.kind, task.doc_type, task.due_at, task.warning_from, task.match_from))
    return {k: sorted(v) for k, v in out.items()}


def _expected_tasks(rules, rows: list[tuple]) -> dict[tuple, list[tuple]]:
    off = local_offset()
    out = {}
    for pid, ptype, step, local in rows:
        match_from = local - off - rules.match_before()
        out[(pid, step, local)] = sorted(
            (p.kind, p.doc_type, p.due_at - off, p.warning_from - off, match_from)
            for p in rules.tasks_for(ptype, step, local))
    return {k: v for k, v in out.items() if v}


class _HourDependentRules:
    """The shipped rules, except that digitising a step done after noon is due the next day at
    17:00 (not 48 h on): a deadline the import cannot plan once per day."""

    def __init__(self, rules):
        self.rules = rules

    def __getattr__(self, name):
        return getattr(self.rules, name)

    def tasks_for(self, process_type, step, completed_at):
        out = []
        for p in self.rules.tasks_for(process_type, step, completed_at):
            if p.kind == "digitise" and completed_at.hour >= 12:
                due = dt.datetime.combine(completed_at.date() + dt.timedelta(days=1),
                                          dt.time(17))
                p = p._replace(due_at=due, warning_from=due - dt.timedelta(hours=4))
            out.append(p)
        return out


@pytest.mark.parametrize("hour_dependent", [False, True])
def test_every_task_has_the_deadlines_the_rules_give(db, people, brules, tmp_path,
                                                     hour_dependent):
    """Whatever shortcut the import takes, each task is what `rules.tasks_for` says: every
    step of every process type, at times of day around midnight and noon, on working days,
    weekends and a holiday's eve, and in more than one chunk."""
    from hudang.store.services import business_import

    rules = _HourDependentRules(brules) if hour_dependent else brules
    steps = [(ptype, step) for ptype, spec in brules.file.processes.items()
             for step in spec.steps]
    days = [dt.date(2026, 3, 6), dt.date(2026, 3, 7), dt.date(2026, 4, 3), dt.date(2026, 9, 30)]
    times = [dt.time(0, 0), dt.time(0, 1, 30), dt.time(8, 0), dt.time(11, 59, 59),
             dt.time(12, 0), dt.time(16, 45), dt.time(23, 59, 59)]
    rows, lines = [], []
    for i, ((ptype, step), day, at) in enumerate(
            (s, d, a) for s in steps for d in days for a in times):
        local = dt.datetime.combine(day, at)
        pid = f"E{i}"
        rows.append((pid, ptype, step, local))
        lines.append(f"{people[i % 3]},{pid},{ptype},{step},{local:%Y-%m-%d %H:%M:%S},"
                     f"s{i % 5},营业一班,城东供电所")
    business_import.CHUNK, chunk = 97, business_import.CHUNK
    try:
        res = import_events(write_csv(tmp_path / "all.csv", lines), ADMIN, rules)
    finally:
        business_import.CHUNK = chunk
    expected = _expected_tasks(rules, rows)
    assert res.imported == len(rows) and res.tasks == sum(map(len, expected.values()))
    assert _stored_tasks() == expected
