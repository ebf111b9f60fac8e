"""Races are settled by the store, not by a check-then-write (ACC-02)."""

from __future__ import annotations

import threading
from collections import Counter

from lkk_core import accounts
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import Register
from lkk_core.kernel.errors import Conflict
from lkk_core.accounts import ProfileView
from tests.support import CHROME, PASSWORD

RACERS = 8


def test_acc02_concurrent_registrations_of_one_email_yield_one_account_and_conflicts(
    store_env: dict[str, str],
) -> None:
    # Each racer is its own "process": its own application, pool and caches.
    racers = [bootstrap({**store_env, "POSTGRES_POOL_SIZE": "2"}, clock=FixedClock()) for _ in range(RACERS)]
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(services: object) -> None:
        start.wait()
        try:
            accounts.register(
                services,  # type: ignore[arg-type]
                Register(email="race@example.com", password=PASSWORD, agreement_accepted=True), CHROME,
            )
            outcomes.append("registered")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=race, args=(s,)) for s in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Counter(outcomes) == {"registered": 1, "conflict": RACERS - 1}
    judge = racers[0]
    judge.views.catch_up()
    assert len(judge.views.of(ProfileView).rows("SELECT * FROM {profile}")) == 1
    for services in racers:
        services.views.close()
        services.app.close()
