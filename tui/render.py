"""Archive data turned into Rich renderables: always Text objects, so data is never markup."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from hudang.store.barcodes import KIND_NAMES
from hudang.store.domain import (
    BOX_STATUSES,
    CATEGORIES,
    CATEGORY_EN,
    VOLTAGE_CLASSES,
    ROLES,
    ZONE_CLASSES,
    local_time,
    movement_name,
)
from hudang.store.i18n import language, t
from hudang.store.services.dto import BoxInfo, LocationInfo, LookupResult
from hudang.tui.i18n import L
from hudang.tui.loans_i18n import status_name

STATUS_EN = {"unplaced": "not shelved", "on_shelf": "on shelf", "on_loan": "on loan",
             "reading_room": "in the reading room", "awaiting_reshelve": "awaiting reshelving"}
STATUS_STYLE = {"on_shelf": "green", "on_loan": "bold red", "reading_room": "yellow",
                "awaiting_reshelve": "yellow", "unplaced": "magenta"}
KIND_ZH_EXTRA = {"error": "错码"}
KIND_EN = {"error": "bad code", "document": "document", "volume": "volume", "box": "box",
           "position": "position",
           "loan_slip": "loan slip", "staff_card": "staff card", "customer": "customer",
           "keyword": "keyword"}


def kind_name(kind: str) -> str:
    if language() == "en":
        return KIND_EN.get(kind, kind)
    return KIND_NAMES.get(kind) or KIND_ZH_EXTRA.get(kind, kind)


def role_name(role: str) -> str:
    """A staff role in the desk's language (档案管理员, not keeper)."""
    return role if language() == "en" else ROLES.get(role, role)


def category_name(code: str | None) -> str:
    if code is None:
        return ""
    return CATEGORY_EN.get(code, code) if language() == "en" else CATEGORIES.get(code, code)


def status_text(status: str) -> Text:
    name = STATUS_EN.get(status, status) if language() == "en" else BOX_STATUSES.get(status, status)
    return Text(name, style=STATUS_STYLE.get(status, ""))


def voltage_name(vc: str) -> str:
    return vc if language() == "en" else VOLTAGE_CLASSES.get(vc, vc)


def plain(value: object) -> Text:
    """Any value as literal text (a name like `[bold]x` stays exactly that)."""
    return Text("" if value is None else str(value))


def position_line(loc: LocationInfo | None) -> Text:
    if loc is None:
        return Text(L("no_position"), style="dim")
    return Text.assemble((loc.code, "bold"), "  ", (loc.label, ""))


def contents_line(contents: dict[str, int]) -> Text:
    parts = [f"{category_name(c)} {contents[c]}" for c in CATEGORIES if contents.get(c)]
    return Text("  ".join(parts) if parts else "—")


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    return grid


def loan_line(loan) -> Text:
    """To whom and until when an item is out (a LoanInfo from the loans service)."""
    who = f"{loan.requester_name} {loan.department}".strip()
    return Text.assemble(("→ ", "bold"), plain(who), "  ", (L("due", d=loan.due_on or "—"),
                                                             "bold"),
                         "  ", (loan.slip_no, "bold"))


def box_body(box: BoxInfo, loan=None) -> Table:
    """Customers, status (and the loan when out), contents and recent movements of a box."""
    grid = _grid()
    grid.add_row(Text(L("box")), Text.assemble((box.barcode, "bold"), "  ",
                                                voltage_name(box.voltage_class),
                                                "  ", plain(box.label)))
    status = status_text(box.status)
    if loan is not None:
        status = Text.assemble(status, "  ", loan_line(loan))
    grid.add_row(Text(L("status")), status)
    who = Text("\n").join(Text.assemble((n, "bold"), " ", plain(name))
                          for n, name in box.customers) if box.customers else Text("—")
    grid.add_row(Text(L("customers")), who)
    grid.add_row(Text(L("contents")), contents_line(box.contents))
    if box.movements:
        moves = Text("\n").join(
            Text(f"{local_time(m.at):%Y-%m-%d %H:%M}  {movement_name(m.kind)}  "
                 f"{m.from_code or '—'} → {m.to_code or '—'}"
                 f"  {m.actor}") for m in box.movements)
        grid.add_row(Text(L("movements")), moves)
    return grid


def result_title(result: LookupResult) -> Text:
    return Text.assemble((kind_name(result.kind), "bold reverse"), " ", (result.code, "bold"))


