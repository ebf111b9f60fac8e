"""The billing dataset's own shapes: what a file adds to the domain's billing values, and its error wording.

The values themselves are ``lkk_core.kernel.billing``'s dataclasses, with
their invariants on their fields; pydantic validates a line straight into
them. What is only the dataset's lives here:

- ``Header``, the first line of a JSON Lines file, and ``Dataset``, a whole
  file as one document (the source of the JSON Schema);
- ``ContractLine``: a domain ``Contract`` plus the contract's
  ``reading_windows`` and ``meter_readings``, months written ``YYYY-MM``
  (``MonthWindow``, ``MonthReading``); ``LineContract`` reads only the
  contract of a line;
- ``latin_to_cyrillic``: a file typed on a Latin keyboard says "A+" for «А+»;
- ``explain``: pydantic's errors in the dataset's own words.

Validation here is per contract (shapes, ranges, the scales of a meter);
uniqueness across the file (contract numbers, energy object codes) is the
loader's, because a JSON Lines file is validated one contract at a time.

Decimals: pydantic reads a JSON number with a fraction as a ``float``
(0.1000000000000000055 would become 0.1), so the domain's amounts refuse a
float with the error ``inexact_number``, and the loader validates such a line
again from ``json.loads(…, parse_float=Decimal)``. Strings and integers
(what the writer produces) are exact either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic_core import PydanticCustomError

from lkk_core.kernel.billing_constraints import (
    ACCOUNT,
    BIK,
    CONTRACT_NUMBER,
    CONTRACT_NUMBER_DIGITS,
    EMAIL,
    ENERGY_OBJECT_CODE,
    ENERGY_OBJECT_CODE_DIGITS,
    INN,
    KPP,
    OGRN,
)
from lkk_core.kernel.billing import (
    BankDetails,
    Contact,
    Contract,
    Quantity,
    ReadingWindow,
    ScaleReading,
)

FORMAT = "lkk-billing-dataset"
VERSION = 1
# NOTE: «А» of the quantities is Cyrillic (U+0410); files typed on a Latin keyboard say "A+".
LATIN_QUANTITIES = {"A+": Quantity.ACTIVE_IMPORT.value, "A-": Quantity.ACTIVE_EXPORT.value}

_PATTERNS = {constraint.pattern: message for constraint, message in (
    (CONTRACT_NUMBER, f"must be {CONTRACT_NUMBER_DIGITS} digits"),
    (ENERGY_OBJECT_CODE, f"must be {ENERGY_OBJECT_CODE_DIGITS} digits"),
    (INN, "must be 10 or 12 digits"),
    (OGRN, "must be 13 or 15 digits"),
    (BIK, "must be 9 digits"),
    (ACCOUNT, "must be 20 digits"),
    (KPP, "must be 9 characters: 4 digits, 2 digits or capitals, 3 digits"),
    (EMAIL, "must look like an e-mail address"),
)}
_CHOICES = {
    "quantity": "must be one of «А+», «А-», «R+», «R-» (Latin A accepted)",
    "price_category": "must be one of I, II, III, IV, V, VI",
}


def explain(detail: Mapping[str, Any]) -> str:
    """Return the message of one pydantic error, in the dataset's own words where it has them."""
    kind, ctx, loc = detail["type"], detail.get("ctx") or {}, detail["loc"]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[ctx["pattern"]]
    if kind in ("enum", "literal_error") and loc and loc[-1] in _CHOICES:
        return _CHOICES[str(loc[-1])]
    if kind == "unexpected_keyword_argument":  # a dataclass's words for a key it does not have
        return "Extra inputs are not permitted"
    return str(detail["msg"])


def latin_to_cyrillic(line: Any) -> Any:
    """Return a parsed contract line with each Latin "A+"/"A-" quantity written with the Cyrillic «А».

    Changes ``line`` in place; what is not shaped like a contract is left for validation to name.
    """
    def items(value: Any, key: str) -> list[dict[str, Any]]:
        found = value.get(key) if isinstance(value, dict) else None
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []

    scales = [scale for eo in items(line, "energy_objects") for point in items(eo, "metering_points")
              for meter in items(point, "meters") for scale in items(meter, "scales")]
    for value in scales + items(line, "meter_readings"):
        quantity = value.get("quantity")
        if isinstance(quantity, str) and quantity in LATIN_QUANTITIES:
            value["quantity"] = LATIN_QUANTITIES[quantity]
    return line


def _month(value: Any) -> date:
    if isinstance(value, str) and len(value) == 7:  # noqa: PLR2004  (YYYY-MM)
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            pass
    raise PydanticCustomError("month", "must be a month written YYYY-MM")


Month = Annotated[date, PlainValidator(_month),
                  WithJsonSchema({"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"})]
