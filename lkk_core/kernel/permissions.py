"""Who may do what on a contract: Table 3 of the manual as data, and one check (DOMAIN.md ROL-19).

Every service and every query asks ``require`` (or ``allows``) with the
actor's ``Holding`` on the contract. No holding means the contract is not
the actor's at all: that is ``NotFound``, so a stranger cannot even learn
that a contract number exists; a holding whose role lacks the capability is
``Forbidden``. Energy-object-level capabilities also check the scope of the
grant (ROL-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lkk_core.kernel.errors import Forbidden, NotFound


class Role(StrEnum):
    """The four roles on a contract (ROL-01); values are the stable code names."""

    ADMINISTRATOR = "ADMINISTRATOR"
    MANAGER = "MANAGER"
    POWER_ENGINEER = "POWER_ENGINEER"
    ACCOUNTANT = "ACCOUNTANT"

    @property
    def label(self) -> str:
        """Return the role's name as the manual shows it («Руководитель»)."""
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.ADMINISTRATOR: "Администратор",
    Role.MANAGER: "Руководитель",
    Role.POWER_ENGINEER: "Энергетик",
    Role.ACCOUNTANT: "Бухгалтер",
}

# The roles an Administrator hands out; «Администратор» comes from supplier staff only (ROL-08, ROL-09).
GRANTABLE_BY_ADMINISTRATOR = frozenset({Role.MANAGER, Role.POWER_ENGINEER, Role.ACCOUNTANT})


class Capability(StrEnum):
    """The rows of Table 3, in the manual's order, by their DOMAIN.md keys."""

    REQUEST_ADMINISTRATOR = "request_administrator"
    REMOVE_CONTRACT = "remove_contract"
    VIEW_CONTRACT = "view_contract"
    VIEW_CONTRACT_ATTACHMENTS = "view_contract_attachments"
    SUBMIT_READINGS = "submit_readings"
    VIEW_READINGS_HISTORY = "view_readings_history"
    VIEW_UNPAID_DOCUMENTS = "view_unpaid_documents"
    VIEW_DEBT = "view_debt"
    VIEW_BILLS_CHART = "view_bills_chart"
    VIEW_PAYMENTS_HISTORY = "view_payments_history"
    MAKE_PAYMENT = "make_payment"
    VIEW_DOCUMENTS_HISTORY = "view_documents_history"
    GRANT_ROLE = "grant_role"
    REVOKE_ROLE = "revoke_role"


_E, _A, _M, _ADM = Role.POWER_ENGINEER, Role.ACCOUNTANT, Role.MANAGER, Role.ADMINISTRATOR
_ALL = frozenset(Role)

# Table 3, «Сводная таблица прав доступа», row by row: the roles marked «+».
TABLE_3: dict[Capability, frozenset[Role]] = {
    Capability.REQUEST_ADMINISTRATOR: _ALL,
    Capability.REMOVE_CONTRACT: _ALL,
    Capability.VIEW_CONTRACT: _ALL,
    Capability.VIEW_CONTRACT_ATTACHMENTS: _ALL,
    Capability.SUBMIT_READINGS: frozenset({_E, _M, _ADM}),
    Capability.VIEW_READINGS_HISTORY: frozenset({_E, _M, _ADM}),
    Capability.VIEW_UNPAID_DOCUMENTS: frozenset({_A, _M, _ADM}),
    Capability.VIEW_DEBT: frozenset({_A, _M, _ADM}),
    Capability.VIEW_BILLS_CHART: frozenset({_A, _M, _ADM}),
    Capability.VIEW_PAYMENTS_HISTORY: frozenset({_A, _M, _ADM}),
    Capability.MAKE_PAYMENT: frozenset({_A, _M, _ADM}),
    Capability.VIEW_DOCUMENTS_HISTORY: frozenset({_A, _M, _ADM}),
    Capability.GRANT_ROLE: frozenset({_ADM}),
    Capability.REVOKE_ROLE: frozenset({_ADM}),
}

# Capabilities about meters, limited to the energy objects of a grant (ROL-15).
ENERGY_OBJECT_SCOPED = frozenset({Capability.SUBMIT_READINGS, Capability.VIEW_READINGS_HISTORY})

FORBIDDEN_MESSAGE = "Недостаточно прав для выполнения операции"  # NOTE: proposal, DOMAIN.md §13.14
NOT_FOUND = "Договор не найден"  # NOTE: proposal: a contract that is not the actor's, or unknown to billing


@dataclass(frozen=True)
class Holding:
    """An account's role on one contract and the energy objects it covers (None: all of them)."""

    role: Role
    energy_objects: frozenset[str] | None = None

    def covers(self, energy_object: str) -> bool:
        """Tell whether the grant reaches this energy object (ROL-15)."""
        return self.energy_objects is None or energy_object in self.energy_objects

    def visible(self, codes: Iterable[str]) -> list[str]:
        """Return the codes among ``codes`` the grant reaches, in their order."""
        return [code for code in codes if self.covers(code)]


def allows(holding: Holding | None, capability: Capability, energy_object: str | None = None) -> bool:
    """Tell whether the holding permits the capability (on that energy object, if it is scoped)."""
    if holding is None or holding.role not in TABLE_3[capability]:
        return False
    return energy_object is None or capability not in ENERGY_OBJECT_SCOPED or holding.covers(energy_object)


def require(
    holding: Holding | None, capability: Capability, *, contract_number: str, energy_object: str | None = None
) -> Holding:
    """Return the holding if it permits the capability; otherwise raise NotFound or Forbidden."""
    if holding is None:
        raise NotFound(NOT_FOUND, contract_number=contract_number)
    if not allows(holding, capability, energy_object):
        raise Forbidden(
            FORBIDDEN_MESSAGE, capability=str(capability), role=str(holding.role), contract_number=contract_number,
            **({"energy_object": energy_object} if energy_object else {}),
        )
    return holding
