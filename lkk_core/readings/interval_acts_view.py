"""The current «Первичный акт» of each meter and month, for the page «Показания» (RDG-17, RDG-18).

The page needs, per contract and month, the meters that have an act and its
«Введённый расход»: one indexed query per contract instead of loading an
aggregate per meter. No personal data: account ids are not kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from lkk_core.readings.interval_act import PENDING, IntervalAct
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer, stamp


class IntervalActsView(SqlView):
    """One row per meter and month: its current (latest) act."""

    tables: ClassVar[dict[str, str]] = {
        "acts": (
            "act_id TEXT PRIMARY KEY, contract_number TEXT NOT NULL, period TEXT NOT NULL,"
            " meter_number TEXT NOT NULL, number INTEGER NOT NULL, energy_object TEXT,"
            " kind TEXT, total TEXT, status TEXT, created_at TEXT"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "acts_by_contract": ("acts", "contract_number, period"),
    }

    def current(self, contract_number: str, period: date) -> dict[str, dict[str, Any]]:
        """Return the current act of each meter of the contract for the month, by meter number."""
        rows = self.rows("SELECT * FROM {acts} WHERE contract_number = ? AND period = ? AND number > 0",
                         [contract_number, period.replace(day=1).isoformat()])
        return {row["meter_number"]: row for row in rows}


def _opened(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {acts} VALUES (?, ?, ?, ?, 0, NULL, NULL, NULL, NULL, NULL)",
                   [str(e.originator_id), e.contract_number, e.period.isoformat(), e.meter_number])


def _uploaded(writer: Writer, e: Any) -> None:
    writer.execute("UPDATE {acts} SET number = ?, energy_object = ?, kind = ?, total = ?, status = ?, created_at = ?"
                   " WHERE act_id = ?",
                   [e.number, e.energy_object, e.kind, str(e.total), PENDING, stamp(e.at), str(e.originator_id)])


class IntervalActsProjection(SqlProjection):
    """Folds ``IntervalAct`` events into ``IntervalActsView``."""

    name = "interval_acts"
    view_class = IntervalActsView
    handlers: ClassVar = {
        IntervalAct.Opened: _opened,
        IntervalAct.IntervalProfileUploaded: _uploaded,
    }
