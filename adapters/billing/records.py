"""The billing dataset's records: what a dataset may hold, and the rules it obeys.

Each record mirrors a dataclass of ``lkk_core.kernel.billing`` field for field and
turns into it with ``to_domain()``. Validation here is per record (shapes,
ranges, the scales of a meter); uniqueness across the file (contract
numbers, energy object codes) is the loader's, because a JSON Lines file is
validated one contract at a time. ``Dataset`` is the whole file as one
document, and the source of the JSON Schema.

The writer and the lookups skip the records: ``CONTRACT`` (pydantic over
the domain dataclasses) dumps a contract to its line and builds one from a
line that was validated at load.

Decimals: pydantic reads a JSON number with a fraction as a ``float``
(0.1000000000000000055 would become 0.1), so the amounts refuse a float
with the error ``inexact_number``, and the loader validates such a line
again from ``json.loads(…, parse_float=Decimal)``. Strings and integers
(what the writer produces) are exact either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from lkk_core.kernel.billing import (
    CONTRACT_NUMBER_DIGITS,
    ENERGY_OBJECT_CODE_DIGITS,
    Attachment,
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    Scale,
    ScaleReading,
)

FORMAT = "lkk-billing-dataset"
VERSION = 1
# NOTE: «А» of the quantities is Cyrillic (U+0410); files typed on a Latin keyboard say "A+".
QUANTITIES = {q.value: q for q in Quantity} | {"A+": Quantity.ACTIVE_IMPORT, "A-": Quantity.ACTIVE_EXPORT}

# Rules are pydantic-core constraints (patterns, literals, bounds) wherever they can be, so that
# validating 100,000 contracts runs in Rust; ``explain`` words their errors for people.
_PATTERNS: dict[str, str] = {}


def _pattern(regex: str, message: str) -> StringConstraints:
    _PATTERNS[regex] = message
    return StringConstraints(pattern=regex)


def _digits(*counts: int) -> StringConstraints:
    words = " or ".join(str(c) for c in counts)
    return _pattern(rf"^(?:{'|'.join(f'[0-9]{{{c}}}' for c in counts)})$", f"must be {words} digits")


# The portal's own e-mail test (lkk_core.accounts.commands): no space, something before the last @,
# and a dot between two other characters after it.
EMAIL = _pattern(r"^\S+@[^\s@]*[^\s@.]\.+[^\s@.][^\s@]*$", "must look like an e-mail address")
KPP = _pattern(r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$", "must be 9 characters: 4 digits, 2 digits or capitals, 3 digits")
_LITERALS = {
    "quantity": "must be one of «А+», «А-», «R+», «R-» (Latin A accepted)",
    "price_category": "must be one of I, II, III, IV, V, VI",
}


def explain(detail: Mapping[str, Any]) -> str:
    """Return the message of one pydantic error, in the dataset's own words where it has them."""
    kind, ctx, loc = detail["type"], detail.get("ctx") or {}, detail["loc"]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[ctx["pattern"]]
    if kind == "literal_error" and loc and loc[-1] in _LITERALS:
        return _LITERALS[str(loc[-1])]
    if kind == "too_short" and loc and loc[-1] == "scales":
        return "a meter needs at least one scale"
    return str(detail["msg"])


def _month(value: Any) -> date:
    if isinstance(value, str) and len(value) == 7:  # noqa: PLR2004  (YYYY-MM)
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            pass
    raise PydanticCustomError("month", "must be a month written YYYY-MM")


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise PydanticCustomError(INEXACT, "a number with a fraction must be read as a Decimal, not a float")
    return value


INEXACT = "inexact_number"
Text = Annotated[str, Field(min_length=1)]
ContractNumber = Annotated[str, _digits(CONTRACT_NUMBER_DIGITS)]
EnergyObjectCode = Annotated[str, _digits(ENERGY_OBJECT_CODE_DIGITS)]
Email = Annotated[str, EMAIL]
Month = Annotated[date, PlainValidator(_month),
                  WithJsonSchema({"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"})]


