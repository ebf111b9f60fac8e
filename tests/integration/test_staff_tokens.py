"""Staff tokens across processes (issue 10): a revocation anywhere refuses the next request everywhere.

Two ``Services`` over one store stand for two workers: each has its own
repository cache, so a worker that authenticated a token before holds a
cached copy of the specialist, and must still see a revocation written by
the other at once (the check reads the store, not process memory).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.http.app import create_app
from lkk_core import bootstrap, staff
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.services import Services
from tests.contracts_support import Catalogue
from tests.http_support import RecordingClient, assert_problem, bearer, staff_token

REQUESTS = "/v1/staff/administrator-requests"


@pytest.fixture(params=["fast-forwarding cache", "cache without fast-forward"])
def workers(request: pytest.FixtureRequest, store_env: dict[str, str],
            clock: FixedClock) -> Iterator[tuple[Services, Services]]:
    # Without fast-forward a cached specialist would never see another worker's revocation: it must still.
    env = {**store_env, "AGGREGATE_CACHE_FASTFORWARD": "y" if request.param.startswith("fast") else "n"}
    pair = bootstrap(env, clock=clock, billing=Catalogue()), bootstrap(env, clock=clock, billing=Catalogue())
    yield pair
    for built in pair:
        built.views.close()
        built.app.close()


def test_a_token_revoked_on_one_worker_is_refused_by_the_other_on_its_next_request(
    workers: tuple[Services, Services],
) -> None:
    first, second = workers
    issued = staff.create_staff_member(first, staff.OPERATOR,
                                       staff.CreateStaffMember(login="ann", full_name="Петрова Анна"))
    spare = staff.issue_staff_token(first, staff.OPERATOR, "ann")
    other = RecordingClient(create_app(second))
    assert other.simulate_get(REQUESTS, headers=bearer(issued.token)).status_code == 200  # cached there now

    staff.revoke_staff_token(first, staff.OPERATOR, "ann", issued.token_id)

    assert_problem(other.simulate_get(REQUESTS, headers=bearer(issued.token)), 401, "unauthenticated")
    assert other.simulate_get(REQUESTS, headers=bearer(spare.token)).status_code == 200

    staff.revoke_staff_member(second, staff.OPERATOR, "ann")  # and the other way round, the whole specialist

    same = RecordingClient(create_app(first))
    assert_problem(same.simulate_get(REQUESTS, headers=bearer(spare.token)), 401, "unauthenticated")
    assert_problem(other.simulate_get(REQUESTS, headers=bearer(spare.token)), 401, "unauthenticated")


def test_a_token_issued_on_one_worker_is_accepted_by_the_other_at_once(workers: tuple[Services, Services]) -> None:
    first, second = workers
    staff.create_staff_member(first, staff.OPERATOR, staff.CreateStaffMember(login="bob", full_name="Бобров Борис"))
    other = RecordingClient(create_app(second))
    assert other.simulate_get(REQUESTS, headers=bearer(staff_token(first, "bob"))).status_code == 200

    fresh = staff.issue_staff_token(first, staff.OPERATOR, "bob")

    assert other.simulate_get(REQUESTS, headers=bearer(fresh.token)).status_code == 200
    assert [m.login for m in staff.staff_members(second)] == ["bob"]  # the other worker's view, after catching up
