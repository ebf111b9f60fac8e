"""The one eventsourcing Application holding lkk's event log.

Configured only from the environment (eventsourcing's own keys plus ours):
SQLite under ``LKK_VAR_DIR`` (default ``./var``) unless
``PERSISTENCE_MODULE=eventsourcing.postgres`` and the ``POSTGRES_*`` keys say
otherwise. Events are stored as plain JSON (the default transcoder plus
``transcodings.ALL_TRANSCODINGS``); personal fields are sealed per person by
``ShreddingMapper``.
"""

from __future__ import annotations

import base64
import binascii
import os
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, InterfaceError, JSONTranscoder, Mapper
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore
from eventsourcing.utils import Environment, EnvType

from lkk_core.kernel.clock import SystemClock
from lkk_core.kernel.personal_data import KeyStore, ShreddingMapper
from lkk_core.kernel.transcodings import ALL_TRANSCODINGS

SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"
STATEMENT_CACHE = 128  # compiled statements kept per SQLite connection (the sqlite3 default)


class _CompiledStatementsPool(SQLiteConnectionPool):
    """eventsourcing's SQLite pool, with a statement cache that holds a transaction's statements.

    eventsourcing 9.5.6 connects with ``cached_statements=True``, a cache of one
    statement, so every statement of every transaction is compiled again
    (measured: eventsourcing's tracking upsert takes 28 µs instead of 14; a
    view's whole transaction 59 µs instead of 35). The rest copies its
    ``_create_connection``.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            conn = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: the library issues BEGIN itself
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            mode = conn.execute("PRAGMA journal_mode;").fetchone()[0]
            if mode.lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        conn.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)


def keep_compiled_statements(factory: InfrastructureFactory) -> InfrastructureFactory:
    """Give a new SQLite factory's datastore, before its first connection, the pool above."""
    datastore = getattr(factory, "datastore", None)
    if isinstance(datastore, SQLiteDatastore) and not isinstance(datastore.pool, _CompiledStatementsPool):
        old = datastore.pool
        datastore.pool = _CompiledStatementsPool(
            db_name=old.db_name, lock_timeout=old.lock_timeout, pool_size=old.pool_size,
            max_overflow=old.max_overflow, pool_timeout=old.pool_timeout, max_age=old.max_age,
            pre_ping=old.pre_ping,
        )
        old.close()
    return factory


class ConfigurationError(Exception):
    """A required setting is missing or malformed."""


def decode_key(value: str | None, name: str) -> bytes:
    """Decode a 32-byte key given as URL-safe base64 (``lkk secrets new`` prints one)."""
    if not value:
        msg = f"{name} is not set: run `lkk secrets new` and export the keys it prints"
        raise ConfigurationError(msg)
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        msg = f"{name} must be 32 bytes in URL-safe base64"
        raise ConfigurationError(msg)
    return key


class LkkApplication(Application[UUID]):
    """The event log of the whole domain: one total order for auditors to replay."""

    name = "Lkk"
    log_section_size = 1000
    env = {"AGGREGATE_CACHE_MAXSIZE": "10000"}

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Add lkk's defaults: SQLite in ``LKK_VAR_DIR`` when nothing else is said."""
        environment = super().construct_env(name, env)
        if not environment.get("PERSISTENCE_MODULE"):
            environment["PERSISTENCE_MODULE"] = SQLITE
        if environment["PERSISTENCE_MODULE"] == SQLITE and not environment.get("SQLITE_DBNAME"):
            var_dir = Path(environment.get("LKK_VAR_DIR") or "var")
            var_dir.mkdir(parents=True, exist_ok=True)
            environment["SQLITE_DBNAME"] = str(var_dir / "lkk.db")
        return environment

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        """Build eventsourcing's factory; on SQLite its connections keep compiled statements."""
        return keep_compiled_statements(super().construct_factory(env))

    @property
    def is_postgres(self) -> bool:
        """Tell whether the log lives in PostgreSQL."""
        return self.env["PERSISTENCE_MODULE"] == POSTGRES

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Keep eventsourcing's UUID/Decimal/datetime and add lkk's own."""
        super().register_transcodings(transcoder)
        for transcoding in ALL_TRANSCODINGS:
            transcoder.register(transcoding)

    def construct_mapper(self) -> Mapper[UUID]:
        """Build the shredding mapper with its key store beside the log."""
        mapper: Any = self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=ShreddingMapper)
        kek = decode_key(self.env.get("LKK_PII_KEK"), "LKK_PII_KEK")
        datastore: Any = self.factory.datastore  # type: ignore[attr-defined]
        table = f'"{datastore.schema}".lkk_pii_keys' if self.is_postgres else "pii_keys"
        mapper.keys = KeyStore(datastore, kek, table=table, now=SystemClock().now)
        return mapper

    @property
    def keys(self) -> KeyStore:
        """The per-person key store (shred on account deletion)."""
        return self.mapper.keys  # type: ignore[attr-defined,no-any-return]

    def head(self) -> int:
        """Return the position of the last event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0


def new_key() -> str:
    """Return a fresh 32-byte key in URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def new_secrets() -> dict[str, str]:
    """Return fresh ``LKK_PII_KEK`` and ``LKK_SECRET_KEY`` values, as ``lkk secrets new`` prints them."""
    return {"LKK_PII_KEK": new_key(), "LKK_SECRET_KEY": new_key()}
