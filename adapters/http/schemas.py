"""Response shapes of the HTTP API (requests are lkk_core's command models)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Base of response models."""

    model_config = ConfigDict(extra="forbid")


class Written(Out):
    """A command's answer: the log position its events reached."""

    position: int


class SessionOpened(Out):
    """A started session: send ``token`` as ``Authorization: Bearer <token>``."""

    account_id: UUID
    session_id: UUID
    token: str
    stage: str
    position: int


class LoginHeld(Out):
    """A login from a new device waiting for the e-mailed code (ACC-08)."""

    account_id: UUID
    challenge_id: UUID
    position: int


class Profile(Out):
    """The «Профиль» tab (PRF-01); ``stage`` says which onboarding step is next."""

    account_id: UUID
    email: str | None
    email_confirmed: bool
    login: str | None
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    organisation: str | None
    position: str | None
    address: str | None
    phone: str | None
    two_factor: bool
    advertising: bool
    registered_at: str
    stage: str


class SessionRow(Out):
    """One line of «Сессии» (ACC-14); ``current`` shows «Текущая»."""

    session_id: UUID
    browser: str
    browser_version: str
    os: str
    started_at: str
    ended_at: str | None
    current: bool


class Sessions(Out):
    """The «Сессии» tab."""

    items: list[SessionRow]


class AccountCreated(Out):
    """Staff: the id of an imported account."""

    account_id: UUID


class Problem(Out):
    """An RFC 9457 problem document with lkk's stable ``code``."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    code: str
    detail: str


def profile_out(row: dict[str, Any]) -> dict[str, Any]:
    """Shape a profile view row for the API."""
    fields = Profile.model_fields
    return Profile.model_validate({k: v for k, v in row.items() if k in fields}).model_dump(mode="json")


# -- contracts and roles -------------------------------------------------------------------


class ContractRow(Out):
    """One line of the contract list: a bound contract with the role, or a request waiting for its link."""

    contract_number: str
    status: str  # "bound" | "pending"
    name: str | None = None
    customer: str | None = None
    role: str | None = None
    role_label: str | None = None
    energy_objects: list[str] | None = None  # None: every energy object of the contract
    may_request_administrator: bool = False
    administrator_requested: bool = False
    binding_id: UUID | None = None
    requested_at: str | None = None
    expires_at: str | None = None


class ContractList(Out):
    """«Договоры»: the account's contracts by number, then pending requests (CON-01, CON-05)."""

    items: list[ContractRow]


class BindingRequestedOut(Out):
    """A binding request: the link went to the contract's e-mail; it works until ``expires_at``."""

    binding_id: UUID
    contract_number: str
    expires_at: str
    position: int


class BindingConfirmed(Out):
    """The link was followed: the contract is in the account (CON-04)."""

    contract_number: str
    position: int


class _Attrs(Out):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class PartyOut(_Attrs):
    """One side of the contract («Реквизиты сторон»)."""

    name: str
    inn: str
    kpp: str | None
    ogrn: str | None
    legal_address: str | None
    postal_address: str | None


class BankOut(_Attrs):
    """«Банковские реквизиты»."""

    bank_name: str
    bik: str
    correspondent_account: str
    settlement_account: str


class ContactOut(_Attrs):
    """The curator or branch of the contract."""

    kind: str
    name: str
    phone: str | None
    email: str | None
    address: str | None


class ScaleOut(_Attrs):
    """A tariff zone × measured quantity."""

    zone: str
    quantity: str


class MeterOut(_Attrs):
    """ПУ with its settlement characteristics."""

    number: str
    model: str
    status: str
    digits: int
    fraction_digits: int
    scales: list[ScaleOut]
    verified_on: date | None
    next_verification_on: date | None


class MeteringPointOut(_Attrs):
    """ИК / metering point; decimals as strings, exact."""

    number: str
    name: str
    coefficient: Decimal
    losses_percent: Decimal
    voltage: str | None
    max_power_kw: Decimal | None
    meters: list[MeterOut]


class EnergyObjectOut(_Attrs):
    """ЭО with its metering points."""

    code: str
    name: str
    address: str
    status: str
    metering_points: list[MeteringPointOut]


class AttachmentOut(_Attrs):
    """A file attached to the contract in billing."""

    attachment_id: str
    title: str
    file_name: str


class ContractOut(_Attrs):
    """The contract as billing keeps it, cut to what the role may see."""

    number: str
    name: str
    signed_on: date
    price_category: str
    customer: PartyOut
    supplier: PartyOut
    bank: BankOut | None
    emails: list[str]
    contacts: list[ContactOut]
    energy_objects: list[EnergyObjectOut]
    attachments: list[AttachmentOut]


class ContractDetailOut(Out):
    """The contract screen (CON-09) with the actor's role, scope and what they may do (Table 3)."""

    contract: ContractOut
    role: str
    role_label: str
    energy_objects: list[str] | None
    capabilities: list[str]
    has_administrator: bool
    may_request_administrator: bool


class ContractUser(Out):
    """One holder of the contract, for its Administrator (ROL-06)."""

    account_id: UUID
    email: str | None
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    role: str
    role_label: str
    energy_objects: list[str] | None
    source: str
    since: str


class ContractUsers(Out):
    """Every account that holds the contract."""

    items: list[ContractUser]


class RoleGranted(Out):
    """A grant: the grantee, and whether the grant opened an account for them (ROL-16)."""

    account_id: UUID
    invited: bool
    position: int


class AdministratorRequested(Out):
    """«Запросить доступ» was recorded for supplier staff (ROL-12)."""

    request_id: UUID
    position: int


class AdministratorRequest(Out):
    """An open request for the Administrator role (ROL-12, ROL-13)."""

    request_id: UUID
    contract_number: str
    account_id: UUID
    requested_at: str


class AdministratorRequests(Out):
    """Requests staff have not answered."""

    items: list[AdministratorRequest]


def contract_detail_out(detail: Any) -> dict[str, Any]:
    """Shape a ``ContractDetail`` for the API."""
    holding = detail.holding
    return ContractDetailOut(
        contract=ContractOut.model_validate(detail.contract),
        role=holding.role.value,
        role_label=holding.role.label,
        energy_objects=None if holding.energy_objects is None else sorted(holding.energy_objects),
        capabilities=[c.value for c in detail.capabilities],
        has_administrator=detail.has_administrator,
        may_request_administrator=detail.may_request_administrator,
    ).model_dump(mode="json")


# -- readings (DOMAIN.md §4) -------------------------------------------------------------


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
    submitted_at: str | None
    accepted_at: str | None
    closed_at: str | None
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


class IntervalActsOut(Out):
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


class ReadingsHistoryOut(Out):
    """«История» → «Показания» for the months asked (HIS-07)."""

    period_from: date
    period_to: date
    contracts: list[HistoryContractOut]
