"""CSV customer import: encodings, validation with row numbers, all-or-nothing, audit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hudang.store import audit, search
from hudang.store.db import write_tx
from hudang.store.errors import ImportFailed
from hudang.store.models import AuditEvent, Customer
from hudang.store.services.customer_import import decode_csv_bytes, import_customers_csv

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "customers_sample.csv"
ACTOR = audit.Actor("keeper", "desk-1", "keeper")
HEADER_EN = ("number,name,id_number,phone,address,voltage_class,supply_voltage,line,area,"
             "tariff,important\n")


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_sample_file_imports_with_characters_outside_the_bmp(db):
    result = import_customers_csv(SAMPLE, ACTOR)
    assert result.count == Customer.select().count() == 30
    assert result.hv == 4 and result.encoding == "utf-8"
    assert result.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    wang = Customer.get(Customer.number == "0601000003")
    assert wang.name == "王𠮷" and wang.voltage_class == "LV" and wang.area == "福贤路2号台区"
    hospital = Customer.get(Customer.number == "0601000026")
    assert hospital.voltage_class == "HV" and hospital.important and hospital.area == ""
    assert [h.number for h in search.search_customers("王𠮷")] == ["0601000003"]
    assert {h.number for h in search.search_customers("凤山中路")} == {"0601000011",
                                                                     "0601000012"}


def test_one_audit_event_summarises_the_import(db):
    import_customers_csv(SAMPLE, ACTOR)
    events = list(AuditEvent.select().where(AuditEvent.action == "customer.import"))
    assert len(events) == 1 and AuditEvent.select().count() == 1
    after = json.loads(events[0].after)
    assert after["count"] == 30 and after["file"] == SAMPLE.name
    assert after["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert events[0].actor == "keeper"
    assert audit.verify().ok


def test_utf8_bom_and_gbk_files_import_the_same(db, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if "𠮷" not in ln]  # 𠮷 is not in GBK
    bom = _write(tmp_path, "bom.csv", "\n".join(lines[:11]) + "\n", "utf-8-sig")
    gbk = _write(tmp_path, "gbk.csv", "\n".join(lines[:1] + lines[11:]) + "\n", "gbk")
    r1 = import_customers_csv(bom, ACTOR)
    r2 = import_customers_csv(gbk, ACTOR)
    assert (r1.encoding, r1.count) == ("utf-8-sig", 10)
    assert (r2.encoding, r2.count) == ("gbk", 19)
    assert Customer.get(Customer.number == "0601000013").name == "欧阳建新"
    assert Customer.get(Customer.number == "0601000001").name == "张三明"
    assert [h.name for h in search.search_customers("欧阳")] == ["欧阳建新"]


def test_encoding_detection():
    assert decode_csv_bytes("户号\n".encode("gbk")) == ("户号\n", "gbk")
    assert decode_csv_bytes("户号\n".encode("utf-8-sig")) == ("户号\n", "utf-8-sig")
    assert decode_csv_bytes("户号,王𠮷\n".encode("utf-8")) == ("户号,王𠮷\n", "utf-8")


def test_english_headers_and_hv_lv_codes(db, tmp_path):
    path = _write(tmp_path, "en.csv", HEADER_EN
                  + "0602000001,佛山市某某有限公司,,0757-1234,佛山市禅城区,HV,10kV,10kV 祖庙线,,大工业,yes\n"
                  + '0602000002,"何, 家",,,"佛山市 ""南海""",lv,220V,10kV 桂城线,桂城1号台区,居民,\n')
    result = import_customers_csv(path, ACTOR)
    assert (result.count, result.hv, result.lv) == (2, 1, 1)
    assert Customer.get(Customer.number == "0602000002").address == '佛山市 "南海"'
    assert Customer.get(Customer.number == "0602000001").important


def test_bad_file_reports_row_numbers_and_imports_nothing(db, tmp_path):
    import_customers_csv(SAMPLE, ACTOR)
    audit_before = AuditEvent.select().count()
    path = _write(tmp_path, "bad.csv", HEADER_EN
                  + "0603000001,好人,,,佛山,LV,220V,L1,台区1,居民,\n"        # row 2 fine
                  + "12345,短号,,,佛山,LV,220V,L1,台区1,居民,\n"             # row 3 pattern
                  + "0603000003,,,,佛山,LV,220V,L1,台区1,居民,\n"            # row 4 no name
                  + "0603000004,无台区,,,佛山,LV,220V,L1,,居民,\n"            # row 5 LV no area
                  + "0603000005,中压,,,佛山,MV,,L1,,,\n"                     # row 6 bad class
                  + "0603000001,重复,,,佛山,HV,10kV,L1,,大工业,\n"            # row 7 dup in file
                  + "0601000003,已有,,,佛山,HV,10kV,L1,,大工业,\n"            # row 8 in database
                  + "0603000008,不清楚,,,佛山,HV,10kV,L1,,大工业,也许\n")     # row 9 important
    with pytest.raises(ImportFailed) as info:
        import_customers_csv(path, ACTOR)
    rows = sorted({r for r, _ in info.value.problems})
    assert rows == [3, 4, 5, 6, 7, 8, 9]
    messages = dict(info.value.problems)
    assert "12345" in messages[3] and "第 2 行" in messages[7] and "已在档案" in messages[8]
    assert "未导入" in str(info.value)
    assert Customer.select().count() == 30
    assert not Customer.select().where(Customer.number == "0603000001").exists()
    assert AuditEvent.select().count() == audit_before
    assert search.search_customers("好人") == []


