"""Catching views up over many batches: overlapped reads and writes stay exactly-once, on both stores."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import Views, verify
from lkk_core.kernel.views.follow import BATCH
from lkk_core.kernel.services import Services
from tests.support import Mailbox, registered

pytestmark = pytest.mark.slow


@pytest.fixture
def many_events(store_env: dict[str, str], clock: FixedClock) -> Services:
    """A log of more than two batches, written with the views left behind (external mode)."""
    services = bootstrap({**store_env, "LKK_PROJECTIONS": "external"}, clock=clock)
    mailbox = Mailbox(services)
    while services.app.head() <= 2 * BATCH + 100:
        registered(services, mailbox, f"user{services.app.head()}@example.com")
    return services


def test_a_catch_up_of_many_batches_equals_a_rebuild(many_events: Services, tmp_path: Path) -> None:
    reached = []
    head = many_events.views.catch_up(lambda position, _: reached.append(position))

    assert reached == sorted(reached) and reached[-1] == head
    assert verify(many_events.app, ALL_PROJECTIONS, many_events.views, tmp_path / "verify") == []


def test_two_processes_catching_up_at_once_apply_every_event_once(
    many_events: Services, store_env: dict[str, str], tmp_path: Path
) -> None:
    other = Views(many_events.app, ALL_PROJECTIONS, {**store_env, "LKK_PROJECTIONS": "external"}, inline=False)
    errors: list[BaseException] = []

    def follow(views: Views) -> None:
        try:
            views.catch_up()
        except BaseException as ex:  # noqa: BLE001  (reported below)
            errors.append(ex)

    threads = [threading.Thread(target=follow, args=(views,)) for views in (many_events.views, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert verify(many_events.app, ALL_PROJECTIONS, many_events.views, tmp_path / "verify") == []
    other.close()
