"""Answers of the readings context: the page, submissions, interval acts, history (DOMAIN.md §4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.http.schemas.common import Out, Paged, Stamp


class ScaleReadingOut(Out):
    """One scale of a meter on the readings page; decimals as strings, exact (RDG-02, RDG-18)."""

    zone: str
    quantity: str
    previous: Decimal | None  # «Предыдущие показания», accepted in the last closed period
    previous_period: date | None
    rolled_over: bool
    current: Decimal | None  # «Текущие показания» submitted this period (RDG-09)
    consumption: Decimal | None  # «Расход»
    interval_consumption: Decimal | None  # «Расход интерв.»
    delta: Decimal | None  # «Дельта»


class IntervalActShownOut(Out):
    """The meter's current «Первичный акт» on the readings page, with «Расход интервальный» and «Дельта» (RDG-18)."""

    act_id: UUID
    number: int
    created_at: datetime
    total: Decimal  # «Введённый расход», «без КТ и без потерь»
    status: str
    interval_consumption: Decimal  # the total with the coefficient and losses applied
    delta: Decimal | None


class ReadingMeterOut(Out):
    """«ПУ <номер>»: may_submit when the meter and its EO are «Ожидание» (RDG-03)."""

    number: str
    model: str
    status: str
    digits: int
    fraction_digits: int
    may_submit: bool
    scales: list[ScaleReadingOut]
    interval_act: IntervalActShownOut | None = None  # the month's current «Первичный акт» (RDG-17, RDG-18)


class ReadingPointOut(Out):
    """A metering point with «Расчётный коэф.» and «Потери» %."""

    number: str
    name: str
    coefficient: Decimal
    losses_percent: Decimal
    meters: list[ReadingMeterOut]


class ReadingEnergyObjectOut(Out):
    """«ЭО № <код>» with its address, status and the tick after a submission (RDG-07)."""

    code: str
    name: str
    address: str
    status: str
    submitted: bool
    metering_points: list[ReadingPointOut]


class ReadingWindowOut(Out):
    """Billing's window for the period (RDG-04)."""

    opens_at: datetime
    closes_at: datetime
    is_open: bool


class ReadingContractOut(Out):
    """One contract's block of the readings page."""

    contract_number: str
    name: str
    window: ReadingWindowOut | None
    submitted_at: Stamp | None
    accepted_at: Stamp | None
    closed_at: Stamp | None
    energy_objects: list[ReadingEnergyObjectOut]


class ContractChoice(Out):
    """An entry of the «Договор» filter (sorted by number, RDG-01)."""

    contract_number: str
    name: str


class ReadingsPageOut(Out):
    """The page «Показания» (RDG-01)."""

    period: date
    contracts: list[ContractChoice]
    items: list[ReadingContractOut]


class ReadingsSavedOut(Out):
    """«Показания сохранены», with warnings such as a zero consumption (RDG-07)."""

    submission_id: UUID
    contract_number: str
    period: date
    message: str
    energy_objects: list[str]
    warnings: list[dict[str, Any]]
    position: int


class ActRecordedOut(Out):
    """A «Первичный акт» created by an interval upload, «В ожидании», with «Введённый расход» (RDG-17)."""

    act_id: UUID
    number: int
    contract_number: str
    energy_object: str
    meter_number: str
    period: date
    kind: str
    created_at: datetime
    total: Decimal
    status: str
    message: str
    position: int


class IntervalActRow(Out):
    """One «Первичный акт» of a meter and month, latest first; ``current`` is the one that counts (RDG-17)."""

    act_id: UUID
    number: int
    created_at: datetime
    status: str
    total: Decimal
    kind: str
    file_name: str | None
    current: bool


class IntervalActsOut(Paged):
    """The interval upload form for a meter: «Вид показаний» choices and the acts so far (RDG-15, RDG-17)."""

    contract_number: str
    meter_number: str
    period: date
    label: str  # «ПУ 01284918 • РТП 100. яч.2»
    kinds: list[str]
    acts: list[IntervalActRow]


class HistoryReadingOut(Out):
    """One accepted reading: month, value, «Тарифная зона», «Расход», «Источник показаний» (HIS-07)."""

    period: date
    value: Decimal
    zone: str
    quantity: str
    tariff_zone: str
    consumption: Decimal | None
    source: str


class HistoryMeterOut(Out):
    """A meter with its readings, newest month first."""

    number: str
    readings: list[HistoryReadingOut]


class HistoryEnergyObjectOut(Out):
    """A granted energy object (ROL-15); name and address are None once it left the contract."""

    code: str
    name: str | None
    address: str | None
    meters: list[HistoryMeterOut]


class HistoryContractOut(Out):
    """One contract's block of the history."""

    contract_number: str
    name: str
    energy_objects: list[HistoryEnergyObjectOut]


class ReadingsHistoryOut(Paged):
    """«История» → «Показания» for the months asked (HIS-07)."""

    period_from: date
    period_to: date
    contracts: list[HistoryContractOut]
