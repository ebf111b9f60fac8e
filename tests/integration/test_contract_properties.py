"""Any interleaving of contract and role commands keeps DOMAIN.md §2 and §12 and replays (STYLE 21).

A hypothesis state machine drives the services (SQLite, a movable clock)
with four onboarded accounts and the contracts C1–C4 of the in-memory
catalogue. It keeps a model of its own — roles, Administrators, bindings,
requests for the Administrator role — predicts each command's outcome from it
(success, or exactly which refusal), and after every step compares the model
with the aggregates, the contracts view and what people are shown. At the
end the log must replay to the same aggregates, and views rebuilt from
position 0 must equal the live ones.

Subjects are drawn "aimed" three times in four (an Administrator granting, a
holder unbinding, an open request refused) and at random otherwise, so that
both the successes and the refusals are reached in a few dozen steps.
(``--hypothesis-show-statistics`` lists how often each outcome happened.)
"""

from __future__ import annotations

import copy
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from lkk_core import contracts
from lkk_core.contracts.contract_binding import (
    BINDING_LIFETIME,
    BOUND,
    EXPIRED,
    PENDING,
    UNBOUND,
    ContractBinding,
    binding_id,
)
from lkk_core.contracts.contract_roles import ADMINISTRATOR_GRANT, BINDING, STAFF_GRANT, ContractRoles, roles_id
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.contracts.commands import (
    ConfirmBinding,
    GrantAdministrator,
    GrantRole,
    RefuseAdministratorRequest,
    RequestBinding,
)
from lkk_core.kernel.errors import Conflict, Expired, Forbidden, LkkError, NotFound
from lkk_core.kernel.permissions import GRANTABLE_BY_ADMINISTRATOR, Role
from lkk_core.kernel.services import StaffActor
from lkk_core.sweep import sweep
from lkk_core.contracts import ContractsView
from tests.conftest import base_env
from tests.contracts_support import C1, C2, C3, C4, Catalogue
from tests.support import Mailbox, replays_and_verifies, registered

pytestmark = pytest.mark.slow

T = TypeVar("T")
Pair = tuple[str, UUID]  # (contract number, account id)

NUMBERS = (C1, C2, C3, C4)
ACCOUNT_EMAILS = ("client1@mail.ru", "client2@mail.ru", "alice@example.com", "dave@example.com")
NEWCOMER = "newcomer@example.com"  # nobody registered it: a grant to it opens an account (ROL-16)
GRANTEE_EMAILS = (*ACCOUNT_EMAILS, NEWCOMER)
STRANGER = UUID(int=7)  # an id no account has, until the newcomer's account takes its place in the draws
STAFF = StaffActor("staff-1")
GRANTABLE = sorted(GRANTABLE_BY_ADMINISTRATOR)
# Minutes to 30 hours; mostly short waits, so that links get followed, and the edges of CON-05's 24 hours.
MINUTES = st.one_of(
    *[st.integers(1, 6 * 60)] * 3, st.sampled_from([23 * 60 + 59, 24 * 60, 24 * 60 + 1]), st.integers(1, 30 * 60)
)
EVERY_ACTOR_AND_CONTRACT = [(who, number) for who in range(len(ACCOUNT_EMAILS)) for number in NUMBERS]


