"""The billing feed: readings submitted in the portal, handed to billing by a follower of the log.

``submit_readings`` only records ``ReadingsSubmitted`` and
``upload_interval_profile`` only ``IntervalProfileUploaded``; this follower
reads those events in log order and calls ``Billing.receive_readings`` or
``Billing.receive_interval_profile``, then tracks the position. Like the
outbox it delivers at least once: a crash between billing's acceptance and
the tracking commit repeats the call with the same (submission or act id,
version), which billing treats as one delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic

from lkk_core.aggregates.interval_act import IntervalAct
from lkk_core.aggregates.reading_submission import ReadingSubmission
from lkk_core.app import LkkApplication
from lkk_core.billing import SubmittedProfile, SubmittedReading
from lkk_core.contracts import _common
from lkk_core.follower import LogFollower
from lkk_core.ports import Billing
from lkk_core.services import Services


class BillingFeed(LogFollower):
    """Delivers submitted readings and interval acts to the ``Billing`` port, each once at least, in order."""

    name = "billing_feed"
    topics = (get_topic(ReadingSubmission.Submitted), get_topic(IntervalAct.IntervalProfileUploaded))

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
        """Send one ``ReadingsSubmitted`` or ``IntervalProfileUploaded`` to billing."""
        if isinstance(event, IntervalAct.IntervalProfileUploaded):
            self.deliver_profile(event)
            return
        submission = self.app.repository.get(event.originator_id, version=event.originator_version)
        # The value only: «consumption» is the portal's own figure, kept in the log for the history (HIS-07).
        readings = tuple(SubmittedReading(reading["energy_object"], reading["meter_number"], reading["zone"],
                                          reading["quantity"], reading["value"]) for reading in event.readings)
        self.billing.receive_readings(submission.contract_number, submission.period, readings,
                                      submission_id=event.originator_id, version=event.originator_version)

    def deliver_profile(self, event: Any) -> None:
        """Send one «Первичный акт» to billing, its values as the exact Decimals uploaded (RDG-17)."""
        acts = self.app.repository.get(event.originator_id, version=event.originator_version)
        profile = SubmittedProfile(
            energy_object=event.energy_object, metering_point=event.metering_point, meter_number=event.meter_number,
            kind=event.kind, values=tuple(tuple(Decimal(v) for v in hour) for hour in event.values), total=event.total,
        )
        self.billing.receive_interval_profile(acts.contract_number, acts.period, profile,
                                              act_id=event.originator_id, version=event.originator_version)
