"""Meter readings submitted for one contract and one period, and billing's verdict on them (RDG-04, RDG-09)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.copying import SharesRecordedEntries
from lkk_core.kernel.billing import ReadingWindow
from lkk_core.kernel.errors import WindowClosed

NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/reading-submission")

# NOTE: proposal, DOMAIN.md §13.14 (RDG-04).
WINDOW_CLOSED = "Период передачи показаний завершён"

ScaleKey = tuple[str, str, str]  # (meter number, zone, quantity)


class ReadingSubmission(SharesRecordedEntries, Aggregate):
    """The readings of a contract for one month; its id is ``uuid5(contract number + period)``.

    A later submission for the same meter scale replaces the earlier value
    (RDG-09): ``values`` holds the latest per scale, the log keeps them all.
    Billing's facts (accepted, period closed) end the submissions.
    """

    TOPIC = "lkk:ReadingSubmission"
    SHARED_ENTRIES = ("values", "accepted")  # each reading's dict is replaced, never changed in place

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
        self.values: dict[ScaleKey, dict[str, Any]] = {}
        self.submitted_by: UUID | None = None
        self.submitted_at: datetime | None = None
        self.accepted_at: datetime | None = None
        self.accepted: list[dict[str, Any]] = []  # the readings of the latest acceptance (HIS-07)
        self.closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        """Tell whether billing closed the period: no more submissions (RDG-09)."""
        return self.closed_at is not None

    def check_open(self, window: ReadingWindow | None, *, now: datetime) -> None:
        """Refuse with ``WindowClosed`` outside billing's window or once billing closed the period (RDG-04)."""
        if self.is_closed or window is None or not window.is_open(now):
            raise WindowClosed(WINDOW_CLOSED, contract_number=self.contract_number, period=self.period.isoformat(),
                               **({"opens_at": window.opens_at.isoformat(),
                                   "closes_at": window.closes_at.isoformat()} if window else {}))

    # -- commands -----------------------------------------------------------------

    def submit(self, readings: list[dict[str, Any]], *, by: UUID, window: ReadingWindow | None, now: datetime) -> None:
        """Record readings, each a dict of ``energy_object``, ``meter_number``, ``zone``, ``quantity``, ``value``.

        Refused with ``WindowClosed`` outside billing's window or after billing closed the period (RDG-04).
        """
        self.check_open(window, now=now)
        self._submitted(account_id=by, readings=readings, at=now)

    @event("Submitted", topic="lkk:ReadingSubmission.ReadingsSubmitted")
    def _submitted(self, account_id: UUID, readings: list[dict[str, Any]], at: datetime) -> None:
        """Readings were submitted on screen; each replaces the value of its meter scale (RDG-07, RDG-09)."""
        for reading in readings:
            self.values[(reading["meter_number"], reading["zone"], reading["quantity"])] = dict(reading)
        self.submitted_by, self.submitted_at = account_id, at

    def accept(self, readings: list[dict[str, Any]] | None = None, *, now: datetime) -> None:
        """Record billing's word that it took the readings in, with the readings it accepted (HIS-07).

        Each reading is a dict of ``energy_object``, ``meter_number``, ``zone``,
        ``quantity``, ``value``, ``consumption`` (Decimal or None) and ``source``.
        A later acceptance of the period replaces the earlier one's readings.
        """
        self._accepted(at=now, readings=list(readings or []))

    @event("Accepted", topic="lkk:ReadingSubmission.ReadingsAccepted")
    def _accepted(self, at: datetime, readings: list[dict[str, Any]]) -> None:
        """Billing accepted the readings of the period for settlement (§7, HIS-07)."""
        self.accepted_at = at
        self.accepted = [dict(reading) for reading in readings]

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


def submission_id(contract_number: str, period: date) -> UUID:
    """Return the id of the contract's readings for the month of ``period`` (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, f"{contract_number}:{period.replace(day=1).isoformat()}")
