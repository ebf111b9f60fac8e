"""Commands of meter readings (DOMAIN.md §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from lkk_core.commands.accounts import Command
from lkk_core.commands.contracts import ContractNumberText, EnergyObjectCode

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

    contract_number: ContractNumberText
    period: date = Field(description="any day of the month the readings are for")
    readings: list[ReadingInput] = Field(max_length=10_000)


# The status filter of the readings page (RDG-01): «Все», or «Передаваемые» (energy objects in «Ожидание»).
# A Literal, not an enum, so the query parameter's schema is inline in the OpenAPI document.
StatusFilter = Literal["all", "awaiting"]
ALL, AWAITING = "all", "awaiting"


class ReadingsFilter(Command):
    """The filters of the page «Показания» (RDG-01)."""

    contract_number: ContractNumberText | None = None
    energy_object: EnergyObjectCode | None = None
    status: StatusFilter = Field(ALL, description="all («Все») or awaiting («Передаваемые»)")
    period: date | None = Field(None, description="the month shown; by default the month of today")