class Record(BaseModel):
    """Base of the records: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyRecord(Record):
    """One side of the contract («Реквизиты сторон»)."""

    name: Text
    inn: Annotated[str, _digits(10, 12)]
    kpp: Annotated[str, KPP] | None = None
    ogrn: Annotated[str, _digits(13, 15)] | None = None
    legal_address: Text | None = None
    postal_address: Text | None = None

    def to_domain(self) -> Party:
        return Party(self.name, self.inn, self.kpp, self.ogrn, self.legal_address, self.postal_address)


class BankRecord(Record):
    """Банковские реквизиты of the customer."""

    bank_name: Text
    bik: Annotated[str, _digits(9)]
    correspondent_account: Annotated[str, _digits(20)]
    settlement_account: Annotated[str, _digits(20)]

    def to_domain(self) -> BankDetails:
        return BankDetails(self.bank_name, self.bik, self.correspondent_account, self.settlement_account)


class ContactRecord(Record):
    """The curator of the contract or the branch (district office) that serves it."""

    kind: Literal["curator", "branch"]
    name: Text
    phone: Text | None = None
    email: Email | None = None
    address: Text | None = None

    def to_domain(self) -> Contact:
        return Contact(self.kind, self.name, self.phone, self.email, self.address)


class ScaleRecord(Record):
    """Шкала: a tariff zone × a measured quantity."""

    zone: Text
    quantity: Literal["А+", "А-", "R+", "R-", "A+", "A-"]

    def to_domain(self) -> Scale:
        return Scale(self.zone, QUANTITIES[self.quantity])


class MeterRecord(Record):
    """ПУ with its digit capacity and scales."""

    number: Text
    model: Text
    status: Text
    digits: Annotated[int, Field(strict=True, ge=1, le=12)]
    fraction_digits: Annotated[int, Field(strict=True, ge=0, le=6)]
    scales: Annotated[list[ScaleRecord], Field(min_length=1)]
    verified_on: date | None = None
    next_verification_on: date | None = None

    @field_validator("scales")
    @classmethod
    def _scales_distinct(cls, scales: list[ScaleRecord]) -> list[ScaleRecord]:
        if len(scales) == 1:
            return scales
        seen: dict[tuple[str, Quantity], int] = {}
        for index, scale in enumerate(scales):
            first = seen.setdefault((scale.zone, QUANTITIES[scale.quantity]), index)
            if first != index:
                raise PydanticCustomError("scales", "scales[{index}] repeats scales[{first}] ({zone} × {quantity})",
                                          {"index": index, "first": first, "zone": scale.zone,
                                           "quantity": QUANTITIES[scale.quantity].value})
        return scales

    def to_domain(self) -> Meter:
        return Meter(self.number, self.model, self.status, self.digits, self.fraction_digits,
                     tuple(s.to_domain() for s in self.scales), self.verified_on, self.next_verification_on)


class MeteringPointRecord(Record):
    """ИК: a metering point with its settlement coefficient and losses."""

    number: Text
    name: Text
    coefficient: Annotated[Decimal, Field(gt=0), BeforeValidator(_exact)]
    losses_percent: Annotated[Decimal, Field(ge=0, lt=100), BeforeValidator(_exact)]
    meters: list[MeterRecord]
    voltage: Text | None = None
    max_power_kw: Annotated[Decimal, Field(ge=0), BeforeValidator(_exact)] | None = None

    def to_domain(self) -> MeteringPoint:
        return MeteringPoint(self.number, self.name, self.coefficient, self.losses_percent,
                             tuple(m.to_domain() for m in self.meters), self.voltage, self.max_power_kw)


class EnergyObjectRecord(Record):
    """ЭО: a site of the contract."""

    code: EnergyObjectCode
    name: Text
    address: Text
    status: Text
    metering_points: list[MeteringPointRecord]

    def to_domain(self) -> EnergyObject:
        return EnergyObject(self.code, self.name, self.address, self.status,
                            tuple(p.to_domain() for p in self.metering_points))


class AttachmentRecord(Record):
    """A file attached to the contract in billing."""

    attachment_id: Text
    title: Text
    file_name: Text

    def to_domain(self) -> Attachment:
        return Attachment(self.attachment_id, self.title, self.file_name)


class WindowRecord(Record):
    """An explicit reading window for one month: [opens_at, closes_at), offsets required."""

    period: Month
    opens_at: AwareDatetime
    closes_at: AwareDatetime

    @field_validator("closes_at")
    @classmethod
    def _after_opening(cls, closes_at: datetime, info: ValidationInfo) -> datetime:
        opens_at = info.data.get("opens_at")
        if opens_at is not None and closes_at <= opens_at:
            raise PydanticCustomError("window", "must be later than opens_at")
        return closes_at


class ScaleReadingRecord(Record):
    """Billing's facts of one meter scale for one month (RDG-02, RDG-18): previous reading, interval, roll-over."""

    period: Month = Field(description="the month whose readings are submitted against these facts")
    meter_number: Text
    zone: Text
    quantity: Literal["А+", "А-", "R+", "R-", "A+", "A-"]
    previous: Annotated[Decimal, Field(ge=0), BeforeValidator(_exact)] | None = Field(
        default=None, description="the reading accepted in the last closed period")
    previous_period: Month | None = Field(default=None, description="the month of the previous reading")
    interval_consumption: Annotated[Decimal, BeforeValidator(_exact)] | None = Field(
        default=None, description="«Расход интерв.» of the month, when billing has one")
    rolled_over: bool = Field(default=False, description="the meter wrapped past its digit capacity")

    def to_domain(self) -> ScaleReading:
        return ScaleReading(self.meter_number, self.zone, QUANTITIES[self.quantity], self.previous,
                            self.previous_period, self.interval_consumption, self.rolled_over)


