"""What the supplier's billing system knows about a contract (DOMAIN.md §2, §4).

These are facts the portal reads, never writes: the ``Billing`` port
(``lkk_core.kernel.ports``) returns them, services hand them to aggregates, and
views show them. The ways back are ``SubmittedReading`` and
``SubmittedProfile``, which the billing feed hands to
``Billing.receive_readings`` and ``Billing.receive_interval_profile``. Plain
frozen dataclasses, so they compare by value and an adapter can build them
from any source.

The invariants of the values sit on their fields as ``Annotated`` metadata
(§0.3 and §4; APL-16's decision on requisites: ИНН 10 or 12 digits, КПП 9,
ОГРН 13 or ОГРНИП 15, БИК 9, accounts 20; CON-02's 14-digit contract number;
RDG-02's meter, metering point and scales; RDG-04's window): pydantic checks them wherever it builds a value from outside
data (``TypeAdapter(Contract).validate_json(…)``: the billing dataset is read
that way), mostly as pydantic-core constraints, so in Rust. A constructor
called in Python trusts its caller, as a dataclass does. Pydantic refuses a
key a value does not have (``extra="forbid"``), so a typo never passes
silently; amounts refuse a ``float`` (``inexact_number``): a binary float has
lost digits already, so an exact amount is built from a ``Decimal``, an
integer or its text, never from a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from lkk_core.kernel.billing_constraints import (
    ACCOUNT,
    BIK,
    CONTRACT_NUMBER,
    CONTRACT_NUMBER_DIGITS,
    Email,
    ENERGY_OBJECT_CODE,
    EXACT,
    INN,
    KPP,
    OGRN,
    STRICT_KEYS,
    Text,
)

class PriceCategory(StrEnum):
    """Ценовая категория of the retail market (I–VI); III–VI have hourly profiles (RDG-13)."""

    I = "I"  # noqa: E741  (the category's own name)
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    VI = "VI"

    @property
    def has_interval_readings(self) -> bool:
        """Tell whether consumers of this category submit hourly profiles (RDG-13)."""
        return self in (PriceCategory.III, PriceCategory.IV, PriceCategory.V, PriceCategory.VI)


class Quantity(StrEnum):
    """The measured quantity of a scale: active/reactive import/export (§4 vocabulary)."""

    ACTIVE_IMPORT = "А+"
    ACTIVE_EXPORT = "А-"
    REACTIVE_IMPORT = "R+"
    REACTIVE_EXPORT = "R-"


AWAITING_READINGS = "Ожидание"  # RDG-03: the only status that accepts readings


@dataclass(frozen=True)
class Party:
    """One side of the contract as «Реквизиты сторон» shows it."""

    __pydantic_config__ = STRICT_KEYS

    name: Text
    inn: Annotated[str, INN]
    kpp: Annotated[str, KPP] | None = None
    ogrn: Annotated[str, OGRN] | None = None
    legal_address: Text | None = None
    postal_address: Text | None = None


@dataclass(frozen=True)
class BankDetails:
    """Банковские реквизиты of the customer."""

    __pydantic_config__ = STRICT_KEYS

    bank_name: Text
    bik: Annotated[str, BIK]
    correspondent_account: Annotated[str, ACCOUNT]
    settlement_account: Annotated[str, ACCOUNT]


@dataclass(frozen=True)
class Contact:
    """A person or office to call about the contract: the curator or the branch."""

    __pydantic_config__ = STRICT_KEYS

    kind: Literal["curator", "branch"]
    name: Text
    phone: Text | None = None
    email: Email | None = None
    address: Text | None = None


@dataclass(frozen=True)
class Scale:
    """Шкала: a tariff zone × a measured quantity (e.g. «День» × «А+»)."""

    __pydantic_config__ = STRICT_KEYS

    zone: Text
    quantity: Quantity


def _distinct_scales(scales: tuple[Scale, ...]) -> tuple[Scale, ...]:
    """Refuse a meter without scales, or with a scale twice: a reading names its scale by (zone, quantity)."""
    if len(scales) == 1:
        return scales
    if not scales:
        raise PydanticCustomError("scales", "a meter needs at least one scale")
    seen: dict[Scale, int] = {}
    for index, scale in enumerate(scales):
        first = seen.setdefault(scale, index)
        if first != index:
            raise PydanticCustomError("scales", "scales[{index}] repeats scales[{first}] ({zone} × {quantity})",
                                      {"index": index, "first": first, "zone": scale.zone,
                                       "quantity": scale.quantity.value})
    return scales


# ``minItems`` is written by hand: pydantic's min_length on a tuple followed by a validator reports
# a spurious "too short" whenever an item is refused.
Scales = Annotated[tuple[Scale, ...], Field(json_schema_extra={"minItems": 1}), AfterValidator(_distinct_scales)]


@dataclass(frozen=True)
class Meter:
    """ПУ: a meter of a metering point, with its settlement characteristics."""

    __pydantic_config__ = STRICT_KEYS

    number: Text
    model: Text
    status: Text
    digits: Annotated[int, Field(strict=True, ge=1, le=12)]  # before the point (digit capacity), e.g. 6
    fraction_digits: Annotated[int, Field(strict=True, ge=0, le=6)]  # e.g. 2
    scales: Scales  # at least one, none twice
    verified_on: date | None = None  # the last state verification (поверка)
    next_verification_on: date | None = None


@dataclass(frozen=True)
class MeteringPoint:
    """ИК: a measuring complex / metering point, e.g. «РП-10 кВ яч.2»."""

    __pydantic_config__ = STRICT_KEYS

    number: Text
    name: Text
    coefficient: Annotated[Decimal, Field(gt=0), EXACT]  # Расчётный коэф.
    losses_percent: Annotated[Decimal, Field(ge=0, lt=100), EXACT]  # Потери, %
    meters: tuple[Meter, ...]
    voltage: Text | None = None
    max_power_kw: Annotated[Decimal, Field(ge=0), EXACT] | None = None


@dataclass(frozen=True)
class EnergyObject:
    """ЭО: a site of the contract, with its 18-digit code, address and status."""

    __pydantic_config__ = STRICT_KEYS

    code: Annotated[str, ENERGY_OBJECT_CODE]
    name: Text
    address: Text
    status: Text
    metering_points: tuple[MeteringPoint, ...]


@dataclass(frozen=True)
class Attachment:
    """A file attached to the contract in billing (CON-09: «приложения к договору»)."""

    __pydantic_config__ = STRICT_KEYS

    attachment_id: Text
    title: Text
    file_name: Text


@dataclass(frozen=True)
class Contract:
    """A supply contract as billing keeps it."""

    __pydantic_config__ = STRICT_KEYS

    number: Annotated[str, CONTRACT_NUMBER]
    name: Text
    signed_on: date
    price_category: PriceCategory
    customer: Party
    supplier: Party
    bank: BankDetails | None
    emails: tuple[Email, ...]  # listed in «Реквизиты сторон» and supplementary agreements (CON-02)
    contacts: tuple[Contact, ...]
    energy_objects: tuple[EnergyObject, ...]
    attachments: tuple[Attachment, ...] = field(default=())

    def energy_object(self, code: str) -> EnergyObject | None:
        """Return the contract's energy object with that code, or None."""
        return next((eo for eo in self.energy_objects if eo.code == code), None)

    @property
    def energy_object_codes(self) -> frozenset[str]:
        """Return the codes of every energy object of the contract."""
        return frozenset(eo.code for eo in self.energy_objects)


