"""Readings submitted in the portal, kept for the page until billing closes the period (RDG-09).

Feeds the inputs «Текущие показания» of the page «Показания» and the tick
next to an energy object (RDG-07). No personal data: account ids and meter keys only.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from lkk_core.readings.reading_submission import ReadingSubmission
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer, stamp
from lkk_core.readings.values import ScaleKey


class ReadingsView(SqlView):
    """The latest submitted value per meter scale of each open contract period."""

    tables: ClassVar[dict[str, str]] = {
        "periods": (
            "submission_id TEXT PRIMARY KEY, contract_number TEXT NOT NULL, period TEXT NOT NULL,"
            " submitted_at TEXT, accepted_at TEXT, closed_at TEXT"
        ),
        "readings": (
            "submission_id TEXT NOT NULL, meter_number TEXT NOT NULL, zone TEXT NOT NULL, quantity TEXT NOT NULL,"
            " energy_object TEXT NOT NULL, value TEXT NOT NULL, account_id TEXT NOT NULL, submitted_at TEXT NOT NULL,"
            " PRIMARY KEY (submission_id, meter_number, zone, quantity)"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "periods_by_contract": ("periods", "contract_number, period"),
    }

    def period(self, submission_id: UUID) -> dict[str, Any] | None:
        """Return the contract period's state (submitted, accepted, closed), or None before any submission."""
        rows = self.rows("SELECT * FROM {periods} WHERE submission_id = ?", [str(submission_id)])
        return rows[0] if rows else None

    def submitted(self, submission_id: UUID) -> dict[ScaleKey, dict[str, Any]]:
        """Return the values shown in the inputs, by (meter number, zone, quantity); none once closed (RDG-09)."""
        rows = self.rows("SELECT * FROM {readings} WHERE submission_id = ?", [str(submission_id)])
        return {(row["meter_number"], row["zone"], row["quantity"]): row for row in rows}


def _opened(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {periods} VALUES (?, ?, ?, NULL, NULL, NULL)",
                   [str(e.originator_id), e.contract_number, e.period.isoformat()])


def _submitted(writer: Writer, e: Any) -> None:
    submission = str(e.originator_id)
    account, at = str(e.account_id), stamp(e.at)
    # The latest value of a scale replaces the earlier one (RDG-09): one upsert per reading, all in one call.
    writer.executemany(
        "INSERT INTO {readings} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (submission_id, meter_number, zone, quantity) DO UPDATE SET"
        " energy_object = excluded.energy_object, value = excluded.value, account_id = excluded.account_id,"
        " submitted_at = excluded.submitted_at",
        [(submission, reading.meter_number, reading.zone, reading.quantity, reading.energy_object,
          str(reading.value), account, at) for reading in e.readings],
    )
    writer.execute("UPDATE {periods} SET submitted_at = ? WHERE submission_id = ?", [stamp(e.at), submission])


def _accepted(writer: Writer, e: Any) -> None:
    writer.execute("UPDATE {periods} SET accepted_at = ? WHERE submission_id = ?", [stamp(e.at), str(e.originator_id)])


def _closed(writer: Writer, e: Any) -> None:
    writer.execute("UPDATE {periods} SET closed_at = ? WHERE submission_id = ?", [stamp(e.at), str(e.originator_id)])
    writer.execute("DELETE FROM {readings} WHERE submission_id = ?", [str(e.originator_id)])


class ReadingsProjection(SqlProjection):
    """Folds ``ReadingSubmission`` events into ``ReadingsView``."""

    name = "readings"
    view_class = ReadingsView
    handlers: ClassVar = {
        ReadingSubmission.Opened: _opened,
        ReadingSubmission.Submitted: _submitted,
        ReadingSubmission.Accepted: _accepted,
        ReadingSubmission.PeriodClosed: _closed,
    }
