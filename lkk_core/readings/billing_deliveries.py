"""What the readings context hands billing through the billing feed: submissions and interval acts.

``submit_readings`` only records ``ReadingsSubmitted`` and
``upload_interval_profile`` only ``IntervalProfileUploaded``; the feed
(``lkk_core.kernel.billing_feed``) calls these with each, in log order, at
least once, with the (submission or act id, version) billing deduplicates by.
"""

from __future__ import annotations

from typing import Any

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.billing import SubmittedProfile, SubmittedReading
from lkk_core.kernel.ports import Billing
from lkk_core.readings.interval_act import IntervalAct
from lkk_core.readings.reading_submission import ReadingSubmission


class SubmittedReadings:
    """Hands each ``ReadingsSubmitted`` to ``Billing.receive_readings``."""

    events = (ReadingSubmission.Submitted,)

    def deliver(self, event: Any, app: LkkApplication, billing: Billing) -> None:
        """Send one submission's values (RDG-09)."""
        submission = app.repository.get(event.originator_id, version=event.originator_version)
        # The value only: «consumption» is the portal's own figure, kept in the log for the history (HIS-07).
        readings = tuple(SubmittedReading(reading.energy_object, reading.meter_number, reading.zone,
                                          reading.quantity, reading.value) for reading in event.readings)
        billing.receive_readings(submission.contract_number, submission.period, readings,
                                 submission_id=event.originator_id, version=event.originator_version)


class UploadedProfiles:
    """Hands each ``IntervalProfileUploaded`` to ``Billing.receive_interval_profile``."""

    events = (IntervalAct.IntervalProfileUploaded,)

    def deliver(self, event: Any, app: LkkApplication, billing: Billing) -> None:
        """Send one «Первичный акт», its values as the exact Decimals uploaded (RDG-17)."""
        acts = app.repository.get(event.originator_id, version=event.originator_version)
        profile = SubmittedProfile(
            energy_object=event.energy_object, metering_point=event.metering_point, meter_number=event.meter_number,
            kind=event.kind, values=event.values, total=event.total,
        )
        billing.receive_interval_profile(acts.contract_number, acts.period, profile,
                                         act_id=event.originator_id, version=event.originator_version)
