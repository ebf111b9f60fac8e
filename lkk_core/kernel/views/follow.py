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
            self._catch_up_views(head, progress, written)
            return head

    def run_forever(self, *, poll: float = 0.2, stop: threading.Event | None = None) -> None:
        """Follow the log in a process of its own (``lkk project run``)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.catch_up()
            stop.wait(poll)

    def _catch_up_views(
        self, head: int, progress: Progress | None, written: Sequence[Recording] = (),
        before: Callable[[str], None] | None = None,
    ) -> None:
        """Catch every view up to ``head``, in order, its batches written behind the reads (see ``Writes``).

        ``before(name)`` runs before a view is caught up (a rebuild waits there for its drop).
        """
        with Writes(self, head, progress) as writes:
            for name, projection in self.projections.items():
                if before:
                    before(name)
                self._catch_up_one(name, projection, head, progress, written, writes)
            writes.settle_all()
            while writes.refused:  # refused after the follower went on to the next views
                name = next(iter(writes.refused))
                reached = self._recover(name, writes)
                if reached < head:
                    self._follow_overlapped(name, self.projections[name], reached, head, writes)
                writes.settle_all()

    def _catch_up_one(
        self, name: str, projection: SqlProjection, head: int, progress: Progress | None,
        written: Sequence[Recording], writes: Writes,
    ) -> None:
        app, view = self.app, projection.view
        reached = self._reached.get(name)
        if reached is None:
            reached = self._reload(name, view)
        first, last = (written[0].notification.id, written[-1].notification.id) if written else (0, 0)
        if written and reached == first - 1 and head == last and last - first == len(written) - 1:
            writes.settle_all()  # written here and now: the views before this one report their progress first
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
            self._follow_overlapped(name, projection, reached, head, writes)
            return
        writes.settle_all()  # as above
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
            self._settled(name, last, head, progress)
            reached = last

    def _follow_overlapped(
        self, name: str, projection: SqlProjection, reached: int, head: int, writes: Writes
    ) -> None:
        """Catch a view up over many batches, reading the next batch while the last one is written.

        One writer thread applies the batches in order, each in its own
        transaction that expects the position the previous one tracked, so the
        overlap changes nothing about exactly-once: if one batch fails, the
        ones after it fail on their expected position too, and the view is
        re-read from what it really holds. Reading and decoding (this thread,
        CPU) and writing (mostly waiting on the database) then take turns on
        the CPU instead of one waiting for the other. The view's last batches
        may still be in flight when this returns: the next view's reads go on
        meanwhile.
        """
        app = self.app
        while reached < head:
            expected = self._tracked[name]  # nothing of this view is in flight here
            while reached < head and name not in writes.refused:
                batch = app.recorder.select_notifications(
                    start=reached, limit=BATCH, stop=head, topics=projection.topics, inclusive_of_start=False
                )
                last = batch[-1].id if len(batch) == BATCH else head
                events = [app.mapper.to_domain_event(n) for n in batch]
                writes.submit(name, projection, events, last, expected)
                expected = reached = last
            if name not in writes.refused:
                return
            reached = self._recover(name, writes)

    def _recover(self, name: str, writes: Writes) -> int:
        """After a refused batch: settle what is in flight, re-read the view's position and return it.

        A refusal means another process applied those events first (its rows or
        its tracking collide with ours), or the batch itself is broken; the
        re-read position tells the two apart.
        """
        writes.settle_all()
        failed_after = writes.refused.pop(name)
        reached = self._reload(name, self.projections[name].view)
        if reached == failed_after:
            # Nobody moved the tracking row past the refused batch: the batch itself
            # fails, and retrying it would spin.
            msg = f"view {name!r}: the batch after position {failed_after} fails; see the log above"
            raise IntegrityError(msg)
        return reached

    def _settled(self, name: str, last: int, head: int, progress: Progress | None) -> None:
        """Record a written batch's position, and report it."""
        self._reached[name] = self._tracked[name] = last
        if progress:
            progress(last, head)

    def _reload(self, name: str, view: Any) -> int:
        position = self._reached[name] = self._tracked[name] = view.max_tracking_id(self.app.name) or 0
        return position


class Writes:
    """The batches in flight during one catch-up, across the views: one thread writes them, in order.

    At most one batch waits behind the one being written; the oldest is
    settled (its position recorded, its progress reported) before another
    is queued, so progress comes view by view, in order. A view's batches
    go on being settled after the follower has moved on to the next view:
    its last write overlaps with the next view's first reads.
    """

    def __init__(self, follower: Following, head: int, progress: Progress | None) -> None:
        self._follower, self._head, self._progress = follower, head, progress
        self._in_flight: deque[tuple[str, Future[None], int, int]] = deque()
        self._writer: ThreadPoolExecutor | None = None
        self.refused: dict[str, int] = {}  # view: the position its first refused batch expected

    def __enter__(self) -> Writes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)

    def submit(self, name: str, projection: SqlProjection, events: list[Any], last: int, expected: int) -> None:
        """Queue one batch of a view, expecting the position the previous one tracks."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-writer")
        tracking = Tracking(self._follower.app.name, last)
        future = self._writer.submit(projection.process_batch, events, tracking, after=expected)
        self._in_flight.append((name, future, last, expected))
        while len(self._in_flight) > 1 and name not in self.refused:  # one batch waits behind the writer
            self._settle_oldest()

    def settle_all(self) -> None:
        """Wait for every batch in flight."""
        while self._in_flight:
            self._settle_oldest()

    def _settle_oldest(self) -> None:
        name, future, last, after = self._in_flight.popleft()
        try:
            future.result()
        except IntegrityError:
            if name not in self.refused:
                log.info("view %s: batch after %d refused; re-reading the view's position", name, after,
                         exc_info=True)
                self.refused[name] = after
            return
        self._follower._settled(name, last, self._head, self._progress)  # noqa: SLF001
