"""Intake end to end through `hudang`, on SQLite and PostgreSQL: from a customer list to a loan.

Import customers from CSV -> a handover batch of their paper with page counts -> receive by
scan with one item missing (it lands on the to-supply list) -> catalogue the rest into
volumes -> box them (an HV box refuses a second customer) -> labels, decoded from the PDF
with real pyzbar -> shelve -> `hudang lookup` shows each document in its box at its
position -> the box can be lent.
"""

from __future__ import annotations

import json
import shutil

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from pyzbar import pyzbar

from hudang.cli import cli
from hudang.sample_data import RULES_DIR
from hudang.store import archive
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.services import locations, users
from tests.store.test_pdffonts import assert_fonts_embedded

SETUP = Actor("setup", "test", "admin")
CSV = """户号,户名,证件号码,联系电话,用电地址,电压等级,供电电压,线路,台区,电价类别,重要客户
3300000101,佛山铸造厂,91440600MA4UXXXX1X,075782000001,佛山市禅城区季华五路1号,高压,10kV,10kV季华线,,大工业,否
3300000102,南海陶瓷厂,91440600MA4UXXXX2X,075782000002,佛山市南海区桂城1号,高压,10kV,10kV季华线,,大工业,否
3300000103,张三明,440602198001051234,13912345678,佛山市禅城区人民路12号,低压,220V,10kV祖庙线,人民路1号台区,居民,否
"""


@pytest.fixture
def env(db, archive_url, tmp_path, monkeypatch):
    """The CLI pointed at the test archive, with the shipped rules and a small storeroom."""
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    for key, value in {"HUDANG_HOME": str(tmp_path / "home"), "HUDANG_DATABASE_URL": archive_url,
                       "HUDANG_RULES_DIR": str(tmp_path / "rules"),
                       "HUDANG_LANGUAGE": "zh", "HUDANG_SESSION_DIR": str(tmp_path / "sessions"),
                       "HUDANG_SIGNIN_FAILURE_DELAY_MS": "0"}.items():
        monkeypatch.setenv(key, value)
    locations.build_shelving("K1", "1号库房", [
        locations.ZoneSpec("A", "HV", rows=1, sections=1, shelves=1, cells=2, capacity=2,
                           sides=("L",), name="高压区"),
        locations.ZoneSpec("B", "LV", rows=1, sections=1, shelves=1, cells=2, capacity=2,
                           sides=("L",), name="低压区"),
        locations.ZoneSpec("X", "cancelled", rows=1, sections=1, shelves=1, cells=2,
                           capacity=2, sides=("L",), name="销户区")], SETUP)
    users.add_user("admin1", "钱主任", "admin", "pw-admin-1", actor=SETUP)
    users.add_user("keeper1", "王管理", "keeper", "pw-keeper-1", actor=SETUP)
    users.add_user("zhang", "张三丰", "keeper", "pw-zhang-1", department="营销部", actor=SETUP)
    users.add_user("li", "李审批", "approver", "pw-li-approver-1", actor=SETUP)
    (tmp_path / "customers.csv").write_text(CSV, encoding="utf-8")
    archive.close_archive()
    return tmp_path


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    archive.close_archive()  # the CLI opens its own connection each time
    return result.output


