"""Customers: create, update, cancel (销户), read; each change is one audited transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from peewee import fn

from hudang.store import audit, search
from hudang.store.audit import Actor
from hudang.store.barcodes import compile_linear
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import ACTIVE, CANCELLED, CATEGORIES, HV, LV
from hudang.store.errors import AlreadyExists, ChangedByOthers, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import Contract, Customer, utcnow
from hudang.store.services import views
from hudang.store.services.convert import contract_info, customer_info
from hudang.store.services.dto import CustomerFile, CustomerInfo, DocumentInfo
from hudang.store.services.corrections import record_corrections, resolve_for
from hudang.store.services.idnumbers import check_id_number
from hudang.store.textclean import ascii_identifier, normalise_identifiers, unsafe_character

EDITABLE = ("name", "id_number", "phone", "address", "voltage_class", "supply_voltage", "line",
            "area", "tariff", "important", "legal_hold")
DEFAULT_NUMBER_PATTERN = r"^\d{10}$"


def _snapshot(c: Customer) -> dict[str, Any]:
    return {k: v for k, v in asdict(customer_info(c)).items() if k not in ("id",)}


def validate_fields(data: dict[str, Any], number_pattern: str = DEFAULT_NUMBER_PATTERN) -> list[str]:
    """Problems with a customer's fields, as screen-ready sentences (empty when fine)."""
    problems = []
    data = normalise_identifiers(data)
    number = str(data.get("number", "")).strip()
    if "number" in data and not compile_linear(number_pattern).fullmatch(number):
        problems.append(t("户号 {n} 格式不对（应符合 {p}）", "customer number {n} does not match {p}",
                          n=number or "（空）", p=number_pattern))
    if "name" in data and not str(data.get("name", "")).strip():
        problems.append(t("户名不能为空", "customer name is required"))
    if "voltage_class" in data and data.get("voltage_class") not in (HV, LV):
        problems.append(t("电压等级必须是 高压/HV 或 低压/LV，而不是 {v}",
                          "voltage class must be HV or LV, not {v}", v=data.get("voltage_class")))
    for key, value in data.items():
        bad = unsafe_character(value) if isinstance(value, str) else None
        if bad:
            problems.append(t("{k} 含控制字符 {c}", "{k} contains the control character {c}",
                              k=key, c=bad))
    for key, limit in (("name", 128), ("address", 256), ("phone", 32), ("id_number", 32),
                       ("line", 64), ("area", 64)):
        if len(str(data.get(key, "") or "")) > limit:
            problems.append(t("{k} 超过 {n} 个字符", "{k} is longer than {n} characters",
                              k=key, n=limit))
    return problems


def _get(number: str) -> Customer:
    c = Customer.get_or_none(Customer.number == ascii_identifier(number))
    if c is None:
        raise NotFound(t("没有户号为 {n} 的客户", "no customer with number {n}", n=number))
    return c


class InvalidIdNumber(ValidationError):
    """An ID card number or credit code failed its check; entry may go on only if confirmed."""

    code = "invalid_id_number"


def _id_number_problem(value: Any, accept_invalid: bool) -> str:
    """The check's problem with a new ID number ('' when fine); refuse unless confirmed."""
    if not isinstance(value, str) or not value:
        return ""
    checked = check_id_number(value)
    if checked.valid:
        return ""
    if not accept_invalid:
        raise InvalidIdNumber(t("证件号码 {v} 校验不通过：{p}。如确认无误，请确认后再保存"
                                "（命令行加 --accept-invalid-id）",
                                "ID number {v} fails its check: {p}. If it is right as written, "
                                "confirm it (--accept-invalid-id on the command line)",
                                v=value, p=checked.problem))
    return checked.problem


def _note_id_number(c: Customer, value: str, problem: str, actor: Actor) -> None:
    """Keep the correction list true: a confirmed invalid number goes on it, a valid one
    closes what was open for this customer."""
    resolve_for(c.id, "id_number", actor)
    if problem:
        record_corrections([(c.id, "id_number", value, problem,
                             t("{u} 确认录入", "entered and confirmed by {u}", u=actor.username))])


