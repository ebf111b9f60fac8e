"""Readings on each store: the submission's Decimals survive the log, the view and the billing feed (RDG-09)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, StoredEvent, UUIDAsHex

from lkk_core import readings
from lkk_core.kernel.personal_data.mapper import ShreddingMapper
from lkk_core.kernel.transcodings import ALL_TRANSCODINGS
from lkk_core.readings.values import AcceptedValue, SubmittedValue
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
    [block] = readings.readings_page(services, admin, ReadingsFilter(period=PERIOD)).items
    scale = block.energy_objects[0].metering_points[0].meters[0].scales[0]
    assert (scale.current, scale.consumption) == (Decimal("12442.50"), Decimal(18900))

    feed = BillingFeed.for_services(services)
    assert feed.deliver_pending() == 2
    billing = services.billing
    assert isinstance(billing, Catalogue)
    assert [r[2][0].value for r in billing.received.values()] == [Decimal("12442.10"), Decimal("12442.50")]

    readings.accept_period(services, StaffActor("billing"), C5, PERIOD)
    [block] = readings.readings_page(services, admin, ReadingsFilter(period=PERIOD)).items
    assert block.closed_at is not None
    assert block.energy_objects[0].metering_points[0].meters[0].scales[0].current is None


def test_typed_payloads_store_release_1s_json_byte_for_byte() -> None:
    """Every readings event of the log written before issue 9 decodes to typed values and encodes to its own bytes."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "log_before_issue9" / "lkk.db"
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *ALL_TRANSCODINGS):
        transcoder.register(transcoding)
    mapper = ShreddingMapper(transcoder=transcoder)
    with closing(sqlite3.connect(fixture)) as db:
        rows = db.execute("SELECT originator_id, originator_version, topic, state FROM stored_events"
                          " WHERE topic LIKE 'lkk:ReadingSubmission.%' OR topic LIKE 'lkk:IntervalAct.%'").fetchall()
    typed = {"lkk:ReadingSubmission.ReadingsSubmitted": SubmittedValue,
             "lkk:ReadingSubmission.ReadingsAccepted": AcceptedValue}
    seen = set()
    for oid, version, topic, state in rows:
        stored = StoredEvent(originator_id=UUID(oid), originator_version=version, topic=topic, state=state)
        event = mapper.to_domain_event(stored)
        if topic in typed:
            assert all(type(value) is typed[topic] for value in event.readings), topic
            assert all(isinstance(value.value, Decimal) for value in event.readings)
        if topic == "lkk:IntervalAct.IntervalProfileUploaded":
            assert all(type(v) is Decimal for hour in event.values for v in hour)
        assert mapper.to_stored_event(event).state == state, topic
        seen.add(topic)
    assert {*typed, "lkk:IntervalAct.IntervalProfileUploaded"} <= seen