def login(username: str, password: str) -> None:
    """`hudang login` as `username` (the CLI acts as whoever signed in last)."""
    result = CliRunner().invoke(cli, ["login", username], input=password + "\n",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    archive.close_archive()


def _decode(path) -> list[set[str]]:
    pdf = pdfium.PdfDocument(path.read_bytes())
    return [{r.data.decode("ascii") for r in pyzbar.decode(
        page.render(scale=300 / 72).to_pil().convert("L")) if r.type == "CODE128"}
            for page in pdf]


def test_from_customer_list_to_a_loan(env):
    login("admin1", "pw-admin-1")  # importing customers is an administrator's job
    run("import", "customers", str(env / "customers.csv"))
    login("keeper1", "pw-keeper-1")
    s = default_scheme()
    d = {k: s.make("document", n) for k, n in (("a1", 501), ("a2", 502), ("b1", 503),
                                               ("c1", 504), ("gone", 505))}
    batch = run("handover", "new", "--from", "营业厅 王五", "--to", "档案室 赵六").strip()
    for cust, cat, typ, pages, code in (
            ("3300000101", "业扩", "用电申请书", "4", d["a1"]),
            ("3300000101", "YK", "供用电合同", "12", d["a2"]),
            ("3300000102", "YK", "用电申请书", "3", d["b1"]),
            ("3300000103", "DF", "电费发票", "2", d["c1"]),
            ("3300000102", "JL", "装拆表工作单", "1", d["gone"])):
        run("handover", "add", batch, cust, "--category", cat, "--type", typ, "--pages", pages,
            "--barcode", code)
    run("handover", "pdf", batch, str(env / "list.pdf"))
    assert batch in _decode(env / "list.pdf")[0]
    assert_fonts_embedded((env / "list.pdf").read_bytes())

    out = run("handover", "receive", batch, d["a1"], d["b1"], d["c1"].lower())
    assert out.count("已接收") == 3
    assert "更正" in run("handover", "receive", batch, d["a2"], "--pages", "11")
    assert "未接收" in run("handover", "close", batch, ok=False)
    run("handover", "supply", batch)
    owed = run("handover", "owed")
    assert "装拆表工作单" in owed and "营业厅 王五" in owed and d["gone"] not in owed.split()[:1]
    run("handover", "sign", batch, "--side", "sender", "--name", "王五")
    run("handover", "sign", batch, "--side", "receiver", "--name", "赵六")
    closed = json.loads(run("handover", "close", batch, "--json"))
    assert closed["status"] == "closed"
    assert [i["status"] for i in closed["items"]].count("to_supply") == 1
    shown = json.loads(run("handover", "show", batch, "--json"))
    assert [i["status"] for i in shown["items"]] == ["received"] * 4 + ["to_supply"]

    # Catalogue: one customer by hand, the rest from the batch (linked, never duplicated).
    vol_a = run("volume", "new", "3300000101", "--category", "YK").strip()
    for key, typ, pages in (("a1", "用电申请书", "4"), ("a2", "供用电合同", "11")):
        run("document", "add", "3300000101", "--category", "YK", "--type", typ, "--pages", pages,
            "--volume", vol_a, "--barcode", d[key])
    catalogued = json.loads(run("handover", "catalogue", batch, "--json"))["documents"]
    assert sorted(catalogued) == sorted([d["a1"], d["a2"], d["b1"], d["c1"]])
    vol_b = json.loads(run("lookup", d["b1"], "--json"))["document"]["volume_barcode"]
    vol_c = json.loads(run("lookup", d["c1"], "--json"))["document"]["volume_barcode"]

    hv1 = run("box", "new", "--class", "HV").strip()
    run("box", "add", hv1, vol_a)
    refused = run("box", "add", hv1, vol_b, ok=False)
    assert "只能装一个客户" in refused and len(refused.strip().splitlines()) == 1
    hv2 = run("box", "new", "--class", "HV").strip()
    run("box", "add", hv2, d["b1"])  # a document goes in with its volume
    lv = run("box", "new", "--class", "LV").strip()
    run("box", "add", lv, vol_c)

    run("label", hv1, hv2, lv, "--layout", "a4", "--start", "13", str(env / "a4.pdf"))
    pages = _decode(env / "a4.pdf")
    assert pages == [{hv1, hv2}, {lv}]  # labels 13 and 14 of the first sheet, then a new sheet
    run("label", hv1, "--layout", "roll", "--size", "60x40", str(env / "roll.pdf"))
    roll = pdfium.PdfDocument((env / "roll.pdf").read_bytes())
    assert [round(x / 72 * 25.4) for x in roll[0].get_size()] == [60, 40]
    assert _decode(env / "roll.pdf") == [{hv1}]
    assert "佛山铸造厂" in roll[0].get_textpage().get_text_range()
    assert_fonts_embedded((env / "roll.pdf").read_bytes())

    homes = {hv1: "K1-A-01-L-01-1-1", hv2: "K1-A-01-L-01-1-1", lv: "K1-B-01-L-01-1-1"}
    for box, position in homes.items():
        run("shelve", box, position)
    run("label", hv1, str(env / "shelved.pdf"))
    assert "1号库房 高压区 01列 左面 01节 1层 1格" in pdfium.PdfDocument(
        (env / "shelved.pdf").read_bytes())[0].get_textpage().get_text_range().replace("\r", "")
    run("box", "contents", hv1, "--pdf", str(env / "contents.pdf"))
    assert_fonts_embedded((env / "contents.pdf").read_bytes())

    expected = {d["a1"]: hv1, d["a2"]: hv1, d["b1"]: hv2, d["c1"]: lv}
    for doc, box in expected.items():
        found = json.loads(run("lookup", doc, "--json"))["document"]
        assert found["box_barcode"] == box
        assert found["position"] == locations.get_location(homes[box]).label
        archive.close_archive()
    assert locations.get_location(homes[hv1]).label in run("lookup", hv1)
    archive.close_archive()

    slip = run("loan", "request", "zhang", d["a1"], "--use", "take_out", "--purpose", "诉讼取证"
               ).split()[0]
    login("li", "pw-li-approver-1")
    run("loan", "approve", slip)
    login("keeper1", "pw-keeper-1")
    run("loan", "checkout", slip, hv1)
    assert "借出" in run("lookup", hv1)

    # 销户: retention dated at once, the box's old position freed, a move task to the cancelled area.
    out = run("customer", "cancel", "3300000102", "--on", "2024-06-30", "--reason", "拆迁")
    assert "已销户" in out and "移到销户区" in out and "K1-X-" in out
    assert json.loads(run("lookup", d["b1"], "--json"))["document"]["retention_eligible_on"]
    assert locations.get_location(homes[hv2]).used == 1  # hv1 stays, hv2's slot is free
    archive.close_archive()
    [task] = json.loads(run("box", "tasks", "--json"))
    assert task["box"] == hv2 and task["from_code"] == homes[hv2]
    run("shelve", hv2, task["suggested_code"])
    assert "没有待办" in run("box", "tasks")
