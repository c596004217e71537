"""Shared builders for the loan tests: a small shelved archive with staff, via the services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hudang.store.audit import Actor
from hudang.store.services import customers, locations, registry, shelving, users

KEEPER = Actor("keeper1", "desk-1", "keeper")
SYSTEM = Actor("setup", "test", "admin")


@dataclass
class LoanArchive:
    """Codes of everything the loan tests use."""

    hv_customer: str  # important HV customer (重要客户)
    lv_a: str
    lv_b: str
    hv_box: str
    lv_box: str
    lv_box2: str
    hv_vol_yk: str
    hv_vol_df: str
    lv_a_vol: str
    lv_b_vol: str
    lv_a_vol2: str
    lv_a_doc: str
    homes: dict[str, str]  # box barcode -> home position code


def _cells(zone: str) -> list[str]:
    return [c.code for c in locations.cells_under(zone)]


def build_archive() -> LoanArchive:
    """Three customers, three boxes on shelves, and staff of every role."""
    for name, display, role, dept in [
        ("zhang", "张三丰", "keeper", "营销部"), ("li", "李审批", "approver", "档案室"),
        ("wang", "王审批", "approver", "法律事务部"), ("boss", "赵主任", "admin", "办公室"),
        ("keeper1", "钱管理员", "keeper", "档案室"), ("audit", "孙审计", "auditor", "审计部"),
    ]:
        users.add_user(name, display, role, "password-123", department=dept, actor=SYSTEM)
    locations.build_shelving("K1", "1号库房", [
        locations.ZoneSpec("A", "HV", rows=1, sections=1, shelves=2, cells=2, capacity=2),
        locations.ZoneSpec("B", "LV", rows=2, sections=1, shelves=1, cells=2, capacity=3),
    ], SYSTEM)
    hv = customers.create_customer({"number": "3300000001", "name": "佛山钢铁有限公司",
                                    "voltage_class": "HV", "important": True}, SYSTEM).number
    lv_a = customers.create_customer({"number": "3300000002", "name": "李𠮷祥",
                                      "voltage_class": "LV"}, SYSTEM).number
    lv_b = customers.create_customer({"number": "3300000003", "name": "王五",
                                      "voltage_class": "LV"}, SYSTEM).number
    hv_box = registry.register_box("HV", SYSTEM, label="佛山钢铁")
    lv_box = registry.register_box("LV", SYSTEM, label="低压 1")
    lv_box2 = registry.register_box("LV", SYSTEM, label="低压 2")
    hv_yk = registry.register_volume(hv, SYSTEM, hv_box, "YK", "业扩卷")
    hv_df = registry.register_volume(hv, SYSTEM, hv_box, "DF", "电费卷")
    a_vol = registry.register_volume(lv_a, SYSTEM, lv_box, "YK", "李𠮷祥 业扩")
    b_vol = registry.register_volume(lv_b, SYSTEM, lv_box, "JL", "王五 计量")
    a_vol2 = registry.register_volume(lv_a, SYSTEM, lv_box2, "DF", "李𠮷祥 电费")
    a_doc = registry.register_document(lv_a, "YK", "用电申请书", SYSTEM, volume_code=a_vol,
                                       page_count=3)
    hv_cells, lv_cells = _cells("K1-A"), _cells("K1-B")
    # Shelve so that walking order differs from registration order.
    homes = {hv_box: hv_cells[-1], lv_box: lv_cells[-1], lv_box2: lv_cells[0]}
    for box, cell in homes.items():
        shelving.place_box(box, cell, SYSTEM)
    return LoanArchive(hv, lv_a, lv_b, hv_box, lv_box, lv_box2, hv_yk, hv_df, a_vol, b_vol,
                       a_vol2, a_doc, homes)


@pytest.fixture
def arch(db) -> LoanArchive:
    return build_archive()
