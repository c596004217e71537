"""Importing the catalogue of existing documents: every row checked, all or nothing, once only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from hudang.rules import load_ruleset
from hudang.store import audit
from hudang.store.barcodes import default_scheme
from hudang.store.db import write_tx
from hudang.store.errors import AlreadyImported, ImportFailed
from hudang.store.models import AuditEvent, BarcodeSerial, Box, Customer, Document, Volume
from hudang.store.services import boxing, registry, retention
from hudang.store.services.customer_import import import_customers_csv
from hudang.store.services.document_import import import_documents_csv, parse_date

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE = SAMPLE_DIR / "documents_sample.csv"
ACTOR = audit.Actor("admin", "desk-1", "admin")
HEADER = "户号,类别,文件类型,题名,日期,页数,条码,案卷条码,档案盒条码\n"
S = default_scheme()


def _doc(n: int) -> str:
    return S.make("document", n)


def _misread(n: int) -> str:
    code = _doc(n)
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _vol(n: int) -> str:
    return S.make("volume", n)


def _box(n: int) -> str:
    return S.make("box", n)


@pytest.fixture
def rules():
    return load_ruleset(SAMPLE_DIR / "rules")


@pytest.fixture
def customers(db):
    import_customers_csv(SAMPLE_DIR / "customers_sample.csv", ACTOR)


def _write(tmp_path: Path, text: str, name: str = "docs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _state() -> tuple:
    """Everything an import may change, to show a refused one changed nothing."""
    serials = tuple((s.kind, s.next_serial) for s in BarcodeSerial.select().order_by(
        BarcodeSerial.kind))
    return (Document.select().count(), Volume.select().count(), Box.select().count(),
            AuditEvent.select().count(), serials)


def test_sample_catalogue_imports_with_volumes_boxes_and_retention(customers, rules):
    result = import_documents_csv(SAMPLE, ACTOR, rules)
    assert result.count == Document.select().count() == 72
    assert (result.customers, result.volumes_created, result.boxes_created) == (23, 22, 7)
    assert result.encoding == "utf-8" and result.barcodes_generated == 21
    assert result.categories == {"DF": 8, "JL": 11, "QT": 7, "YJ": 2, "YK": 44}
    assert result.retention == {"waiting_for_trigger": 72}  # every sample customer is active
    # a row's barcode as given; an empty one generated with the archive's scheme
    first = Document.get(Document.barcode == "D000100017")
    assert (first.category, first.doc_type, first.title, first.page_count,
            first.filed_on, first.business_process) == ("YK", "用电申请书", "美达电器新装用电申请书",
                                                        3, dt.date(2012, 4, 16), "新装")
    assert first.volume.barcode == "V00005001U" and first.volume.box.barcode == "B00003001G"
    untitled = Document.get(Document.doc_type == "竣工验收单", Document.customer == first.customer)
    assert untitled.title == "竣工验收单" and S.parse(untitled.barcode).kind == "document"
    # 2016年3月8日, 2014/6/9 and 20080312 are dates too
    assert Document.get(Document.doc_type == "银行代扣委托书",
                        Document.customer == first.customer).filed_on == dt.date(2016, 3, 8)
    # an LV box of one 台区 holds three customers, each with a volume per category
    contents = boxing.box_contents(_box(3102))
    assert contents.box.voltage_class == "LV" and contents.box.status == "unplaced"
    assert sorted({v.customer_number for v in contents.volumes}) == [
        "0601000003", "0601000004", "0601000005"]
    assert len(contents.volumes) == 6
    # loose documents stay loose (boxed later with `hudang box add`)
    loose = Customer.get(Customer.number == "0601000016")
    assert [d.volume_id for d in loose.documents] == [None, None]
    # retention as filing decides it: recomputing with the same rules changes nothing
    assert {d.retention_ruleset for d in Document.select()} == {rules.version}
    assert retention.recompute(rules, ACTOR).changed == 0


def test_one_audit_event_records_the_file(customers, rules):
    before = AuditEvent.select().count()
    import_documents_csv(SAMPLE, ACTOR, rules)
    events = list(AuditEvent.select().where(AuditEvent.seq > before))
    assert [e.action for e in events] == ["document.import"]
    after = json.loads(events[0].after)
    assert after["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert (after["count"], after["volumes_created"], after["boxes_created"]) == (72, 22, 7)
    assert after["first_id"] == 1 and after["last_id"] == 72
    assert events[0].actor == "admin" and audit.verify().ok


def test_the_same_file_twice_is_refused_and_changes_nothing(customers, rules, tmp_path):
    import_documents_csv(SAMPLE, ACTOR, rules)
    state = _state()
    with pytest.raises(AlreadyImported) as info:
        import_documents_csv(SAMPLE, ACTOR, rules)
    assert "已" in str(info.value) and "72" in str(info.value) and "未做任何更改" in str(info.value)
    renamed = _write(tmp_path, SAMPLE.read_text(encoding="utf-8"), "copy.csv")
    with pytest.raises(AlreadyImported):  # the content decides, not the name
        import_documents_csv(renamed, ACTOR, rules)
    assert _state() == state


def test_gbk_and_bom_files(customers, rules, tmp_path):
    text = (HEADER + "0601000001,业扩,用电申请书,张三明申请书,2011-05-20,2,,,\n"
            "0601000013,电费档案,电费缴费凭证,欧阳建新缴费凭证,2021/12/31,1,,,\n")
    gbk = import_documents_csv(_write(tmp_path, text, "gbk.csv", "gbk"), ACTOR, rules)
    assert (gbk.encoding, gbk.count) == ("gbk", 2)
    assert Document.get(Document.title == "欧阳建新缴费凭证").category == "DF"
    bom = import_documents_csv(_write(tmp_path, text.replace("申请书,2", "申请书(2),2"),
                                      "bom.csv", "utf-8-sig"), ACTOR, rules)
    assert (bom.encoding, bom.count) == ("utf-8-sig", 2)


def test_english_headers_and_no_rules(customers, tmp_path):
    path = _write(tmp_path, "customer,category,type,title,date,pages,barcode\n"
                            f"0601000010,YK,营业执照,,2012-04-16,1,{_doc(70001).lower()}\n")
    result = import_documents_csv(path, ACTOR)  # no rules: retention is left for recompute
    doc = Document.get()
    assert doc.barcode == _doc(70001) and doc.retention_ruleset == "" and result.retention == {}


def test_every_kind_of_bad_row_is_reported_and_nothing_is_imported(customers, rules,
                                                                     tmp_path):
    with write_tx():
        registry.register_document("0601000001", "YK", "用电申请书", ACTOR, barcode=_doc(60001))
    hv_box = registry.register_box("HV", ACTOR, _box(4001))
    registry.register_volume("0601000010", ACTOR, hv_box, barcode=_vol(4001))
    state = _state()
    rows = [
        f"0601000001,YK,用电申请书,,2015-01-01,1,{_doc(60002)},,",      # 2 fine
        "0609999999,YK,用电申请书,,2015-01-01,1,,,",                    # 3 unknown customer
        "0601000001,YX,用电申请书,,2015-01-01,1,,,",                    # 4 bad category
        "0601000001,YK,用电申请书,,2015-02-30,1,,,",                    # 5 impossible date
        "0601000001,YK,用电申请书,,下个月,1,,,",                          # 6 not a date
        "0601000001,YK,用电申请书,,2999-01-01,1,,,",                    # 7 in the future
        f"0601000001,YK,用电申请书,,2015-01-01,1,{_doc(60002)},,",      # 8 repeats row 2
        f"0601000001,YK,用电申请书,,2015-01-01,1,{_doc(60001)},,",      # 9 in the archive
        "0601000001,YK,\"用电\x1b[2J申请书\",,2015-01-01,1,,,",          # 10 control character
        "0601000001,YK,用电申请书," + "长" * 300 + ",2015-01-01,1,,,",  # 11 over-long title
        "0601000001,YK,用电申请书,,2015-01-01,三页,,,",                  # 12 bad page count
        f"0601000001,YK,用电申请书,,2015-01-01,1,{_vol(60003)},,",      # 13 not a document code
        f"0601000001,YK,用电申请书,,2015-01-01,1,{_misread(60003)},,",  # 14 bad check character
        f"0601000002,YK,用电申请书,,2015-01-01,1,,{_vol(4001)},",       # 15 another's volume
        f"0601000015,YK,用电申请书,,2015-01-01,1,,,{_box(4001)}",       # 16 HV box is taken
        f"0601000001,YK,用电申请书,,2015-01-01,1,,,{_box(4002)}",       # 17 new LV box
        f"0601000006,YK,用电申请书,,2015-01-01,1,,,{_box(4002)}",       # 18 another 台区
        f"0601000003,YK,用电申请书,,2015-01-01,1,,,{_box(4001)}",       # 19 LV into HV box
        ",YK,,,,1,,,",                                                   # 20 empty required
        f"0601000002,YK,用电申请书,,2015-01-01,1,,{_vol(4002)},",       # 21 new volume
        f"0601000004,YK,用电申请书,,2015-01-01,1,,{_vol(4002)},",       # 22 same, other customer
        f"0601000010,YK,用电申请书,,2015-01-01,1,,{_vol(4001)},{_box(4002)}",  # 23 not its box
    ]
    path = _write(tmp_path, HEADER + "\n".join(rows) + "\n")
    with pytest.raises(ImportFailed) as info:
        import_documents_csv(path, ACTOR, rules)
    problems = info.value.problems
    messages = {}
    for row, message in problems:
        messages.setdefault(row, []).append(message)
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22,
                                23]
    text = {row: " ".join(m) for row, m in messages.items()}
    assert "0609999999" in text[3] and "不在档案中" in text[3]
    assert "YX" in text[4]
    assert "2015-02-30" in text[5] and "下个月" in text[6] and "未来" in text[7]
    assert "第 2 行" in text[8] and "已在档案中" in text[9]
    assert "控制字符" in text[10] and "U+001B" in text[10]
    assert "题名" in text[11] and "256" in text[11]
    assert "三页" in text[12] and "不是本档案库的文件条码" in text[13] and "校验位" in text[14]
    assert "另一个客户" in text[15] and "只能装一个客户" in text[16]
    assert "台区" in text[18] and "人民路1号台区" in text[18]
    assert "不能放入高压档案盒" in text[19]
    assert "户号" in text[20] and "文件类型" in text[20] and "日期" in text[20]
    assert "0601000002" in text[22] and "第 21 行" in text[22]
    assert _box(4001) in text[23] and _box(4002) in text[23]
    assert "未导入" in str(info.value)
    assert _state() == state


def test_header_problems_are_reported_on_row_one(customers, tmp_path):
    path = _write(tmp_path, "户号,类别,文件名,日期\n0601000001,YK,申请书,2015-01-01\n")
    with pytest.raises(ImportFailed) as info:
        import_documents_csv(path, ACTOR)
    assert {r for r, _ in info.value.problems} == {1}
    text = " ".join(m for _, m in info.value.problems)
    assert "文件名" in text and "文件类型" in text


def test_an_oversized_field_and_blank_lines(customers, rules, tmp_path):
    path = _write(tmp_path, HEADER + "0601000001,YK,申请书,,2015-01-01,1,,,\n , ,,,,,,,\n\n"
                  '0601000001,YK,申请书,"' + "x" * 200_000 + '",2015-01-01,1,,,\n')
    with pytest.raises(ImportFailed) as info:
        import_documents_csv(path, ACTOR, rules)
    assert [r for r, _ in info.value.problems] == [5]
    assert Document.select().count() == 0


def test_into_existing_volumes_and_boxes(customers, rules, tmp_path):
    box = registry.register_box("LV", ACTOR, _box(5001))
    vol = registry.register_volume("0601000001", ACTOR, box, "YK", barcode=_vol(5001))
    path = _write(tmp_path, HEADER
                  + f"0601000001,YK,用电申请书,,2011-05-20,1,,{vol},{box}\n"  # the volume, named
                  + f"0601000001,YK,产权证明,,2011-05-20,1,,,{box}\n"         # the same, by box
                  + f"0601000001,JL,装拆表工作单,,2011-05-27,1,,,{box}\n"     # a new JL volume
                  + f"0601000002,YK,用电申请书,,2011-05-20,1,,,{box}\n")      # same 台区: fits
    result = import_documents_csv(path, ACTOR, rules)
    assert (result.volumes_created, result.boxes_created) == (2, 0)
    assert [d.volume.barcode for d in Document.select().order_by(Document.id)][:2] == [vol, vol]
    jl = Volume.get((Volume.category == "JL") & (Volume.customer == Customer.get(
        Customer.number == "0601000001")))
    assert jl.box.barcode == box and jl.seq == 2 and jl.title.endswith("第2卷")
    assert S.parse(jl.barcode).kind == "volume"


def test_generated_barcodes_follow_the_given_ones(customers, rules, tmp_path):
    path = _write(tmp_path, HEADER + f"0601000001,YK,申请书,,2015-01-01,1,{_doc(900)},,\n"
                  "0601000001,YK,申请书,,2015-01-01,1,,,\n")
    import_documents_csv(path, ACTOR, rules)
    codes = [d.barcode for d in Document.select().order_by(Document.id)]
    assert codes == [_doc(900), _doc(901)]
    assert registry.register_document("0601000002", "YK", "申请书", ACTOR) == _doc(902)


def test_cancelled_customers_documents_are_dated(customers, rules, tmp_path):
    with write_tx():
        Customer.update(status="cancelled", cancelled_on=dt.date(2020, 6, 30)).where(
            Customer.number.in_(["0601000010", "0601000001"])).execute()
    path = _write(tmp_path, HEADER + "0601000010,YK,用电申请书,,2012-04-16,3,,,\n"
                  "0601000001,JL,装拆表工作单,,2011-05-27,1,,,\n"
                  "0601000001,DF,电费缴费凭证,,2019-12-31,1,,,\n")
    result = import_documents_csv(path, ACTOR, rules)
    assert result.retention == {"dated": 3}
    got = {d.doc_type: (d.retention_class, d.retention_eligible_on) for d in Document.select()}
    assert got == {"用电申请书": ("cancelled-hv", dt.date(2026, 1, 1)),
                   "装拆表工作单": ("cancelled-lv", dt.date(2024, 1, 1)),
                   "电费缴费凭证": ("billing-10y", dt.date(2030, 1, 1))}
    assert retention.recompute(rules, ACTOR).changed == 0


def test_date_forms():
    assert parse_date("20190301") == dt.date(2019, 3, 1)
    assert parse_date("2019/3/1") == parse_date("2019.03.01") == dt.date(2019, 3, 1)
    assert parse_date("2019年3月1日") == parse_date("２０１９-03-01") == dt.date(2019, 3, 1)
    assert parse_date("2019-03-01 10:30:00") == dt.date(2019, 3, 1)
    assert parse_date("2019-02-29") is None and parse_date("3/1/2019") is None


def test_documents_go_in_customer_order_keeping_the_files_order_within(customers, tmp_path):
    path = _write(tmp_path, HEADER + "0601000002,YK,甲,,2015-01-01,1,,,\n"
                  "0601000001,YK,乙,,2015-01-01,1,,,\n0601000002,YK,丙,,2014-01-01,1,,,\n")
    result = import_documents_csv(path, ACTOR)
    docs = list(Document.select().order_by(Document.id))
    assert [d.doc_type for d in docs] == ["乙", "甲", "丙"]
    assert (result.first_id, result.last_id) == (docs[0].id, docs[-1].id)
    assert [S.parse(d.barcode).serial for d in docs] == [1, 2, 3]  # generated in id order


def test_a_large_file_is_written_a_batch_at_a_time_as_the_whole_file_would_be(
        customers, rules, tmp_path, monkeypatch, db):
    """SQLite writes a file of 10,000 rows or more through staged batches made on a worker
    thread: every document, volume and box, the retention and the result come out as the
    rows written one statement at a time do."""
    import csv
    import io

    from hudang.store.bulk import staged_load_available
    from hudang.store.services import document_import

    if not staged_load_available():
        pytest.skip("a staged load is SQLite's")
    sample = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(sample[0])
    serial = 600_000
    while out.tell() and sum(1 for _ in io.StringIO(out.getvalue())) <= 12_000:
        for row in sample[1:]:
            serial += 1
            w.writerow([*row[:6], _doc(serial) if serial % 3 else "", *row[7:]])
    path = _write(tmp_path, out.getvalue())
    calls = []
    real = document_import._load_staged

    def spy(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    def imported() -> tuple:
        class Undo(Exception):
            pass

        try:
            with db.atomic():
                result = import_documents_csv(path, ACTOR, rules)
                tables = tuple(
                    [tuple(v for k, v in sorted(row.items()) if k != "created_at")
                     for row in model.select().order_by(model.id).dicts()]
                    for model in (Document, Volume, Box))
                raise Undo
        except Undo:
            pass
        return result, tables

    monkeypatch.setattr(document_import, "_load_staged", spy)
    staged = imported()
    assert calls and calls[0] > 12_000
    monkeypatch.setattr(document_import, "_STAGED_MIN_ROWS", 10 ** 9)
    plain = imported()
    assert len(calls) == 1
    assert staged == plain
    result, (docs, vols, boxes) = staged
    assert result.count == len(docs) > 12_000 and result.retention
    assert sum(result.retention.values()) == result.count
