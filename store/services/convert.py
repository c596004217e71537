"""The one place Peewee rows become service dataclasses."""

from __future__ import annotations

from hudang.store.models import Contract, Customer, Location, User
from hudang.store.services.dto import ContractInfo, CustomerInfo, LocationInfo, UserInfo


def customer_info(c: Customer) -> CustomerInfo:
    return CustomerInfo(
        id=c.id, number=c.number, name=c.name, id_number=c.id_number, phone=c.phone,
        address=c.address, voltage_class=c.voltage_class, supply_voltage=c.supply_voltage,
        line=c.line, area=c.area, tariff=c.tariff, status=c.status,
        cancelled_on=c.cancelled_on, important=bool(c.important),
        legal_hold=bool(c.legal_hold), version=c.version)


def location_info(loc: Location | None) -> LocationInfo | None:
    if loc is None:
        return None
    return LocationInfo(id=loc.id, code=loc.code, kind=loc.kind, label=loc.name,
                        barcode=loc.barcode, capacity=loc.capacity, used=loc.used,
                        zone_class=loc.zone_class)


def contract_info(k: Contract) -> ContractInfo:
    return ContractInfo(id=k.id, number=k.number, kind=k.kind, signed_on=k.signed_on,
                        expires_on=k.expires_on, auto_renew=bool(k.auto_renew))


def user_info(u: User) -> UserInfo:
    return UserInfo(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                    department=u.department, staff_card=u.staff_card, active=bool(u.active))
