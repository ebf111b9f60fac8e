"""Taking contracts from an account: shared by unbinding, revocation and account deletion (CON-11, ACC-17)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from lkk_core.contracts.contract_binding import ContractBinding, binding_id
from lkk_core.contracts.contract_roles import ContractRoles
from lkk_core.contracts import _common
from lkk_core.contracts.contracts_view import ContractsView
from lkk_core.kernel.services import Services


def drop_binding(
    services: Services, number: str, account_id: UUID, now: datetime, reason: str
) -> list[ContractBinding]:
    """Drop the account's bound or pending binding of the contract, if any; returns what to save."""
    binding = services.find(ContractBinding, binding_id(number, account_id))
    if binding is None or not (binding.is_bound or binding.is_pending(now)):
        return []
    binding.unbind(now=now, reason=reason)
    return [binding]


def release_contracts(services: Services, account_id: UUID) -> list[ContractBinding | ContractRoles]:
    """Take every contract and pending request from an account being deleted (ACC-17); returns what to save.

    Reads the contracts view to find them; the sweep repeats this for deleted
    accounts, in case the view had not caught up when the account went.
    """
    now, changed = services.clock.now(), []
    view = services.views.of(ContractsView)
    for row in view.holdings_of(account_id):
        number = row["contract_number"]
        roles = _common.roles(services, number)
        if roles is not None and roles.leave(account_id, now=now, reason="account_deleted"):
            changed.append(roles)
        changed += drop_binding(services, number, account_id, now, "account_deleted")
    for row in view.pending_bindings(account_id, now):
        changed += drop_binding(services, row["contract_number"], account_id, now, "account_deleted")
    return changed
