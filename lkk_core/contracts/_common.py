"""Steps shared by the contract use cases and queries."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from lkk_core.aggregates.contract_roles import ContractRoles, roles_id
from lkk_core.billing import Contract, is_contract_number
from lkk_core.aggregates.account import Account
from lkk_core.errors import NotFound, Unauthenticated, ValidationFailed
from lkk_core.permissions import Capability, Holding, require
from lkk_core.ports import Billing
from lkk_core.services import Actor, Services

A = TypeVar("A", bound=Aggregate)

WRONG_NUMBER = "Номер договора должен состоять из 14 цифр"  # NOTE: proposal, DOMAIN.md §13.14 (CON-02)
NOT_FOUND = "Договор не найден"  # NOTE: proposal


def contract_number(text: str) -> str:
    """Return the typed number without surrounding spaces, or refuse it (CON-02)."""
    number = text.strip()
    if not is_contract_number(number):
        raise ValidationFailed(WRONG_NUMBER, field="contract_number")
    return number


def billing(services: Services) -> Billing:
    """Return the billing port; a deployment without one cannot serve contracts."""
    if services.billing is None:
        msg = "no billing adapter is configured (LKK_BILLING_DATASET)"
        raise RuntimeError(msg)
    return services.billing


def contract(services: Services, number: str) -> Contract:
    """Return the contract billing knows by that number, or NotFound."""
    found = billing(services).find_contract(number)
    if found is None:
        raise NotFound(NOT_FOUND, field="contract_number")
    return found


def roles(services: Services, number: str) -> ContractRoles | None:
    """Load the contract's roles for a command (a copy it may change), or None before anyone held it."""
    return services.find(ContractRoles, roles_id(number))


def peek(services: Services, cls: type[A], aggregate_id: UUID) -> A | None:
    """Load an aggregate for reading only: the cached instance itself, not a copy.

    eventsourcing deep-copies a cached aggregate on every ``get`` so that a
    command's half-done changes cannot leak into the cache; a query changes
    nothing, and the copy was most of its cost. Never call a command method
    on what this returns.
    """
    try:
        found = services.app.repository.get(aggregate_id, deepcopy_from_cache=False)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, cls) else None


def reading_actor(services: Services, actor: Actor) -> None:
    """Check, for a query, that the actor's session is live (``acting_account`` without the copy)."""
    account = peek(services, Account, actor.account_id)
    if account is None or account.is_deleted or account.live_session(actor.session_id) is None:
        raise Unauthenticated


def holding(services: Services, account_id: UUID, number: str) -> Holding | None:
    """Return the account's role on the contract, read from the aggregate (always current)."""
    found = peek(services, ContractRoles, roles_id(number))
    return None if found is None else found.holding(account_id)


def require_capability(services: Services, actor: Actor, number: str, capability: Capability) -> Holding:
    """Return the actor's holding if Table 3 allows the capability; NotFound or Forbidden otherwise."""
    return require(holding(services, actor.account_id, number), capability, contract_number=number)
