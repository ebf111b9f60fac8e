"""What people read about contracts, filtered by their role (ROL-11, CON-01, CON-09, ROL-06)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from lkk_core.contracts.contract_roles import ContractRoles, roles_id
from lkk_core.kernel.billing import Contract
from lkk_core.accounts import ProfileView
from lkk_core.contracts.contracts_view import ContractsView
from lkk_core.kernel.access import valid_contract_number
from lkk_core.kernel.permissions import Capability, Holding, Role, allows
from lkk_core.kernel.services import Actor, Services, StaffActor


@dataclass(frozen=True)
class ContractDetail:
    """The contract screen (CON-09): billing's contract cut to what the actor's role and scope may see."""

    contract: Contract
    holding: Holding
    has_administrator: bool
    may_request_administrator: bool

    @property
    def capabilities(self) -> list[Capability]:
        """Return what the actor may do on the contract, in Table 3's order (the screen shows or hides by it)."""
        return [capability for capability in Capability if allows(self.holding, capability)]


def my_contracts(services: Services, actor: Actor) -> list[dict[str, Any]]:
    """Return the actor's contracts by number, then requests still waiting for their link (CON-01, CON-05)."""
    services.check_session(actor)
    view = services.views.of(ContractsView)
    holdings = view.holdings_of(actor.account_id)
    numbers = [row["contract_number"] for row in holdings]
    administrated = view.administrated(numbers)
    requested = {row["contract_number"] for row in view.open_requests(actor.account_id)}
    result = []
    for row in holdings:
        number, role = row["contract_number"], Role(row["role"])
        contract = services.require_billing().find_contract(number)
        result.append({
            "contract_number": number,
            "status": "bound",
            "name": contract.name if contract else None,
            "customer": contract.customer.name if contract else None,
            "role": role.value,
            "role_label": role.label,
            "energy_objects": row["energy_objects"],
            "may_request_administrator": number not in administrated and number not in requested,
            "administrator_requested": number in requested,
        })
    for row in view.pending_bindings(actor.account_id, services.clock.now()):
        result.append({
            "contract_number": row["contract_number"],
            "status": "pending",
            "binding_id": row["binding_id"],
            "requested_at": row["requested_at"],
            "expires_at": row["expires_at"],
        })
    return result


def contract_detail(services: Services, actor: Actor, number: str) -> ContractDetail:
    """Return the contract screen with the actor's role; meters only of the energy objects granted (ROL-15)."""
    number = valid_contract_number(number)
    access = services.authorize(actor, Capability.VIEW_CONTRACT, number)
    contract, holding = access.contract, access.holding
    roles = services.peek(ContractRoles, roles_id(number))
    assert roles is not None  # the access check found a holding in it
    visible = tuple(eo for eo in contract.energy_objects if holding.covers(eo.code))
    attachments = contract.attachments if allows(holding, Capability.VIEW_CONTRACT_ATTACHMENTS) else ()
    return ContractDetail(
        contract=replace(contract, energy_objects=visible, attachments=attachments),
        holding=holding,
        has_administrator=roles.has_administrator,
        may_request_administrator=roles.may_request_administrator(actor.account_id),
    )


def contract_users(services: Services, actor: Actor, number: str) -> list[dict[str, Any]]:
    """Return every account that holds the contract, for its Administrator (ROL-06)."""
    number = valid_contract_number(number)
    services.authorize(actor, Capability.GRANT_ROLE, number)
    return _users(services, number)


def _users(services: Services, number: str) -> list[dict[str, Any]]:
    profiles = services.views.of(ProfileView)
    users = []
    for row in services.views.of(ContractsView).holders(number):
        profile = profiles.profile(UUID(row["account_id"])) or {}
        role = Role(row["role"])
        users.append({
            "account_id": row["account_id"],
            "email": profile.get("email"),
            "last_name": profile.get("last_name"),
            "first_name": profile.get("first_name"),
            "patronymic": profile.get("patronymic"),
            "role": role.value,
            "role_label": role.label,
            "energy_objects": row["energy_objects"],
            "source": row["source"],
            "since": row["since"],
        })
    return users


def staff_contract_users(services: Services, staff: StaffActor, number: str) -> list[dict[str, Any]]:
    """Return every account that holds the contract, for supplier staff checking a request (ROL-13)."""
    number = valid_contract_number(number)
    services.contract(number)  # a number billing does not know is not_found, not an empty list
    return _users(services, number)


def open_administrator_requests(services: Services, staff: StaffActor) -> list[dict[str, Any]]:
    """Return the requests for the Administrator role staff have not answered (ROL-12, ROL-13)."""
    return services.views.of(ContractsView).open_requests()
