"""«История» → «Показания»: the readings accepted for settlement, by contract, energy object and meter (HIS-07).

The rows come from the view ``readings_history`` (the log's ``ReadingsAccepted``);
names and addresses come from billing at query time, so a renamed energy
object shows its current name. Only contracts where the role has
«История показаний» (Table 3) and only granted energy objects (ROL-15) are shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lkk_core.kernel.billing import Contract
from lkk_core.readings.commands import ReadingsHistoryFilter
from lkk_core.readings.history_view import ReadingsHistoryView
from lkk_core.kernel.errors import ValidationFailed
from lkk_core.kernel.paging import ALL, Keyset, Paging
from lkk_core.kernel.permissions import Capability, Holding
from lkk_core.readings._common import at_scale, held, month_of
from lkk_core.kernel.services import Actor, Services

DEFAULT_MONTHS = 12  # the default list: this month and the eleven before it
MAX_MONTHS = 36  # a longer span is refused: three years are the most a screen or a sheet is meant to hold
PERIOD_ORDER = "Начало периода позже его окончания"  # NOTE: proposal
PERIOD_TOO_LONG = "Период не может быть длиннее {months} месяцев"  # NOTE: proposal
ROUND_THE_CLOCK, ROUND_THE_CLOCK_SHORT = "Круглосуточный", "Круглосут"  # Fig. 23: «Круглосут А+»


@dataclass(frozen=True)
class HistoryRow:
    """One accepted reading: month, value, «Тарифная зона», «Расход», «Источник показаний» (HIS-07)."""

    period: date
    value: Decimal
    zone: str
    quantity: str
    tariff_zone: str  # «Круглосут А+» (Fig. 23)
    consumption: Decimal | None
    source: str


@dataclass(frozen=True)
class HistoryMeter:
    """A meter with its readings, newest month first."""

    number: str
    readings: tuple[HistoryRow, ...]


@dataclass(frozen=True)
class HistoryEnergyObject:
    """A granted energy object (ROL-15); name and address are None once it left the contract."""

    code: str
    name: str | None
    address: str | None
    meters: tuple[HistoryMeter, ...]


@dataclass(frozen=True)
class HistoryContract:
    """One contract's block of the history."""

    contract_number: str
    name: str
    energy_objects: tuple[HistoryEnergyObject, ...]


@dataclass(frozen=True)
class ReadingsHistory:
    """«История» → «Показания» for the months asked (HIS-07)."""

    period_from: date
    period_to: date
    contracts: tuple[HistoryContract, ...]
    next: str | None = None  # the cursor of the next page of contracts, None on the last


def readings_history(services: Services, actor: Actor, filters: ReadingsHistoryFilter,
                     paging: Paging = ALL) -> ReadingsHistory:
    """Return the accepted readings of the actor's contracts for the months asked (HIS-07).

    A named contract is ``not_found`` when it is not the actor's and
    ``forbidden`` when the role lacks the capability (AS-39); without a name,
    such contracts are simply not listed. Contracts by number; each meter's
    readings newest month first. A page holds ``paging.limit`` contracts:
    what grows is their number, as a contract's rows are bounded by the span
    of months (``MAX_MONTHS``).
    """
    services.check_session(actor)
    period_from, period_to = months(services, filters)
    keys = Keyset(services.secret, "readings-history", 1)
    after = keys.after(paging)
    found = [(contract, holding) for contract, holding in _contracts(services, actor, filters)
             if (after is None or contract.number > str(after[0])) and _contains(contract.name, filters.contract_name)]
    wanted = None if paging.limit is None else paging.limit + 1
    view, blocks = services.views.of(ReadingsHistoryView), []
    # The rows of a chunk of contracts at a time, until the page (and one block more) is full.
    size = wanted or max(len(found), 1)
    for start in range(0, len(found), size):
        chunk = found[start:start + size]
        by_contract: dict[str, list[dict[str, Any]]] = {}
        for row in view.accepted([c.number for c, _ in chunk], period_from, period_to):
            by_contract.setdefault(row["contract_number"], []).append(row)
        for contract, holding in chunk:
            objects = _energy_objects(contract, holding, filters, by_contract.get(contract.number, []))
            if objects:
                blocks.append(HistoryContract(contract_number=contract.number, name=contract.name,
                                              energy_objects=objects))
        if wanted is not None and len(blocks) >= wanted:
            break
    page = keys.page(blocks, paging, lambda block: (block.contract_number,))
    return ReadingsHistory(period_from=period_from, period_to=period_to, contracts=page.items, next=page.next)


