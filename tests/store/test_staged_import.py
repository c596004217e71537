"""The staged customer import (SQLite, 10,000 rows or more): a worker thread makes each
batch while SQLite writes the last. It must leave exactly what the checked path leaves,
and hand anything it does not pass to the checked path, which reports it."""

from __future__ import annotations

import datetime as dt
import random
import threading
from pathlib import Path

import pytest

from hudang.store import audit, search
from hudang.store import db as dbmod
from hudang.store.errors import ImportFailed
from hudang.store.models import Customer
from hudang.store.services import customer_import
from hudang.store.services.idnumbers import problems_of

ACTOR = audit.Actor("keeper", "desk-1", "keeper")
HEADER = "户号,户名,证件号码,联系电话,用电地址,电压等级,供电电压,线路,台区,电价类别,重要客户"
SURNAMES = "张王李赵陈刘杨黄吴周欧阳曾单"
STREETS = ["季华五路", "汾江中路", "容桂大道", "祖庙路", "魁奇二路"]


def _id_number(rng: random.Random, dirty: bool) -> str:
    body = f"440604{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}"
    body += f"{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + (("0" if check != "0" else "1") if dirty else check)


def _rows(count: int, seed: int = 3, start: int = 0) -> list[str]:
    """Rows as a site's list has them: Chinese names (some outside the BMP), full-width
    digits and spaces in identifiers, a few wrong ID numbers, HV and LV customers."""
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + count):
        hv = i % 37 == 0
        number = f"07{i:08d}"
        if i % 501 == 0:
            number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        name = rng.choice(SURNAMES) + rng.choice(["建国", "秀英", "𠮷祥", "志强", "丽"])
        if i % 97 == 0:
            name = f"佛山市{rng.choice(STREETS)}五金厂（普通合伙）"
        id_number = "" if i % 11 == 0 else _id_number(rng, dirty=i % 53 == 0)
        phone = f" 13{rng.randrange(10**9):09d}" if i % 89 == 0 else f"13{rng.randrange(10**9):09d}"
        street = rng.choice(STREETS)
        rows.append(",".join([number, name, id_number, phone,
                              f"广东省佛山市{street}{rng.randint(1, 300)}号",
                              "高压" if hv else "低压", "10kV" if hv else "220V",
                              f"10kV {street}线", "" if hv else f"{street}{i % 9}号台区",
                              "大工业" if hv else "居民", "是" if i % 400 == 0 else "否"]))
    return rows


