"""The events folder takes each dropped file once: settled, claimed, imported, moved."""

from __future__ import annotations

import os

from hudang.scanners.events_folder import EventsFolder
from hudang.store.models_business import BusinessEvent, BusinessTask
from tests.business.conftest import ADMIN, HEADER

ROW = "3300000001,P1,新装,受理,2026-03-02 10:00,wang,营业一班,城东供电所\n"


def _box(tmp_path, brules) -> EventsFolder:
    folder = tmp_path / "events"
    folder.mkdir()
    return EventsFolder(folder, lambda: brules, ADMIN, quiet_seconds=1.0)


def test_file_is_taken_only_after_it_settles_then_once(db, people, brules, tmp_path):
    box = _box(tmp_path, brules)
    f = box.path / "export.csv"
    f.write_text(HEADER, encoding="utf-8")
    assert box.poll(now=100.0) == []  # first sight
    with f.open("a", encoding="utf-8") as fh:  # still being written
        fh.write(ROW)
    assert box.poll(now=101.5) == []  # changed since: the clock starts again
    assert box.poll(now=102.0) == []
    out = box.poll(now=102.6)
    assert [(o.name, o.status) for o in out] == [("export.csv", "imported")]
    assert (box.done / "export.csv").is_file() and not f.exists()
    assert BusinessEvent.select().count() == 1
    (box.path / "again.csv").write_bytes((box.done / "export.csv").read_bytes())
    box.poll(now=200.0)
    out = box.poll(now=202.0)
    assert out[0].status == "imported" and "0 new, 1 known" in out[0].detail
    assert BusinessEvent.select().count() == 1 and BusinessTask.select().count() == 5


def test_bad_file_goes_to_error_with_its_rows(db, people, brules, tmp_path):
    box = _box(tmp_path, brules)
    (box.path / "bad.csv").write_text(HEADER + ROW.replace("3300000001", "0000000000"),
                                      encoding="utf-8")
    box.poll(now=10.0)
    out = box.poll(now=12.0)
    assert out[0].status == "rejected"
    report = (box.error / "bad.csv.errors.txt").read_text(encoding="utf-8")
    assert "row 2" in report and "0000000000" in report
    assert BusinessEvent.select().count() == 0


def test_crash_after_claim_is_finished_without_duplicates(db, people, brules, tmp_path):
    box = _box(tmp_path, brules)
    box._dirs()
    f = box.path / "x.jsonl"
    f.write_text('{"户号": "3300000002", "流程编号": "Q", "业务类型": "迁址", "环节": "受理", '
                 '"完成时间": "2026-03-02 10:00"}\n', encoding="utf-8")
    claimed = box._claim(f)
    box._process(claimed)  # imported and moved ...
    os.replace(box.done / "x.jsonl", claimed)  # ... but pretend the move never happened
    restarted = _box_same(box, brules)
    out = restarted.recover()
    assert [o.status for o in out] == ["imported"] and "0 new, 1 known" in out[0].detail
    assert BusinessEvent.select().count() == 1
    assert list(box.work.iterdir()) == []


def _box_same(box: EventsFolder, brules) -> EventsFolder:
    return EventsFolder(box.path, lambda: brules, ADMIN, quiet_seconds=1.0)


def test_non_event_files_are_left_alone(db, people, brules, tmp_path):
    box = _box(tmp_path, brules)
    (box.path / "notes.txt").write_text("hello", encoding="utf-8")
    (box.path / ".partial.csv").write_text(HEADER, encoding="utf-8")
    box.poll(now=1.0)
    assert box.poll(now=5.0) == []
    assert (box.path / "notes.txt").exists()
