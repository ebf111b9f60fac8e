"""Races on one contract's roles are settled by the store's version check (ROL-04, ROL-05, ARCHITECTURE.md §2).

Each racer is its own "process": its own bootstrap()ed services, application,
pool and caches over the same store, released at once by a barrier.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from lkk_core import contracts
from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.contracts.contract_roles import ADMINISTRATOR_GRANT, SECOND_ADMINISTRATOR, ContractRoles, roles_id
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.contracts.commands import ConfirmBinding, GrantAdministrator, GrantRole, RequestBinding
from lkk_core.kernel.errors import Conflict
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.contracts import ContractsView
from tests.contracts_support import C1, C2, C3, C4, Catalogue, bound
from tests.support import Mailbox, registered

RACERS = 8
STAFF = StaffActor("staff-1")
LOST_RACE = "Операция не выполнена из-за одновременного изменения, повторите её"  # services.retrying gave up


@pytest.fixture
def mailbox(store_services: Services) -> Mailbox:
    return Mailbox(store_services)


@pytest.fixture
def racers(store_env: dict[str, str]) -> Iterator[list[Services]]:
    built = [
        bootstrap({**store_env, "POSTGRES_POOL_SIZE": "2"}, clock=FixedClock(), billing=Catalogue())
        for _ in range(RACERS)
    ]
    yield built
    for services in built:
        services.views.close()
        services.app.close()


def race(racers: list[Services], step: Callable[[int, Services], Any]) -> list[Any]:
    """Run ``step(i, services)`` in one thread per racer, all released together; return outcomes by racer.

    An outcome is the step's result, or the exception it raised (any kind: the caller judges).
    """
    start = threading.Barrier(len(racers))
    outcomes: list[Any] = [None] * len(racers)

    def run(i: int, services: Services) -> None:
        start.wait()
        try:
            outcomes[i] = step(i, services)
        except Exception as ex:  # noqa: BLE001  (judged by the test, not swallowed)
            outcomes[i] = ex

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def accounts(services: Services, mailbox: Mailbox, n: int) -> list[Actor]:
    return [registered(services, mailbox, f"racer{i}@example.com") for i in range(n)]


def role_events(services: Services, number: str, event_class: type) -> list[Any]:
    """Return the contract's events of that kind, read from the log."""
    notifications = services.app.recorder.select_notifications(
        start=1, limit=100_000, topics=[get_topic(event_class)]
    )
    events = [services.app.mapper.to_domain_event(n) for n in notifications]
    return [e for e in events if e.originator_id == roles_id(number)]


def fresh_roles(services: Services, number: str) -> ContractRoles:
    services.app.repository.cache = None  # read the log, not what this process remembers
    return services.get(ContractRoles, roles_id(number))


def test_rol05_of_eight_holders_raced_to_administrator_exactly_one_wins(
    store_services: Services, mailbox: Mailbox, racers: list[Services]
) -> None:
    holders = accounts(store_services, mailbox, RACERS)
    for actor in holders:
        bound(store_services, mailbox, actor, C1, "client1@mail.ru")

    outcomes = race(racers, lambda i, services: contracts.grant_administrator(
        services, STAFF, C1, GrantAdministrator(account_id=holders[i].account_id)))

    winners = [i for i, o in enumerate(outcomes) if isinstance(o, int)]
    losers = [o for o in outcomes if not isinstance(o, int)]
    assert len(winners) == 1, outcomes
    assert all(type(o) is Conflict and o.message in (SECOND_ADMINISTRATOR, LOST_RACE) for o in losers), losers
    granted = [e for e in role_events(store_services, C1, ContractRoles.RoleChanged) if e.role == Role.ADMINISTRATOR]
    assert [e.account_id for e in granted] == [holders[winners[0]].account_id]
    roles = fresh_roles(store_services, C1)
    assert roles.administrator == holders[winners[0]].account_id
    assert Counter(h.role for h in roles.holdings.values()) == {Role.ADMINISTRATOR: 1, Role.MANAGER: RACERS - 1}
    store_services.views.catch_up()
    admins = [r for r in store_services.views.of(ContractsView).holders(C1) if r["role"] == Role.ADMINISTRATOR]
    assert [UUID(r["account_id"]) for r in admins] == [holders[winners[0]].account_id]


class BinderRefused(Exception):
    """A binder was refused only because others bound the same contract at the same time."""


def bind_at_once(racers: list[Services], binders: list[Actor], number: str, email: str) -> list[Any]:
    """Every binder asks for the contract, then all follow their links at the same instant."""
    confirm_together = threading.Barrier(len(racers))

    def bind(i: int, services: Services) -> int:
        asked = contracts.request_binding(services, binders[i], RequestBinding(contract_number=number, email=email))
        confirm_together.wait()  # every write of the contract's roles at once
        return contracts.confirm_binding(services, link(services, asked.binding_id))[1]

    return race(racers, bind)


