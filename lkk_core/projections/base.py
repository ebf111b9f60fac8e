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
from collections.abc import Callable, Iterable, Iterator, Sequence
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

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query inside the batch's transaction and return rows as dicts."""
        self._cursor.execute(self._view.sql(sql), tuple(params))
        return [dict(row) for row in self._cursor.fetchall()]


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
        """Translate portable SQL into the backend's dialect."""
        text = text.format(**self._names)
        return text.replace("?", "%s") if self.is_postgres else text

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

    def apply(self, handle: Callable[[Writer, Any], None], events: Iterable[Any], tracking: Tracking) -> None:
        """Apply events and record ``tracking`` in one transaction (exactly once)."""
        forgot_someone = False
        with self._write_transaction() as (cursor, batched):
            writer = Writer(cursor, self)
            with batched():
                for event in events:
                    handle(writer, event)
                    forgot_someone = forgot_someone or getattr(event, "forgets_subject", False)
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
        if forgot_someone:
            self.scrub()

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[tuple[Any, Callable[[], Any]]]:
        if self.is_postgres:
            with self.datastore.get_connection() as conn, conn.transaction():
                # Pipeline mode sends the handlers' statements without waiting for
                # each answer: one round trip per batch instead of one per event.
                # The tracking row is written after it, checked, in the same transaction.
                yield conn.cursor(), conn.pipeline
            return
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            # A view is derived data: in WAL mode NORMAL keeps each transaction
            # atomic (rows with their tracking) and skips the fsync per commit; a
            # power cut can only lose the last batches, which catch-up redoes.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # zero the bytes of deleted rows
            with conn.transaction(commit=True) as transaction_cursor:
                yield transaction_cursor, contextlib.nullcontext

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
            with self.datastore.get_connection(commit=True) as conn:
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
        tracking = self.tracking_table_name if self.is_postgres else "tracking"  # type: ignore[attr-defined]
        if self.is_postgres:
            tracking = f'"{self.datastore.schema}".{tracking}'
        with self.datastore.transaction(commit=True) as cursor:
            for name in self.tables:
                cursor.execute(self.sql(f"DROP TABLE IF EXISTS {{{name}}}"))
            # Keep eventsourcing's own "__migration__" row, or create_table() takes
            # the table for a legacy one and renames it.
            cursor.execute(f"DELETE FROM {tracking} WHERE application_name <> '__migration__'")
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

    def process_batch(self, events: Sequence[Any], tracking: Tracking) -> None:
        """Apply many events in one transaction, tracking the last position."""
        self.view.apply(self.handle, events, tracking)


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
