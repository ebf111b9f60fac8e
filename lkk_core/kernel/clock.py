"""Clocks: the real one, and one that tests move by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class SystemClock:
    """The wall clock, in UTC: the only place lkk_core reads real time."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved: durations are tested this way."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        """Return the instant the clock stands at."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by ``timedelta(**delta)`` and return the new instant."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, instant: datetime) -> None:
        """Put the clock at ``instant``."""
        self._now = instant