def link(services: Services, binding_id: UUID) -> ConfirmBinding:
    """Return the link the outbox e-mails for the binding (CON-04), derived from its recorded nonce."""
    binding = services.get(ContractBinding, binding_id)
    return ConfirmBinding(binding_id=binding.id, token=services.secret.link_token(binding.id, binding.nonce))


def test_con07_eight_accounts_binding_one_contract_at_once_lose_no_binding(
    store_services: Services, mailbox: Mailbox, racers: list[Services]
) -> None:
    binders = accounts(store_services, mailbox, RACERS)

    outcomes = bind_at_once(racers, binders, C2, "client1@mail.ru")

    # Should a racer ever lose every retry, it is told so, and nothing of it is half-written.
    lost = [b for b, o in zip(binders, outcomes, strict=True) if not isinstance(o, int)]
    assert all(type(o) is Conflict and o.message == LOST_RACE for o in outcomes if not isinstance(o, int)), outcomes
    for binder in lost:  # the person follows the same link again
        binding_id = ContractBinding.create_id(C2, binder.account_id)
        assert store_services.get(ContractBinding, binding_id).status == "pending"
        contracts.confirm_binding(store_services, link(store_services, binding_id))
    roles = fresh_roles(store_services, C2)
    assert {a: h.role for a, h in roles.holdings.items()} == {b.account_id: Role.MANAGER for b in binders}
    granted = role_events(store_services, C2, ContractRoles.RoleGranted)
    assert sorted(e.account_id for e in granted) == sorted(b.account_id for b in binders)  # no lost update
    assert len(role_events(store_services, C2, ContractRoles.Opened)) == 1
    store_services.views.catch_up()
    assert len(store_services.views.of(ContractsView).holders(C2)) == RACERS


@pytest.mark.postgres
def test_con07_eight_accounts_binding_one_contract_at_once_all_succeed(postgres_env: dict[str, str]) -> None:
    setup = bootstrap(postgres_env, clock=FixedClock(), billing=Catalogue())
    racers = [bootstrap({**postgres_env, "POSTGRES_POOL_SIZE": "2"}, clock=FixedClock(), billing=Catalogue())
              for _ in range(RACERS)]
    try:
        binders = accounts(setup, Mailbox(setup), RACERS)
        # One round fails most of the time; four make the outcome all but certain.
        for number, email in ((C1, "client1@mail.ru"), (C2, "client1@mail.ru"), (C3, "client1@mail.ru"),
                              (C4, "client2@mail.ru")):
            outcomes = bind_at_once(racers, binders, number, email)
            refused = [o for o in outcomes if not isinstance(o, int)]
            assert all(type(o) is Conflict and o.message == LOST_RACE for o in refused), (number, outcomes)
            if refused:
                raise BinderRefused(number, refused)
    finally:
        for services in (setup, *racers):
            services.views.close()
            services.app.close()


@pytest.mark.parametrize("grantees", [
    pytest.param(("racer1@example.com", "racer2@example.com"), id="registered"),
    pytest.param(("new1@example.com", "new2@example.com"), id="invited"),
])
def test_rol14_one_administrator_granting_from_two_threads_lands_both_grants(
    store_services: Services, mailbox: Mailbox, racers: list[Services], grantees: tuple[str, str]
) -> None:
    administrator, *_ = accounts(store_services, mailbox, 3)
    bound(store_services, mailbox, administrator, C3, "client1@mail.ru")
    contracts.grant_administrator(store_services, STAFF, C3, GrantAdministrator(account_id=administrator.account_id))
    roles = (Role.ACCOUNTANT, Role.POWER_ENGINEER)

    outcomes = race(racers[:2], lambda i, services: contracts.grant_role(
        services, administrator, C3, GrantRole(role=roles[i], email=grantees[i], energy_objects=[f"{C3}0001"])))

    assert all(isinstance(o, contracts.RoleGrant) for o in outcomes), outcomes
    held = fresh_roles(store_services, C3).holdings
    assert {o.account_id: held[o.account_id].role for o in outcomes} == dict(
        zip((o.account_id for o in outcomes), roles, strict=True))
    granted = [e for e in role_events(store_services, C3, ContractRoles.RoleGranted) if e.source == ADMINISTRATOR_GRANT]
    assert sorted((e.account_id, e.role) for e in granted) == sorted(
        (o.account_id, r.value) for o, r in zip(outcomes, roles, strict=True))