def test_header_problems_are_reported_on_row_one(db, tmp_path):
    path = _write(tmp_path, "hdr.csv", "户号,姓名,电压等级\n0604000001,张三,低压\n")
    with pytest.raises(ImportFailed) as info:
        import_customers_csv(path, ACTOR)
    assert {r for r, _ in info.value.problems} == {1}
    text = " ".join(m for _, m in info.value.problems)
    assert "姓名" in text and "户名" in text


def test_undecodable_and_empty_files_are_refused(db, tmp_path):
    with pytest.raises(ImportFailed):
        import_customers_csv(_write(tmp_path, "empty.csv", ""), ACTOR)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x81\x30\xff\xfe\x00garbage")
    with pytest.raises(ImportFailed):
        import_customers_csv(binary, ACTOR)
    assert Customer.select().count() == 0


def test_import_continues_customer_ids_after_existing_rows(db, tmp_path):
    with write_tx():
        first = Customer.create(number="0605000001", name="先来", voltage_class="HV")
    path = _write(tmp_path, "more.csv", HEADER_EN
                  + "0605000002,后到,,,,HV,10kV,L1,,大工业,\n")
    import_customers_csv(path, ACTOR)
    with write_tx():
        third = Customer.create(number="0605000003", name="再来", voltage_class="HV")
    later = Customer.get(Customer.number == "0605000002")
    assert first.id < later.id < third.id


def test_blank_lines_are_skipped_and_overlong_fields_reported(db, tmp_path):
    path = _write(tmp_path, "gaps.csv", HEADER_EN
                  + "0606000001,留白,,,,HV,10kV,L1,,大工业,\n"                # row 2 fine
                  + " , ,,,,,,,,,\n"                                           # row 3 blank
                  + "\n"                                                       # row 4 empty
                  + "0606000005,过长,,," + "长" * 300 + ",LV,220V,L1,台区1,居民,\n"  # row 5
                  + "0606000006,短行,,,\n")                                     # row 6
    with pytest.raises(ImportFailed) as info:
        import_customers_csv(path, ACTOR)
    messages = dict(info.value.problems)
    assert sorted(messages) == [5, 6]
    assert "用电地址" in messages[5] and "电压等级" in messages[6]
    path.write_text(HEADER_EN + "0606000001,留白,,,,HV,10kV,L1,,大工业,\n , ,,,,,,,,,\n\n"
                    "0606000002,补上,,,,低压,220V,L1,台区1,居民,是\n", encoding="utf-8")
    result = import_customers_csv(path, ACTOR)
    assert (result.count, result.hv, result.lv) == (2, 1, 1)
    assert Customer.get(Customer.number == "0606000002").important is True
    assert [h.name for h in search.search_customers("补上")] == ["补上"]


def test_a_large_import_is_searchable_at_once_and_leaves_the_index_settings_as_they_were(
        db, tmp_path):
    """10,000 rows or more take the bulk path (own FTS5 segment, automerge off meanwhile)."""
    from hudang.store import db as dbmod

    rows = ["户号,户名,证件号码,联系电话,用电地址,电压等级,台区"]
    for i in range(12_000):
        rows.append(f"09{i:08d},{'张李王'[i % 3]}客户{i},,139{i:08d},佛山市禅城区第{i}号,低压,台区{i % 7}")
    rows.append("0999999999,欧阳𠮷祥,11010519491231002X,13800001234,广东省佛山市顺德区容桂街道,高压,")
    path = _write(tmp_path, "big.csv", "\n".join(rows) + "\n")
    result = import_customers_csv(path, ACTOR)
    assert result.count == 12_001
    assert [h.number for h in search.search_customers("𠮷祥")] == ["0999999999"]
    assert [h.number for h in search.search_customers("容桂")] == ["0999999999"]
    assert "0999999999" in [h.number for h in search.search_customers("19491231")]
    assert [h.number for h in search.search_customers("13900011999")] == ["0900011999"]
    assert [h.number for h in search.search_customers("客户11998")] == ["0900011998"]
    if not dbmod.is_postgres():
        setting = db.execute_sql("SELECT v FROM customer_fts_config WHERE k = 'automerge'"
                                 ).fetchone()
        assert setting is not None and int(setting[0]) == 4
