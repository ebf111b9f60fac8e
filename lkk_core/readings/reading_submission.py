"""Meter readings submitted for one contract and one period, and billing's verdict on them (RDG-04, RDG-09)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.billing import AcceptedReading, ReadingWindow, ScaleReading
from lkk_core.kernel.copying import SharesRecordedEntries
from lkk_core.readings._common import Place
from lkk_core.readings.commands import ReadingInput
from lkk_core.readings.rules import Judged, check_window, judge_submission
from lkk_core.readings.values import (
    PlaceKey,
    ScaleKey,
    SubmittedValue,
    accepted_from_stored,
    accepted_to_stored,
    submitted_from_stored,
    submitted_to_stored,
)

NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/reading-submission")

PORTAL_SOURCE = "передано через ЛКК"  # §13.7, Fig. 23 (HIS-07)


class ReadingSubmission(SharesRecordedEntries, Aggregate):
    """The readings of a contract for one month; its id is ``uuid5(contract number + period)``.

    A later submission for the same meter scale replaces the earlier value
    (RDG-09): ``values`` holds the latest per scale, the log keeps them all.
    Billing's facts (accepted, period closed) end the submissions.
    """

    TOPIC = "lkk:ReadingSubmission"
    SHARED_ENTRIES = ("values", "accepted")  # frozen values: replaced, never changed in place

    class Event(Aggregate.Event):
        """Base of the submission's events."""

        TOPIC = "lkk:ReadingSubmission.Event"

    @staticmethod
    def create_id(contract_number: str, period: date) -> UUID:
        """Return the submission's id for the contract and month."""
        return submission_id(contract_number, period)

    @classmethod
    def open(cls, contract_number: str, period: date, *, now: datetime) -> ReadingSubmission:
        """Start the record of the contract's readings for the month ``period``."""
        return cls(contract_number=contract_number, period=period.replace(day=1), at=now)

    @event("Opened", topic="lkk:ReadingSubmission.Opened")
    def __init__(self, contract_number: str, period: date, at: datetime) -> None:
        """The first readings of the contract for the month arrived (the record starts)."""
        self.contract_number, self.period = contract_number, period
        self.values: dict[ScaleKey, SubmittedValue] = {}
        self.submitted_by: UUID | None = None
        self.submitted_at: datetime | None = None
        self.accepted_at: datetime | None = None
        self.accepted: tuple[AcceptedReading, ...] = ()  # the readings of the latest acceptance (HIS-07)
        self.closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        """Tell whether billing closed the period: no more submissions (RDG-09)."""
        return self.closed_at is not None

    def check_open(self, window: ReadingWindow | None, *, now: datetime) -> None:
        """Refuse with ``WindowClosed`` outside billing's window or once billing closed the period (RDG-04)."""
        check_window(window, closed=self.is_closed, contract_number=self.contract_number, period=self.period, now=now)

    # -- commands -----------------------------------------------------------------

    def submit(
        self, inputs: Sequence[ReadingInput], *, known: Mapping[PlaceKey, Place],
        facts: Mapping[ScaleKey, ScaleReading], by: UUID, window: ReadingWindow | None, now: datetime,
    ) -> Judged:
        """Judge the typed inputs against the contract's scales (``known``) and billing's ``facts``, and record them.

        Refused with ``WindowClosed`` outside billing's window or after billing
        closed the period (RDG-04), before the values are judged; then with every
        problem of the values at once (RDG-02 … RDG-08, ``rules.judge_submission``).
        Returns what was recorded and the warnings (a zero consumption, RDG-07).
        """
        self.check_open(window, now=now)
        judged = judge_submission(inputs, known, facts)
        self._submitted(account_id=by, readings=judged.values, at=now)
        return judged

    @event("Submitted", topic="lkk:ReadingSubmission.ReadingsSubmitted")
    def _submitted(self, account_id: UUID, readings: tuple[SubmittedValue, ...], at: datetime) -> None:
        """Readings were submitted on screen; each replaces the value of its meter scale (RDG-07, RDG-09)."""
        values = self.values
        for reading in readings:
            values[reading.scale] = reading
        self.submitted_by, self.submitted_at = account_id, at

    def accept(self, from_billing: Sequence[AcceptedReading] = (), *, now: datetime) -> None:
        """Record billing's word that it took the readings in, with the readings it accepted (HIS-07).

        The accepted readings are the portal's latest value per scale (source
        «передано через ЛКК», §13.7) and billing's own readings of the month;
        where both name a scale, billing's is the one accepted, with its source
        label as received. A later acceptance of the period replaces the earlier one's.
        """
        accepted = {
            key: AcceptedReading(r.energy_object, r.meter_number, r.zone, r.quantity, r.value, r.consumption,
                                 PORTAL_SOURCE)
            for key, r in self.values.items()
        }
        for fact in from_billing:  # frozen: billing's fact itself is recorded
            accepted[fact.key] = fact
        self._accepted(at=now, readings=tuple(accepted[key] for key in sorted(accepted)))

    @event("Accepted", topic="lkk:ReadingSubmission.ReadingsAccepted")
    def _accepted(self, at: datetime, readings: tuple[AcceptedReading, ...]) -> None:
        """Billing accepted the readings of the period for settlement (§7, HIS-07)."""
        self.accepted_at = at
        self.accepted = tuple(readings)

    def close_period(self, *, now: datetime) -> bool:
        """Record that billing closed the period; False when it already was."""
        if self.is_closed:
            return False
        self._period_closed(at=now)
        return True

    @event("PeriodClosed", topic="lkk:ReadingSubmission.PeriodClosed")
    def _period_closed(self, at: datetime) -> None:
        """Billing closed the period and issued invoices; the inputs empty (RDG-09)."""
        self.closed_at = at


def _accepted_v1_v2(state: dict[str, Any]) -> None:
    # Release 1 recorded the acceptance alone; its readings were never logged, so none are shown.
    state["readings"] = []


ReadingSubmission.Accepted.class_version = 2  # type: ignore[attr-defined]
ReadingSubmission.Accepted.upcast_v1_v2 = staticmethod(_accepted_v1_v2)  # type: ignore[attr-defined]
# Typed values in the events, release 1's JSON in the log (values.py).
ReadingSubmission.Submitted.to_stored_state = staticmethod(submitted_to_stored)  # type: ignore[attr-defined]
ReadingSubmission.Submitted.from_stored_state = staticmethod(submitted_from_stored)  # type: ignore[attr-defined]
ReadingSubmission.Accepted.to_stored_state = staticmethod(accepted_to_stored)  # type: ignore[attr-defined]
ReadingSubmission.Accepted.from_stored_state = staticmethod(accepted_from_stored)  # type: ignore[attr-defined]


def submission_id(contract_number: str, period: date) -> UUID:
    """Return the id of the contract's readings for the month of ``period`` (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, f"{contract_number}:{period.replace(day=1).isoformat()}")
