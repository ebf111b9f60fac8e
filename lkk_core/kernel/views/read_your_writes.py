"""Read-your-writes: a command's views caught up right after its save, or waited for (bounded)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from eventsourcing.application import Recording

from lkk_core.kernel.views.base import SqlProjection
from lkk_core.kernel.views.follow import Following

log = logging.getLogger(__name__)


class ReadYourWrites(Following):
    """The part of ``Views`` a command's caller uses: ``after_save`` (embedded mode) and ``wait_for``."""

    inline: bool

    def after_save(self, recordings: Sequence[Recording]) -> None:
        """The embedded mode's hook: catch up right after a write.

        Every position below ours is committed (one writer at a time on SQLite,
        a table lock on PostgreSQL), so our last position serves as the head.
        """
        if self.inline:
            self._catch_up_quietly(recordings[-1].notification.id, recordings)

    def wait_for(self, position: int, timeout: float = 2.0) -> bool:
        """Wait, bounded, until every view reflects ``position`` (read-your-writes)."""
        if self.inline:
            return self._catch_up_quietly(position)
        deadline = time.monotonic() + timeout
        # A follower usually applies a write within a millisecond or two: start with
        # short waits (each check is one tracking read per view), then back off.
        delay = 0.0005
        while not all(self._reflects(p, position) for p in self.projections.values()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        return True

    def _catch_up_quietly(self, position: int, written: Sequence[Recording] = ()) -> bool:
        # The command is committed whatever a view does: a failing view is a bug
        # to log and fix (then `lkk project rebuild`), never a failed command.
        try:
            self.catch_up(head=position, written=written)
        except Exception:
            log.exception("a view failed to catch up to position %s", position)
            return False
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
