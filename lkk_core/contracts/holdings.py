"""The contracts context's part of the access check: who holds which role on a contract."""

from __future__ import annotations

from uuid import UUID

from lkk_core.contracts.contract_roles import ContractRoles, roles_id
from lkk_core.kernel.permissions import Holding
from lkk_core.kernel.services import Services


class RoleHoldings:
    """``lkk_core.kernel.access.Holdings`` over the per-contract roles aggregate: always current, no copy."""

    def holding(self, services: Services, account_id: UUID, contract_number: str) -> Holding | None:
        """Return the account's holding on the contract, or None."""
        found = services.peek(ContractRoles, roles_id(contract_number))
        return None if found is None else found.holding(account_id)
