"""Auditing the views: rebuild from position 0, snapshot, and ``verify`` (a scratch rebuild compared row by row)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
        """Drop every view and rebuild it from position 0.

        A thread of its own drops the views one after another, in order, and
        each view is rebuilt as soon as it is dropped: dropping the next views
        (DDL, waiting on the database) overlaps with rebuilding the first ones
        (reading and decoding the log, CPU). A failure, a drop's or a
        rebuild's, stops the drops not yet begun: those views keep their rows
        and their tracking, as they would after a loop of drops that failed.
        """
        stop = threading.Event()

        def drop(view: Any) -> None:
            if stop.is_set():
                return
            try:
                view.drop()
            except BaseException:
                stop.set()
                raise

        with self._lock, ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-drop") as dropper:
            self._reached.clear()
            self._tracked.clear()
            dropped = {name: dropper.submit(drop, p.view) for name, p in self.projections.items()}
            try:
                self.app.keys.preload()
                head = self.app.head()  # read first: every event up to it is committed
                self._catch_up_views(head, progress, before=lambda name: dropped[name].result())
            except BaseException:
                stop.set()
                raise
        return head

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