_Base = TypeVar("_Base")
_FIELDS: dict[type, attrgetter[tuple[Any, ...]]] = {}


def _as(base: type[_Base], value: object) -> _Base:
    """Return the ``base`` dataclass part of a value of a subclass of it (its fields, in their order)."""
    fields = _FIELDS.get(base)
    if fields is None:
        fields = _FIELDS[base] = attrgetter(*(f.name for f in dataclasses.fields(base)))  # type: ignore[arg-type]
    return base(*fields(value))


@dataclass(frozen=True)
class MonthWindow(ReadingWindow):
    """An explicit reading window for one month, the month written ``YYYY-MM``."""

    period: Month

    def window(self) -> ReadingWindow:
        """Return the domain's window."""
        return _as(ReadingWindow, self)


@dataclass(frozen=True, kw_only=True)
class MonthReading(ScaleReading):
    """Billing's facts of one meter scale for one month (RDG-02, RDG-18).

    ``previous`` is the reading accepted in the last closed period, of the month
    ``previous_period``; ``interval_consumption`` is «Расход интерв.» of the
    month, when billing has one; ``rolled_over``: the meter wrapped past its
    digit capacity.
    """

    previous_period: Annotated[Month | None, Field(description="the month of the previous reading")] = None
    period: Annotated[Month, Field(description="the month whose readings are submitted against these facts")]

    def reading(self) -> ScaleReading:
        """Return the domain's facts of the scale."""
        return _as(ScaleReading, self)


def _distinct_periods(windows: tuple[MonthWindow, ...]) -> tuple[MonthWindow, ...]:
    periods = [w.period for w in windows]
    for index, period in enumerate(periods):
        if periods.index(period) != index:
            raise PydanticCustomError("window", "reading_windows[{index}] repeats the month {month}",
                                      {"index": index, "month": period.strftime("%Y-%m")})
    return windows


Windows = Annotated[tuple[MonthWindow, ...], AfterValidator(_distinct_periods)]


@dataclass(frozen=True, kw_only=True)
class LineContract(Contract):
    """The contract of a line, its other keys skipped: what a lookup reads of a line validated at load."""

    __pydantic_config__ = ConfigDict(extra="ignore")

    bank: BankDetails | None = None  # a line may leave these two out
    contacts: tuple[Contact, ...] = ()

    def contract(self) -> Contract:
        """Return the domain's contract, without what only the dataset holds."""
        return _as(Contract, self)


@dataclass(frozen=True, kw_only=True)
class ContractLine(LineContract):
    """A contract: one line of a JSON Lines dataset, or one item of ``contracts``."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    reading_windows: Annotated[Windows, Field(description="this contract's windows; they win over the header's")] = ()
    meter_readings: Annotated[tuple[MonthReading, ...], Field(
        description="billing's facts per meter scale and month (previous readings, RDG-02)")] = ()


class Header(BaseModel):
    """The first line of a JSON Lines dataset: what the file is, and the windows of every contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["lkk-billing-dataset"] = Field(description="always lkk-billing-dataset")
    version: Literal[1]
    reading_windows: Windows = Field(default=(), description="explicit windows for every contract, by month")


class Dataset(Header):
    """A whole dataset as one JSON document: the header's keys plus ``contracts``."""

    contracts: tuple[ContractLine, ...] = ()


# Lines validate into the domain's dataclasses, in Rust (``LINE`` at load, ``LINE_CONTRACT`` for a
# lookup); the writer dumps a contract with ``CONTRACT`` (Decimals as strings, dates in ISO 8601,
# every field present).
LINE = TypeAdapter(ContractLine)
LINE_CONTRACT = TypeAdapter(LineContract)
CONTRACT = TypeAdapter(Contract)


def contract_json(contract: Contract) -> bytes:
    """Return the contract as one compact JSON line (no newline), in the dataset's format."""
    return CONTRACT.dump_json(contract)


def scale_reading_record(period: date, reading: ScaleReading) -> dict[str, Any]:
    """Return billing's facts of a scale for ``period`` as the JSON object of its ``meter_readings`` item."""
    record: dict[str, Any] = {"period": period.strftime("%Y-%m"), "meter_number": reading.meter_number,
                              "zone": reading.zone, "quantity": reading.quantity.value}
    if reading.previous is not None:
        record["previous"] = str(reading.previous)
    if reading.previous_period is not None:
        record["previous_period"] = reading.previous_period.strftime("%Y-%m")
    if reading.interval_consumption is not None:
        record["interval_consumption"] = str(reading.interval_consumption)
    if reading.rolled_over:
        record["rolled_over"] = True
    return record


def contract_record(contract: Contract) -> dict[str, Any]:
    """Return the contract as the JSON object of its line (Decimals as strings)."""
    return CONTRACT.dump_python(contract, mode="json")  # type: ignore[no-any-return]