@dataclass(frozen=True)
class ReadingWindow:
    """When readings for a month may be submitted: [opens_at, closes_at) (RDG-04)."""

    __pydantic_config__ = STRICT_KEYS

    period: date  # the first day of the month the readings are for
    opens_at: AwareDatetime
    closes_at: AwareDatetime

    @field_validator("closes_at")
    @classmethod
    def _after_opening(cls, closes_at: datetime, info: ValidationInfo) -> datetime:
        opens_at = info.data.get("opens_at")
        if opens_at is not None and closes_at <= opens_at:
            raise PydanticCustomError("window", "must be later than opens_at")
        return closes_at

    def is_open(self, now: datetime) -> bool:
        """Tell whether ``now`` falls inside the window."""
        return self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class ScaleReading:
    """What billing knows of one meter scale for a period (RDG-02, RDG-11, RDG-18).

    Keyed by (meter number, zone, quantity). ``previous`` is the reading
    accepted in the last closed period (``previous_period`` is its month);
    ``interval_consumption`` is «Расход интерв.» of the period when billing
    has one; ``rolled_over`` tells that the meter wrapped past its digit
    capacity, so a current value below the previous one is accepted (RDG-02).
    """

    __pydantic_config__ = STRICT_KEYS

    meter_number: Text
    zone: Text
    quantity: Quantity
    previous: Annotated[Decimal, Field(ge=0), EXACT] | None = None
    previous_period: date | None = None
    interval_consumption: Annotated[Decimal, EXACT] | None = None
    rolled_over: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """Return (meter number, zone, quantity): how a reading names its scale."""
        return (self.meter_number, self.zone, str(self.quantity))


@dataclass(frozen=True)
class SubmittedReading:
    """One value the portal hands to billing: a meter scale of an energy object (RDG-07)."""

    energy_object: str
    meter_number: str
    zone: str
    quantity: str
    value: Decimal


@dataclass(frozen=True)
class SubmittedProfile:
    """One «Первичный акт» the portal hands to billing: a meter's hourly profile for a month (RDG-16, RDG-17).

    ``values`` are 24 rows (hours 00-01 … 23-24) of one value per day, «без КТ
    и без потерь»; ``total`` is «Введённый расход», their sum.
    """

    energy_object: str
    metering_point: str
    meter_number: str
    kind: str  # «Вид показаний» (RDG-15)
    values: tuple[tuple[Decimal, ...], ...]
    total: Decimal


@dataclass(frozen=True)
class AcceptedReading:
    """A reading billing accepted for settlement of a month, as the readings history shows it (HIS-07).

    ``source`` is «Источник показаний» exactly as billing labels it («передано
    через ЛКК» for the portal's, §13.7); ``consumption`` is «Расход», None when
    billing has none.
    """

    energy_object: str
    meter_number: str
    zone: str
    quantity: str
    value: Decimal
    consumption: Decimal | None
    source: str

    @property
    def key(self) -> tuple[str, str, str]:
        """Return (meter number, zone, quantity): the scale the reading is of."""
        return (self.meter_number, self.zone, self.quantity)


def is_contract_number(value: str) -> bool:
    """Tell whether a string is a 14-digit contract number (CON-02)."""
    return len(value) == CONTRACT_NUMBER_DIGITS and value.isascii() and value.isdigit()