def months(services: Services, filters: ReadingsHistoryFilter) -> tuple[date, date]:
    """Return the first and last month asked; by default the twelve up to this month in ``LKK_TIMEZONE``."""
    this_month = month_of(services.clock.now(), services.settings.timezone)
    period_to = (filters.period_to or this_month).replace(day=1)
    period_from = (filters.period_from or _shift(period_to, 1 - DEFAULT_MONTHS)).replace(day=1)
    if filters.period_to is None and filters.period_from is not None and period_from > period_to:
        period_to = _shift(period_from, DEFAULT_MONTHS - 1)  # only «С», in the future: a year from it
    if period_from > period_to:
        raise ValidationFailed(PERIOD_ORDER, errors=[{"field": "period_from", "message": PERIOD_ORDER}])
    span = (period_to.year - period_from.year) * 12 + period_to.month - period_from.month + 1
    if span > MAX_MONTHS:
        message = PERIOD_TOO_LONG.format(months=MAX_MONTHS)
        raise ValidationFailed(message, errors=[{"field": "period_from", "message": message, "months": span}])
    return period_from, period_to


def tariff_zone(zone: str, quantity: str) -> str:
    """Return «Тарифная зона» as Fig. 23 shows it: «Круглосут А+», «День А+»."""
    return f"{ROUND_THE_CLOCK_SHORT if zone == ROUND_THE_CLOCK else zone} {quantity}"


def _shift(month: date, by: int) -> date:
    # Within the calendar: a year back from January of year 1 is that January, not year 0 (a 500).
    index = min(max(month.year * 12 + month.month - 1 + by, date.min.year * 12), date.max.year * 12 + 11)
    return date(index // 12, index % 12 + 1, 1)


def _contracts(services: Services, actor: Actor, filters: ReadingsHistoryFilter) -> list[tuple[Contract, Holding]]:
    """Return (contract, holding) of the contracts to look at, by number; billing's unknown ones left out."""
    if filters.contract_number is not None:
        number = filters.contract_number  # valid: the filter's type checked it (CON-02)
        access = services.authorize(actor, Capability.VIEW_READINGS_HISTORY, number)  # loads the contract
        return [(access.contract, access.holding)]
    found = []
    for number, holding in held(services, actor, Capability.VIEW_READINGS_HISTORY):  # by contract number
        contract = services.require_billing().find_contract(number)
        if contract is not None:
            found.append((contract, holding))
    return found


def _contains(text: str | None, part: str | None) -> bool:
    """Tell whether ``part`` (any case) is in ``text``; no ``part`` matches everything."""
    return not part or (text is not None and part.casefold() in text.casefold())


def _energy_objects(contract: Contract, holding: Holding, filters: ReadingsHistoryFilter,
                    rows: list[dict[str, Any]]) -> tuple[HistoryEnergyObject, ...]:
    """Return the contract's granted energy objects that pass the filters, each with its meters' readings."""
    rows_by_meter: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        rows_by_meter.setdefault((row["energy_object"], row["meter_number"]), []).append(row)
    known = {eo.code: eo for eo in contract.energy_objects}
    # The contract's energy objects in its order, then any that left it but still has accepted readings.
    codes = [*known, *sorted({code for code, _ in rows_by_meter} - known.keys())]
    shown = []
    for code in codes:
        eo = known.get(code)
        address = eo.address if eo else None
        if not holding.covers(code) or (filters.energy_object and filters.energy_object != code):
            continue  # ROL-15: an ungranted energy object is never shown
        if not _contains(address, filters.address):
            continue
        # A meter's fraction digits (6+2: two) fix how its readings are shown; one that left the contract: as stored.
        scales = {m.number: m.fraction_digits for point in eo.metering_points for m in point.meters} if eo else {}
        meter_numbers = list(scales)
        extra = sorted({number for c, number in rows_by_meter if c == code} - set(meter_numbers))
        meters = tuple(
            HistoryMeter(number=number, readings=_readings(rows_by_meter.get((code, number), []), scales.get(number)))
            for number in _unique([*meter_numbers, *extra])
            if filters.meter_number is None or filters.meter_number == number
        )
        if meters:
            shown.append(HistoryEnergyObject(code=code, name=eo.name if eo else None, address=address, meters=meters))
    return tuple(shown)


def _unique(numbers: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(numbers))


def _shown(value: Decimal, fraction_digits: int | None) -> Decimal:
    return value if fraction_digits is None else at_scale(value, fraction_digits)


def _readings(rows: list[dict[str, Any]], fraction_digits: int | None) -> tuple[HistoryRow, ...]:
    """Return a meter's readings, newest month first (the view's order), with «Тарифная зона».

    Values at the meter's scale (``at_scale``): billing's 12441.00 and the portal's 12441 alike read 12441.00.
    """
    return tuple(
        HistoryRow(
            period=date.fromisoformat(row["period"]),
            value=_shown(Decimal(row["value"]), fraction_digits),
            zone=row["zone"],
            quantity=row["quantity"],
            tariff_zone=tariff_zone(row["zone"], row["quantity"]),
            consumption=None if row["consumption"] is None else Decimal(row["consumption"]),
            source=row["source"],
        )
        for row in rows
    )
