"""What people read about contracts, filtered by their role (ROL-11, CON-01, CON-09, ROL-06)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from lkk_core.contracts.contract_roles import ContractRoles, roles_id
from lkk_core.kernel.billing import Contract
from lkk_core.accounts import ProfileView
from lkk_core.contracts.contracts_view import ContractsView
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.paging import ALL, Keyset, Page, Paging, fetch_limit
from lkk_core.kernel.permissions import Capability, Holding, Role, allows
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.kernel.views.base import stamp


@dataclass(frozen=True)
class ContractDetail:
    """The contract screen (CON-09): billing's contract cut to what the actor's role and scope may see."""

    contract: Contract
    holding: Holding
    has_administrator: bool
    may_request_administrator: bool

    @property
    def role(self) -> Role:
        """Return the actor's role on the contract."""
        return self.holding.role

    @property
    def role_label(self) -> str:
        """Return the role as the manual names it («Руководитель»)."""
        return self.holding.role.label

    @property
    def energy_objects(self) -> tuple[str, ...] | None:
        """Return the energy objects granted, by code; None: every energy object of the contract (ROL-15)."""
        granted = self.holding.energy_objects
        return None if granted is None else tuple(sorted(granted))

    @property
    def capabilities(self) -> list[Capability]:
        """Return what the actor may do on the contract, in Table 3's order (the screen shows or hides by it)."""
        return [capability for capability in Capability if allows(self.holding, capability)]


@dataclass(frozen=True)
class ContractListItem:
    """One line of «Договоры»: a bound contract with the actor's role, or a request waiting for its link."""

    contract_number: str
    status: Literal["bound", "pending"]
    name: str | None = None
    customer: str | None = None
    role: Role | None = None
    energy_objects: tuple[str, ...] | None = None  # None: every energy object of the contract
    may_request_administrator: bool = False
    administrator_requested: bool = False
    binding_id: UUID | None = None
    requested_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def role_label(self) -> str | None:
        """Return the role as the manual names it («Руководитель»)."""
        return None if self.role is None else self.role.label


@dataclass(frozen=True)
class ContractUser:
    """One holder of a contract (ROL-06); names are None once the account is gone from the profiles."""

    account_id: UUID
    email: str | None
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    role: Role
    energy_objects: tuple[str, ...] | None  # None: every energy object of the contract
    source: str
    since: datetime

    @property
    def role_label(self) -> str:
        """Return the role as the manual names it («Руководитель»)."""
        return self.role.label


@dataclass(frozen=True)
class OpenAdministratorRequest:
    """A request for the Administrator role that staff have not answered (ROL-12, ROL-13)."""

    request_id: UUID
    contract_number: str
    account_id: UUID
    requested_at: datetime


def my_contracts(services: Services, actor: Actor) -> list[ContractListItem]:
    """Return the actor's contracts by number, then requests still waiting for their link (CON-01, CON-05)."""
    return list(my_contracts_page(services, actor).items)


def my_contracts_page(services: Services, actor: Actor, paging: Paging = ALL) -> Page[ContractListItem]:
    """Return a page of ``my_contracts``: its order is (bound before pending, contract number)."""
    services.check_session(actor)
    keys = Keyset(services.secret, "contracts", 2)
    after, fetch = keys.after(paging), fetch_limit(paging)
    view = services.views.of(ContractsView)
    holdings = [] if after and after[0] else view.holdings_of(
        actor.account_id, after=str(after[1]) if after else None, limit=fetch)
    pending = [] if fetch is not None and len(holdings) >= fetch else view.pending_bindings(
        actor.account_id, services.clock.now(), after=str(after[1]) if after and after[0] else None,
        limit=None if fetch is None else fetch - len(holdings))
    items = [*_bound(services, actor, holdings), *(
        ContractListItem(
            contract_number=row["contract_number"],
            status="pending",
            binding_id=UUID(row["binding_id"]),
            requested_at=datetime.fromisoformat(row["requested_at"]),
            expires_at=datetime.fromisoformat(row["expires_at"]),
        )
        for row in pending
    )]
    return keys.page(items, paging, lambda item: (int(item.status == "pending"), item.contract_number))