def _write(tmp_path: Path, rows: list[str], name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _archive_state(queries: list[str]) -> dict:
    """What an import left, ids counted from the first (PostgreSQL's sequences do not roll
    back, so a second import after a rolled-back one gets other ids)."""
    db = dbmod.require_database()
    first = db.execute_sql("SELECT min(id) FROM customer").fetchone()[0]
    customers = db.execute_sql(
        "SELECT id - %d, number, name, id_number, phone, address, voltage_class, "
        "supply_voltage, line, area, tariff, status, important, legal_hold, version, "
        "created_at = updated_at FROM customer ORDER BY id" % first).fetchall()
    side = db.execute_sql("SELECT customer_id - %d, name, number, phone, id_number, address, "
                          "initials FROM customer_search ORDER BY customer_id" % first
                          ).fetchall()
    corrections = db.execute_sql(
        "SELECT customer_id - %d, field, value, problem, source, resolved_at "
        "FROM customer_correction ORDER BY customer_id" % first).fetchall()
    found = {q: sorted(h.number for h in search.search_customers(q, limit=500))
             for q in queries}
    return {"customers": customers, "side": side, "corrections": corrections, "found": found}


class _Spy:
    """Counts the checked path's runs (the staged path gave the file up, or was not tried)."""

    def __init__(self, monkeypatch) -> None:
        self.checked = 0
        original = customer_import._import_checked

        def checked(*args, **kwargs):
            self.checked += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(customer_import, "_import_checked", checked)


def test_the_staged_path_leaves_what_the_checked_path_leaves(db, tmp_path, monkeypatch):
    rows = _rows(23_456)
    path = _write(tmp_path, rows)
    some = rows[12_345].split(",")
    # Fewer matches than the limit each, so both backends return all of them.
    queries = ["五金厂", "07000123", some[0], some[1], some[2], some[3].strip(),
               some[4], "zjg"]
    spy = _Spy(monkeypatch)
    threads = threading.active_count()

    class Undo(Exception):
        pass

    states, results = [], []
    for staged in (True, False):
        monkeypatch.setattr(customer_import, "_STAGED_MIN_ROWS",
                            10_000 if staged else 10**9)
        with pytest.raises(Undo), dbmod.write_tx():
            results.append(customer_import.import_customers_csv(path, ACTOR))
            states.append(_archive_state(queries))
            raise Undo
    assert spy.checked == 1  # the first import was staged, the second checked
    assert threading.active_count() == threads  # the worker is gone
    staged, checked = states
    assert staged["customers"] == checked["customers"]
    assert len(staged["customers"]) == 23_456
    assert staged["side"] == checked["side"]
    assert staged["corrections"] == checked["corrections"] != []
    assert staged["found"] == checked["found"]
    assert all(staged["found"].values())
    a, b = results
    assert (a.count, a.hv, a.lv, a.encoding) == (b.count, b.hv, b.lv, b.encoding)
    assert a.corrections == b.corrections and len(a.corrections) > 100
    wrong = [v for v in (r.split(",")[2] for r in rows) if v]
    assert len(a.corrections) == len(list(problems_of(wrong, dt.date.today())))


@pytest.mark.parametrize("trouble", ["bad row", "repeat", "in archive"])
def test_what_a_later_batch_holds_is_reported_by_the_checked_path(db, tmp_path, monkeypatch,
                                                                  trouble):
    rows = _rows(15_000)
    if trouble == "bad row":
        rows[14_000] = ",".join(["0799999999", "", "", "", "", "低压", "", "", "台区", "", ""])
    elif trouble == "repeat":
        rows[14_000] = rows[2].replace("张", "王", 1)
    else:
        import_customers_csv = customer_import.import_customers_csv
        import_customers_csv(_write(tmp_path, _rows(1, start=14_000), "first.csv"), ACTOR)
    before = Customer.select().count()
    spy = _Spy(monkeypatch)
    with pytest.raises(ImportFailed) as caught:
        customer_import.import_customers_csv(_write(tmp_path, rows), ACTOR)
    assert spy.checked == 1
    assert Customer.select().count() == before
    rows_named = [row for row, _ in caught.value.problems]
    assert rows_named == [14_002]
    text = " ".join(problem for _, problem in caught.value.problems)
    assert {"bad row": "户名", "repeat": "第 4 行", "in archive": "已在档案中"}[trouble] in text


def test_a_blank_line_or_a_short_row_leaves_the_file_to_the_checked_path(db, tmp_path,
                                                                        monkeypatch):
    rows = _rows(12_000)
    rows.insert(11_000, "")
    spy = _Spy(monkeypatch)
    result = customer_import.import_customers_csv(_write(tmp_path, rows), ACTOR)
    assert spy.checked == 1 and result.count == Customer.select().count() == 12_000
    assert [h.number for h in search.search_customers("0700011999")] == ["0700011999"]


def test_two_staged_imports_in_one_process_and_connection(db, tmp_path, monkeypatch):
    spy = _Spy(monkeypatch)
    first = customer_import.import_customers_csv(_write(tmp_path, _rows(10_500), "a.csv"),
                                                 ACTOR)
    second = customer_import.import_customers_csv(
        _write(tmp_path, _rows(13_000, seed=4, start=20_000), "b.csv"), ACTOR)
    assert spy.checked == 0
    assert first.count + second.count == Customer.select().count() == 23_500
    assert Customer.select().where(Customer.id > 10_500).count() == 13_000
    assert [h.number for h in search.search_customers("0700032999")] == ["0700032999"]
    if not dbmod.is_postgres():
        integrity = dbmod.require_database().execute_sql("PRAGMA integrity_check").fetchall()
        assert integrity == [("ok",)]
