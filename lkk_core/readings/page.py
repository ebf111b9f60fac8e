"""The page «Показания»: contracts, energy objects, meters and scales with their figures (RDG-01, RDG-02, RDG-18).

«Расход интерв.» is billing's figure; without one, a meter's current «Первичный акт» gives it (RDG-18).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lkk_core.readings.reading_submission import submission_id
from lkk_core.kernel.billing import (
    AWAITING_READINGS,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Quantity,
    ReadingWindow,
    ScaleReading,
)
from lkk_core.readings.commands import AWAITING, ReadingsFilter
from lkk_core.readings.interval_acts_view import IntervalActsView
from lkk_core.readings.readings_view import ReadingsView
from lkk_core.kernel.access import Access
from lkk_core.kernel.permissions import Capability, Holding
from lkk_core.readings._common import Place, consumption, facts, held, month_of, plain
from lkk_core.kernel.services import Actor, Services
from lkk_core.readings.values import ScaleKey


@dataclass(frozen=True)
class ScaleRow:
    """One scale of a meter on the page, with its figures (RDG-02, RDG-18)."""

    zone: str
    quantity: Quantity
    previous: Decimal | None  # «Предыдущие показания», accepted in the last closed period
    previous_period: date | None
    rolled_over: bool
    current: Decimal | None  # «Текущие показания» submitted this period (RDG-09)
    consumption: Decimal | None  # «Расход»
    interval_consumption: Decimal | None  # «Расход интерв.» (RDG-18)
    delta: Decimal | None  # «Дельта»


@dataclass(frozen=True)
class IntervalActShown:
    """The meter's current «Первичный акт» of the month, with «Расход интервальный» and «Дельта» (RDG-17, RDG-18)."""

    act_id: UUID
    number: int
    created_at: datetime
    total: Decimal  # «Введённый расход», «без КТ и без потерь»
    status: str
    interval_consumption: Decimal  # the total with the coefficient and losses applied
    delta: Decimal | None


@dataclass(frozen=True)
class MeterRow:
    """«ПУ <номер>»: ``may_submit`` when the meter and its energy object are «Ожидание» (RDG-03)."""

    number: str
    model: str
    status: str
    digits: int
    fraction_digits: int
    may_submit: bool
    scales: tuple[ScaleRow, ...]
    interval_act: IntervalActShown | None  # the month's current «Первичный акт» (RDG-17, RDG-18)


@dataclass(frozen=True)
class MeteringPointRow:
    """A metering point with «Расчётный коэф.» and «Потери» %."""

    number: str
    name: str
    coefficient: Decimal
    losses_percent: Decimal
    meters: tuple[MeterRow, ...]


@dataclass(frozen=True)
class EnergyObjectRow:
    """«ЭО № <код>» with its address, status and the tick after a submission (RDG-07)."""

    code: str
    name: str
    address: str
    status: str
    submitted: bool
    metering_points: tuple[MeteringPointRow, ...]


@dataclass(frozen=True)
class WindowShown:
    """Billing's window for the period (RDG-04), and whether it is open now."""

    opens_at: datetime
    closes_at: datetime
    is_open: bool


@dataclass(frozen=True)
class ContractBlock:
    """One contract's block of the page."""

    contract_number: str
    name: str
    window: WindowShown | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    energy_objects: tuple[EnergyObjectRow, ...]


@dataclass(frozen=True)
class ContractChoice:
    """An entry of the «Договор» filter (sorted by number, RDG-01)."""

    contract_number: str
    name: str


@dataclass(frozen=True)
class ReadingsPage:
    """The page «Показания» (RDG-01): the month, the contract filter's choices and the blocks shown."""

    period: date
    contracts: tuple[ContractChoice, ...]
    items: tuple[ContractBlock, ...]


def readings_page(services: Services, actor: Actor, filters: ReadingsFilter) -> ReadingsPage:
    """Return the readings page: contracts where the role may submit, by number, cut to granted EOs (RDG-01, ROL-15)."""
    services.check_session(actor)
    now = services.clock.now()
    period = (filters.period or month_of(now, services.settings.timezone)).replace(day=1)
    choices, blocks = [], []
    for number, holding in held(services, actor, Capability.SUBMIT_READINGS):  # by contract number
        contract = services.require_billing().find_contract(number)
        if contract is None:
            continue
        choices.append(ContractChoice(contract_number=number, name=contract.name))
        if filters.contract_number is None or filters.contract_number == number:
            blocks.append(_contract_block(services, contract, holding, filters, period, now))
    return ReadingsPage(period=period, contracts=tuple(choices), items=tuple(blocks))


def contract_block(services: Services, access: Access, filters: ReadingsFilter) -> ContractBlock:
    """Return one contract's block of the page for an access the caller already passed (RDG-01, RDG-03, ROL-15).

    As ``readings_page`` builds it for ``access.contract``, cut to ``access.holding``'s
    energy objects; no second check, no other contract read (the integral template's rows).
    """
    now = services.clock.now()
    period = (filters.period or month_of(now, services.settings.timezone)).replace(day=1)
    return _contract_block(services, access.contract, access.holding, filters, period, now)


