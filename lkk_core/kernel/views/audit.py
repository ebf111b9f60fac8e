"""Auditing the views: rebuild from position 0, snapshot, and ``verify`` (a scratch rebuild compared row by row)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lkk_core.kernel.app import POSTGRES, LkkApplication
from lkk_core.kernel.views.base import SqlProjection
from lkk_core.kernel.views.follow import Following, Progress

if TYPE_CHECKING:
    from lkk_core.kernel.views.registry import Views


class Auditing(Following):
    """The auditors' part of ``Views``: ``rebuild`` and ``snapshot``."""

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every view and rebuild it from position 0."""
        with self._lock:
            for projection in self.projections.values():
                projection.view.drop()
            self._reached.clear()
            self._tracked.clear()
        self.app.keys.preload()
        return self.catch_up(progress)

    def snapshot(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Return every row of every view."""
        return {name: p.view.all_rows() for name, p in self.projections.items()}


def verify(app: LkkApplication, projections: Sequence[type[SqlProjection]], live: Views, workdir: Path) -> list[str]:
    """Rebuild every view into scratch storage and list how it differs from the live one."""
    live.catch_up()
    env: dict[str, str] = {}
    schema = None
    if app.env["PERSISTENCE_MODULE"] == POSTGRES:
        schema = f"lkk_verify_{uuid.uuid4().hex[:12]}"
        _pg_schema(app, f"CREATE SCHEMA {schema}")
        env = {"POSTGRES_SCHEMA": schema}
    scratch = type(live)(app, projections, env, scratch_dir=workdir)  # a Views of the same kind, in scratch storage
    try:
        scratch.catch_up()
        head = app.head()
        live.catch_up()
        ours, theirs = scratch.snapshot(), live.snapshot()
    finally:
        scratch.close()
        if schema:
            _pg_schema(app, f"DROP SCHEMA {schema} CASCADE")
    return _differences(ours, theirs, head)


def _pg_schema(app: LkkApplication, statement: str) -> None:
    with app.factory.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        conn.execute(statement)


def _differences(rebuilt: dict[str, Any], live: dict[str, Any], head: int) -> list[str]:
    found = []
    for view, tables in rebuilt.items():
        for table, rows in tables.items():
            live_rows = live[view][table]
            missing = [r for r in rows if r not in live_rows]
            extra = [r for r in live_rows if r not in rows]
            found += [f"{view}.{table}: live lacks {r}" for r in missing]
            found += [f"{view}.{table}: live has extra {r}" for r in extra]
    return found
