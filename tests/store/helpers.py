"""Small builders for store tests: a storeroom, customers, boxes."""

from __future__ import annotations

from hudang.store.audit import Actor
from hudang.store.services import customers, locations, registry

KEEPER = Actor("keeper1", "desk-test", "keeper")


def small_storeroom() -> None:
    """Room K1: HV zone A (capacity 1 per cell), LV zone B (capacity 2), cancelled zone X."""
    locations.build_shelving("K1", "1号库房", [
        locations.ZoneSpec("A", "HV", rows=1, sections=1, shelves=1, cells=2, capacity=1,
                           sides=("L",), name="高压A区"),
        locations.ZoneSpec("B", "LV", rows=1, sections=1, shelves=2, cells=2, capacity=2,
                           sides=("L",), name="低压B区"),
        locations.ZoneSpec("X", "cancelled", rows=1, sections=1, shelves=1, cells=2,
                           capacity=2, sides=("L",), name="销户区"),
    ], KEEPER)


def customer(number: str, name: str = "张三", voltage: str = "LV", **extra) -> None:
    data = dict(number=number, name=name, voltage_class=voltage, address="佛山市禅城区季华五路1号",
                line="10kV季华线", area="" if voltage == "HV" else "季华1号台区", tariff="居民",
                phone="13812345678", id_number="440604198001181234")
    data.update(extra)
    customers.create_customer(data, KEEPER)


def box_with(customer_numbers: list[str], voltage: str = "LV", docs: int = 2) -> str:
    """A registered box holding one volume (with `docs` documents) per customer."""
    box = registry.register_box(voltage, KEEPER)
    for number in customer_numbers:
        vol = registry.register_volume(number, KEEPER, box_code=box)
        for i in range(docs):
            registry.register_document(number, ["YK", "DF", "JL"][i % 3], "用电申请书", KEEPER,
                                       volume_code=vol, page_count=3)
    return box