def _distinct_periods(windows: list[WindowRecord]) -> list[WindowRecord]:
    periods = [w.period for w in windows]
    for index, period in enumerate(periods):
        if periods.index(period) != index:
            raise PydanticCustomError("window", "reading_windows[{index}] repeats the month {month}",
                                      {"index": index, "month": period.strftime("%Y-%m")})
    return windows


Windows = Annotated[list[WindowRecord], AfterValidator(_distinct_periods)]


class ContractRecord(Record):
    """A contract: one line of a JSON Lines dataset, or one item of ``contracts``."""

    number: ContractNumber
    name: Text
    signed_on: date
    price_category: Literal["I", "II", "III", "IV", "V", "VI"]
    customer: PartyRecord
    supplier: PartyRecord
    bank: BankRecord | None = None
    emails: list[Email]
    contacts: list[ContactRecord] = []
    energy_objects: list[EnergyObjectRecord]
    attachments: list[AttachmentRecord] = []
    reading_windows: Windows = Field(default=[], description="this contract's windows; they win over the header's")
    meter_readings: list[ScaleReadingRecord] = Field(
        default=[], description="billing's facts per meter scale and month (previous readings, RDG-02)")

    def to_domain(self) -> Contract:
        return Contract(
            self.number, self.name, self.signed_on, PriceCategory(self.price_category), self.customer.to_domain(),
            self.supplier.to_domain(), self.bank.to_domain() if self.bank else None, tuple(self.emails),
            tuple(c.to_domain() for c in self.contacts), tuple(e.to_domain() for e in self.energy_objects),
            tuple(a.to_domain() for a in self.attachments),
        )


class Header(Record):
    """The first line of a JSON Lines dataset: what the file is, and the windows of every contract."""

    format: Literal["lkk-billing-dataset"] = Field(description="always lkk-billing-dataset")
    version: Literal[1]
    reading_windows: Windows = Field(default=[], description="explicit windows for every contract, by month")


class Dataset(Header):
    """A whole dataset as one JSON document: the header's keys plus ``contracts``."""

    contracts: list[ContractRecord] = []


# The domain dataclasses as pydantic sees them: it writes a contract's line (Decimals as strings,
# dates in ISO 8601, every field present) and builds a contract from a validated line, both in Rust.
CONTRACT = TypeAdapter(Contract)


def contract_json(contract: Contract) -> bytes:
    """Return the contract as one compact JSON line (no newline), in the dataset's format."""
    return CONTRACT.dump_json(contract)


def scale_reading_record(period: date, reading: ScaleReading) -> dict[str, Any]:
    """Return billing's facts of a scale for ``period`` as the JSON object of its record."""
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
    """Return the contract as the JSON object of its record (Decimals as strings)."""
    return CONTRACT.dump_python(contract, mode="json")  # type: ignore[no-any-return]
