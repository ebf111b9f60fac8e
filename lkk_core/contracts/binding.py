"""Binding a contract by its number and a listed e-mail, and removing it (CON-02 … CON-08, CON-11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lkk_core.accounts import Account, normalise_identifier
from lkk_core.contracts.contract_binding import ALREADY_BOUND, LINK_UNKNOWN, ContractBinding, binding_id
from lkk_core.contracts.contract_roles import ContractRoles
from lkk_core.contracts.commands import ConfirmBinding, RequestBinding
from lkk_core.contracts import _common
from lkk_core.contracts.release import drop_binding
from lkk_core.kernel.access import Standing
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.errors import Conflict, NotFound, ValidationFailed
from lkk_core.kernel.permissions import NOT_FOUND, Capability
from lkk_core.kernel.security import new_nonce, token_hash
from lkk_core.kernel.services import Actor, Services

EMAIL_NOT_ON_CONTRACT = "Указанный адрес электронной почты не найден в договоре"  # NOTE: proposal (CON-03)


@dataclass(frozen=True)
class BindingRequested:
    """A pending binding: the link went to the e-mail typed; it works until ``expires_at``."""

    binding_id: UUID
    contract_number: str
    expires_at: datetime
    position: int


def request_binding(services: Services, actor: Actor, cmd: RequestBinding) -> BindingRequested:
    """«Новый договор» → «Сохранить»: check the e-mail against the contract and e-mail a link (CON-02 … CON-04)."""
    number = cmd.contract_number  # valid: the command model checked it (CON-02)
    services.check_session(actor, Standing.CONFIRMED_EMAIL)
    contract = services.contract(number)
    listed = {normalise_identifier(email) for email in contract.emails}
    if normalise_identifier(cmd.email) not in listed:
        raise ValidationFailed(EMAIL_NOT_ON_CONTRACT, field="email")

    def attempt() -> BindingRequested:
        now = services.clock.now()
        if services.holding(actor.account_id, number) is not None:
            raise Conflict(ALREADY_BOUND, contract_number=number)
        binding = services.find(ContractBinding, binding_id(number, actor.account_id))
        if binding is None:
            binding = ContractBinding.request(number, actor.account_id, email=cmd.email, nonce=new_nonce(), now=now)
        else:
            binding.request_again(email=cmd.email, nonce=new_nonce(), now=now)
        position = services.save(binding)
        return BindingRequested(binding.id, number, binding.expires_at, position)

    return services.write(attempt)


def confirm_binding(services: Services, cmd: ConfirmBinding) -> tuple[str, int]:
    """Follow the e-mailed link: bind and become «Руководитель» (CON-04, CON-05, CON-08); no login needed."""

    def attempt() -> tuple[str, int]:
        now = services.clock.now()
        binding = services.find(ContractBinding, cmd.binding_id)
        if binding is None:
            raise NotFound(LINK_UNKNOWN, field="binding_id")
        expected = token_hash(services.secret.link_token(binding.id, binding.nonce))
        binding.confirm(token_hash(cmd.token), expected, now=now)
        account = services.find(Account, binding.account_id)
        if account is None or account.is_deleted:
            raise NotFound(LINK_UNKNOWN, field="binding_id")
        roles = _common.roles(services, binding.contract_number)
        if roles is None:
            roles = ContractRoles(contract_number=binding.contract_number, at=now)
        roles.take_as_binder(binding.account_id, now=now)
        return binding.contract_number, services.save(binding, roles)

    return services.write(attempt)


def unbind_contract(services: Services, actor: Actor, number: ContractNumber) -> int:
    """«Удалить договор» → «Удалить»: the contract leaves this account only (CON-11)."""

    def attempt() -> int:
        services.authorize(actor, Capability.REMOVE_CONTRACT, number)
        roles = _common.roles(services, number)
        assert roles is not None  # the access check found a holding in it
        now = services.clock.now()
        roles.leave(actor.account_id, now=now)
        return services.save(roles, *drop_binding(services, number, actor.account_id, now, "user"))

    return services.write(attempt)


def cancel_binding_request(services: Services, actor: Actor, number: ContractNumber) -> int:
    """Withdraw a pending request before its link is followed."""
    services.check_session(actor)

    def attempt() -> int:
        binding = services.find(ContractBinding, binding_id(number, actor.account_id))
        if binding is None or not binding.is_pending(services.clock.now()):
            raise NotFound(NOT_FOUND, field="contract_number")
        binding.unbind(now=services.clock.now(), reason="cancelled")
        return services.save(binding)

    return services.write(attempt)


def expire_binding(services: Services, binding_id_: UUID) -> bool:
    """Record the expiry of one request past its 24 hours (CON-05); False if it was not due."""

    def attempt() -> bool:
        binding = services.find(ContractBinding, binding_id_)
        if binding is None or not binding.expire(now=services.clock.now()):
            return False
        services.save(binding)
        return True

    return services.write(attempt)