class ContractCommands(RuleBasedStateMachine):
    """Random contract and role stories; the model, the aggregates and the views must agree throughout."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.env = {**base_env(self.dir), "SQLITE_DBNAME": str(self.dir / "lkk.db")}
        self.clock = FixedClock()
        self.billing = Catalogue()
        self.services = bootstrap(self.env, clock=self.clock, billing=self.billing)
        self.mailbox = Mailbox(self.services)
        self.actors = [registered(self.services, self.mailbox, email) for email in ACCOUNT_EMAILS]
        self.by_email = {email: actor.account_id for email, actor in zip(ACCOUNT_EMAILS, self.actors, strict=True)}
        # The live aggregates as the commands left them (the cache would be a replay itself).
        self.live: dict[UUID, dict[str, Any]] = {}
        save = self.services.save

        def save_and_keep(*aggregates: Any) -> int:
            position = save(*aggregates)
            self.live.update({a.id: copy.deepcopy(vars(a)) for a in aggregates})
            return position

        self.services.save = save_and_keep  # type: ignore[method-assign]
        # The model: what §2 and §12 say the services hold.
        self.holdings: dict[Pair, tuple[Role, frozenset[str] | None, str]] = {}  # role, scope, source
        self.administrators: dict[str, UUID] = {}
        self.bindings: dict[Pair, tuple[str, datetime]] = {}  # recorded status, deadline
        self.requests: dict[str, set[UUID]] = {number: set() for number in NUMBERS}

    # -- the model's helpers ----------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def accounts(self) -> list[UUID]:
        """Every account in the order it was made (ids are random per run: never sort by them)."""
        return [*self.by_email.values(), *([] if NEWCOMER in self.by_email else [STRANGER])]

    def order(self, pair: Pair) -> tuple[str, int]:
        return pair[0], self.accounts.index(pair[1])

    def role(self, number: str, account_id: UUID) -> Role | None:
        held = self.holdings.get((number, account_id))
        return held[0] if held else None

    def status(self, pair: Pair) -> str | None:
        """Return the binding's recorded status (a pending one past its deadline stays pending until swept)."""
        return self.bindings[pair][0] if pair in self.bindings else None

    def waiting(self, pair: Pair) -> bool:
        """Tell whether the request still waits for its link (CON-05: it is over from ``now >= deadline``)."""
        return self.status(pair) == PENDING and self.now < self.bindings[pair][1]

    def set_status(self, pair: Pair, status: str) -> None:
        self.bindings[pair] = (status, self.bindings[pair][1])

    def lose(self, number: str, account_id: UUID, *, pending_too: bool) -> None:
        """The holder loses the role and the contract: its bound binding or live request goes too (ROL-17)."""
        del self.holdings[number, account_id]
        if self.administrators.get(number) == account_id:
            del self.administrators[number]
        self.requests[number].discard(account_id)
        pair = (number, account_id)
        if self.status(pair) == BOUND or (pending_too and self.waiting(pair)):
            self.set_status(pair, UNBOUND)

    def holding_actors(self, *, administrators_only: bool = False) -> list[tuple[int, str]]:
        return [
            (who, number) for who, number in EVERY_ACTOR_AND_CONTRACT
            if (role := self.role(number, self.actors[who].account_id))
            and (role is Role.ADMINISTRATOR or not administrators_only)
        ]

    def open_requests(self) -> list[Pair]:
        return [(n, a) for n in NUMBERS for a in self.accounts if a in self.requests[n]]

    def every_contract_and_account(self) -> list[Pair]:
        return [(n, a) for n in NUMBERS for a in self.accounts]

    def holders(self, number: str) -> list[UUID]:
        return [a for a in self.accounts if (number, a) in self.holdings]

    @staticmethod
    def aim(data: st.DataObject, aimed: list[T], anything: list[T]) -> T:
        """Draw from ``aimed`` three times in four (when it has anything), from ``anything`` otherwise."""
        if aimed and data.draw(st.integers(0, 3), label="aim"):
            return data.draw(st.sampled_from(aimed))
        return data.draw(st.sampled_from(anything))

    def expect(self, what: str, expected: type[LkkError] | None, action: Callable[[], T]) -> T | None:
        """Run a command: it succeeds, or fails with exactly the refusal the model predicts, writing nothing."""
        event(f"{what}: {expected.__name__ if expected else 'done'}")
        head = self.services.app.head()
        try:
            result = action()
        except LkkError as ex:
            assert expected is not None, f"{what}: refused with {ex!r}, the model expected success"
            assert type(ex) is expected, f"{what}: refused with {ex!r}, the model expected {expected.__name__}"
            assert self.services.app.head() == head, f"{what}: refused with {ex!r}, yet the log moved"
            return None
        assert expected is None, f"{what}: done, the model expected {expected.__name__}"
        return result

    def links(self, pair: Pair) -> list[tuple[UUID, str]]:
        """Deliver the outbox and return every link e-mailed for the pair's binding, oldest first."""
        wanted = binding_id(*pair)
        self.mailbox.deliver()
        found = []
        for mail in self.mailbox.letters.sent:
            if match := re.search(r"https?://\S+", mail.body):
                query = parse_qs(urlsplit(match.group()).query)
                if query.get("binding_id") == [str(wanted)]:
                    found.append((wanted, query["token"][0]))
        return found

    # -- a head start --------------------------------------------------------------------

    @initialize()
    def a_head_start(self) -> None:
        # C1: client1 is its Administrator and alice its Accountant, so grants and revocations
        # happen early; C4: client2 holds it without an Administrator (requests); C2, C3 start empty.
        client1, client2 = self.actors[0].account_id, self.actors[1].account_id
        self.request_binding(0, C1, "client1@mail.ru")
        self.confirm((C1, client1), stale=False)
        self.staff_grants_administrator(C1, client1)
        self.grant_role(0, C1, Role.ACCOUNTANT, "alice@example.com", [f"{C1}0001"])
        self.request_binding(1, C4, "bob@example.com")
        self.confirm((C4, client2), stale=False)
        assert (self.administrators, self.role(C1, self.by_email["alice@example.com"])) == (
            {C1: client1}, Role.ACCOUNTANT)

    # -- binding (CON-02 … CON-07, CON-11) --------------------------------------------

    @rule(subject=st.sampled_from(EVERY_ACTOR_AND_CONTRACT), data=st.data())
    def request(self, subject: tuple[int, str], data: st.DataObject) -> None:
        who, number = subject
        self.request_binding(who, number, data.draw(st.sampled_from(self.billing.contracts[number].emails)))

    def request_binding(self, who: int, number: str, email: str) -> None:
        actor = self.actors[who]
        pair = (number, actor.account_id)
        refused = Conflict if pair in self.holdings or self.status(pair) == BOUND else None  # CON-07
        result = self.expect("request binding", refused, lambda: contracts.request_binding(
            self.services, actor, RequestBinding(contract_number=number, email=email)))
        if result is not None:
            assert result.expires_at == self.now + BINDING_LIFETIME
            self.bindings[pair] = (PENDING, result.expires_at)

    @precondition(lambda self: self.bindings)
    @rule(data=st.data(), stale=st.booleans())
    def follow_a_link(self, data: st.DataObject, stale: bool) -> None:
        pairs = sorted(self.bindings, key=self.order)
        self.confirm(self.aim(data, [p for p in pairs if self.waiting(p)], pairs), stale=stale)

    def confirm(self, pair: Pair, *, stale: bool) -> None:
        links = self.links(pair)
        binding, token = links[0] if stale else links[-1]
        status, deadline = self.bindings[pair]
        if token != links[-1][1]:
            refused: type[LkkError] | None = NotFound  # a replaced link is dead (CON-07)
        elif status == BOUND:
            refused = Conflict  # a second use (CON-04)
        elif status == UNBOUND:
            refused = NotFound  # withdrawn, or the contract was removed since
        elif status == EXPIRED or self.now >= deadline:
            refused = Expired  # CON-05
        elif pair in self.holdings:
            refused = Conflict  # granted a role meanwhile: the account already holds the contract
        else:
            refused = None
        done = self.expect("follow a link", refused, lambda: contracts.confirm_binding(
            self.services, ConfirmBinding(binding_id=binding, token=token)))
        if done is not None:
            self.set_status(pair, BOUND)
            self.holdings[pair] = (Role.MANAGER, None, BINDING)  # CON-08

    @precondition(lambda self: PENDING in {status for status, _ in self.bindings.values()})
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        pending = sorted((p for p, (status, _) in self.bindings.items() if status == PENDING), key=self.order)
        number, account_id = pair = data.draw(st.sampled_from(pending))
        actor = self.actors[self.accounts.index(account_id)]
        waiting = self.waiting(pair)
        self.expect("cancel a request", None if waiting else NotFound,
                    lambda: contracts.cancel_binding_request(self.services, actor, number))
        if waiting:
            self.set_status(pair, UNBOUND)

    @rule(data=st.data())
    def unbind(self, data: st.DataObject) -> None:
        who, number = self.aim(data, self.holding_actors(), EVERY_ACTOR_AND_CONTRACT)
        actor = self.actors[who]
        holds = (number, actor.account_id) in self.holdings
        self.expect("unbind", None if holds else NotFound,
                    lambda: contracts.unbind_contract(self.services, actor, number))
        if holds:
            self.lose(number, actor.account_id, pending_too=True)

    @rule(minutes=MINUTES)
    def wait(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def sweep(self) -> None:
        due = [p for p, (status, deadline) in self.bindings.items() if status == PENDING and self.now >= deadline]
        event(f"sweep: {min(len(due), 2)}{'+' if len(due) > 1 else ''} due")
        report = sweep(self.services)
        assert (report.bindings_expired, report.contracts_released, report.keys_shredded) == (len(due), 0, 0)
        for pair in due:
            self.set_status(pair, EXPIRED)

    # -- roles (ROL-04 … ROL-17) -------------------------------------------------------

    @rule(data=st.data())
    def staff_grant_administrator(self, data: st.DataObject) -> None:
        # Aimed at open requests (ROL-13) first, so that contracts also spend a while without an Administrator.
        aimed = self.open_requests() or sorted(self.holdings, key=self.order)
        number, account_id = self.aim(data, aimed, self.every_contract_and_account())
        self.staff_grants_administrator(number, account_id)

    def staff_grants_administrator(self, number: str, account_id: UUID) -> None:
        if (number, account_id) not in self.holdings:
            refused: type[LkkError] | None = NotFound  # ROL-08: only a holder of the contract
        elif self.administrators.get(number, account_id) != account_id:
            refused = Conflict  # ROL-05
        else:
            refused = None
        self.expect("staff grant Administrator", refused, lambda: contracts.grant_administrator(
            self.services, STAFF, number, GrantAdministrator(account_id=account_id)))
        if refused is None and self.administrators.get(number) != account_id:
            self.holdings[number, account_id] = (Role.ADMINISTRATOR, None, STAFF_GRANT)
            self.administrators[number] = account_id
            self.requests[number].clear()  # ROL-12: the button goes for everyone

    @rule(data=st.data(), role=st.sampled_from(GRANTABLE), email=st.sampled_from(GRANTEE_EMAILS))
    def grant(self, data: st.DataObject, role: Role, email: str) -> None:
        who, number = self.aim(data, self.holding_actors(administrators_only=True), EVERY_ACTOR_AND_CONTRACT)
        codes = sorted(self.billing.contracts[number].energy_object_codes)
        self.grant_role(who, number, role, email, data.draw(st.lists(st.sampled_from(codes), min_size=1, unique=True)))

    def grant_role(self, who: int, number: str, role: Role, email: str, objects: list[str]) -> None:
        actor = self.actors[who]
        grantee = self.by_email.get(email)
        if self.role(number, actor.account_id) is None:
            refused: type[LkkError] | None = NotFound
        elif self.role(number, actor.account_id) is not Role.ADMINISTRATOR or grantee == actor.account_id:
            refused = Forbidden  # Table 3 row 13; ROL-14: not one's own role
        else:
            refused = None
        result = self.expect("grant a role", refused, lambda: contracts.grant_role(
            self.services, actor, number, GrantRole(role=role, email=email, energy_objects=objects)))
        if result is None:
            return
        assert result.invited is (grantee is None)  # ROL-16
        if grantee is None:
            self.by_email[email] = grantee = result.account_id
        assert result.account_id == grantee
        old = self.holdings.get((number, grantee))
        if old is None or old[:2] != (role, frozenset(objects)):  # the same grant again changes nothing
            self.holdings[number, grantee] = (role, frozenset(objects), ADMINISTRATOR_GRANT)

    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        who, number = self.aim(data, self.holding_actors(administrators_only=True), EVERY_ACTOR_AND_CONTRACT)
        actor = self.actors[who]
        target = self.aim(data, [a for a in self.holders(number) if a != actor.account_id], self.accounts)
        if self.role(number, actor.account_id) is None:
            refused: type[LkkError] | None = NotFound
        elif self.role(number, actor.account_id) is not Role.ADMINISTRATOR or target == actor.account_id:
            refused = Forbidden  # Table 3 row 14; ROL-17: not the Administrator's own role
        elif (number, target) not in self.holdings:
            refused = NotFound
        else:
            refused = None
        self.expect("revoke a role", refused, lambda: contracts.revoke_role(self.services, actor, number, target))
        if refused is None:
            self.lose(number, target, pending_too=True)

    @rule(number=st.sampled_from(NUMBERS), data=st.data())
    def staff_revokes(self, number: str, data: st.DataObject) -> None:
        target = self.aim(data, self.holders(number), self.accounts)
        holds = (number, target) in self.holdings
        self.expect("staff revoke", None if holds else NotFound,
                    lambda: contracts.revoke_role_by_staff(self.services, STAFF, number, target))
        if holds:
            self.lose(number, target, pending_too=True)

    @rule(data=st.data())
    def request_administrator(self, data: st.DataObject) -> None:
        may_ask = [(who, number) for who, number in self.holding_actors()
                   if number not in self.administrators and self.actors[who].account_id not in self.requests[number]]
        who, number = self.aim(data, may_ask, EVERY_ACTOR_AND_CONTRACT)
        actor = self.actors[who]
        if (number, actor.account_id) not in self.holdings:
            refused: type[LkkError] | None = NotFound
        elif number in self.administrators or actor.account_id in self.requests[number]:
            refused = Conflict  # ROL-12
        else:
            refused = None
        self.expect("request Administrator", refused,
                    lambda: contracts.request_administrator(self.services, actor, number))
        if refused is None:
            self.requests[number].add(actor.account_id)

    @rule(data=st.data())
    def staff_refuses(self, data: st.DataObject) -> None:
        number, target = self.aim(data, self.open_requests(), self.every_contract_and_account())
        is_open = target in self.requests[number]
        self.expect("staff refuse", None if is_open else NotFound, lambda: contracts.refuse_administrator_request(
            self.services, STAFF, number, RefuseAdministratorRequest(account_id=target)))
        self.requests[number].discard(target)

    # -- invariants: after every step ------------------------------------------------------

    @invariant()
    def the_aggregates_hold_what_the_model_says(self) -> None:
        for number in NUMBERS:
            roles = self.services.find(ContractRoles, roles_id(number))
            held = {} if roles is None else {a: (h.role, h.energy_objects) for a, h in roles.holdings.items()}
            assert held == {a: (r, scope) for (n, a), (r, scope, _) in self.holdings.items() if n == number}
            assert len([a for a, (role, _) in held.items() if role is Role.ADMINISTRATOR]) <= 1  # ROL-05
            assert (roles.administrator if roles else None) == self.administrators.get(number)
            assert (roles.open_requests if roles else set()) == self.requests[number]
        for (number, account_id), (status, deadline) in self.bindings.items():
            binding = self.services.get(ContractBinding, binding_id(number, account_id))
            assert (binding.status, binding.expires_at) == (status, deadline)

    @invariant()
    def every_holder_bound_the_contract_or_was_granted_it(self) -> None:
        rows = self.services.views.of(ContractsView).rows("SELECT contract_number, account_id, source FROM {holdings}")
        twice = [key for key, n in Counter((r["contract_number"], r["account_id"]) for r in rows).items() if n > 1]
        assert not twice  # ROL-04
        for row in rows:
            pair = (row["contract_number"], UUID(row["account_id"]))
            binding = self.services.find(ContractBinding, binding_id(*pair))
            bound = binding is not None and binding.is_bound
            assert row["source"] == self.holdings[pair][2]
            assert bound or row["source"] in (ADMINISTRATOR_GRANT, STAFF_GRANT), f"{pair}: neither bound nor granted"
            if row["source"] == BINDING:
                assert bound, f"{pair} holds by binding, but its binding is {binding and binding.status}"
        for pair, (status, _) in self.bindings.items():
            if status == BOUND:
                assert pair in self.holdings, f"{pair} is bound, but holds no role"

    @invariant()
    def the_contracts_view_agrees_with_the_model(self) -> None:
        view = self.services.views.of(ContractsView)
        for number in NUMBERS:
            rows = view.holders(number)
            seen = {UUID(r["account_id"]): (Role(r["role"]), None if r["energy_objects"] is None
                                            else frozenset(r["energy_objects"])) for r in rows}
            assert len(seen) == len(rows)
            assert seen == {a: (r, scope) for (n, a), (r, scope, _) in self.holdings.items() if n == number}
        requests = {(r.contract_number, r.account_id)
                    for r in contracts.open_administrator_requests(self.services, STAFF)}
        assert requests == {(n, a) for n, accounts in self.requests.items() for a in accounts}
        statuses = {(r["contract_number"], UUID(r["account_id"])): r["status"]
                    for r in view.rows("SELECT contract_number, account_id, status FROM {bindings}")}
        assert statuses == {pair: status for pair, (status, _) in self.bindings.items()}

    @invariant()
    def my_contracts_shows_holdings_and_live_requests_only(self) -> None:
        for actor in self.actors:
            me = actor.account_id
            listed = contracts.my_contracts(self.services, actor)
            bound = {r.contract_number: r for r in listed if r.status == "bound"}
            pending = {r.contract_number: r for r in listed if r.status == "pending"}
            assert len(bound) + len(pending) == len(listed)
            assert {n: r.role for n, r in bound.items()} == {
                n: role for (n, a), (role, _, _) in self.holdings.items() if a == me}
            for row in pending.values():
                assert row.expires_at > self.now  # CON-05: never a dead request
            assert set(pending) == {n for n in NUMBERS if self.waiting((n, me))}
            for number, row in bound.items():
                offered = number not in self.administrators and me not in self.requests[number]
                assert row.may_request_administrator is offered  # ROL-12

    # -- at the end: the log replays to the same aggregates and the same views -------------

    def teardown(self) -> None:
        replays_and_verifies(self.services, self.env, self.live, self.dir)


ContractCommands.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_any_contract_story_keeps_the_rules_and_replays = ContractCommands.TestCase
