"""A small temp SQLite archive built through the services, and the desk app built on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hudang.settings import Settings
from hudang.store import archive
from hudang.store import db as dbmod
from hudang.store.audit import Actor
from hudang.store.i18n import set_language
from hudang.store.models import Movement
from hudang.store.services import customers, loan_grants, locations, registry, shelving, users

NOW = dt.datetime(2026, 3, 2, 9, 30, 0)
ACTOR = Actor("setup", "test", "admin")
BOLD_NAME = "[bold]张三明[/bold]"


@dataclass
class Archive:
    """Codes of what the fixture created, for the tests to scan."""

    home: Path
    url: str
    keeper: object = None
    admin: object = None
    codes: dict[str, str] = field(default_factory=dict)
    cells: dict[str, list] = field(default_factory=dict)


def _customer(number: str, name: str, vc: str, **extra) -> None:
    data = {"number": number, "name": name, "voltage_class": vc, "id_number": "440602198001051234",
                "phone": "13812345678", "address": extra.pop("address", "佛山市禅城区祖庙路1号"),
                "supply_voltage": "10kV" if vc == "HV" else "380V", "line": "祖庙线",
                "area": "" if vc == "HV" else "祖庙一村台区",
                "tariff": "大工业" if vc == "HV" else "居民"}
    data.update(extra)
    customers.create_customer(data, ACTOR)


def build(tmp_path: Path) -> Archive:
    """Users, shelving (HV / LV / cancelled zones), customers, boxes, documents, contracts."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    archive.open_archive(url, create=True)
    arc = Archive(tmp_path, url)
    arc.keeper = users.add_user("keeper", "张敏", "keeper", "keeper-pass-1")
    arc.admin = users.add_user("admin", "王磊", "admin", "admin-pass-1")
    locations.build_shelving("K1", "1号库房", [
        locations.ZoneSpec("A", "HV", rows=1, sections=1, shelves=1, cells=3, capacity=2,
                           sides=("L",), name="高压区"),
        locations.ZoneSpec("B", "LV", rows=1, sections=1, shelves=1, cells=2, capacity=1,
                           sides=("L",), name="低压区"),
        locations.ZoneSpec("C", "cancelled", rows=1, sections=1, shelves=1, cells=1,
                           capacity=4, sides=("L",), name="销户区"),
    ], ACTOR)
    for zone in ("A", "B", "C"):
        arc.cells[zone] = locations.cells_under(f"K1-{zone}")
    _customer("0600000001", BOLD_NAME, "HV", important=True)
    _customer("0600000002", "李四光", "LV")
    _customer("0600000003", "王五", "LV", address="佛山市南海区桂城[red]街")
    _customer("0600000004", "佛山华达陶瓷有限公司", "HV")
    c = arc.codes
    c["hv_box"] = registry.register_box("HV", ACTOR, label="张三明")
    c["volume"] = registry.register_volume("0600000001", ACTOR, box_code=c["hv_box"],
                                           category="YK", title="张三明 第1卷")
    c["document"] = registry.register_document(
        "0600000001", "YK", "用电申请书", ACTOR, volume_code=c["volume"], page_count=3,
        filed_on=dt.date(2025, 5, 6), business_process="新装")
    registry.register_document("0600000001", "YK", "供用电合同", ACTOR, volume_code=c["volume"],
                               page_count=8, filed_on=dt.date(2025, 5, 8))
    registry.register_document("0600000001", "JL", "装拆表工作单", ACTOR, volume_code=c["volume"],
                               page_count=1, filed_on=dt.date(2025, 5, 9))
    registry.add_contract("0600000001", ACTOR, number="HT-2025-001", signed_on=dt.date(2025, 3, 1),
                          expires_on=NOW.date() + dt.timedelta(days=5))
    registry.add_contract("0600000001", ACTOR, number="HT-2025-002", signed_on=dt.date(2025, 3, 1),
                          expires_on=NOW.date() + dt.timedelta(days=20))
    registry.add_contract("0600000001", ACTOR, number="HT-2024-003", signed_on=dt.date(2024, 3, 1),
                          expires_on=NOW.date() + dt.timedelta(days=300))
    c["lv_box"] = registry.register_box("LV", ACTOR)
    registry.register_volume("0600000002", ACTOR, box_code=c["lv_box"], category="DF")
    registry.register_volume("0600000003", ACTOR, box_code=c["lv_box"], category="DF")
    c["lv_box2"] = registry.register_box("LV", ACTOR)
    registry.register_volume("0600000002", ACTOR, box_code=c["lv_box2"], category="YJ")
    c["hv_box2"] = registry.register_box("HV", ACTOR)
    registry.register_volume("0600000004", ACTOR, box_code=c["hv_box2"], category="YK")
    hv_cell, lv_cell = arc.cells["A"][0], arc.cells["B"][0]
    shelving.place_box(c["hv_box"], hv_cell.barcode, ACTOR)
    shelving.place_box(c["lv_box2"], lv_cell.barcode, ACTOR)
    c["hv_cell"], c["hv_cell2"] = hv_cell.barcode, arc.cells["A"][1].barcode
    c["lv_cell"], c["lv_cell2"] = lv_cell.barcode, arc.cells["B"][1].barcode
    c["staff_card"] = arc.keeper.staff_card
    # The important customer's file opens at the desk only with a reading grant (issue 12).
    users.add_user("shen", "沈审批", "approver", "approver-pass-1")
    grant = loan_grants.request_reading("keeper", "0600000001", "核对档案", 7, ACTOR)
    loan_grants.approve_reading(grant.id, Actor("shen", "test", "approver"))
    with dbmod.write_tx():  # stable times on screen for the snapshots
        Movement.update(at=NOW - dt.timedelta(days=1)).execute()
    return arc


@pytest.fixture
def desk_archive(tmp_path):
    set_language("zh")
    arc = build(tmp_path)
    yield arc
    archive.close_archive()
    set_language("zh")


def settings_for(arc: Archive, **overrides) -> Settings:
    values = {"home": arc.home, "database_url": arc.url, "rules_dir": arc.home / "rules",
                  "scan_store": arc.home / "scans", "terminal": "desk-test",
                  "signin_failure_delay_ms": 0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_desk(desk_archive):
    """Build the desk app on the fixture archive (frozen clock, no cursor blink)."""
    from hudang.tui.app import make_app
    from hudang.wiring import load_loan_policy

    def factory(user="keeper", **overrides):
        who = {"keeper": desk_archive.keeper, "admin": desk_archive.admin, None: None}[user]
        settings = settings_for(desk_archive, **overrides)
        return make_app(settings, clock=lambda: NOW, user=who, cursor_blink=False,
                        loan_policy=lambda: load_loan_policy(settings))

    return factory


async def settle(pilot) -> None:
    """Wait for every worker and the messages they posted (never sleep)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def scan(pilot, text: str, field: str = "#scan") -> None:
    """Type `text` into the focused scan field as a scanner would, press Enter, wait."""
    widget = pilot.app.screen.query_one(field)
    assert widget.has_focus, f"{field} should have focus"
    widget.value = text
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text (the same render as a screenshot)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      record=True, color_system="truecolor", legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True,
                                                       screen_stack=app._background_screens))
    return console.export_text()
