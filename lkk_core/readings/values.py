"""The typed payloads of the readings events, and their stored JSON (unchanged since release 1).

Events carry these frozen values; the log stores the same JSON as when
they were dicts (``tests/integration/test_log_before_issue9.py`` replays an
old log): each event class converts its state on the way to and from the
store (``to_stored_state`` / ``from_stored_state``, called by the mapper).
A value stays a Decimal from the adapter to the event; it becomes text only
in the stored JSON (``decimal_str``, or plain text where release 1 wrote text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lkk_core.kernel.billing import AcceptedReading

ScaleKey = tuple[str, str, str]  # (meter number, zone, quantity): a meter scale, as billing's facts name it
PlaceKey = tuple[str, str, str, str]  # (EO code, meter number, zone, quantity): a scale as a contract's places name it


# NOTE: measured, NamedTuples (2.3x cheaper to build) made no difference to a 5,000-reading upload
# (bench/readings_uploads.py, CPU medians within noise): dataclasses, as the house style says.
@dataclass(frozen=True, slots=True)
class SubmittedValue:
    """One scale's reading submitted in the portal, with «Расход» as computed then (RDG-02, HIS-07)."""

    energy_object: str
    meter_number: str
    zone: str
    quantity: str
    value: Decimal
    consumption: Decimal | None  # None without billing's previous reading, or before it was logged

    @property
    def scale(self) -> ScaleKey:
        """Return (meter number, zone, quantity)."""
        return (self.meter_number, self.zone, self.quantity)


# One scale's reading billing accepted for the month, with its source label as received (HIS-07): billing's
# own fact is the payload (the portal's values become one with «передано через ЛКК»), not a field-by-field copy.
AcceptedValue = AcceptedReading


Grid = tuple[tuple[Decimal, ...], ...]  # 24 hours × the days of the month, exact as uploaded


@dataclass(frozen=True, slots=True)
class Act:
    """One «Первичный акт» of an ``IntervalAct``: values «без КТ и без потерь», as entered (RDG-17)."""

    number: int
    energy_object: str
    metering_point: str
    kind: str
    values: Grid
    total: Decimal
    file_name: str | None
    account_id: UUID
    created_at: datetime
    status: str


# -- stored JSON ------------------------------------------------------------------------
# Keys in release 1's order, so the stored bytes do not change.


def submitted_to_stored(state: dict[str, Any]) -> None:
    """``ReadingsSubmitted``: «consumption» was written as plain text, the value as ``decimal_str``."""
    state["readings"] = [
        {"energy_object": r.energy_object, "meter_number": r.meter_number, "zone": r.zone, "quantity": r.quantity,
         "value": r.value, "consumption": None if r.consumption is None else str(r.consumption)}
        for r in state["readings"]
    ]


def submitted_from_stored(state: dict[str, Any]) -> None:
    """Rebuild the typed values; submissions recorded before «consumption» was logged have none."""
    state["readings"] = tuple(
        SubmittedValue(r["energy_object"], r["meter_number"], r["zone"], r["quantity"], r["value"],
                       None if (used := r.get("consumption")) is None else Decimal(used))
        for r in state["readings"]
    )


def accepted_to_stored(state: dict[str, Any]) -> None:
    """``ReadingsAccepted`` (v2): value and consumption as ``decimal_str``."""
    state["readings"] = [
        {"energy_object": r.energy_object, "meter_number": r.meter_number, "zone": r.zone, "quantity": r.quantity,
         "value": r.value, "consumption": r.consumption, "source": r.source}
        for r in state["readings"]
    ]


def accepted_from_stored(state: dict[str, Any]) -> None:
    """Rebuild the typed values (after the v1 → v2 upcaster, which gives v1 none)."""
    state["readings"] = tuple(
        AcceptedReading(r["energy_object"], r["meter_number"], r["zone"], r["quantity"], r["value"],
                        r["consumption"], r["source"])
        for r in state["readings"]
    )


def grid_to_stored(state: dict[str, Any]) -> None:
    """``IntervalProfileUploaded``: the grid as exact decimal text (744 ``decimal_str`` objects would
    triple the event's size; ``str(Decimal)`` round-trips exactly, 12.50 stays 12.50)."""
    state["values"] = [[str(v) for v in hour] for hour in state["values"]]


def grid_from_stored(state: dict[str, Any]) -> None:
    """Rebuild the grid of Decimals."""
    state["values"] = tuple(tuple(map(Decimal, hour)) for hour in state["values"])
