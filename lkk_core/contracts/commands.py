"""Commands of contracts and roles (DOMAIN.md §2, §12)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from lkk_core.kernel.commands import Command, ContractNumber, EmailAddress, EnergyObjectCode
from lkk_core.kernel.permissions import Role



class RequestBinding(Command):
    """«Новый договор»: «Номер договора»* and «Электронная почта»* (CON-02)."""

    contract_number: ContractNumber
    email: EmailAddress = Field(description="one of the e-mails listed on the contract")


class ConfirmBinding(Command):
    """The link e-mailed to the contract's address (CON-04)."""

    binding_id: UUID
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class GrantRole(Command):
    """«Выдача доступа к договору»: «Роль»*, «E-mail»*, «Энергообъект»* (ROL-14, ROL-15)."""

    role: Role = Field(description="MANAGER, POWER_ENGINEER or ACCOUNTANT")
    email: EmailAddress
    energy_objects: list[EnergyObjectCode] = Field(min_length=1, max_length=10_000)


class GrantAdministrator(Command):
    """Supplier staff make a holder of the contract its Administrator (ROL-08)."""

    account_id: UUID


class RefuseAdministratorRequest(Command):
    """Supplier staff refuse a holder's request for the Administrator role (ROL-13)."""

    account_id: UUID
