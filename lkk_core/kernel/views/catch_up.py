"""Keeping views up to date with the log: catch-up, read-your-writes, rebuild, verify.

ProjectionRunner needs ``recorder.subscribe()``, which SQLite lacks, so views
follow the log by pulling: in-process after each command (embedded mode), or
in a loop of their own (``lkk project run``). Both are exactly-once: a batch's
rows and its tracking position commit together, and a batch that another
process already applied fails on the tracking row and is simply re-read.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from eventsourcing.application import Recording
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.utils import Environment

from lkk_core.kernel.app import POSTGRES, SQLITE, LkkApplication, keep_compiled_statements
from lkk_core.kernel.views.base import SqlProjection, concrete_view

BATCH = 1000
log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (position reached, head)


def view_env(app: LkkApplication, name: str, base: Mapping[str, str], *, scratch_dir: Path | None = None) -> Environment:
    """Return the environment a view of ``name`` is built from: beside the log by default."""
    env = dict(base)
    module = app.env["PERSISTENCE_MODULE"]
    env["PERSISTENCE_MODULE"] = env.get(f"{name.upper()}_PERSISTENCE_MODULE", module)
    key = f"{name.upper()}_SQLITE_DBNAME"
    if env["PERSISTENCE_MODULE"] == SQLITE and (scratch_dir or key not in env):
        log_db = Path(app.env["SQLITE_DBNAME"])
        folder = scratch_dir or log_db.parent / "views"
        folder.mkdir(parents=True, exist_ok=True)
        env[key] = str(folder / f"{name}.db")
    return Environment(name, env)


V = TypeVar("V")


class Views:
    """Every projection of the domain with its view, following one application's log."""

    def __init__(
        self,
        app: LkkApplication,
        projections: Sequence[type[SqlProjection]],
        env: Mapping[str, str] | None = None,
        *,
        inline: bool = True,
        scratch_dir: Path | None = None,
    ) -> None:
        self.app, self.inline = app, inline
        base = dict(app.env) if env is None else {**app.env, **env}
        self.projections: dict[str, SqlProjection] = {}
        for projection_class in projections:
            environment = view_env(app, projection_class.name, base, scratch_dir=scratch_dir)
            view_class = concrete_view(projection_class.view_class, environment["PERSISTENCE_MODULE"])
            if self._beside_the_log(environment):
                # Same PostgreSQL database and schema: share the log's pool.
                view = view_class(datastore=app.factory.datastore,  # type: ignore[attr-defined,call-arg]
                                  tracking_table_name=f"{projection_class.name}_tracking")
                view.create_table()  # type: ignore[attr-defined]
            else:
                factory: Any = keep_compiled_statements(InfrastructureFactory.construct(environment))
                view = factory.tracking_recorder(view_class)
            self.projections[projection_class.name] = projection_class(view=view)
        self._lock = threading.Lock()
        # Per view: the position its tracking row holds (re-read when another process
        # wins), and the position up to which this process knows it is complete
        # (events after the tracked one that concern it not, e.g. our own writes).
        self._tracked: dict[str, int] = {}
        self._reached: dict[str, int] = {}

    def _beside_the_log(self, environment: Environment) -> bool:
        if not (self.app.is_postgres and environment["PERSISTENCE_MODULE"] == POSTGRES):
            return False
        keys = ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_SCHEMA")
        return all(environment.get(k) == self.app.env.get(k) for k in keys)

    def of(self, view_class: type[V]) -> V:
        """Return the view of that class (its abstract class, as a context names it): typed, no strings."""
        for projection in self.projections.values():
            if isinstance(projection.view, view_class):
                return projection.view
        msg = f"no projection with a {view_class.__name__} is registered"
        raise LookupError(msg)

    # -- following the log ---------------------------------------------------------

    def catch_up(
        self, progress: Progress | None = None, *, head: int | None = None, written: Sequence[Recording] = ()
    ) -> int:
        """Bring every view up to the head of the log (or ``head``); return the head reached.

        ``written`` are the recordings of a save this process just made: a view
        that had reached the position before them applies these events as they
        are, without reading them back from the log.
        """
        with self._lock:
            if head is None:
                head = self.app.head()  # read first: every event up to it is committed
            for name, projection in self.projections.items():
                self._catch_up_one(name, projection, head, progress, written)
            return head

    def _catch_up_one(
        self, name: str, projection: SqlProjection, head: int, progress: Progress | None,
        written: Sequence[Recording] = (),
    ) -> None:
        app, view = self.app, projection.view
        reached = self._reached.get(name)
        if reached is None:
            reached = self._reload(name, view)
        first, last = (written[0].notification.id, written[-1].notification.id) if written else (0, 0)
        if written and reached == first - 1 and head == last and last - first == len(written) - 1:
            events = [r.domain_event for r in written if type(r.domain_event) in projection.handlers]
            if not events and head - reached < BATCH:
                self._reached[name] = head  # checked; the durable position moves with the next relevant write
                return
            try:
                projection.process_batch(events, Tracking(app.name, head), after=self._tracked[name])
            except IntegrityError:
                reached = self._reload(name, view)
            else:
                self._reached[name] = self._tracked[name] = head
                return
        if head - reached > BATCH:
            self._follow_overlapped(name, projection, reached, head, progress)
            return
        while reached < head:
            batch = app.recorder.select_notifications(
                start=reached, limit=BATCH, stop=head, topics=projection.topics, inclusive_of_start=False
            )
            last = batch[-1].id if len(batch) == BATCH else head
            if not batch and head - reached < BATCH:
                # Nothing for this view: remember that here; the durable tracking
                # moves with the next write that concerns it (a transaction saved
                # per command for the other views). A restart just re-checks.
                self._reached[name] = head
                return
            events = [app.mapper.to_domain_event(n) for n in batch]
            tried = self._tracked[name]
            try:
                projection.process_batch(events, Tracking(app.name, last), after=tried)
            except IntegrityError:
                # Another process applied events first (or a crash lost a commit this
                # process remembers): read on from the position the view really has.
                reached = self._reload(name, view)
                if self._tracked[name] == tried:
                    raise  # the tracking row did not move: the batch itself fails, retrying would spin
                continue
            reached = self._reached[name] = self._tracked[name] = last
            if progress:
                progress(last, head)

    def _follow_overlapped(
        self, name: str, projection: SqlProjection, reached: int, head: int, progress: Progress | None
    ) -> None:
        """Catch a view up over many batches, reading the next batch while the last one is written.

        One writer thread applies the batches in order, each in its own
        transaction that expects the position the previous one tracked, so the
        overlap changes nothing about exactly-once: if one batch fails, the
        ones after it fail on their expected position too, and the view is
        re-read from what it really holds. Reading and decoding (this thread,
        CPU) and writing (mostly waiting on the database) then take turns on
        the CPU instead of one waiting for the other.
        """
        app = self.app
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"view-{name}") as writer:
            while reached < head:
                in_flight: deque[tuple[Future[None], int, int]] = deque()
                expected, failed_after = self._tracked[name], None
                while reached < head and failed_after is None:
                    batch = app.recorder.select_notifications(
                        start=reached, limit=BATCH, stop=head, topics=projection.topics, inclusive_of_start=False
                    )
                    last = batch[-1].id if len(batch) == BATCH else head
                    events = [app.mapper.to_domain_event(n) for n in batch]
                    future = writer.submit(projection.process_batch, events, Tracking(app.name, last), after=expected)
                    in_flight.append((future, last, expected))
                    expected = reached = last
                    while len(in_flight) > 1 and failed_after is None:  # one batch waits behind the writer
                        failed_after = self._settle(name, in_flight.popleft(), head, progress)
                while in_flight:
                    refused = self._settle(name, in_flight.popleft(), head, progress, quiet=failed_after is not None)
                    failed_after = refused if failed_after is None else failed_after
                if failed_after is not None:
                    reached = self._reload(name, projection.view)
                    if reached == failed_after:
                        # Nobody moved the tracking row past the refused batch: the batch itself
                        # fails, and retrying it would spin.
                        msg = f"view {name!r}: the batch after position {failed_after} fails; see the log above"
                        raise IntegrityError(msg)

    def _settle(
        self, name: str, done: tuple[Future[None], int, int], head: int, progress: Progress | None, *,
        quiet: bool = False,
    ) -> int | None:
        """Wait for one written batch and record its position; if it was refused, return its expected position.

        A refusal means another process applied those events first (its rows or
        its tracking collide with ours), or the batch itself is broken; the
        caller tells the two apart by re-reading the tracking row.
        """
        future, last, after = done
        try:
            future.result()
        except IntegrityError:
            if not quiet:
                log.info("view %s: batch after %d refused; re-reading the view's position", name, after,
                         exc_info=True)
            return after
        self._reached[name] = self._tracked[name] = last
        if progress:
            progress(last, head)
        return None

    def _reload(self, name: str, view: Any) -> int:
        position = self._reached[name] = self._tracked[name] = view.max_tracking_id(self.app.name) or 0
        return position

    def after_save(self, recordings: Sequence[Recording]) -> None:
        """The embedded mode's hook: catch up right after a write.

        Every position below ours is committed (one writer at a time on SQLite,
        a table lock on PostgreSQL), so our last position serves as the head.
        """
        if self.inline:
            self._catch_up_quietly(recordings[-1].notification.id, recordings)

    def _catch_up_quietly(self, position: int, written: Sequence[Recording] = ()) -> bool:
        # The command is committed whatever a view does: a failing view is a bug
        # to log and fix (then `lkk project rebuild`), never a failed command.
        try:
            self.catch_up(head=position, written=written)
        except Exception:
            log.exception("a view failed to catch up to position %s", position)
            return False
        return True

    def wait_for(self, position: int, timeout: float = 2.0) -> bool:
        """Wait, bounded, until every view reflects ``position`` (read-your-writes)."""
        if self.inline:
            return self._catch_up_quietly(position)
        deadline = time.monotonic() + timeout
        delay = 0.005
        while not all(self._reflects(p, position) for p in self.projections.values()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        return True

    def _reflects(self, projection: SqlProjection, position: int) -> bool:
        reached = projection.view.max_tracking_id(self.app.name) or 0
        if reached >= position:
            return True
        # Positions between may hold only events this view ignores.
        pending = self.app.recorder.select_notifications(
            start=reached, limit=1, stop=position, topics=projection.topics, inclusive_of_start=False
        )
        return not pending

    def run_forever(self, *, poll: float = 0.2, stop: threading.Event | None = None) -> None:
        """Follow the log in a process of its own (``lkk project run``)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.catch_up()
            stop.wait(poll)

    # -- auditors ------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every view and rebuild it from position 0."""
        with self._lock:
            for projection in self.projections.values():
                projection.view.drop()
            self._reached.clear()
            self._tracked.clear()
        self.app.keys.preload()
        return self.catch_up(progress)

    def snapshot(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Return every row of every view."""
        return {name: p.view.all_rows() for name, p in self.projections.items()}

    def close(self) -> None:
        """Close the views' own connections (a pool shared with the log stays open)."""
        for projection in self.projections.values():
            if projection.view.datastore is not getattr(self.app.factory, "datastore", None):
                projection.view.datastore.close()


def verify(app: LkkApplication, projections: Sequence[type[SqlProjection]], live: Views, workdir: Path) -> list[str]:
    """Rebuild every view into scratch storage and list how it differs from the live one."""
    live.catch_up()
    env: dict[str, str] = {}
    schema = None
    if app.env["PERSISTENCE_MODULE"] == POSTGRES:
        schema = f"lkk_verify_{uuid.uuid4().hex[:12]}"
        _pg_schema(app, f"CREATE SCHEMA {schema}")
        env = {"POSTGRES_SCHEMA": schema}
    scratch = Views(app, projections, env, scratch_dir=workdir)
    try:
        scratch.catch_up()
        head = app.head()
        live.catch_up()
        ours, theirs = scratch.snapshot(), live.snapshot()
    finally:
        scratch.close()
        if schema:
            _pg_schema(app, f"DROP SCHEMA {schema} CASCADE")
    return _differences(ours, theirs, head)


def _pg_schema(app: LkkApplication, statement: str) -> None:
    with app.factory.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        conn.execute(statement)


def _differences(rebuilt: dict[str, Any], live: dict[str, Any], head: int) -> list[str]:
    found = []
    for view, tables in rebuilt.items():
        for table, rows in tables.items():
            live_rows = live[view][table]
            missing = [r for r in rows if r not in live_rows]
            extra = [r for r in live_rows if r not in rows]
            found += [f"{view}.{table}: live lacks {r}" for r in missing]
            found += [f"{view}.{table}: live has extra {r}" for r in extra]
    return found
