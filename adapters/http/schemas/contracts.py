"""Answers of the contracts context: the list, bindings, the contract screen, holders, requests (DOMAIN.md §2, §12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from adapters.http.schemas.common import Instant, Out, Paged, Stamp


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
    requested_at: Stamp | None = None
    expires_at: Stamp | None = None


class ContractList(Paged):
    """«Договоры»: the account's contracts by number, then pending requests (CON-01, CON-05)."""

    items: list[ContractRow]


class BindingRequestedOut(Out):
    """A binding request: the link went to the contract's e-mail; it works until ``expires_at``."""

    binding_id: UUID
    contract_number: str
    expires_at: Instant
    position: int


class BindingConfirmed(Out):
    """The link was followed: the contract is in the account (CON-04)."""

    contract_number: str
    position: int


class PartyOut(Out):
    """One side of the contract («Реквизиты сторон»)."""

    name: str
    inn: str
    kpp: str | None
    ogrn: str | None
    legal_address: str | None
    postal_address: str | None


class BankOut(Out):
    """«Банковские реквизиты»."""

    bank_name: str
    bik: str
    correspondent_account: str
    settlement_account: str


class ContactOut(Out):
    """The curator or branch of the contract."""

    kind: str
    name: str
    phone: str | None
    email: str | None
    address: str | None


class ScaleOut(Out):
    """A tariff zone × measured quantity."""

    zone: str
    quantity: str


class MeterOut(Out):
    """ПУ with its settlement characteristics."""

    number: str
    model: str
    status: str
    digits: int
    fraction_digits: int
    scales: list[ScaleOut]
    verified_on: date | None
    next_verification_on: date | None


class MeteringPointOut(Out):
    """ИК / metering point; decimals as strings, exact."""

    number: str
    name: str
    coefficient: Decimal
    losses_percent: Decimal
    voltage: str | None
    max_power_kw: Decimal | None
    meters: list[MeterOut]


class EnergyObjectOut(Out):
    """ЭО with its metering points."""

    code: str
    name: str
    address: str
    status: str
    metering_points: list[MeteringPointOut]


class AttachmentOut(Out):
    """A file attached to the contract in billing."""

    attachment_id: str
    title: str
    file_name: str


class ContractOut(Out):
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
    since: Stamp


class ContractUsers(Paged):
    """Every account that holds the contract, by the time it got its role."""

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
    requested_at: Stamp


class AdministratorRequests(Paged):
    """Requests staff have not answered, oldest first."""

    items: list[AdministratorRequest]
