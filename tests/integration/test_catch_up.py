"""Catching views up over many batches: overlapped reads and writes stay exactly-once, on both stores."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import Views, verify
from lkk_core.kernel.views.follow import BATCH
from lkk_core.kernel.views.postgres import SCRIPT_MIN_EVENTS
from lkk_core.kernel.services import Services
from tests.conftest import PG
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


def test_a_rebuild_that_drops_while_it_rebuilds_gives_the_views_a_catch_up_gave(
    many_events: Services, tmp_path: Path
) -> None:
    many_events.views.catch_up()
    before = many_events.views.snapshot()
    reached: list[int] = []

    head = many_events.views.rebuild(lambda position, _: reached.append(position))

    assert head == many_events.app.head() and reached[-1] == head
    assert many_events.views.snapshot() == before
    assert verify(many_events.app, ALL_PROJECTIONS, many_events.views, tmp_path / "verify") == []


def test_a_failing_drop_fails_the_rebuild_and_the_views_after_it_are_not_dropped(
    many_events: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    views = many_events.views
    head = views.catch_up()
    dropped: list[str] = []
    for name, projection in views.projections.items():
        def spy(view: object = projection.view, name: str = name, drop: object = projection.view.drop) -> None:
            dropped.append(name)
            if name == "sessions":
                raise RuntimeError("the database refused the DDL")
            drop()  # type: ignore[operator]
        monkeypatch.setattr(projection.view, "drop", spy)

    with pytest.raises(RuntimeError, match="refused the DDL"):
        views.rebuild()

    names = list(views.projections)
    assert dropped == names[: names.index("sessions") + 1]  # in order, none after the failing one
    assert all(views.projections[n].view.max_tracking_id(many_events.app.name) == head
               for n in names[names.index("sessions"):])  # untouched: rows and tracking kept
    monkeypatch.undo()
    views.catch_up()
    assert verify(many_events.app, ALL_PROJECTIONS, views, tmp_path / "verify") == []


@pytest.mark.postgres
def test_batches_sent_as_scripts_leave_no_prepared_statement_behind_committed_or_refused(
    postgres_env: dict[str, str], clock: FixedClock, tmp_path: Path
) -> None:
    services = bootstrap({**postgres_env, "LKK_PROJECTIONS": "external"}, clock=clock)
    mailbox = Mailbox(services)
    for i in range(SCRIPT_MIN_EVENTS):  # several events each: every view's batch is sent as a script
        registered(services, mailbox, f"user{i}@example.com")
    # The views in a schema of their own, each with a pool of one connection: every batch goes through it.
    schema = f"lkk_views_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    views = Views(services.app, ALL_PROJECTIONS,
                  {"POSTGRES_SCHEMA": schema, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}, inline=False)
    profile = views.projections["profile"]

    def prepared() -> list[Any]:
        with profile.view.datastore.get_connection() as conn:
            return conn.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'lkk_view_%'").fetchall()

    try:
        head = views.catch_up()
        assert prepared() == []
        notifications = services.app.recorder.select_notifications(start=0, limit=BATCH, topics=profile.topics)
        events = [services.app.mapper.to_domain_event(n) for n in notifications]
        assert len(events) >= SCRIPT_MIN_EVENTS
        with pytest.raises(IntegrityError):  # applied already: the script fails half-way and is rolled back
            profile.process_batch(events, Tracking(services.app.name, head), after=0)
        assert prepared() == []
        assert verify(services.app, ALL_PROJECTIONS, views, tmp_path / "verify") == []
    finally:
        views.close()
        services.app.close()
        with psycopg.connect(**PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_view_whose_last_batch_another_process_applied_first_is_read_on_from_where_it_really_is(
    many_events: Services, store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    views, head = many_events.views, many_events.app.head()
    other = Views(many_events.app, ALL_PROJECTIONS, {**store_env, "LKK_PROJECTIONS": "external"}, inline=False)
    profile = views.projections["profile"]
    write = profile.process_batch
    raced: list[int] = []

    def overtaken(events: Any, tracking: Tracking, *, after: int | None = None) -> None:
        if tracking.notification_id == head and not raced:  # the view's last batch, written behind the next views' reads
            raced.append(other.catch_up())  # another process gets there first, every view up to the head
        write(events, tracking, after=after)

    monkeypatch.setattr(profile, "process_batch", overtaken)
    assert views.catch_up() == head

    assert raced == [head]
    assert all(p.view.max_tracking_id(many_events.app.name) == head for p in views.projections.values())
    assert verify(many_events.app, ALL_PROJECTIONS, views, tmp_path / "verify") == []
    other.close()


def test_a_view_whose_last_batch_fails_by_itself_fails_the_catch_up_instead_of_retrying_it(
    many_events: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    views, head = many_events.views, many_events.app.head()
    profile = views.projections["profile"]
    write = profile.process_batch

    def broken(events: Any, tracking: Tracking, *, after: int | None = None) -> None:
        if tracking.notification_id == head:  # the view's last batch, written behind the next views' reads
            raise IntegrityError("a row of this batch collides with another of the same batch")
        write(events, tracking, after=after)

    monkeypatch.setattr(profile, "process_batch", broken)
    with pytest.raises(IntegrityError, match="view 'profile': the batch after position .* fails"):
        views.catch_up()

    monkeypatch.undo()
    assert views.catch_up() == head  # mended, it reads on from where the view really is
    assert profile.view.max_tracking_id(many_events.app.name) == head
