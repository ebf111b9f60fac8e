"""«Первичный акт»: the hourly profiles uploaded for one meter and one month (RDG-15 … RDG-17)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.billing import EnergyObject, Meter, ReadingWindow
from lkk_core.kernel.copying import SharesRecordedEntries
from lkk_core.readings.rules import check_awaiting, check_window, judge_profile
from lkk_core.readings.values import Act, Grid, grid_from_stored, grid_to_stored

NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/interval-act")

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
        self.acts: list[Act] = []

    @property
    def current(self) -> Act | None:
        """Return the latest act (the one that counts), or None before any upload."""
        return self.acts[-1] if self.acts else None

    def act(self, number: int) -> Act | None:
        """Return the act with that 1-based number, or None."""
        return self.acts[number - 1] if 1 <= number <= len(self.acts) else None

    def check_open(self, window: ReadingWindow | None, *, period_closed: bool, now: datetime) -> None:
        """Refuse with ``WindowClosed`` outside billing's window or once billing closed the month (RDG-04)."""
        check_window(window, closed=period_closed, contract_number=self.contract_number, period=self.period, now=now)

    # -- commands -----------------------------------------------------------------

    def upload(  # noqa: PLR0913
        self, *, energy_object: EnergyObject, metering_point: str, meter: Meter, kind: str, kinds: Sequence[str],
        values: Sequence[Sequence[Decimal]], file_name: str | None, by: UUID, window: ReadingWindow | None,
        period_closed: bool, now: datetime,
    ) -> Act:
        """Judge a month's grid and record it as a new act; return the act.

        Refused, in this order, with ``Conflict`` unless the meter and its
        energy object are «Ожидание» (RDG-03), ``WindowClosed`` outside the
        window or after billing closed the month (RDG-04), then with every
        problem of the kind and the grid at once (RDG-15, RDG-16).
        """
        check_awaiting(meter, energy_object)
        self.check_open(window, period_closed=period_closed, now=now)
        grid = judge_profile(kind, kinds, values, self.period)
        self._uploaded(
            number=len(self.acts) + 1, energy_object=energy_object.code, metering_point=metering_point,
            meter_number=self.meter_number, kind=kind, values=grid,
            total=sum((v for hour in grid for v in hour), Decimal(0)), file_name=file_name, account_id=by, at=now,
        )
        return self.acts[-1]

    @event("IntervalProfileUploaded", topic="lkk:IntervalAct.IntervalProfileUploaded")
    def _uploaded(
        self, number: int, energy_object: str, metering_point: str, meter_number: str, kind: str,
        values: Grid, total: Decimal, file_name: str | None, account_id: UUID, at: datetime,
    ) -> None:
        """A «Первичный акт» was uploaded, «В ожидании»; it supersedes the meter's
        earlier acts of the month (RDG-17)."""
        self.acts.append(Act(number=number, energy_object=energy_object, metering_point=metering_point, kind=kind,
                             values=values, total=total, file_name=file_name, account_id=account_id, created_at=at,
                             status=PENDING))


# The grid as Decimals in the event, as exact decimal text in the log (values.py).
IntervalAct.IntervalProfileUploaded.to_stored_state = staticmethod(grid_to_stored)  # type: ignore[attr-defined]
IntervalAct.IntervalProfileUploaded.from_stored_state = staticmethod(grid_from_stored)  # type: ignore[attr-defined]


def interval_act_id(contract_number: str, meter_number: str, period: date) -> UUID:
    """Return the id of the meter's interval acts for the month of ``period`` (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, f"{contract_number}:{meter_number}:{period.replace(day=1).isoformat()}")
