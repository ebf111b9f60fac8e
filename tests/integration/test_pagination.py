"""Issue 10: cursor pagination of every list that grows, walked with random limits while items are inserted.

The property, for each list: walking all pages with random limits, with new
items written between the fetches, gives every item the list had before the
walk exactly once, no item twice, and all of them in the list's own order
(that of the whole list read afterwards). The lists: sessions, contracts,
users of a contract (customer and staff), staff's administrator requests,
the readings history (a page of contracts), interval acts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lkk_core import AcceptedReading, Actor, FixedClock, Page, Paging, Services, StaffActor, accounts, contracts
from lkk_core import readings
from lkk_core.contracts import GrantRole, RequestBinding
from lkk_core.kernel.paging import ALL
from lkk_core.kernel.permissions import Role
from tests.contracts_support import Catalogue, bound, contract
from tests.readings_support import EO1, FIG12, INSIDE, administrator, install_interval
from tests.support import CHROME, PASSWORD, Mailbox, registered
from tests.unit.test_interval_acts import grid, upload

WALK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STAFF = StaffActor("staff-1")
numbers = itertools.count(20_000_000_000_000)


@dataclass
class Listed:
    """A list under test: a page of it, a way to add an item (from drawn parameters), what identifies an item."""

    fetch: Callable[[Paging], Page[Any]]
    insert: Callable[[Any], None]
    identity: Callable[[Any], Hashable]

    def whole(self) -> list[Hashable]:
        return [self.identity(item) for item in self.fetch(ALL).items]


# Everything is drawn before the walk, in one shape: the store grows from example to example, and draws
# that depended on it (how many pages) would make hypothesis's generation inconsistent.
PLAN = st.lists(st.tuples(st.integers(1, 7), st.integers(0, 2)), min_size=1, max_size=12)  # (limit, inserts after)
INSERTS = 6


def walk_while_inserting(listed: Listed, plan: list[tuple[int, int]], params: list[Any]) -> None:
    """Walk every page with the plan's limits (in a cycle), inserting items between fetches; check the property."""
    before = listed.whole()
    seen: list[Hashable] = []
    cursor, steps, waiting = None, itertools.cycle(plan), iter(params)
    while True:
        limit, inserts = next(steps)
        page = listed.fetch(Paging(limit=limit, cursor=cursor))
        assert len(page.items) <= limit
        seen += [listed.identity(item) for item in page.items]
        if page.next is None:
            break
        assert len(page.items) == limit  # only the last page is short
        for param in itertools.islice(waiting, inserts):
            listed.insert(param)
        cursor = page.next
    after = listed.whole()
    assert len(seen) == len(set(seen)), "an item came twice"
    assert [item for item in seen if item in set(before)] == before, "an item of the list was missed or moved"
    assert [item for item in after if item in set(seen)] == seen, "the pages are not in the list's order"
    assert set(seen) <= set(after)


def first_page_is_the_whole_list_cut(listed: Listed, limit: int) -> None:
    """Backwards compatibility: a first page without a cursor is the list as before, up to the limit."""
    assert [listed.identity(i) for i in listed.fetch(Paging(limit=limit)).items] == listed.whole()[:limit]


@pytest.fixture
def mailbox_of(store_services: Services) -> Mailbox:
    return Mailbox(store_services)


@pytest.fixture
def anna(store_services: Services, mailbox_of: Mailbox) -> Actor:
    return registered(store_services, mailbox_of, "anna@example.com")


# -- sessions (ACC-14) ---------------------------------------------------------------------------


@WALK
@given(plan=PLAN, later=st.lists(st.booleans(), min_size=INSERTS, max_size=INSERTS))
def test_sessions_pages_give_every_session_once_in_order(store_services: Services, anna: Actor,
                                                          clock: FixedClock, plan: Any, later: list[bool]) -> None:
    services = store_services

    def log_in(later: bool) -> None:
        if later:  # some sessions share their start: the id breaks the tie
            clock.advance(seconds=1)
        result = accounts.log_in(services, accounts.LogIn(identifier="anna@example.com", password=PASSWORD), CHROME)
        assert result.token is not None

    listed = Listed(lambda paging: accounts.sessions_page(services, anna, paging), log_in, lambda row: row.session_id)
    for _ in range(3):
        log_in(False)
    walk_while_inserting(listed, plan, later)
    first_page_is_the_whole_list_cut(listed, 2)
    assert [r.session_id for r in services.views.of(accounts.SessionsView).sessions(anna.account_id)] == \
        listed.whole()


# -- contracts (CON-01, CON-05) -----------------------------------------------------------------


NEW_CONTRACTS = st.lists(st.tuples(st.integers(10**13, 10**14 - 1), st.booleans()), min_size=INSERTS + 4,
                         max_size=INSERTS + 4)  # (number, bind it or only ask)


def free_number(billing: Catalogue, drawn: int) -> str:
    """Return the drawn number, or the next one billing does not have yet."""
    while str(drawn) in billing.contracts or drawn >= 10**14:
        drawn = drawn + 1 if drawn < 10**14 - 1 else 10**13
    return str(drawn)


