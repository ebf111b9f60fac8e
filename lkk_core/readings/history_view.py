"""The readings accepted for settlement, month by month: «История» → «Показания» (§7.3, HIS-07).

Built from the log alone, so an auditor's rebuild gives the same rows: each
``ReadingsAccepted`` carries the readings billing accepted for the month, and
replaces the rows an earlier acceptance of that month left. Names and
addresses of contracts and energy objects are not kept: the query asks
billing for them. No personal data: meter scales and figures only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from lkk_core.readings.reading_submission import ReadingSubmission
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer, stamp


class ReadingsHistoryView(SqlView):
    """One row per (contract, month, meter, zone, quantity) accepted for settlement."""

    tables: ClassVar[dict[str, str]] = {
        # Opened names the contract and month of a submission id; ReadingsAccepted carries the id only.
        "history_periods": (
            "submission_id TEXT PRIMARY KEY, contract_number TEXT NOT NULL, period TEXT NOT NULL"
        ),
        "history": (
            "submission_id TEXT NOT NULL, contract_number TEXT NOT NULL, period TEXT NOT NULL,"
            " meter_number TEXT NOT NULL, zone TEXT NOT NULL, quantity TEXT NOT NULL, energy_object TEXT NOT NULL,"
            " value TEXT NOT NULL, consumption TEXT, source TEXT NOT NULL, accepted_at TEXT NOT NULL,"
            " PRIMARY KEY (contract_number, period, meter_number, zone, quantity)"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        # The query reads contracts × a range of months; a re-acceptance deletes by submission.
        "history_by_submission": ("history", "submission_id"),
    }

    def accepted(self, contract_numbers: Sequence[str], period_from: date, period_to: date) -> list[dict[str, Any]]:
        """Return the accepted rows of the contracts for the months from ``period_from`` to ``period_to``.

        Sorted by contract, energy object, meter, newest month first, then zone and quantity.
        """
        if not contract_numbers:
            return []
        marks = ", ".join("?" for _ in contract_numbers)
        return self.rows(
            # Only "?" marks are built into the text; the values are parameters.
            f"SELECT * FROM {{history}} WHERE contract_number IN ({marks})"  # noqa: S608
            " AND period >= ? AND period <= ?"
            " ORDER BY contract_number, energy_object, meter_number, period DESC, zone, quantity",
            [*contract_numbers, period_from.replace(day=1).isoformat(), period_to.replace(day=1).isoformat()],
        )


def _opened(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {history_periods} VALUES (?, ?, ?)",
                   [str(e.originator_id), e.contract_number, e.period.isoformat()])


def _accepted(writer: Writer, e: Any) -> None:
    submission, at = str(e.originator_id), stamp(e.at)
    writer.execute("DELETE FROM {history} WHERE submission_id = ?", [submission])  # a repeated acceptance replaces
    if not e.readings:
        return
    # The month's rows in one call; its contract and month come from Opened (history_periods).
    writer.executemany(
        "INSERT INTO {history} SELECT submission_id, contract_number, period, ?, ?, ?, ?, ?, ?, ?, ?"
        " FROM {history_periods} WHERE submission_id = ?",
        [(r.meter_number, r.zone, r.quantity, r.energy_object, str(r.value),
          None if r.consumption is None else str(r.consumption), r.source, at, submission) for r in e.readings],
    )


class ReadingsHistoryProjection(SqlProjection):
    """Folds ``ReadingSubmission`` events into ``ReadingsHistoryView``."""

    name = "readings_history"
    view_class = ReadingsHistoryView
    handlers: ClassVar = {
        ReadingSubmission.Opened: _opened,
        ReadingSubmission.Accepted: _accepted,
    }
