"""Materialised views in SQL, with exactly-once tracking: what both backends share.

A view is written once, in portable SQL (``?`` placeholders, ``{table}``
names); ``concrete_view`` mixes it with the store of one backend
(``sqlite.SqliteStore`` or ``postgres.PostgresStore``) and eventsourcing's
tracking recorder of that backend. Its rows and its tracking row commit in
one transaction, and a batch of events shares one transaction (about 30×
faster than one per event, notes/eventsourcing-9.5.md Part 2).
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
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


class SqlView(ABC):
    """Mixin for a tracking recorder: the view's tables, batch writes and queries.

    What differs between the backends (how a batch's transaction runs, the
    tracking row, the dialect, scrubbing) is the store's: ``concrete_view``
    puts ``SqliteStore`` or ``PostgresStore`` in front of this class.
    """

    # {table name: column definitions}; types TEXT and INTEGER only, so one DDL fits both.
    tables: ClassVar[dict[str, str]] = {}
    # {index name: (table, columns)}: what the queries look rows up by.
    indexes: ClassVar[dict[str, tuple[str, str]]] = {}
    datastore: Any

    def sql(self, text: str) -> str:
        """Translate portable SQL into the backend's dialect (once per text)."""
        try:
            return self._translated[text]
        except KeyError:
            translated = self._translate(text)
            if len(self._translated) < 1000:  # texts are few: handlers' and queries' (IN lists vary)
                self._translated[text] = translated
            return translated

    @abstractmethod
    def _translate(self, text: str) -> str:
        """Return ``text`` in the backend's dialect (the store's)."""

    @functools.cached_property
    def _translated(self) -> dict[str, str]:
        return {}

    def _ddl(self) -> list[str]:
        return [
            *(f"CREATE TABLE IF NOT EXISTS {{{name}}} ({columns})" for name, columns in self.tables.items()),
            *(f"CREATE INDEX IF NOT EXISTS {index} ON {{{table}}} ({columns})"
              for index, (table, columns) in self.indexes.items()),
        ]

    def apply(
        self, handle: Handler, events: Iterable[Any], tracking: Tracking, *, after: int | None = None,
    ) -> None:
        """Apply events and record ``tracking`` in one transaction (exactly once).

        ``after`` is the position the tracking row must still hold: the batch
        follows on from it. If another process moved the row meanwhile, or a
        crash lost a commit this process remembers, ``IntegrityError`` rolls the
        batch back and the caller re-reads. Without ``after`` (eventsourcing's
        ``ProjectionRunner``) the tracking row only has to move forward.
        """
        if self._apply(handle, events, tracking, after):
            self.scrub()

    @abstractmethod
    def _apply(self, handle: Handler, events: Iterable[Any], tracking: Tracking, after: int | None) -> bool:
        """Run the batch's transaction (the store's); tell whether an event forgets a person."""

    def _handle_all(self, writer: Writer, handle: Handler, events: Iterable[Any]) -> bool:
        """Run the handlers; tell whether an event forgets a person (then scrub)."""
        forgot_someone = False
        for event in events:
            handle(writer, event)
            forgot_someone = forgot_someone or getattr(event, "forgets_subject", False)
        return forgot_someone

    @abstractmethod
    def scrub(self) -> None:
        """Make overwritten personal data unrecoverable from the files (after a deletion); the store's."""

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

    @abstractmethod
    def drop(self) -> None:
        """Drop the view's tables and forget its tracking, for a rebuild from 0; the store's."""


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


def stamp(at: datetime) -> str:
    """Return a UTC timestamp in one fixed width, so that text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
