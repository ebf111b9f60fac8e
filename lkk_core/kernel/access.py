"""The one access check: actor + capability + contract (+ energy objects) → what the use case may touch.

Every command and query of every context asks here, and nowhere else. It
checks the session once, reads the actor's holding on the contract from
one source (the contract's roles aggregate, always current, read without
a copy), applies Table 3 with its energy-object scope (ROL-15), and hands
back billing's contract with the holding.

The kernel knows no context: who has a live session is told by the
accounts context, and who holds what by the contracts context, each
through a small Protocol the composition root (``lkk_core.bootstrap``)
plugs in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from pydantic import TypeAdapter

from lkk_core.kernel.billing import Contract
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.permissions import Capability, Holding, require

if TYPE_CHECKING:
    from lkk_core.kernel.services import Actor, Services



class Standing(Enum):
    """How far the actor's account must be for the action (ACC-05, ACC-06)."""

    SESSION = "session"  # a live session is enough (queries, most commands)
    CONFIRMED_EMAIL = "confirmed_email"  # paying, binding, readings (ACC-06)
    ONBOARDED = "onboarded"  # code, personal data and phone in (ACC-05)


class Sessions(Protocol):
    """Tells whether an actor's session is live and its account far enough; raises otherwise."""

    def check(self, services: Services, actor: Actor, standing: Standing) -> None:
        """Raise ``Unauthenticated`` or ``PreconditionFailed`` unless the actor may act."""


class Holdings(Protocol):
    """Tells which role, if any, an account holds on a contract."""

    def holding(self, services: Services, account_id: UUID, contract_number: str) -> Holding | None:
        """Return the account's holding on the contract, or None."""


@dataclass(frozen=True)
class Access:
    """What a passed check hands the use case: billing's contract and the actor's holding on it."""

    contract: Contract
    holding: Holding


_CONTRACT_NUMBER = TypeAdapter(ContractNumber)


def valid_contract_number(text: str) -> str:
    """Return a number typed outside a command model (a path parameter, the CLI) without spaces, or refuse it.

    The same type as the command models' field, so the same refusal:
    ``ValidationFailed`` with CON-02's message on ``contract_number``.
    """
    return _CONTRACT_NUMBER.validate_python(text)


class AccessCheck:
    """The one check of who may do what, over the sessions and holdings the contexts provide."""

    def __init__(self, sessions: Sessions, holdings: Holdings) -> None:
        self._sessions, self._holdings = sessions, holdings

    def session(self, services: Services, actor: Actor, standing: Standing = Standing.SESSION) -> None:
        """Check only the session (actions that concern no contract)."""
        self._sessions.check(services, actor, standing)

    def holding(self, services: Services, account_id: UUID, number: str) -> Holding | None:
        """Return an account's holding on a contract (no session check: for listings and staff)."""
        return self._holdings.holding(services, account_id, number)

    def require(  # noqa: PLR0913  (the check's inputs, all keyword but the three every call has)
        self,
        services: Services,
        actor: Actor,
        capability: Capability,
        number: str,
        *,
        energy_objects: Iterable[str] = (),
        standing: Standing = Standing.SESSION,
    ) -> Access:
        """Check session, role and scope once; return the contract and holding, or refuse.

        No role → ``NotFound`` (the contract is not the actor's to see), a role
        without the capability or an energy object outside the grant →
        ``Forbidden``, a number billing does not know → ``NotFound``.
        """
        self._sessions.check(services, actor, standing)
        holding = require(self._holdings.holding(services, actor.account_id, number), capability,
                          contract_number=number)
        for code in energy_objects:  # ROL-15: every energy object of the request must be granted
            require(holding, capability, contract_number=number, energy_object=code)
        return Access(services.contract(number), holding)