def result_body(result: LookupResult, loan=None) -> RenderableType:
    """Everything below the big position block for one lookup result."""
    parts: list[RenderableType] = []
    if result.kind == "loan_slip" and result.loan is not None:
        parts.append(slip_body(result.loan))
    if result.document:
        d = result.document
        g = _grid()
        g.add_row(Text(L("customers")), Text.assemble((d.customer_number, "bold"), " ",
                                                      plain(d.customer_name)))
        g.add_row(Text(L("kind")), Text(f"{category_name(d.category)} · {d.doc_type}"))
        g.add_row(Text(L("doc_title")), plain(d.title))
        g.add_row(Text(L("pages")), Text(f"{d.page_count}  ({L('scanned')}: {d.scanned_pages})"))
        g.add_row(Text(L("filed_on")), Text(str(d.filed_on or "—")))
        if d.scan_station:
            g.add_row(Text(L("scan_station")), plain(d.scan_station))
        g.add_row(Text(L("position")), Text(f"{d.volume_barcode or '—'} / {d.box_barcode or '—'}"))
        parts.append(g)
    if result.volume:
        v = result.volume
        g = _grid()
        g.add_row(Text(L("customers")), Text.assemble((v.customer_number, "bold"), " ",
                                                      plain(v.customer_name)))
        g.add_row(Text(L("doc_title")), plain(v.title))
        g.add_row(Text(t("卷内文件", "Contents")), contents_line(v.contents))
        parts.append(g)
    if result.position:
        p = result.position
        g = _grid()
        g.add_row(Text(L("position")), plain(p.location.label))
        g.add_row(Text(L("zone")), Text(ZONE_CLASSES.get(p.location.zone_class,
                                                        p.location.zone_class)))
        g.add_row(Text("容量" if language() != "en" else "Capacity"),
                  Text(L("free", f=p.location.free, c=p.location.capacity),
                       style="green" if p.location.free else "red"))
        g.add_row(Text(L("should_be_here")), _box_list(p.home_boxes))
        home_codes = [b.barcode for b in p.home_boxes]
        if [b.barcode for b in p.present_boxes] == home_codes and home_codes:
            g.add_row(Text(L("present")), Text(L("same_as_above"), style="green"))
        else:
            g.add_row(Text(L("present")), _box_list(p.present_boxes))
        parts.append(g)
    if result.user:
        u = result.user
        g = _grid()
        g.add_row(Text(L("user")), Text.assemble((u.username, "bold"), " ", plain(u.display_name)))
        g.add_row(Text(t("角色", "Role")), Text(role_name(u.role)))
        parts.append(g)
    if result.box:
        parts.append(box_body(result.box, loan))
    return Group(*parts)


def slip_body(loan) -> Table:
    """A loan slip: who, why, status, due date and its items."""
    g = _grid()
    g.add_row(Text(L("slip")), Text.assemble((loan.slip_no, "bold"), "  ",
                                             status_name(loan.status)))
    g.add_row(Text(L("user")), plain(f"{loan.requester_name} {loan.department}".strip()))
    g.add_row(Text(L("purpose")), plain(loan.purpose))
    g.add_row(Text(L("expires")), Text(str(loan.due_on or "—")))
    items = Text("\n").join(
        Text.assemble((i.code, "bold"), " ", plain(i.customer_name or ""), " ", plain(i.title),
                      " ", status_name(i.status)) for i in loan.items) if loan.items else Text("—")
    g.add_row(Text(L("contents")), items)
    return g


def _box_list(boxes: list[BoxInfo]) -> Text:
    if not boxes:
        return Text("—")
    return Text("\n").join(
        Text.assemble((b.barcode, "bold"), " ", status_text(b.status), " ",
                      plain(", ".join(f"{n} {name}" for n, name in b.customers[:2])))
        for b in boxes)


def result_summary(result: LookupResult) -> str:
    """One line for the running scan list."""
    if result.box and result.kind == "box":
        who = result.box.customers[0][1] if result.box.customers else ""
        extra = len(result.box.customers) - 1
        more = t(" 等{n}户", " +{m}", n=extra + 1, m=extra) if extra else ""
        return f"{who}{more} · {status_text(result.box.status).plain}"
    if result.document:
        return f"{result.document.customer_name} · {result.document.doc_type}"
    if result.volume:
        return f"{result.volume.customer_name} · {result.volume.title}"
    if result.position:
        loc = result.position.location
        return f"{loc.code} · {L('free', f=loc.free, c=loc.capacity)}"
    if result.customer:
        return result.customer.name
    if result.user:
        return result.user.display_name
    if result.kind == "loan_slip" and result.loan is not None:
        return f"{result.loan.requester_name} · {status_name(result.loan.status)}"
    return ""


def days_style(days: int | None) -> str:
    """Contracts: ≤ 7 days or expired red, ≤ 30 days yellow."""
    if days is None:
        return ""
    if days <= 7:
        return "bold red"
    if days <= 30:
        return "yellow"
    return "green"


def today_of(now: dt.datetime) -> dt.date:
    return now.date()