@WALK
@given(plan=PLAN, drawn=NEW_CONTRACTS)
def test_contract_pages_give_bound_then_pending_contracts_once_in_order(
        store_services: Services, mailbox_of: Mailbox, anna: Actor, plan: Any, drawn: list[tuple[int, bool]]) -> None:
    services = store_services
    billing = services.billing
    assert isinstance(billing, Catalogue)

    def new_contract(param: tuple[int, bool]) -> None:
        number, bind = free_number(billing, param[0]), param[1]
        billing.contracts[number] = contract(number, "anna@example.com", objects=1)
        if bind:
            bound(services, mailbox_of, anna, number, "anna@example.com")
        else:  # a request still waiting for its link: listed after the bound ones
            contracts.request_binding(services, anna, RequestBinding(contract_number=number, email="anna@example.com"))

    listed = Listed(lambda paging: contracts.my_contracts_page(services, anna, paging), new_contract,
                    lambda item: (item.status, item.contract_number))
    for param in drawn[:4]:
        new_contract(param)
    walk_while_inserting(listed, plan, drawn[4:])
    first_page_is_the_whole_list_cut(listed, 3)
    assert [(i.status, i.contract_number) for i in contracts.my_contracts(services, anna)] == listed.whole()


# -- users of a contract (ROL-06, ROL-13) -------------------------------------------------------


@pytest.fixture
def admin(store_services: Services, mailbox_of: Mailbox, clock: FixedClock) -> Actor:
    clock.set(INSIDE)
    return administrator(store_services, mailbox_of)


@WALK
@given(plan=PLAN, later=st.lists(st.booleans(), min_size=INSERTS, max_size=INSERTS))
def test_users_pages_give_every_holder_once_in_order(store_services: Services, admin: Actor, clock: FixedClock,
                                                     plan: Any, later: list[bool]) -> None:
    services, number = store_services, "10000000000005"

    def grant(later: bool) -> None:
        if later:
            clock.advance(seconds=1)
        contracts.grant_role(services, admin, number, GrantRole(role=Role.ACCOUNTANT,
                                                                email=f"user{next(numbers)}@example.com",
                                                                energy_objects=[EO1]))

    for fetch in (lambda paging: contracts.contract_users_page(services, admin, number, paging),
                  lambda paging: contracts.staff_contract_users_page(services, STAFF, number, paging)):
        listed = Listed(fetch, grant, lambda user: user.account_id)
        grant(False)
        walk_while_inserting(listed, plan, later)
        first_page_is_the_whole_list_cut(listed, 2)
        assert [u.account_id for u in contracts.contract_users(services, admin, number)] == listed.whole()


# -- staff's administrator requests (ROL-12, ROL-13) --------------------------------------------


@WALK
@given(plan=PLAN, later=st.lists(st.booleans(), min_size=INSERTS, max_size=INSERTS))
def test_request_pages_give_every_open_request_once_oldest_first(
        store_services: Services, mailbox_of: Mailbox, clock: FixedClock, plan: Any, later: list[bool]) -> None:
    services = store_services
    billing = services.billing
    assert isinstance(billing, Catalogue)

    def request(later: bool) -> None:
        if later:
            clock.advance(seconds=1)
        n = next(numbers)
        email, number = f"owner{n}@example.com", str(n)
        billing.contracts[number] = contract(number, email, objects=1)
        actor = registered(services, mailbox_of, email)
        bound(services, mailbox_of, actor, number, email)
        contracts.request_administrator(services, actor, number)

    listed = Listed(lambda paging: contracts.open_administrator_requests_page(services, STAFF, paging), request,
                    lambda item: item.request_id)
    for _ in range(3):
        request(False)
    walk_while_inserting(listed, plan, later)
    first_page_is_the_whole_list_cut(listed, 2)


# -- the readings history (HIS-07): a page of contracts -----------------------------------------


@WALK
@given(plan=PLAN, drawn=NEW_CONTRACTS)
def test_history_pages_give_every_contract_block_once_by_number(
        store_services: Services, mailbox_of: Mailbox, anna: Actor, clock: FixedClock, plan: Any,
        drawn: list[tuple[int, bool]]) -> None:
    services, period = store_services, date(2023, 2, 1)
    clock.set(INSIDE)
    billing = services.billing
    assert isinstance(billing, Catalogue)

    def accepted_contract(param: tuple[int, bool]) -> None:
        number = free_number(billing, param[0])
        billing.contracts[number] = found = contract(number, "anna@example.com", objects=1)
        meter = found.energy_objects[0].metering_points[0].meters[0].number
        billing.accepted[(number, period)] = (AcceptedReading(f"{number}0001", meter, "Круглосуточный", "А+",
                                                              Decimal(7), None, "Показания из биллинга"),)
        bound(services, mailbox_of, anna, number, "anna@example.com")
        readings.accept_period(services, STAFF, number, period)

    filters = readings.ReadingsHistoryFilter()

    def fetch(paging: Paging) -> Page[Any]:
        history = readings.readings_history(services, anna, filters, paging)
        return Page(history.contracts, history.next)

    listed = Listed(fetch, accepted_contract, lambda block: block.contract_number)
    for param in drawn[:4]:
        accepted_contract(param)
    walk_while_inserting(listed, plan, drawn[4:])
    first_page_is_the_whole_list_cut(listed, 2)
    assert listed.whole() == sorted(listed.whole())


# -- interval acts (RDG-17) ---------------------------------------------------------------------


@WALK
@given(plan=PLAN)
def test_act_pages_give_every_act_once_latest_first(store_services: Services, admin: Actor, plan: Any) -> None:
    services = store_services
    install_interval(services)
    values = iter(itertools.count(1))

    def upload_act(_: object = None) -> None:
        readings.upload_interval_profile(services, admin, upload(values=grid(str(next(values)))))

    def fetch(paging: Paging) -> Page[Any]:
        acts = readings.interval_acts(services, admin, "10000000000005", FIG12, date(2023, 2, 1), paging)
        return Page(acts.acts, acts.next)

    listed = Listed(fetch, upload_act, lambda act: act.number)
    for _ in range(3):
        upload_act()
    walk_while_inserting(listed, plan, [None] * INSERTS)
    first_page_is_the_whole_list_cut(listed, 2)
    assert listed.whole() == sorted(listed.whole(), reverse=True)


