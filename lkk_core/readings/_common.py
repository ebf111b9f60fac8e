"""Arithmetic and lookups shared by the readings page and the submission (RDG-02, RDG-18)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from lkk_core.contracts import ContractsView
from lkk_core.kernel.billing import Contract, EnergyObject, Meter, MeteringPoint, Scale, ScaleReading
from lkk_core.kernel.permissions import Capability, Holding, Role, allows
from lkk_core.kernel.services import Actor, Services
from lkk_core.readings.values import PlaceKey, ScaleKey


@dataclass(frozen=True)
class Place:
    """Where a scale sits in the contract: its energy object, metering point and meter."""

    energy_object: EnergyObject
    point: MeteringPoint
    meter: Meter
    scale: Scale


def places(contract: Contract) -> dict[PlaceKey, Place]:
    """Return every scale of the contract by (EO code, meter number, zone, quantity)."""
    return {
        (eo.code, meter.number, scale.zone, str(scale.quantity)): Place(eo, point, meter, scale)
        for eo in contract.energy_objects
        for point in eo.metering_points
        for meter in point.meters
        for scale in meter.scales
    }


def scales_left_out(known: dict[PlaceKey, Place], filled: Iterable[PlaceKey]) -> list[tuple[PlaceKey, Place]]:
    """Return the scales of the meters that have a value, whose own value is missing (RDG-06).

    Keys are (EO code, meter number, zone, quantity); ``filled`` are the scales given a value.
    """
    filled = set(filled)
    meters = {(key[0], key[1]) for key in filled if key in known}
    return [(key, place) for key, place in known.items() if (key[0], key[1]) in meters and key not in filled]


def held(services: Services, actor: Actor, capability: Capability) -> list[tuple[str, Holding]]:
    """Return (contract number, holding) of the actor's contracts where the role has ``capability``, by number."""
    held = []
    for row in services.views.of(ContractsView).holdings_of(actor.account_id):  # sorted by contract number
        objects = row["energy_objects"]
        holding = Holding(Role(row["role"]), None if objects is None else frozenset(objects))
        if allows(holding, capability):
            held.append((row["contract_number"], holding))
    return held


def facts(services: Services, number: str, period: date) -> dict[ScaleKey, ScaleReading]:
    """Return billing's facts per meter scale for the month (previous reading, interval, roll-over)."""
    return {fact.key: fact for fact in services.require_billing().meter_readings(number, period)}


def month_of(now: datetime, zone: ZoneInfo) -> date:
    """Return the first day of the month of ``now`` in the supplier's time zone (``LKK_TIMEZONE``).

    The clock is UTC; in Moscow a month starts three hours before UTC's does.
    """
    return now.astimezone(zone).date().replace(day=1)


def consumption(current: Decimal, place: Place, fact: ScaleReading | None) -> Decimal | None:
    """Return «Расход» = (current − previous) × coefficient × (1 + losses/100), exactly (RDG-02).

    A rolled-over meter counts through its digit capacity: 10**digits − previous + current.
    None when billing has no previous reading.
    """
    if fact is None or fact.previous is None:
        return None
    difference = current - fact.previous
    if difference < 0 and fact.rolled_over:
        difference += Decimal(10) ** place.meter.digits
    return plain(difference * place.point.coefficient * (1 + place.point.losses_percent / 100))


def at_scale(value: Decimal, fraction_digits: int) -> Decimal:
    """Return a reading written with its meter's fraction digits: a 6+2 meter's 12441 is 12441.00 (RDG-05).

    The digit capacity fixes how a reading is shown, in every view and export.
    A value with more fraction digits than that (billing's, before RDG-05 held)
    is returned as it is: a digit is never dropped.
    """
    try:
        scaled = value.quantize(Decimal(1).scaleb(-fraction_digits))
    except InvalidOperation:  # more digits than the context holds: not a reading a meter shows
        return value
    return scaled if scaled == value else value


def plain(value: Decimal) -> Decimal:
    """Drop trailing zeros of an exact result without switching to exponent form (12600.0000 → 12600)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
