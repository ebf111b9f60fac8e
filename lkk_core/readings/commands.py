"""Commands of meter readings (DOMAIN.md §4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from lkk_core.kernel.commands import (
    CONTROL_CHARACTERS,
    CONTROL_MESSAGE,
    Command,
    ContractNumber,
    EnergyObjectCode,
    IsoDate,
)

KEY_MAX_LENGTH = 40
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=KEY_MAX_LENGTH)]
VALUE_MAX_LENGTH = 40
_NUMBER = re.compile(r"(\d+)(?:[.,](\d+))?")


@dataclass(frozen=True, slots=True)
class NotANumber:
    """A typed value that is not a reading: kept, so that the rules report it with every other problem (RDG-05)."""

    text: str


def _reading_value(value: Any) -> Decimal | NotANumber | None:
    """Return typed text as the exact Decimal (once, here), ``NotANumber``, or None when empty (RDG-08).

    Digits with "." or "," before the fraction (RDG-05); a Decimal (a file's
    cell, read by the adapter) is taken as it is.
    """
    if value is None or type(value) is Decimal and value.is_finite() and value >= 0:
        return value
    if isinstance(value, Decimal):
        return NotANumber(str(value))
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    text = value.strip()
    if CONTROL_CHARACTERS.search(text):  # as ``Command`` refuses them in every text field
        raise PydanticCustomError("value_error", f"Value error, {CONTROL_MESSAGE}")
    if len(text) > VALUE_MAX_LENGTH:
        raise PydanticCustomError("string_too_long", "String should have at most {max_length} characters",
                                  {"max_length": VALUE_MAX_LENGTH})
    if not text:
        return None
    return Decimal(text.replace(",", ".")) if _NUMBER.fullmatch(text) else NotANumber(text)


# Typed text → Decimal in the command model; a bad one stays ``NotANumber`` for the rules to report.
ReadingValue = Annotated[
    Decimal | NotANumber,
    PlainValidator(_reading_value),
    PlainSerializer(lambda value: value.text if isinstance(value, NotANumber) else format(value, "f"),
                    return_type=str),
    WithJsonSchema({"type": "string", "maxLength": VALUE_MAX_LENGTH}),
]


class ReadingInput(Command):
    """One input «Текущие показания» of a meter scale; an empty value is skipped (RDG-08)."""

    energy_object: EnergyObjectCode
    meter_number: Key
    zone: Key = Field(description="«Круглосуточный», «День», «Ночь», «Пик», «Полупик»")
    quantity: Key = Field(description="«А+», «А-», «R+», «R-»")
    value: ReadingValue | None = Field(None, description="digits with «.» or «,» before the fraction (RDG-05)")


MAX_READINGS = 10_000


class SubmitReadings(Command):
    """«Передать показания» on the readings page (RDG-07)."""

    contract_number: ContractNumber
    period: IsoDate = Field(description="any day of the month the readings are for")
    readings: list[ReadingInput] = Field(max_length=MAX_READINGS)

    @classmethod
    def of_file(cls, contract_number: str, period: date, readings: Sequence[ParsedReading]) -> SubmitReadings:
        """Return the command of a parsed integral file, its rows validated once, by the parser and a cheap proof.

        The parser gives each row's keys as stripped, non-empty text and its
        value as the exact Decimal. What it does not promise (at most 40
        characters, no control character, a value ≥ 0, at most 10,000 rows; and
        stripped, in case another caller's are not) is proven here over all rows
        at once, in C (``max`` of the lengths, ``isprintable`` of the joined
        text) instead of 25,000 validator calls; then the rows go in as they
        are, built as ``model_construct`` would. When the proof fails the
        whole command is validated as any other (the same refusals, with the
        same fields and messages).
        """
        texts = [text for row in readings for text in row[:4]]
        values = [row[4] for row in readings]
        proven = (
            len(readings) <= MAX_READINGS and set(map(type, texts)) <= {str} and set(map(type, values)) <= {Decimal}
            and all(map(Decimal.is_finite, values)) and min(values, default=Decimal(0)) >= 0
            and min(map(len, texts), default=1) >= 1 and max(map(len, texts), default=0) <= KEY_MAX_LENGTH
            and sum(map(len, texts)) == sum(map(len, map(str.strip, texts)))  # every key stripped
            and ((joined := " ".join(texts)).isprintable() or CONTROL_CHARACTERS.search(joined) is None)
        )
        if not proven:
            rows = [dict(zip(_INPUT_FIELDS, row, strict=True)) for row in readings]
            return cls.model_validate({"contract_number": contract_number, "period": period, "readings": rows})
        command = cls.model_validate({"contract_number": contract_number, "period": period, "readings": []})
        return command.model_copy(update={"readings": _proven_inputs(readings)})


# (energy object, meter number, zone, quantity, value) of a file's row, as its parser gives them.
ParsedReading = tuple[str, str, str, str, Decimal]
_INPUT_FIELDS = ("energy_object", "meter_number", "zone", "quantity", "value")
_ALL_INPUT_FIELDS = frozenset(_INPUT_FIELDS)


def _proven_inputs(readings: Sequence[ParsedReading]) -> list[ReadingInput]:
    """Return the ReadingInputs of proven rows unvalidated: what ``model_construct`` does, without its per-field work.

    Every field is given, none is private or extra: an instance is its
    ``__dict__`` (tests/unit/test_integral_file_command.py checks it equals the validated one).
    """
    new, put, every = object.__new__, object.__setattr__, _ALL_INPUT_FIELDS
    inputs = []
    for energy_object, meter_number, zone, quantity, value in readings:
        reading = new(ReadingInput)
        put(reading, "__dict__", {"energy_object": energy_object, "meter_number": meter_number, "zone": zone,
                                  "quantity": quantity, "value": value})
        put(reading, "__pydantic_fields_set__", set(every))
        put(reading, "__pydantic_extra__", None)
        put(reading, "__pydantic_private__", None)
        inputs.append(reading)
    return inputs


HOURS_IN_DAY, MAX_DAYS = 24, 31
# Bounds only: the exact shape (24 × the days of the month) and values ≥ 0 are the service's,
# so that every wrong cell is reported at once as ``values[h][d]`` (RDG-16).
GRID_VALUE_DIGITS = 24
HourValues = Annotated[list[Annotated[Decimal, Field(allow_inf_nan=False, max_digits=GRID_VALUE_DIGITS)]],
                       Field(max_length=MAX_DAYS)]


class UploadIntervalProfile(Command):
    """«Передать показания» of the form «Интервальные по прибору учета» (RDG-15, RDG-16)."""

    contract_number: ContractNumber
    energy_object: EnergyObjectCode
    meter_number: Key
    period: IsoDate = Field(description="any day of the month the profile is for")
    kind: Key = Field(description="«Вид показаний», one of billing's list")
    values: list[HourValues] = Field(
        max_length=HOURS_IN_DAY, description="24 rows (hours 00-01 … 23-24) of one value per day of the month")
    file_name: str | None = Field(None, max_length=255, description="the uploaded file's name, if any")

    @classmethod
    def of_file(cls, values: Sequence[Sequence[Decimal]], **fields: Any) -> UploadIntervalProfile:
        """Return the command of a parsed file: its fields validated, its grid only where the parser proves nothing.

        The file's parser gives finite Decimals; ``max_digits`` it does not
        promise, and validating it costs as much as the rest of an upload. A
        value whose text is at most 24 characters and has no exponent has at
        most 24 digits, so when every value's has, and the bounds hold, the grid
        goes in as it is. Otherwise the whole command is validated as any other
        (the same refusal, with the same message).
        """
        grid = [list(row) for row in values]
        flat = list(chain.from_iterable(grid))
        texts = list(map(str, flat)) if set(map(type, flat)) <= {Decimal} and all(map(Decimal.is_finite, flat)) else []
        proven = (len(texts) == len(flat) and len(grid) <= HOURS_IN_DAY and all(len(row) <= MAX_DAYS for row in grid)
                  and max(map(len, texts), default=0) <= GRID_VALUE_DIGITS and "E" not in "".join(texts))
        if not proven:
            return cls.model_validate({**fields, "values": grid})
        return cls.model_validate({**fields, "values": []}).model_copy(update={"values": grid})


# The status filter of the readings page (RDG-01): «Все», or «Передаваемые» (energy objects in «Ожидание»).
# A Literal, not an enum, so the query parameter's schema is inline in the OpenAPI document.
StatusFilter = Literal["all", "awaiting"]
ALL, AWAITING = "all", "awaiting"


class ReadingsFilter(Command):
    """The filters of the page «Показания» (RDG-01)."""

    contract_number: ContractNumber | None = None
    energy_object: EnergyObjectCode | None = None
    status: StatusFilter = Field(ALL, description="all («Все») or awaiting («Передаваемые»)")
    period: IsoDate | None = Field(None, description="the month shown; by default the month of today")


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
    period_from: IsoDate | None = Field(None, description="«С»: any day of the first month")
    period_to: IsoDate | None = Field(None, description="«По»: any day of the last month")