def create_customer(data: dict[str, Any], actor: Actor,
                    number_pattern: str = DEFAULT_NUMBER_PATTERN,
                    accept_invalid_id: bool = False) -> CustomerInfo:
    """Register a new customer file (一户一档); an ID number that fails its check is refused
    unless `accept_invalid_id` (the user confirmed it), and then goes on the correction list."""
    data = normalise_identifiers({k: (v.strip() if isinstance(v, str) else v)
                                  for k, v in data.items()})
    problems = validate_fields({"name": "", "voltage_class": None, "number": "", **data},
                               number_pattern)
    if problems:
        raise ValidationError("；".join(problems))
    id_problem = _id_number_problem(data.get("id_number"), accept_invalid_id)
    unknown = set(data) - set(EDITABLE) - {"number"}
    if unknown:
        raise ValidationError(t("未知字段：{f}", "unknown field(s): {f}", f=", ".join(sorted(unknown))))
    with write_tx():
        if Customer.select().where(Customer.number == data["number"]).exists():
            raise AlreadyExists(t("户号 {n} 已存在", "customer {n} already exists", n=data["number"]))
        c = Customer.create(**data)
        search.index_customer(c)
        if id_problem:
            _note_id_number(c, data["id_number"], id_problem, actor)
        audit.record(actor, "customer.create", "customer", c.number, None, _snapshot(c))
    return customer_info(c)


def update_customer(number: str, changes: dict[str, Any], actor: Actor,
                    expected_version: int | None = None,
                    accept_invalid_id: bool = False) -> CustomerInfo:
    """Change a customer's details; `expected_version` catches an edit made on a stale screen.

    A new ID number is checked as on entry; a valid one closes the customer's corrections.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(t("不能修改字段：{f}", "cannot change field(s): {f}",
                                f=", ".join(sorted(unknown))))
    changes = normalise_identifiers(changes)
    problems = validate_fields(changes)
    if problems:
        raise ValidationError("；".join(problems))
    id_problem = _id_number_problem(changes.get("id_number"), accept_invalid_id)
    with write_tx():
        c = _get(number)
        version = c.version if expected_version is None else expected_version
        before = _snapshot(c)
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
        c = _versioned_update(c, version, values)
        search.index_customer(c)
        if "id_number" in changes:
            _note_id_number(c, values["id_number"], id_problem, actor)
        audit.record(actor, "customer.update", "customer", c.number, before, _snapshot(c))
    return customer_info(c)


def _versioned_update(c: Customer, version: int, values: dict[str, Any]) -> Customer:
    """`UPDATE … WHERE id = ? AND version = ?`: the database decides who wins a race."""
    n = (Customer.update(**values, version=Customer.version + 1, updated_at=utcnow())
         .where((Customer.id == c.id) & (Customer.version == version)).execute())
    if n != 1:
        raise ChangedByOthers(t("客户 {n} 已被他人修改，请刷新后再改",
                                "customer {n} was changed by someone else; reload first",
                                n=c.number))
    return Customer.get_by_id(c.id)


def cancel_customer(number: str, cancelled_on: dt.date, actor: Actor) -> CustomerInfo:
    """销户: mark the account cancelled from `cancelled_on` (the retention trigger date)."""
    with write_tx():
        c = _get(number)
        if c.status == CANCELLED:
            raise ValidationError(t("客户 {n} 已于 {d} 销户", "customer {n} was already cancelled on {d}",
                                    n=number, d=c.cancelled_on))
        before = _snapshot(c)
        c = _versioned_update(c, c.version, {"status": CANCELLED, "cancelled_on": cancelled_on})
        search.index_customer(c)
        audit.record(actor, "customer.cancel", "customer", c.number, before, _snapshot(c))
    return customer_info(c)


def get_customer(number: str) -> CustomerInfo:
    with read_tx():
        return customer_info(_get(number))


def count_customers() -> dict[str, int]:
    """Customers by status, for the desk's header and reports."""
    rows = {ACTIVE: 0, CANCELLED: 0}
    for status, n in (Customer.select(Customer.status, fn.COUNT(Customer.id).alias("n"))
                      .group_by(Customer.status).tuples()):
        rows[status] = n
    return rows


def customer_file(number: str) -> CustomerFile:
    """The customer's whole file (一户一档): five categories in filing-date order, contracts, boxes."""
    with read_tx():
        c = _get(number)
        docs: dict[str, list[DocumentInfo]] = {code: [] for code in CATEGORIES}
        for d in views.customer_documents(c.id):
            docs.setdefault(d.category, []).append(d)
        contracts = [contract_info(k) for k in
                     Contract.select().where(Contract.customer == c)
                     .order_by(Contract.expires_on.desc())]
        return CustomerFile(customer_info(c), docs, contracts, views.boxes_of_customer(c.id))


def mask_id_number(value: str) -> str:
    """110101********1234: keep the region and the last four."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
