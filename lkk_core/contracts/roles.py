"""Roles on a contract: the Administrator's grants, staff's Administrator, requests (DOMAIN.md §12)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from lkk_core.accounts import EMAIL, LOGIN, Account, account_by_identifier, claim
from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.contracts.contract_roles import (
    NOT_A_CONTRACT_USER,
    REQUEST_NOT_FOUND,
    USER_NOT_FOUND,
    ContractRoles,
    roles_id,
)
from lkk_core.contracts.commands import GrantAdministrator, GrantRole, RefuseAdministratorRequest
from lkk_core.contracts import _common
from lkk_core.contracts.release import drop_binding
from lkk_core.kernel.access import Standing
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.errors import NotFound
from lkk_core.kernel.permissions import Capability
from lkk_core.kernel.security import new_nonce
from lkk_core.kernel.services import Actor, Services, StaffActor


@dataclass(frozen=True)
class RoleGrant:
    """The outcome of a grant: the grantee, and whether the grant opened an account for them (ROL-16)."""

    account_id: UUID
    invited: bool
    position: int


def grant_role(services: Services, actor: Actor, number: ContractNumber, cmd: GrantRole) -> RoleGrant:
    """«Добавить роль» → «Сохранить»: give or change a role on chosen energy objects (ROL-14 … ROL-16)."""
    contract = services.authorize(actor, Capability.GRANT_ROLE, number, standing=Standing.ONBOARDED).contract

    def attempt() -> RoleGrant:
        roles = services.get(ContractRoles, roles_id(number))
        now = services.clock.now()
        grantee = account_by_identifier(services, cmd.email)
        created: list[object] = []
        nonce = None
        if grantee is None:
            nonce = new_nonce()
            password = services.secret.initial_password(roles.id, nonce)
            login = f"lkk{secrets.randbelow(10**8):08d}"
            grantee = Account.invite(
                email=cmd.email, login=login, password_hash=services.passwords.hash(password), now=now
            )
            created = [grantee, claim(services, EMAIL, cmd.email, grantee.id), claim(services, LOGIN, login, grantee.id)]
        roles.grant(
            actor.account_id, grantee.id, cmd.role, frozenset(cmd.energy_objects),
            contract_objects=contract.energy_object_codes, invitation_nonce=nonce, now=now,
        )
        position = services.save(*created, roles)  # type: ignore[arg-type]
        return RoleGrant(grantee.id, nonce is not None, position)

    return services.write(attempt)


def revoke_role(services: Services, actor: Actor, number: ContractNumber, account_id: UUID) -> int:
    """«Удаление назначенной роли»: the holder loses the contract (ROL-17)."""

    def attempt() -> int:
        services.authorize(actor, Capability.REVOKE_ROLE, number)
        roles = services.get(ContractRoles, roles_id(number))
        now = services.clock.now()
        roles.revoke(actor.account_id, account_id, now=now)
        return services.save(roles, *_unbound(services, number, account_id, now))

    return services.write(attempt)


@dataclass(frozen=True)
class AdministratorRequest:
    """A recorded «Запросить доступ»: its id and the log position it was written at."""

    request_id: UUID
    position: int


def request_administrator(services: Services, actor: Actor, number: ContractNumber) -> AdministratorRequest:
    """«Запросить доступ»: record a request staff can act on (ROL-12); the appeal comes with appeals."""
    request_id = uuid4()

    def attempt() -> AdministratorRequest:
        services.authorize(actor, Capability.REQUEST_ADMINISTRATOR, number)
        roles = services.get(ContractRoles, roles_id(number))
        roles.request_administrator(actor.account_id, request_id, now=services.clock.now())
        return AdministratorRequest(request_id, services.save(roles))

    return services.write(attempt)


# -- supplier staff --------------------------------------------------------------


def grant_administrator(
    services: Services, staff: StaffActor, number: ContractNumber, cmd: GrantAdministrator
) -> int:
    """Make a holder of the contract its Administrator, after checking their authority (ROL-08, ROL-13)."""

    def attempt() -> int:
        roles = _common.roles(services, number)
        if roles is None:
            raise NotFound(NOT_A_CONTRACT_USER, field="account_id")
        roles.grant_administrator(cmd.account_id, staff_id=staff.staff_id, now=services.clock.now())
        return services.save(roles)

    return services.write(attempt)


def revoke_role_by_staff(services: Services, staff: StaffActor, number: ContractNumber, account_id: UUID) -> int:
    """Remove any holder's role, the Administrator's included (ROL-17 decision)."""

    def attempt() -> int:
        roles = _common.roles(services, number)
        if roles is None:
            raise NotFound(USER_NOT_FOUND, field="account_id")
        now = services.clock.now()
        roles.revoke_by_staff(account_id, staff_id=staff.staff_id, now=now)
        return services.save(roles, *_unbound(services, number, account_id, now))

    return services.write(attempt)


def refuse_administrator_request(
    services: Services, staff: StaffActor, number: ContractNumber, cmd: RefuseAdministratorRequest
) -> int:
    """Answer a request for the Administrator role with a refusal (ROL-13)."""

    def attempt() -> int:
        roles = _common.roles(services, number)
        if roles is None:
            raise NotFound(REQUEST_NOT_FOUND, field="account_id")
        roles.refuse_request(cmd.account_id, staff_id=staff.staff_id, now=services.clock.now())
        return services.save(roles)

    return services.write(attempt)


def _unbound(services: Services, number: str, account_id: UUID, now: datetime) -> list[ContractBinding]:
    # The holder's own binding, or a request still waiting for its link, goes with the role:
    # the contract leaves their account, and an old link cannot bring it back (ROL-17).
    return drop_binding(services, number, account_id, now, "role_revoked")
