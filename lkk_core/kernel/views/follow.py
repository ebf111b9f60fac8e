"""Following the log: catch-up in batches, with the next batch read while the last one is written.

ProjectionRunner needs ``recorder.subscribe()``, which SQLite lacks, so views
follow the log by pulling: in-process after each command (embedded mode), or
in a loop of their own (``lkk project run``). Both are exactly-once: a batch's
rows and its tracking position commit together, and a batch that another
process already applied fails on the tracking row and is simply re-read.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from eventsourcing.application import Recording
from eventsourcing.persistence import IntegrityError, Tracking

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.views.base import SqlProjection

BATCH = 1000
log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (position reached, head)


class Following:
    """The follower's part of ``Views``: bring every view up to a position of the log."""

    app: LkkApplication
    projections: dict[str, SqlProjection]
    _lock: threading.Lock
    # Per view: the position its tracking row holds (re-read when another process
    # wins), and the position up to which this process knows it is complete
    # (events after the tracked one that concern it not, e.g. our own writes).
    _tracked: dict[str, int]
    _reached: dict[str, int]

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

    def run_forever(self, *, poll: float = 0.2, stop: threading.Event | None = None) -> None:
        """Follow the log in a process of its own (``lkk project run``)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.catch_up()
            stop.wait(poll)

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
