"""Materialised views in SQL, on SQLite or PostgreSQL, with exactly-once tracking.

A view is written once, in portable SQL (``?`` placeholders, ``{table}``
names); ``concrete_view`` mixes it with eventsourcing's SQLite or PostgreSQL
tracking recorder. Its rows and its tracking row commit in one transaction,
and a batch of events shares one transaction (about 30× faster than one per
event, notes/eventsourcing-9.5.md Part 2).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

Handler = Callable[["Writer", Any], None]


class Writer:
    """A cursor that speaks the view's dialect: ``?`` placeholders and ``{name}`` tables."""

    def __init__(self, cursor: Any, view: SqlView) -> None:
        self._cursor, self._view = cursor, view

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement inside the batch's transaction."""
        self._cursor.execute(self._view.sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row: an event with thousands of rows (a 5,000-meter upload) in one call."""
        if rows:
            self._cursor.executemany(self._view.sql(sql), [tuple(row) for row in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query inside the batch's transaction and return rows as dicts."""
        self._cursor.execute(self._view.sql(sql), tuple(params))
        return [dict(row) for row in self._cursor.fetchall()]


class _ScriptWriter(Writer):
    """A PostgreSQL writer that gathers a batch's statements into one script.

    Each statement is bound on the client (``ClientCursor.mogrify``) and the
    script goes to the server in one simple-protocol round trip: for a batch
    of hundreds of events that is several times faster than even a pipeline,
    where psycopg spends ~50 µs of Python per statement. A query (``fetchall``)
    first sends what is gathered, so handlers see their own writes.
    """

    def __init__(self, cursor: Any, view: SqlView) -> None:
        super().__init__(cursor, view)
        self.script: list[str] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Add one statement to the script."""
        self.script.append(self._cursor.mogrify(self._view.sql(sql), tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Add one statement per row to the script."""
        statement = self._view.sql(sql)
        self.script.extend(self._cursor.mogrify(statement, tuple(row)) for row in rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Send the script so far, then run the query."""
        self.send()
        return super().fetchall(sql, params)

    def send(self, *tail: str) -> None:
        """Send the gathered statements, and ``tail``, in one round trip."""
        statements, self.script = [*self.script, *tail], []
        if statements:
            self._cursor.execute(";\n".join(statements))


SCRIPT_MIN_EVENTS = 20  # smaller batches (a command's own writes) go through the pipeline


class SqlView:
    """Mixin for a tracking recorder: the view's tables, batch writes and queries."""

    # {table name: column definitions}; types TEXT and INTEGER only, so one DDL fits both.
    tables: ClassVar[dict[str, str]] = {}
    # {index name: (table, columns)}: what the queries look rows up by.
    indexes: ClassVar[dict[str, tuple[str, str]]] = {}
    datastore: Any

    @property
    def is_postgres(self) -> bool:
        """Tell whether the view lives in PostgreSQL."""
        return hasattr(self, "tracking_table_name")

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        if self.is_postgres:
            return {name: f'"{self.datastore.schema}".{name}' for name in self.tables}
        return {name: name for name in self.tables}

    def sql(self, text: str) -> str:
        """Translate portable SQL into the backend's dialect (once per text)."""
        try:
            return self._translated[text]
        except KeyError:
            translated = text.format(**self._names)
            translated = translated.replace("?", "%s") if self.is_postgres else translated
            if len(self._translated) < 1000:  # texts are few: handlers' and queries' (IN lists vary)
                self._translated[text] = translated
            return translated

    @functools.cached_property
    def _translated(self) -> dict[str, str]:
        return {}

    def _ddl(self) -> list[str]:
        return [
            *(f"CREATE TABLE IF NOT EXISTS {{{name}}} ({columns})" for name, columns in self.tables.items()),
            *(f"CREATE INDEX IF NOT EXISTS {index} ON {{{table}}} ({columns})"
              for index, (table, columns) in self.indexes.items()),
        ]

    # SQLite's recorder asks for its statements through this hook ...
    def construct_create_table_statements(self) -> list[str]:
        """Add the view's tables to the tracking table (SQLite)."""
        return [*super().construct_create_table_statements(), *map(self.sql, self._ddl())]  # type: ignore[misc]

    # ... and PostgreSQL's keeps a list built in __init__.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_postgres:
            sql_class = importlib.import_module("psycopg.sql").SQL  # only on PostgreSQL
            self.sql_create_statements.extend(sql_class(self.sql(ddl)) for ddl in self._ddl())  # type: ignore[attr-defined]

    def apply(
        self, handle: Callable[[Writer, Any], None], events: Iterable[Any], tracking: Tracking,
        *, after: int | None = None,
    ) -> None:
        """Apply events and record ``tracking`` in one transaction (exactly once).

        ``after`` is the position the tracking row must still hold: the batch
        follows on from it. If another process moved the row meanwhile, or a
        crash lost a commit this process remembers, ``IntegrityError`` rolls the
        batch back and the caller re-reads. Without ``after`` (eventsourcing's
        ``ProjectionRunner``) the tracking row only has to move forward.
        """
        if self.is_postgres:
            events = list(events)
            with self.datastore.get_connection() as conn:
                if len(events) >= SCRIPT_MIN_EVENTS and self.datastore.single_row_tracking and after is not None:
                    forgot_someone = self._apply_postgres_script(conn, handle, events, tracking, after)
                else:
                    forgot_someone = self._apply_postgres(conn, handle, events, tracking, after)
        else:
            with self._sqlite_connection() as conn, conn.transaction(commit=True) as cursor:
                cursor = cursor.sqlite_cursor  # sqlite3's own cursor has the rowcount
                forgot_someone = self._handle_all(cursor, handle, events)
                self._track(cursor, tracking, after)
        if forgot_someone:
            self.scrub()

    def _apply_postgres(
        self, conn: Any, handle: Callable[[Writer, Any], None], events: Iterable[Any], tracking: Tracking,
        after: int | None,
    ) -> bool:
        # One pipeline holds the whole transaction, so BEGIN, the handlers'
        # statements, the tracking row and COMMIT travel in one round trip (a
        # conn.transaction() around a pipeline takes four). A failing statement
        # makes the server skip the rest, COMMIT included; we then roll back.
        cursor = conn.cursor()
        try:
            with conn.pipeline():
                cursor.execute("BEGIN")
                # A view is derived data: like SQLite's synchronous=NORMAL, an
                # asynchronous commit keeps the batch atomic and visible at once, and
                # skips the wait for the WAL flush. A server crash can lose the last
                # batches; their tracking goes with them, ``after`` notices, and
                # catch-up reads them again from the log.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                forgot_someone = self._handle_all(cursor, handle, events)
                self._track(cursor, tracking, after)
                cursor.execute("COMMIT")
        except BaseException:
            # Autocommit connection: this rolls back only an open transaction. If
            # the connection broke, the pool discards it; the first error is the one to see.
            with contextlib.suppress(Exception):
                conn.rollback()
            raise
        return forgot_someone

    def _apply_postgres_script(
        self, conn: Any, handle: Callable[[Writer, Any], None], events: list[Any], tracking: Tracking, after: int,
    ) -> bool:
        # A catch-up or rebuild batch: BEGIN, every handler's statement, the
        # compare-and-set of the tracking row and COMMIT as one script (see
        # _ScriptWriter); asynchronous commit as in _apply_postgres. A failing
        # statement aborts the script before its COMMIT; we then roll back.
        client = importlib.import_module("psycopg").ClientCursor(conn)
        writer = _ScriptWriter(client, self)
        writer.execute("BEGIN")
        writer.execute("SET LOCAL synchronous_commit TO OFF")
        try:
            forgot_someone = self._handle_all(client, handle, events, writer)
            name, position = tracking.application_name, tracking.notification_id
            writer.execute(self._moved_or_inserted, (position, name, after, name, position))
            writer.send("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                conn.rollback()
            raise
        return forgot_someone

    def _handle_all(
        self, cursor: Any, handle: Callable[[Writer, Any], None], events: Iterable[Any], writer: Writer | None = None
    ) -> bool:
        """Run the handlers; tell whether an event forgets a person (then scrub)."""
        writer, forgot_someone = writer or Writer(cursor, self), False
        for event in events:
            handle(writer, event)
            forgot_someone = forgot_someone or getattr(event, "forgets_subject", False)
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
        if self.is_postgres:  # one statement, so that it fits in the pipeline's one round trip
            cursor.execute(self.sql(self._moved_or_inserted), (position, name, after, name, position))
            return
        cursor.execute(self._move_tracking, (position, name, after))
        if cursor.rowcount != 1:
            cursor.execute(f"INSERT INTO {self._tracking_table} VALUES (?, ?)", (name, position))

    @functools.cached_property
    def _move_tracking(self) -> str:
        # Move the row only from the expected position (compare-and-set).
        return (f"UPDATE {self._tracking_table} SET notification_id = ?"
                " WHERE application_name = ? AND notification_id = ?")

    @functools.cached_property
    def _moved_or_inserted(self) -> str:
        # PostgreSQL: move the row from the expected position, or insert it when the view is new;
        # a row at another position makes the insert collide (unique violation).
        return (f"WITH moved AS ({self._move_tracking} RETURNING 1)"
                f" INSERT INTO {self._tracking_table} SELECT ?, ? WHERE NOT EXISTS (SELECT FROM moved)")

    @functools.cached_property
    def _tracking_table(self) -> str:
        if self.is_postgres:
            return f'"{self.datastore.schema}".{self.tracking_table_name}'  # type: ignore[attr-defined]
        return "tracking"

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        if self.is_postgres:
            with self.datastore.transaction(commit=True) as cursor:
                yield cursor
        else:
            with self._sqlite_connection() as conn, conn.transaction(commit=True) as cursor:
                yield cursor

    @contextlib.contextmanager
    def _sqlite_connection(self) -> Iterator[Any]:
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
        """Make overwritten personal data unrecoverable from the files (after a deletion).

        SQLite keeps old pages in its WAL until a checkpoint; PostgreSQL keeps
        dead tuples until VACUUM (notes/crypto-shredding.md §4).
        """
        if self.is_postgres:
            with self.datastore.get_connection() as conn:
                for name in self.tables:
                    conn.execute(self.sql(f"VACUUM {{{name}}}"))
        else:
            with self._sqlite_connection() as conn:
                conn.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query and return rows as dicts."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self.sql(sql), tuple(params))
            return [dict(row) for row in cursor.fetchall()]

    def all_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Return every row of every table, sorted: what ``lkk project verify`` compares."""
        result = {}
        for name in sorted(self.tables):
            rows = self.rows(f"SELECT * FROM {{{name}}}")
            result[name] = sorted(rows, key=lambda r: repr(sorted(r.items())))
        return result

    def drop(self) -> None:
        """Drop the view's tables and forget its tracking, for a rebuild from 0."""
        with self._transaction() as cursor:
            for name in self.tables:
                cursor.execute(self.sql(f"DROP TABLE IF EXISTS {{{name}}}"))
            # Keep eventsourcing's own "__migration__" row, or create_table() takes
            # the table for a legacy one and renames it.
            cursor.execute(f"DELETE FROM {self._tracking_table} WHERE application_name <> '__migration__'")
        self.create_table()  # type: ignore[attr-defined]


class SqlProjection(Projection[Any]):
    """A projection whose handlers write SQL; ``topics`` follow from the handled classes."""

    view_class: ClassVar[type[SqlView]]
    handlers: ClassVar[dict[type, Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.topics = tuple(get_topic(event_class) for event_class in cls.handlers)

    def handle(self, writer: Writer, event: Any) -> None:
        """Apply one event; events without a handler change nothing."""
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(writer, event)

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Apply one event (eventsourcing's ``ProjectionRunner`` calls this)."""
        self.view.apply(self.handle, [domain_event], tracking)

    def process_batch(self, events: Sequence[Any], tracking: Tracking, *, after: int | None = None) -> None:
        """Apply many events in one transaction, tracking the last position (see ``SqlView.apply``)."""
        self.view.apply(self.handle, events, tracking, after=after)


@functools.cache
def concrete_view(view_class: type[SqlView], persistence_module: str) -> type[TrackingRecorder]:
    """Mix a portable view with the tracking recorder of the given backend."""
    backend = {"eventsourcing.sqlite": "SQLiteTrackingRecorder", "eventsourcing.postgres": "PostgresTrackingRecorder"}
    if persistence_module not in backend:
        msg = f"views need SQLite or PostgreSQL, not {persistence_module}"
        raise ValueError(msg)
    recorder = getattr(importlib.import_module(persistence_module), backend[persistence_module])
    prefix = "SQLite" if persistence_module.endswith("sqlite") else "Postgres"
    return type(f"{prefix}{view_class.__name__}", (view_class, recorder), {})


def stamp(at: datetime) -> str:
    """Return a UTC timestamp in one fixed width, so that text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
