"""The billing feed: readings submitted in the portal, handed to billing by a follower of the log.

``submit_readings`` only records ``ReadingsSubmitted``; this follower reads
those events in log order and calls ``Billing.receive_readings``, then
tracks the position. Like the outbox it delivers at least once: a crash
between billing's acceptance and the tracking commit repeats the call with
the same (submission id, version), which billing treats as one delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsourcing.utils import get_topic

from lkk_core.aggregates.reading_submission import ReadingSubmission
from lkk_core.app import LkkApplication
from lkk_core.billing import SubmittedReading
from lkk_core.contracts import _common
from lkk_core.follower import LogFollower
from lkk_core.ports import Billing
from lkk_core.services import Services


class BillingFeed(LogFollower):
    """Delivers submitted readings to the ``Billing`` port, each submission once at least, in order."""

    name = "billing_feed"
    topics = (get_topic(ReadingSubmission.Submitted),)

    def __init__(self, app: LkkApplication, billing: Billing, env: Mapping[str, str] | None = None) -> None:
        super().__init__(app, env)
        self.billing = billing

    @classmethod
    def for_services(cls, services: Services) -> BillingFeed:
        """Build the feed over the services' log and billing."""
        return cls(services.app, _common.billing(services))

    def carry_out(self, event: Any) -> bool:
        """Hand one submission to billing."""
        self.deliver(event)
        return True

    def deliver(self, event: Any) -> None:
        """Send one ``ReadingsSubmitted`` to billing."""
        submission = self.app.repository.get(event.originator_id, version=event.originator_version)
        readings = tuple(SubmittedReading(**reading) for reading in event.readings)
        self.billing.receive_readings(submission.contract_number, submission.period, readings,
                                      submission_id=event.originator_id, version=event.originator_version)
