"""A view's store in PostgreSQL: schema-qualified tables, ``%s`` placeholders, batches as one script.

A command's own writes (a few events) go through a pipeline: one round trip,
the parameters bound on the server. A catch-up or rebuild batch goes as one
script bound on the client (``ScriptWriter``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from lkk_core.kernel.views.base import Handler, SqlView, Writer

SCRIPT_MIN_EVENTS = 20  # smaller batches (a command's own writes) go through the pipeline


class ScriptWriter(Writer):
    """A PostgreSQL writer that gathers a batch's statements into one script of prepared statements.

    The script goes to the server in one simple-protocol round trip: for a
    batch of hundreds of events that is several times faster than even a
    pipeline, where psycopg spends ~50 µs of Python per statement. Each
    statement text is prepared once per batch (``PREPARE``, its parameters
    typed as psycopg types them when it binds on the server, as for a
    command's own writes), and each event's statement is an ``EXECUTE``
    bound on the client (``ClientCursor.mogrify``): the server parses and
    plans a text once per batch, not once per event. The statements run in
    the handlers' order. A query (``fetchall``) first sends what is
    gathered, so handlers see their own writes.
    """

    def __init__(self, cursor: Any, view: SqlView) -> None:
        super().__init__(cursor, view)
        self.script: list[str] = []
        self.prepared: list[str] = []  # the batch's prepared statements, deallocated at its end
        self._executes: dict[tuple[str, tuple[int, ...]], str] = {}  # (text, parameter types): EXECUTE text
        adapt = importlib.import_module("psycopg.adapt")  # only on PostgreSQL
        self._types, self._auto = adapt.Transformer(cursor), adapt.PyFormat.AUTO

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Add one statement to the script."""
        self.script.append(self._bound(self._view.sql(sql), tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Add one statement per row to the script."""
        statement = self._view.sql(sql)
        self.script.extend(self._bound(statement, tuple(row)) for row in rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Send the script so far, then run the query."""
        self.send()
        return super().fetchall(sql, params)

    def send(self, *tail: str) -> None:
        """Send the gathered statements, and ``tail``, in one round trip."""
        statements, self.script = [*self.script, *tail], []
        if statements:
            self._cursor.execute(";\n".join(statements))

    def deallocations(self) -> list[str]:
        """Return the statements that forget the batch's prepared statements (they outlive a transaction)."""
        return [f"DEALLOCATE {name}" for name in self.prepared]

    def _bound(self, statement: str, params: tuple[Any, ...]) -> str:
        if not params or "%(" in statement:
            return self._cursor.mogrify(statement, params)
        self._types.dump_sequence(params, [self._auto] * len(params))
        key = (statement, tuple(self._types.types))
        execute = self._executes.get(key)
        if execute is None:
            name = f"lkk_view_{next(_NAMES)}"
            types = ", ".join(self._type_name(oid) for oid in key[1])
            self.script.append(f"PREPARE {name} ({types}) AS {_numbered(statement)}")
            self.prepared.append(name)
            execute = self._executes[key] = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
        return self._cursor.mogrify(execute, params)

    def _type_name(self, oid: int) -> str:
        info = self._cursor.adapters.types.get(oid) if oid else None
        return "unknown" if info is None else info.name  # "unknown": the server infers it, as for a literal


_NAMES = itertools.count()  # names of prepared statements: unique in the process, so a leftover never collides
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(statement: str) -> str:
    """Write psycopg's ``%s`` placeholders as PostgreSQL's ``$1, $2, …`` (and ``%%`` as ``%``)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", statement)


class PostgresStore(SqlView):
    """The PostgreSQL half of a concrete view (``concrete_view`` mixes it with ``PostgresTrackingRecorder``)."""

    tracking_table_name: str

    def _translate(self, text: str) -> str:
        return text.format(**self._names).replace("?", "%s")

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        return {name: f'"{self.datastore.schema}".{name}' for name in self.tables}

    # PostgreSQL's recorder keeps a list of statements built in __init__.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sql_class = importlib.import_module("psycopg.sql").SQL  # only on PostgreSQL
        self.sql_create_statements.extend(sql_class(self.sql(ddl)) for ddl in self._ddl())  # type: ignore[attr-defined]

    def _apply(self, handle: Handler, events: Iterable[Any], tracking: Tracking, after: int | None) -> bool:
        events = list(events)
        with self.datastore.get_connection() as conn:
            if len(events) >= SCRIPT_MIN_EVENTS and self.datastore.single_row_tracking and after is not None:
                return self._apply_script(conn, handle, events, tracking, after)
            return self._apply_pipeline(conn, handle, events, tracking, after)

    def _apply_pipeline(
        self, conn: Any, handle: Handler, events: list[Any], tracking: Tracking, after: int | None,
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
                forgot_someone = self._handle_all(Writer(cursor, self), handle, events)
                self._track(cursor, tracking, after)
                cursor.execute("COMMIT")
        except BaseException:
            # Autocommit connection: this rolls back only an open transaction. If
            # the connection broke, the pool discards it; the first error is the one to see.
            with contextlib.suppress(Exception):
                conn.rollback()
            raise
        return forgot_someone

    def _apply_script(self, conn: Any, handle: Handler, events: list[Any], tracking: Tracking, after: int) -> bool:
        # A catch-up or rebuild batch: BEGIN, every handler's statement, the
        # compare-and-set of the tracking row and COMMIT as one script (see
        # ScriptWriter); asynchronous commit as in _apply_pipeline. A failing
        # statement aborts the script before its COMMIT; we then roll back and
        # forget what the script prepared.
        client = importlib.import_module("psycopg").ClientCursor(conn)
        writer = ScriptWriter(client, self)
        writer.script += ["BEGIN", "SET LOCAL synchronous_commit TO OFF"]
        try:
            forgot_someone = self._handle_all(writer, handle, events)
            name, position = tracking.application_name, tracking.notification_id
            writer.script.append(client.mogrify(self.sql(self._moved_or_inserted), (position, name, after, name, position)))
            writer.send(*writer.deallocations(), "COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                conn.rollback()
            for deallocate in writer.deallocations():  # those the script did not reach fail, harmlessly
                with contextlib.suppress(Exception):
                    conn.execute(deallocate)
            raise
        return forgot_someone

    def _track(self, cursor: Any, tracking: Tracking, after: int | None) -> None:
        """Move the tracking row from ``after`` to ``tracking``; raise ``IntegrityError`` if it moved.

        A missing row is created (a new view). A row at another position makes
        the insert collide with it: the unique violation rolls the batch back.
        One statement, so that it fits in the pipeline's one round trip.
        """
        if after is None or not self.datastore.single_row_tracking:
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
            return
        name, position = tracking.application_name, tracking.notification_id
        cursor.execute(self.sql(self._moved_or_inserted), (position, name, after, name, position))

    @functools.cached_property
    def _moved_or_inserted(self) -> str:
        # Move the row from the expected position (compare-and-set), or insert it when the view
        # is new; a row at another position makes the insert collide (unique violation).
        return (f"WITH moved AS (UPDATE {self._tracking_table} SET notification_id = ?"
                " WHERE application_name = ? AND notification_id = ? RETURNING 1)"
                f" INSERT INTO {self._tracking_table} SELECT ?, ? WHERE NOT EXISTS (SELECT FROM moved)")

    @functools.cached_property
    def _tracking_table(self) -> str:
        return f'"{self.datastore.schema}".{self.tracking_table_name}'

    def scrub(self) -> None:
        """Vacuum the view's tables: PostgreSQL keeps dead tuples until VACUUM (notes/crypto-shredding.md §4)."""
        with self.datastore.get_connection() as conn:
            for name in self.tables:
                conn.execute(self.sql(f"VACUUM {{{name}}}"))

    def drop(self) -> None:
        """Drop the view's tables and forget its tracking, for a rebuild from 0; then create the tables anew.

        One transaction, committed asynchronously like a batch (the view is
        derived data: a server crash that loses the drop leaves the old tables
        with their old tracking, as if no rebuild had begun), so a rebuild does
        not wait for the WAL flush of each view's DDL.
        """
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for name in self.tables:
                cursor.execute(self.sql(f"DROP TABLE IF EXISTS {{{name}}}"))
            # Keep eventsourcing's own "__migration__" row, or create_table() takes
            # the table for a legacy one and renames it. The tracking table stays,
            # so only the view's own tables are created again.
            cursor.execute(f"DELETE FROM {self._tracking_table} WHERE application_name <> '__migration__'")
            for ddl in self._ddl():
                cursor.execute(self.sql(ddl))
