"""Intake on every backend: handover by scan, to-supply, boxing rules, contents, cancellation."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from pyzbar import pyzbar

from hudang.rules import load_ruleset
from hudang.sample_data import RULES_DIR
from hudang.store import audit
from hudang.store.barcodes import default_scheme
from hudang.store.errors import NotFound, ValidationError
from hudang.store.models import Document, Location
from hudang.store.services import (
    boxing, cancellation, handover, handover_pdf, locations, registry, shelving,
)
from tests.store.test_pdffonts import assert_fonts_embedded

from .helpers import KEEPER, customer, small_storeroom


def _pdf_text_and_codes(data: bytes) -> tuple[str, set[str]]:
    pdf = pdfium.PdfDocument(data)
    text, codes = [], set()
    for page in pdf:
        text.append(page.get_textpage().get_text_range())
        image = page.render(scale=200 / 72).to_pil().convert("L")
        codes |= {r.data.decode("ascii") for r in pyzbar.decode(image)}
    return "\n".join(text), codes


def _batch_with_three() -> tuple[str, list[str]]:
    customer("3300000001", "张三", "HV", area="")
    customer("3300000002", "李四")
    b = handover.new_batch("营业厅 王五", "档案室 赵六", KEEPER).number
    d1, d2 = default_scheme().make("document", 901), default_scheme().make("document", 902)
    handover.add_item(b, "3300000001", "YK", "用电申请书", KEEPER, page_count=4, barcode=d1)
    handover.add_item(b, "3300000001", "业扩", "供用电合同", KEEPER, page_count=6, barcode=d2)
    handover.add_item(b, "3300000002", "DF", "电费发票", KEEPER, page_count=2)
    return b, [d1, d2]


def test_receive_by_scan_to_supply_sign_and_close(db):
    b, (d1, d2) = _batch_with_three()
    assert default_scheme().parse(b).kind == "handover"
    assert handover.receive(b, d1, KEEPER).action == "received"
    out = handover.receive(b, d2.lower(), KEEPER, pages=5)  # a scanner may send lower case
    assert out.action == "corrected" and out.item.received_pages == 5
    assert handover.receive(b, d1, KEEPER).action == "already"
    stranger = default_scheme().make("document", 950)
    assert handover.receive(b, stranger, KEEPER).action == "unexpected"
    with pytest.raises(ValidationError, match="未接收"):
        handover.close(b, KEEPER)
    moved = handover.to_supply(b, KEEPER)
    assert [i.seq for i in moved] == [3] and moved[0].owed_by == "营业厅 王五"
    with pytest.raises(ValidationError, match="签字"):
        handover.close(b, KEEPER)
    handover.sign(b, "sender", "王五", KEEPER)
    handover.sign(b, "receiver", "赵六", KEEPER)
    info = handover.close(b, KEEPER)
    assert info.status == "closed" and info.count("to_supply") == 1
    assert [(r.batch, r.item.doc_type) for r in handover.supply_list()] == [(b, "电费发票")]
    with pytest.raises(ValidationError, match="已关闭"):
        handover.receive(b, default_scheme().make("document", 951), KEEPER)
    assert handover.receive(b, "#3", KEEPER).action == "supplied"  # late supply still lands
    assert handover.supply_list() == []
    assert audit.verify().ok


def test_catalogue_links_pages_the_daemon_filed_and_never_duplicates(db):
    b, (d1, d2) = _batch_with_three()
    # The daemon filed d1's scanned pages before the paper arrived.
    filed = registry.register_document("3300000001", "YK", "用电申请书", KEEPER, barcode=d1,
                                       page_count=4)
    handover.receive(b, d1, KEEPER)
    handover.receive(b, d2, KEEPER)
    handover.receive(b, "3", KEEPER)
    made = handover.catalogue(b, KEEPER)
    assert sorted(made[:2]) == sorted([d1, d2]) and len(made) == 3
    assert Document.select().where(Document.barcode == filed).count() == 1
    assert Document.select().count() == 3
    docs = {d.barcode: d for d in Document.select()}
    assert docs[d1].volume_id == docs[d2].volume_id is not None  # same customer, same category
    assert handover.catalogue(b, KEEPER) == []  # idempotent
    data = handover_pdf.handover_pdf(b)
    assert_fonts_embedded(data)
    text, codes = _pdf_text_and_codes(data)
    assert b in codes and "档案移交清单" in text and "供用电合同" in text and "移交人签字" in text


def test_boxing_enforces_hv_and_lv_rules_and_prints_contents(db):
    customer("3300000011", "高压甲", "HV", area="")
    customer("3300000012", "高压乙", "HV", area="")
    customer("3300000013", "低压丙", area="季华1号台区")
    customer("3300000014", "低压丁", area="季华2号台区")
    customer("3300000015", "低压戊", area="季华1号台区")
    hv = registry.register_box("HV", KEEPER)
    v1 = registry.register_volume("3300000011", KEEPER, category="YK")
    doc = registry.register_document("3300000011", "YK", "用电申请书", KEEPER, volume_code=v1,
                                     page_count=3)
    loose = registry.register_document("3300000011", "JL", "装拆表工作单", KEEPER, page_count=1)
    assert boxing.add_to_box(hv, v1, KEEPER).action == "volume_in"
    assert boxing.add_to_box(hv, doc, KEEPER).action == "already"
    out = boxing.add_to_box(hv, loose, KEEPER)
    assert out.action == "document_in" and out.volume != v1  # its own JL volume in the box
    other = registry.register_volume("3300000012", KEEPER, category="YK")
    with pytest.raises(ValidationError, match="只能装一个客户"):
        boxing.add_to_box(hv, other, KEEPER)
    lv = registry.register_box("LV", KEEPER)
    with pytest.raises(ValidationError, match="低压"):
        boxing.add_to_box(lv, other, KEEPER)
    boxing.add_to_box(lv, registry.register_volume("3300000015", KEEPER, category="DF"), KEEPER)
    boxing.add_to_box(lv, registry.register_volume("3300000013", KEEPER, category="DF"), KEEPER)
    with pytest.raises(ValidationError, match="季华1号台区"):
        boxing.add_to_box(lv, registry.register_volume("3300000014", KEEPER), KEEPER)
    contents = boxing.box_contents(lv)
    assert [v.customer_number for v in contents.volumes] == ["3300000013", "3300000015"]
    assert boxing.remove_from_box(hv, loose, KEEPER).action == "taken_out"
    with pytest.raises(NotFound):
        boxing.remove_from_box(hv, loose, KEEPER)
    hv_contents = boxing.box_contents(hv)
    assert sum(len(v.documents) for v in hv_contents.volumes) == 1 and hv_contents.pages == 3
    data = boxing.box_contents_pdf(hv)
    assert_fonts_embedded(data)
    text, codes = _pdf_text_and_codes(data)
    assert hv in codes and "盒内目录" in text and "卷内目录" in text and "用电申请书" in text


def test_cancel_dates_retention_frees_position_and_suggests_cancelled_area(db):
    small_storeroom()
    customer("3300000021", "销户甲", "HV", area="")
    customer("3300000022", "低压乙")
    customer("3300000023", "低压丙")
    hv = registry.register_box("HV", KEEPER)
    vol = registry.register_volume("3300000021", KEEPER, box_code=hv, category="YK")
    registry.register_document("3300000021", "YK", "用电申请书", KEEPER, volume_code=vol,
                               filed_on=dt.date(2020, 5, 1))
    lv = registry.register_box("LV", KEEPER)
    registry.register_volume("3300000022", KEEPER, box_code=lv)
    registry.register_volume("3300000023", KEEPER, box_code=lv)
    home = locations.get_location("K1-A-01-L-01-1-1")
    shelving.place_box(hv, home.code, KEEPER)
    shelving.place_box(lv, "K1-B-01-L-01-1-1", KEEPER)
    ruleset = load_ruleset(RULES_DIR)
    with pytest.raises(ValidationError, match="原因"):
        cancellation.cancel("3300000021", dt.date(2024, 6, 30), " ", KEEPER, ruleset)
    out = cancellation.cancel("3300000021", dt.date(2024, 6, 30), "拆迁", KEEPER, ruleset)
    assert out.customer.status == "cancelled" and out.documents_dated == 1
    doc = Document.get(Document.customer == out.customer.id)
    assert doc.retention_class == "cancelled-hv" and doc.retention_eligible_on is not None
    [task] = out.tasks
    assert task.kind == "move_box" and task.from_code == home.code and not task.done
    assert task.suggested_code.startswith("K1-X-")
    assert Location.get_by_id(home.id).used == 0  # freed at once (顶号换空间)
    new_hv = registry.register_box("HV", KEEPER)
    assert shelving.suggest_position(new_hv).code == home.code
    shelving.place_box(hv, task.suggested_code, KEEPER)
    assert cancellation.move_tasks() == []
    mixed = cancellation.cancel("3300000022", dt.date(2024, 7, 1), "销户", KEEPER, ruleset)
    assert [t.kind for t in mixed.tasks] == ["take_out"]
    assert Location.get(Location.code == "K1-B-01-L-01-1-1").used == 1  # still shelved there
    assert audit.verify().ok



def test_checklist_csv_is_all_rows_or_none(db):
    from hudang.store.errors import ImportFailed
    from hudang.store.services.handover_import import import_checklist

    customer("3300000031", "张三", "HV", area="")
    b = handover.new_batch("营业厅", "档案室", KEEPER).number
    good = "户号,类别,文件类型,题名,页数,条码\n3300000031,业扩,用电申请书,,4,{d}\n3300000031,DF,电费发票,三月,2,\n"
    bad = good + "3300000099,YK,用电申请书,,1,\n3300000031,YK,合同,,x,\n"
    with pytest.raises(ImportFailed) as exc:
        import_checklist(b, bad.format(d=default_scheme().make("document", 71)).encode("gbk"),
                         KEEPER)
    assert [r for r, _ in exc.value.problems] == [4, 5]
    assert handover.get_batch(b).items == []
    heard = []
    assert import_checklist(b, good.format(d=default_scheme().make("document", 71)).encode(),
                            KEEPER, progress=lambda *a: heard.append(a)) == 2
    assert heard[0] == ("rows", 0, 2) and heard[-1] == ("rows", 2, 2)
    items = handover.get_batch(b).items
    assert [(i.category, i.page_count, i.title) for i in items] == [("YK", 4, "用电申请书"),
                                                                     ("DF", 2, "三月")]
