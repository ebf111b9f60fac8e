"""Steps shared by the contract use cases and queries."""

from __future__ import annotations

from lkk_core.contracts.contract_roles import ContractRoles, roles_id
from lkk_core.kernel.services import Services


def roles(services: Services, number: str) -> ContractRoles | None:
    """Load the contract's roles for a command (a copy it may change), or None before anyone held it."""
    return services.find(ContractRoles, roles_id(number))
