"""What the supplier's billing system knows about a contract (DOMAIN.md §2, §4).

These are facts the portal reads, never writes: the ``Billing`` port
(``lkk_core.kernel.ports``) returns them, services hand them to aggregates, and
views show them. The ways back are ``SubmittedReading`` and
``SubmittedProfile``, which the billing feed hands to
``Billing.receive_readings`` and ``Billing.receive_interval_profile``. Plain
frozen dataclasses, so they compare by value and an adapter can build them
from any source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

CONTRACT_NUMBER_DIGITS = 14  # CON-02
ENERGY_OBJECT_CODE_DIGITS = 18  # §4 vocabulary


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

    name: str
    inn: str
    kpp: str | None = None
    ogrn: str | None = None
    legal_address: str | None = None
    postal_address: str | None = None


@dataclass(frozen=True)
class BankDetails:
    """Банковские реквизиты of the customer."""

    bank_name: str
    bik: str
    correspondent_account: str
    settlement_account: str


@dataclass(frozen=True)
class Contact:
    """A person or office to call about the contract: the curator or the branch."""

    kind: str  # "curator" | "branch"
    name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Scale:
    """Шкала: a tariff zone × a measured quantity (e.g. «День» × «А+»)."""

    zone: str
    quantity: Quantity


@dataclass(frozen=True)
class Meter:
    """ПУ: a meter of a metering point, with its settlement characteristics."""

    number: str
    model: str
    status: str
    digits: int  # integer digits before the point (digit capacity), e.g. 6
    fraction_digits: int  # e.g. 2
    scales: tuple[Scale, ...]
    verified_on: date | None = None  # the last state verification (поверка)
    next_verification_on: date | None = None


@dataclass(frozen=True)
class MeteringPoint:
    """ИК: a measuring complex / metering point, e.g. «РП-10 кВ яч.2»."""

    number: str
    name: str
    coefficient: Decimal  # Расчётный коэф.
    losses_percent: Decimal  # Потери, %
    meters: tuple[Meter, ...]
    voltage: str | None = None
    max_power_kw: Decimal | None = None


@dataclass(frozen=True)
class EnergyObject:
    """ЭО: a site of the contract, with its 18-digit code, address and status."""

    code: str
    name: str
    address: str
    status: str
    metering_points: tuple[MeteringPoint, ...]


@dataclass(frozen=True)
class Attachment:
    """A file attached to the contract in billing (CON-09: «приложения к договору»)."""

    attachment_id: str
    title: str
    file_name: str


@dataclass(frozen=True)
class Contract:
    """A supply contract as billing keeps it."""

    number: str
    name: str
    signed_on: date
    price_category: PriceCategory
    customer: Party
    supplier: Party
    bank: BankDetails | None
    emails: tuple[str, ...]  # listed in «Реквизиты сторон» and supplementary agreements (CON-02)
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

    period: date  # the first day of the month the readings are for
    opens_at: datetime
    closes_at: datetime

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

    meter_number: str
    zone: str
    quantity: Quantity
    previous: Decimal | None = None
    previous_period: date | None = None
    interval_consumption: Decimal | None = None
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
