"""JSON transcodings lkk adds to eventsourcing's defaults (UUID, Decimal, datetime).

A transcoding's ``name`` is written into stored events, so it never changes.
Events otherwise carry plain types: str, int, bool, Decimal, UUID, aware datetime.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import Transcoding


class DateAsISO(Transcoding):
    """A calendar date as ``YYYY-MM-DD`` (reading periods, drafts, windows)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """Return the ISO form of the date."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Parse the ISO form back into a date."""
        return date.fromisoformat(data)


ALL_TRANSCODINGS: tuple[Transcoding, ...] = (DateAsISO(),)