def _bound(services: Services, actor: Actor, holdings: list[dict[str, Any]]) -> list[ContractListItem]:
    if not holdings:
        return []  # a list without contracts needs no billing
    view = services.views.of(ContractsView)
    numbers = [row["contract_number"] for row in holdings]
    administrated = view.administrated(numbers)
    requested = {row["contract_number"] for row in view.open_requests(actor.account_id)}
    billing = services.require_billing()  # once, not per contract
    result = []
    for row in holdings:
        number = row["contract_number"]
        contract = billing.find_contract(number)
        result.append(ContractListItem(
            contract_number=number,
            status="bound",
            name=contract.name if contract else None,
            customer=contract.customer.name if contract else None,
            role=Role(row["role"]),
            energy_objects=_objects(row["energy_objects"]),
            may_request_administrator=number not in administrated and number not in requested,
            administrator_requested=number in requested,
        ))
    return result


def contract_detail(services: Services, actor: Actor, number: ContractNumber) -> ContractDetail:
    """Return the contract screen with the actor's role; meters only of the energy objects granted (ROL-15)."""
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


def contract_users(services: Services, actor: Actor, number: ContractNumber) -> list[ContractUser]:
    """Return every account that holds the contract, for its Administrator (ROL-06)."""
    return list(contract_users_page(services, actor, number).items)


def contract_users_page(services: Services, actor: Actor, number: ContractNumber,
                        paging: Paging = ALL) -> Page[ContractUser]:
    """Return a page of ``contract_users``, by (since, account id)."""
    services.authorize(actor, Capability.GRANT_ROLE, number)
    return _users(services, number, paging)


def staff_contract_users(services: Services, staff: StaffActor, number: ContractNumber) -> list[ContractUser]:
    """Return every account that holds the contract, for supplier staff checking a request (ROL-13)."""
    return list(staff_contract_users_page(services, staff, number).items)


def staff_contract_users_page(services: Services, staff: StaffActor, number: ContractNumber,  # noqa: ARG001
                              paging: Paging = ALL) -> Page[ContractUser]:
    """Return a page of ``staff_contract_users``, by (since, account id)."""
    services.contract(number)  # a number billing does not know is not_found, not an empty list
    return _users(services, number, paging)


def open_administrator_requests(services: Services, staff: StaffActor) -> list[OpenAdministratorRequest]:
    """Return the requests for the Administrator role staff have not answered (ROL-12, ROL-13)."""
    return list(open_administrator_requests_page(services, staff).items)


def open_administrator_requests_page(services: Services, staff: StaffActor,  # noqa: ARG001
                                     paging: Paging = ALL) -> Page[OpenAdministratorRequest]:
    """Return a page of ``open_administrator_requests``, oldest first (requested_at, request id)."""
    keys = Keyset(services.secret, "administrator-requests", 2)
    rows = services.views.of(ContractsView).open_requests(after=keys.after(paging), limit=fetch_limit(paging))
    found = [
        OpenAdministratorRequest(request_id=UUID(row["request_id"]), contract_number=row["contract_number"],
                                 account_id=UUID(row["account_id"]),
                                 requested_at=datetime.fromisoformat(row["requested_at"]))
        for row in rows
    ]
    return keys.page(found, paging, lambda request: (stamp(request.requested_at), str(request.request_id)))


def _users(services: Services, number: str, paging: Paging) -> Page[ContractUser]:
    # One list per contract: a cursor names its contract, so it cannot page another one's users.
    keys = Keyset(services.secret, f"contract-users:{number}", 2)
    profiles = services.views.of(ProfileView)
    users = []
    for row in services.views.of(ContractsView).holders(number, after=keys.after(paging), limit=fetch_limit(paging)):
        account_id = UUID(row["account_id"])
        profile = profiles.profile(account_id)
        users.append(ContractUser(
            account_id=account_id,
            email=profile.email if profile else None,
            last_name=profile.last_name if profile else None,
            first_name=profile.first_name if profile else None,
            patronymic=profile.patronymic if profile else None,
            role=Role(row["role"]),
            energy_objects=_objects(row["energy_objects"]),
            source=row["source"],
            since=datetime.fromisoformat(row["since"]),
        ))
    return keys.page(users, paging, lambda user: (stamp(user.since), str(user.account_id)))


def _objects(codes: list[str] | None) -> tuple[str, ...] | None:
    return None if codes is None else tuple(codes)