def _contract_block(services: Services, contract: Contract, holding: Holding, filters: ReadingsFilter,
                    period: date, now: datetime) -> ContractBlock:
    number = contract.number
    window = services.require_billing().reading_window(number, period)
    view = services.views.of(ReadingsView)
    sid = submission_id(number, period)
    state = view.period(sid) or {}
    submitted = view.submitted(sid)
    known = facts(services, number, period)
    # One indexed query, and none for categories I–II, which have no interval acts (RDG-13).
    has_acts = contract.price_category.has_interval_readings
    acts = services.views.of(IntervalActsView).current(number, period) if has_acts else {}
    energy_objects = []
    for eo in contract.energy_objects:
        if not holding.covers(eo.code) or (filters.energy_object and filters.energy_object != eo.code):
            continue
        if filters.status == AWAITING and eo.status != AWAITING_READINGS:
            continue
        points = tuple(
            MeteringPointRow(
                number=point.number, name=point.name, coefficient=point.coefficient,
                losses_percent=point.losses_percent,
                meters=tuple(_meter(eo, point, meter, known, submitted, acts.get(meter.number))
                             for meter in point.meters),
            )
            for point in eo.metering_points
        )
        energy_objects.append(EnergyObjectRow(
            code=eo.code, name=eo.name, address=eo.address, status=eo.status,
            submitted=any(row["energy_object"] == eo.code for row in submitted.values()),  # the tick (RDG-07)
            metering_points=points,
        ))
    return ContractBlock(
        contract_number=number,
        name=contract.name,
        window=None if window is None else _window(window, now),
        submitted_at=_at(state.get("submitted_at")),
        accepted_at=_at(state.get("accepted_at")),
        closed_at=_at(state.get("closed_at")),
        energy_objects=tuple(energy_objects),
    )


def _window(window: ReadingWindow, now: datetime) -> WindowShown:
    return WindowShown(opens_at=window.opens_at, closes_at=window.closes_at, is_open=window.is_open(now))


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _meter(eo: EnergyObject, point: MeteringPoint, meter: Meter, known: dict[ScaleKey, ScaleReading],
           submitted: dict[ScaleKey, dict[str, Any]], act: dict[str, Any] | None) -> MeterRow:
    keys = [(meter.number, scale.zone, str(scale.quantity)) for scale in meter.scales]
    scales = [_scale(Place(eo, point, meter, scale), known.get(key), submitted.get(key))
              for scale, key in zip(meter.scales, keys, strict=True)]
    shown = None
    if act is not None:
        # NOTE: the act is «без КТ и без потерь» (RDG-17): to compare it with «Расход» the page applies
        # the coefficient and losses as «Расход» does. Billing's own figure wins where it has one (RDG-18).
        interval = plain(Decimal(act["total"]) * point.coefficient * (1 + point.losses_percent / 100))
        a_plus = [i for i, row in enumerate(scales) if row.quantity == Quantity.ACTIVE_IMPORT]
        used = [scales[i].consumption for i in a_plus if scales[i].consumption is not None]
        shown = IntervalActShown(
            act_id=UUID(act["act_id"]), number=act["number"], created_at=datetime.fromisoformat(act["created_at"]),
            total=Decimal(act["total"]), status=act["status"], interval_consumption=interval,
            delta=plain(sum(used, Decimal(0)) - interval) if used and len(used) == len(a_plus) else None,
        )
        if len(a_plus) == 1 and scales[a_plus[0]].interval_consumption is None:  # several zones: the meter carries it
            scales[a_plus[0]] = replace(scales[a_plus[0]], interval_consumption=interval, delta=shown.delta)
    return MeterRow(
        number=meter.number, model=meter.model, status=meter.status,
        digits=meter.digits, fraction_digits=meter.fraction_digits,
        may_submit=meter.status == AWAITING_READINGS and eo.status == AWAITING_READINGS,
        scales=tuple(scales),
        interval_act=shown,  # the current «Первичный акт» of the month (RDG-17, RDG-18)
    )


def _scale(place: Place, fact: ScaleReading | None, submitted: dict[str, Any] | None) -> ScaleRow:
    current = None if submitted is None else Decimal(submitted["value"])
    used = None if current is None else consumption(current, place, fact)
    interval = None if fact is None else fact.interval_consumption
    return ScaleRow(
        zone=place.scale.zone,
        quantity=place.scale.quantity,
        previous=None if fact is None else fact.previous,
        previous_period=None if fact is None else fact.previous_period,
        rolled_over=False if fact is None else fact.rolled_over,
        current=current,
        consumption=used,  # «Расход»
        interval_consumption=interval,  # «Расход интерв.» (RDG-18)
        delta=None if used is None or interval is None else plain(used - interval),  # «Дельта»
    )
