"""«Первичный акт»: the hourly profiles uploaded for one meter and one month (RDG-15 … RDG-17)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.copying import SharesRecordedEntries
from lkk_core.kernel.billing import ReadingWindow
from lkk_core.kernel.errors import WindowClosed

NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/interval-act")

# NOTE: proposal, DOMAIN.md §13.14 (RDG-04): the same words as for integral readings.
WINDOW_CLOSED = "Период передачи показаний завершён"
PENDING = "В ожидании"  # §5.3's text (Fig. 14 shows «Ожидание»), DOMAIN.md RDG-17


class IntervalAct(SharesRecordedEntries, Aggregate):
    """The acts of one meter of a contract for one month; id ``uuid5(contract:meter:period)``.

    Every upload is a new act numbered from 1; the latest is current and
    supersedes the earlier ones, which stay readable (RDG-17). Values are
    «без КТ и без потерь»: as entered, without coefficient or losses.
    """

    TOPIC = "lkk:IntervalAct"
    SHARED_ENTRIES = ("acts",)  # an act is appended, never changed

    class Event(Aggregate.Event):
        """Base of the interval act's events."""

        TOPIC = "lkk:IntervalAct.Event"

    @staticmethod
    def create_id(contract_number: str, meter_number: str, period: date) -> UUID:
        """Return the id of the meter's acts for the contract and month."""
        return interval_act_id(contract_number, meter_number, period)

    @classmethod
    def open(cls, contract_number: str, meter_number: str, period: date, *, now: datetime) -> IntervalAct:
        """Start the record of the meter's interval acts for the month of ``period``."""
        return cls(contract_number=contract_number, meter_number=meter_number, period=period.replace(day=1), at=now)

    @event("Opened", topic="lkk:IntervalAct.Opened")
    def __init__(self, contract_number: str, meter_number: str, period: date, at: datetime) -> None:
        """The first interval profile of the meter for the month arrived (the record starts)."""
        self.contract_number, self.meter_number, self.period = contract_number, meter_number, period
        self.opened_at = at
        self.acts: list[dict[str, Any]] = []

    @property
    def current(self) -> dict[str, Any] | None:
        """Return the latest act (the one that counts), or None before any upload."""
        return self.acts[-1] if self.acts else None

    def act(self, number: int) -> dict[str, Any] | None:
        """Return the act with that 1-based number, or None."""
        return self.acts[number - 1] if 1 <= number <= len(self.acts) else None

    def check_open(self, window: ReadingWindow | None, *, period_closed: bool, now: datetime) -> None:
        """Refuse with ``WindowClosed`` outside billing's window or once billing closed the month (RDG-04)."""
        if period_closed or window is None or not window.is_open(now):
            raise WindowClosed(WINDOW_CLOSED, contract_number=self.contract_number, period=self.period.isoformat(),
                               **({"opens_at": window.opens_at.isoformat(),
                                   "closes_at": window.closes_at.isoformat()} if window else {}))

    # -- commands -----------------------------------------------------------------

    def upload(
        self, *, energy_object: str, metering_point: str, kind: str, values: tuple[tuple[Decimal, ...], ...],
        file_name: str | None, by: UUID, window: ReadingWindow | None, period_closed: bool, now: datetime,
    ) -> int:
        """Record a new act and return its number; ``WindowClosed`` outside the window or after closing (RDG-04)."""
        self.check_open(window, period_closed=period_closed, now=now)
        number = len(self.acts) + 1
        # Strings, not Decimals: 744 wrapped ``decimal_str`` objects would triple the
        # event's size, and ``str(Decimal)`` round-trips exactly (12,50 stays 12.50).
        self._uploaded(
            number=number, energy_object=energy_object, metering_point=metering_point,
            meter_number=self.meter_number, kind=kind, values=[[str(v) for v in hour] for hour in values],
            total=sum((v for hour in values for v in hour), Decimal(0)), file_name=file_name, account_id=by, at=now,
        )
        return number

    @event("IntervalProfileUploaded", topic="lkk:IntervalAct.IntervalProfileUploaded")
    def _uploaded(
        self, number: int, energy_object: str, metering_point: str, meter_number: str, kind: str,
        values: list[list[str]], total: Decimal, file_name: str | None, account_id: UUID, at: datetime,
    ) -> None:
        """A «Первичный акт» was uploaded, «В ожидании»; it supersedes the meter's
        earlier acts of the month (RDG-17)."""
        self.acts.append({
            "number": number, "energy_object": energy_object, "metering_point": metering_point, "kind": kind,
            "values": values, "total": total, "file_name": file_name, "account_id": account_id, "created_at": at,
            "status": PENDING,
        })


def interval_act_id(contract_number: str, meter_number: str, period: date) -> UUID:
    """Return the id of the meter's interval acts for the month of ``period`` (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, f"{contract_number}:{meter_number}:{period.replace(day=1).isoformat()}")
