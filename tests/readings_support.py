"""A contract for the readings tests: Fig. 12's meter, a two-zone meter, a meter with reactive energy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from lkk_core import contracts
from lkk_core.kernel.billing import (
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    PriceCategory,
    Quantity,
    Scale,
    ScaleReading,
)
from lkk_core.contracts.commands import GrantAdministrator, GrantRole
from lkk_core.readings.commands import ReadingInput, SubmitReadings
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.contracts_support import MOSCOW, Catalogue, bound, contract
from tests.support import Mailbox, registered

C5 = "10000000000005"
EO1, EO2, EO3 = f"{C5}0001", f"{C5}0002", f"{C5}0003"
FIG12, TWO_ZONES, REACTIVE, CLOSED_METER, OTHER_EO_METER = "01284918", "20300109", "30300001", "40400001", "50500001"
PERIOD, PREVIOUS_PERIOD = date(2023, 2, 1), date(2023, 1, 1)
INSIDE = datetime(2023, 2, 10, 12, 0, tzinfo=MOSCOW)
ROUND = "Круглосуточный"
A_PLUS, R_PLUS, A_MINUS = Quantity.ACTIVE_IMPORT, Quantity.REACTIVE_IMPORT, Quantity.ACTIVE_EXPORT
EXPORT_METER = "70700001"  # measures «А-» only: no interval profile for it (RDG-14)


def meter(number: str, *scales: tuple[str, Quantity], status: str = "Ожидание") -> Meter:
    return Meter(number=number, model="Меркурий 230", status=status, digits=6, fraction_digits=2,
                 scales=tuple(Scale(zone, quantity) for zone, quantity in scales))


def readings_contract() -> Contract:
    base = contract(C5, "client5@mail.ru", objects=0, name="Договор с показаниями")
    point = MeteringPoint(number="1", name="РП-10 кВ яч.2", coefficient=Decimal(12000), losses_percent=Decimal(5),
                          meters=(meter(FIG12, (ROUND, A_PLUS)),
                                  meter(TWO_ZONES, ("День", A_PLUS), ("Ночь", A_PLUS)),
                                  meter(REACTIVE, (ROUND, A_PLUS), (ROUND, R_PLUS)),
                                  meter(CLOSED_METER, (ROUND, A_PLUS), status="Принято")))
    plain = MeteringPoint(number="2", name="ТП-5", coefficient=Decimal(1), losses_percent=Decimal(0),
                          meters=(meter(OTHER_EO_METER, (ROUND, A_PLUS)),))
    return replace(base, energy_objects=(
        EnergyObject(EO1, "Цех № 1", "г. Санкт-Петербург, ул. Заводская, д. 1", "Ожидание", (point,)),
        EnergyObject(EO2, "Склад", "г. Санкт-Петербург, ул. Заводская, д. 2", "Принято", (
            MeteringPoint("3", "ТП-7", Decimal(1), Decimal(0), (meter("60600001", (ROUND, A_PLUS)),)),)),
        EnergyObject(EO3, "Гараж", "г. Санкт-Петербург, ул. Заводская, д. 3", "Ожидание", (plain,)),
    ))


def facts() -> tuple[ScaleReading, ...]:
    def previous(number: str, zone: str, quantity: Quantity, value: str, **more: object) -> ScaleReading:
        return ScaleReading(number, zone, quantity, Decimal(value), PREVIOUS_PERIOD, **more)  # type: ignore[arg-type]

    return (
        previous(FIG12, ROUND, A_PLUS, "012441.00", interval_consumption=Decimal("137130.48")),  # Fig. 12
        previous(TWO_ZONES, "День", A_PLUS, "100"),
        previous(TWO_ZONES, "Ночь", A_PLUS, "50"),
        previous(REACTIVE, ROUND, A_PLUS, "10"),
        previous(REACTIVE, ROUND, R_PLUS, "999990", rolled_over=True),
        previous(OTHER_EO_METER, ROUND, A_PLUS, "500"),
    )


def install(services: Services) -> Catalogue:
    billing = services.billing
    assert isinstance(billing, Catalogue)
    billing.contracts[C5] = readings_contract()
    billing.readings[(C5, PERIOD)] = facts()
    return billing


def administrator(services: Services, mailbox: Mailbox) -> Actor:
    """client5 binds contract 5 and is made its Administrator by staff."""
    install(services)
    actor = registered(services, mailbox, "client5@mail.ru")
    bound(services, mailbox, actor, C5, "client5@mail.ru")
    contracts.grant_administrator(services, StaffActor("staff-1"), C5, GrantAdministrator(account_id=actor.account_id))
    return actor


def holder(services: Services, mailbox: Mailbox, admin: Actor, email: str, role: Role,
           objects: tuple[str, ...] = (EO1, EO2, EO3)) -> Actor:
    actor = registered(services, mailbox, email)
    contracts.grant_role(services, admin, C5, GrantRole(role=role, email=email, energy_objects=list(objects)))
    return actor


def reading(meter_number: str, value: str | None, zone: str = ROUND, quantity: Quantity = A_PLUS,
            energy_object: str = EO1) -> ReadingInput:
    return ReadingInput(energy_object=energy_object, meter_number=meter_number, zone=zone, quantity=quantity.value,
                        value=value)


def submit(*readings: ReadingInput, period: date = PERIOD) -> SubmitReadings:
    return SubmitReadings(contract_number=C5, period=period, readings=list(readings))


def interval_contract(category: PriceCategory = PriceCategory.III) -> Contract:
    """The readings contract in a price category, with an «А-»-only meter beside Fig. 12's on EO1 (RDG-13, RDG-14)."""
    base = readings_contract()
    eo1, *others = base.energy_objects
    [point] = eo1.metering_points
    point = replace(point, meters=(*point.meters, meter(EXPORT_METER, (ROUND, A_MINUS))))
    return replace(base, price_category=category, energy_objects=(replace(eo1, metering_points=(point,)), *others))


def install_interval(services: Services, category: PriceCategory = PriceCategory.III) -> Catalogue:
    """Put ``interval_contract(category)`` into the test billing in place of the readings contract."""
    billing = install(services)
    billing.contracts[C5] = interval_contract(category)
    return billing
