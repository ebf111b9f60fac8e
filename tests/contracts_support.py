"""Contracts for domain tests, and the steps of the contract story (binding by link, grants)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

from lkk_core import contracts
from lkk_core.kernel.billing import (
    AcceptedReading,
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    ReadingWindow,
    Scale,
    ScaleReading,
    SubmittedProfile,
    SubmittedReading,
)
from lkk_core.contracts.commands import ConfirmBinding, RequestBinding
from lkk_core.kernel.permissions import Capability, Role
from lkk_core.kernel.services import Actor, Services
from tests.support import Mailbox

SUPPLIER = Party(name="АО «Энергосбыт»", inn="7707049388", kpp="770701001")


def energy_object(code: str, address: str) -> EnergyObject:
    meter = Meter(number=f"ПУ{code[-6:]}", model="Меркурий 230", status="Ожидание", digits=6, fraction_digits=2,
                  scales=(Scale("Круглосуточный", Quantity.ACTIVE_IMPORT),))
    point = MeteringPoint(number="1", name="РП-10 кВ яч.2", coefficient=Decimal(12000), losses_percent=Decimal(5),
                          meters=(meter,))
    return EnergyObject(code=code, name=f"Объект {code[-2:]}", address=address, status="Ожидание",
                        metering_points=(point,))


def contract(number: str, *emails: str, objects: int = 2, name: str | None = None) -> Contract:
    return Contract(
        number=number,
        name=name or f"Договор энергоснабжения № {number}",
        signed_on=date(2021, 3, 1),
        price_category=PriceCategory.III,
        customer=Party(name=f"ООО «Клиент {number[-2:]}»", inn="7812014560"),
        supplier=SUPPLIER,
        bank=BankDetails("ПАО Сбербанк", "044525225", "30101810400000000225", "40702810900000012345"),
        emails=emails,
        contacts=(Contact("curator", "Петров П. П.", "+78121234567", "curator@energo.example"),),
        energy_objects=tuple(
            energy_object(f"{number}{i:04d}", f"г. Санкт-Петербург, ул. Заводская, д. {i}") for i in range(1, objects + 1)
        ),
    )


# ROL-10's worked example: client1 has contracts 1–3, client2 binds contract 4.
C1, C2, C3, C4 = "10000000000001", "10000000000002", "10000000000003", "10000000000004"
CONTRACTS = (
    contract(C1, "client1@mail.ru", "alice@example.com", objects=3),
    contract(C2, "client1@mail.ru", "alice@example.com"),
    contract(C3, "client1@mail.ru", "alice@example.com"),
    contract(C4, "client2@mail.ru", "bob@example.com"),
)


# An independent copy of «Таблица 3. Сводная таблица прав доступа» (§13.2.1.2), column order
# Энергетик, Бухгалтер, Руководитель, Администратор, exactly as the manual prints it.
MANUAL_TABLE_3 = """
request_administrator      + + + +
remove_contract            + + + +
view_contract              + + + +
view_contract_attachments  + + + +
submit_readings            + - + +
view_readings_history      + - + +
view_unpaid_documents      - + + +
view_debt                  - + + +
view_bills_chart           - + + +
view_payments_history      - + + +
make_payment               - + + +
view_documents_history     - + + +
grant_role                 - - - +
revoke_role                - - - +
"""
COLUMNS = (Role.POWER_ENGINEER, Role.ACCOUNTANT, Role.MANAGER, Role.ADMINISTRATOR)
EXPECTED = {
    (Capability(key), role): mark == "+"
    for key, *marks in (line.split() for line in MANUAL_TABLE_3.strip().splitlines())
    for role, mark in zip(COLUMNS, marks, strict=True)
}


@dataclass
class Catalogue:
    """The billing port over contracts in memory: for domain tests (the dataset adapter is tested apart)."""

    contracts: dict[str, Contract] = field(default_factory=lambda: {c.number: c for c in CONTRACTS})
    readings: dict[tuple[str, date], tuple[ScaleReading, ...]] = field(default_factory=dict)
    received: dict[tuple[UUID, int], tuple[str, date, tuple[SubmittedReading, ...]]] = field(default_factory=dict)
    interval_kinds: tuple[str, ...] = ("Фактические", "Расчётные")
    profiles: dict[UUID, tuple[int, str, date, SubmittedProfile]] = field(default_factory=dict)
    profile_deliveries: int = 0
    accepted: dict[tuple[str, date], tuple[AcceptedReading, ...]] = field(default_factory=dict)

    def find_contract(self, number: str) -> Contract | None:
        return self.contracts.get(number)

    def reading_window(self, number: str, period: date) -> ReadingWindow | None:
        if number not in self.contracts:
            return None
        return moscow_window(period)

    def meter_readings(self, number: str, period: date) -> tuple[ScaleReading, ...]:
        return self.readings.get((number, period.replace(day=1)), ())

    def receive_readings(
        self, number: str, period: date, readings: tuple[SubmittedReading, ...], *, submission_id: UUID, version: int
    ) -> None:
        self.received[(submission_id, version)] = (number, period, readings)

    def interval_reading_kinds(self, number: str) -> tuple[str, ...]:
        return self.interval_kinds if number in self.contracts else ()

    def accepted_readings(self, number: str, period: date) -> tuple[AcceptedReading, ...]:
        return self.accepted.get((number, period.replace(day=1)), ())

    def receive_interval_profile(
        self, number: str, period: date, profile: SubmittedProfile, *, act_id: UUID, version: int
    ) -> None:
        self.profile_deliveries += 1
        if act_id not in self.profiles or self.profiles[act_id][0] < version:  # the last act counts, once
            self.profiles[act_id] = (version, number, period, profile)


MOSCOW = ZoneInfo("Europe/Moscow")


def moscow_window(period: date) -> ReadingWindow:
    """RDG-04's reference window: [1st of M 00:00, 22nd of M+1 00:00) in Moscow time."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)  # noqa: PLR2004
    return ReadingWindow(period.replace(day=1), datetime(period.year, period.month, 1, tzinfo=MOSCOW),
                         datetime(year, month, 22, tzinfo=MOSCOW))


def link_of(mailbox: Mailbox, to: str) -> tuple[UUID, str]:
    """Deliver the outbox and return the binding id and token of the last link sent to ``to``."""
    mailbox.deliver()
    for mail in reversed(mailbox.letters.sent):
        if mail.to == to and (found := re.search(r"https?://\S+", mail.body)):
            query = parse_qs(urlsplit(found.group()).query)
            return UUID(query["binding_id"][0]), query["token"][0]
    raise AssertionError(f"no link to {to}")


def bound(services: Services, mailbox: Mailbox, actor: Actor, number: str, email: str = "alice@example.com") -> int:
    """Bind the contract the way a person does: request, read the link, follow it."""
    contracts.request_binding(services, actor, RequestBinding(contract_number=number, email=email))
    binding_id, token = link_of(mailbox, email)
    return contracts.confirm_binding(services, ConfirmBinding(binding_id=binding_id, token=token))[1]
