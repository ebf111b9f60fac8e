"""A view's store in SQLite: bare table names, ``?`` as it is, one connection setting per connection."""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from eventsourcing.persistence import Tracking

from lkk_core.kernel.views.base import Handler, SqlView, Writer


class SqliteStore(SqlView):
    """The SQLite half of a concrete view (``concrete_view`` mixes it with ``SQLiteTrackingRecorder``)."""

    def _translate(self, text: str) -> str:
        return text.format(**{name: name for name in self.tables})

    # SQLite's recorder asks for its statements through this hook.
    def construct_create_table_statements(self) -> list[str]:
        """Add the view's tables to the tracking table."""
        return [*super().construct_create_table_statements(), *map(self.sql, self._ddl())]  # type: ignore[misc]

    def _apply(self, handle: Handler, events: Iterable[Any], tracking: Tracking, after: int | None) -> bool:
        with self._connection() as conn, conn.transaction(commit=True) as cursor:
            cursor = cursor.sqlite_cursor  # sqlite3's own cursor has the rowcount
            forgot_someone = self._handle_all(Writer(cursor, self), handle, events)
            self._track(cursor, tracking, after)
        return forgot_someone

    def _track(self, cursor: Any, tracking: Tracking, after: int | None) -> None:
        """Move the tracking row from ``after`` to ``tracking``; raise ``IntegrityError`` if it moved.

        A missing row is created (a new view). A row at another position makes
        the insert collide with it: the unique violation rolls the batch back.
        """
        if after is None or not self.datastore.single_row_tracking:
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
            return
        name, position = tracking.application_name, tracking.notification_id
        # Move the row only from the expected position (compare-and-set).
        cursor.execute("UPDATE tracking SET notification_id = ? WHERE application_name = ? AND notification_id = ?",
                       (position, name, after))
        if cursor.rowcount != 1:
            cursor.execute("INSERT INTO tracking VALUES (?, ?)", (name, position))

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        with self.datastore.get_connection(commit=True) as conn:
            if conn not in self._prepared_connections:
                cursor = conn.cursor()
                # A view is derived data: in WAL mode NORMAL keeps each transaction
                # atomic (rows with their tracking) and skips the fsync per commit; a
                # power cut can only lose the last batches, which catch-up redoes.
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA secure_delete=ON")  # zero the bytes of deleted rows
                self._prepared_connections.add(conn)
            yield conn

    @functools.cached_property
    def _prepared_connections(self) -> weakref.WeakSet[Any]:
        # Both settings belong to the connection: set once, not on every transaction.
        return weakref.WeakSet()

    def scrub(self) -> None:
        """Move the WAL's old pages into the database file, whose deleted bytes are zeroed.

        SQLite keeps old pages in its WAL until a checkpoint (notes/crypto-shredding.md §4).
        """
        with self._connection() as conn:
            conn.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def drop(self) -> None:
        """Drop the view's tables and forget its tracking, for a rebuild from 0."""
        with self._connection() as conn, conn.transaction(commit=True) as cursor:
            for name in self.tables:
                cursor.execute(self.sql(f"DROP TABLE IF EXISTS {{{name}}}"))
            # Keep eventsourcing's own "__migration__" row, or create_table() takes
            # the table for a legacy one and renames it.
            cursor.execute("DELETE FROM tracking WHERE application_name <> '__migration__'")
        self.create_table()  # type: ignore[attr-defined]
