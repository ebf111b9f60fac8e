"""Readings on each store: the submission's Decimals survive the log, the view and the billing feed (RDG-09)."""

from __future__ import annotations

from decimal import Decimal

from lkk_core import readings
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.kernel.billing_feed import BillingFeed
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingsFilter
from lkk_core.kernel.services import Services, StaffActor
from tests.contracts_support import Catalogue
from tests.readings_support import C5, FIG12, INSIDE, PERIOD, administrator, reading, submit
from tests.support import Mailbox


def test_rdg09_submitted_values_round_trip_exactly_and_leave_the_page_when_the_period_closes(
    store_services: Services, clock: FixedClock
) -> None:
    services = store_services
    clock.set(INSIDE)
    admin = administrator(services, Mailbox(services))

    readings.submit_readings(services, admin, submit(reading(FIG12, "12442,10")))
    clock.advance(hours=1)
    readings.submit_readings(services, admin, submit(reading(FIG12, "012442,50")))

    stored = list(services.app.events.get(submission_id(C5, PERIOD)))  # as decoded from the store
    submitted = [e for e in stored if isinstance(e, ReadingSubmission.Submitted)]
    assert [str(e.readings[0].value) for e in submitted] == ["12442.10", "12442.50"]
    assert all(isinstance(e.readings[0].value, Decimal) for e in submitted)
    [block] = readings.readings_page(services, admin, ReadingsFilter(period=PERIOD))["items"]
    scale = block["energy_objects"][0]["metering_points"][0]["meters"][0]["scales"][0]
    assert (scale["current"], scale["consumption"]) == (Decimal("12442.50"), Decimal(18900))

    feed = BillingFeed.for_services(services)
    assert feed.deliver_pending() == 2
    billing = services.billing
    assert isinstance(billing, Catalogue)
    assert [r[2][0].value for r in billing.received.values()] == [Decimal("12442.10"), Decimal("12442.50")]

    readings.accept_period(services, StaffActor("billing"), C5, PERIOD)
    [block] = readings.readings_page(services, admin, ReadingsFilter(period=PERIOD))["items"]
    assert block["closed_at"] is not None
    assert block["energy_objects"][0]["metering_points"][0]["meters"][0]["scales"][0]["current"] is None
