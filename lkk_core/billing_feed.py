"""The billing feed: readings submitted in the portal, handed to billing by a follower of the log.

``submit_readings`` only records ``ReadingsSubmitted``; this follower reads
those events in log order and calls ``Billing.receive_readings``, then
tracks the position. Like the outbox it delivers at least once: a crash
between billing's acceptance and the tracking commit repeats the call with
the same (submission id, version), which billing treats as one delivery.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.utils import get_topic

from lkk_core.aggregates.reading_submission import ReadingSubmission
from lkk_core.app import LkkApplication
from lkk_core.billing import SubmittedReading
from lkk_core.ports import Billing
from lkk_core.projections.catch_up import view_env
from lkk_core.services import Services

log = logging.getLogger(__name__)


class BillingFeed:
    """Delivers submitted readings to the ``Billing`` port, each submission once at least, in order."""

    name = "billing_feed"
    topics = (get_topic(ReadingSubmission.Submitted),)

    def __init__(self, app: LkkApplication, billing: Billing, env: Mapping[str, str] | None = None) -> None:
        self.app, self.billing = app, billing
        environment = view_env(app, self.name, {**app.env, **(env or {})})
        self.tracking: Any = InfrastructureFactory.construct(environment).tracking_recorder()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    @classmethod
    def for_services(cls, services: Services) -> BillingFeed:
        """Build the feed over the services' log and billing."""
        if services.billing is None:
            msg = "no billing adapter is configured (LKK_BILLING_DATASET)"
            raise RuntimeError(msg)
        return cls(services.app, services.billing)

    def position(self) -> int:
        """Return the position of the last delivered submission."""
        return self.tracking.max_tracking_id(self.app.name) or 0

    def deliver_pending(self) -> int:
        """Hand every submission after the tracked position to billing; return how many were delivered."""
        delivered = 0
        with self._lock:
            while batch := self.app.recorder.select_notifications(
                start=self.position(), limit=100, topics=self.topics, inclusive_of_start=False
            ):
                for notification in batch:
                    event = self.app.mapper.to_domain_event(notification)
                    self.deliver(event)  # raising leaves it pending
                    delivered += 1
                    self.tracking.insert_tracking(Tracking(self.app.name, notification.id))
        return delivered

    def deliver(self, event: Any) -> None:
        """Send one ``ReadingsSubmitted`` to billing."""
        submission = self.app.repository.get(event.originator_id, version=event.originator_version)
        readings = tuple(SubmittedReading(**reading) for reading in event.readings)
        self.billing.receive_readings(submission.contract_number, submission.period, readings,
                                      submission_id=event.originator_id, version=event.originator_version)

    def nudge(self, recordings: object = None) -> None:
        """Wake the background feed (after a write)."""
        self._wake.set()

    def run_forever(self, *, poll: float = 1.0, stop: threading.Event | None = None) -> None:
        """Deliver in a loop until stopped; a failing billing is retried on the next round."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.deliver_pending()
            except Exception:  # billing's errors vary by adapter; retry next round
                log.exception("billing feed delivery failed; will retry")
            self._wake.wait(poll)
            self._wake.clear()
