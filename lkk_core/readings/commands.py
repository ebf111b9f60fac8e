"""Commands of meter readings (DOMAIN.md §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from lkk_core.kernel.commands import Command, ContractNumber, EnergyObjectCode

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
# Typed text, parsed by the service so that every bad value is reported at once (RDG-05).
ValueText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class ReadingInput(Command):
    """One input «Текущие показания» of a meter scale; an empty value is skipped (RDG-08)."""

    energy_object: EnergyObjectCode
    meter_number: Key
    zone: Key = Field(description="«Круглосуточный», «День», «Ночь», «Пик», «Полупик»")
    quantity: Key = Field(description="«А+», «А-», «R+», «R-»")
    value: ValueText | None = Field(None, description="digits with «.» or «,» before the fraction (RDG-05)")


class SubmitReadings(Command):
    """«Передать показания» on the readings page (RDG-07)."""

    contract_number: ContractNumber
    period: date = Field(description="any day of the month the readings are for")
    readings: list[ReadingInput] = Field(max_length=10_000)


HOURS_IN_DAY, MAX_DAYS = 24, 31
# Bounds only: the exact shape (24 × the days of the month) and values ≥ 0 are the service's,
# so that every wrong cell is reported at once as ``values[h][d]`` (RDG-16).
HourValues = Annotated[list[Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24)]], Field(max_length=MAX_DAYS)]


class UploadIntervalProfile(Command):
    """«Передать показания» of the form «Интервальные по прибору учета» (RDG-15, RDG-16)."""

    contract_number: ContractNumber
    energy_object: EnergyObjectCode
    meter_number: Key
    period: date = Field(description="any day of the month the profile is for")
    kind: Key = Field(description="«Вид показаний», one of billing's list")
    values: list[HourValues] = Field(
        max_length=HOURS_IN_DAY, description="24 rows (hours 00-01 … 23-24) of one value per day of the month")
    file_name: str | None = Field(None, max_length=255, description="the uploaded file's name, if any")


# The status filter of the readings page (RDG-01): «Все», or «Передаваемые» (energy objects in «Ожидание»).
# A Literal, not an enum, so the query parameter's schema is inline in the OpenAPI document.
StatusFilter = Literal["all", "awaiting"]
ALL, AWAITING = "all", "awaiting"


class ReadingsFilter(Command):
    """The filters of the page «Показания» (RDG-01)."""

    contract_number: ContractNumber | None = None
    energy_object: EnergyObjectCode | None = None
    status: StatusFilter = Field(ALL, description="all («Все») or awaiting («Передаваемые»)")
    period: date | None = Field(None, description="the month shown; by default the month of today")


SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class ReadingsHistoryFilter(Command):
    """The filters of «История» → «Показания» (HIS-07); each one left out does not filter.

    Months default to the twelve up to the current one in ``LKK_TIMEZONE``;
    ``period_from`` after ``period_to``, or a span over 36 months, is
    ``validation_failed`` (checked by the query, which knows today).
    """

    contract_number: ContractNumber | None = None
    contract_name: SearchText | None = Field(None, description="part of the contract's name, any case")
    address: SearchText | None = Field(None, description="part of an energy object's address, any case")
    energy_object: EnergyObjectCode | None = None
    meter_number: Key | None = None
    period_from: date | None = Field(None, description="«С»: any day of the first month")
    period_to: date | None = Field(None, description="«По»: any day of the last month")
