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
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import Environment, EnvType

from lkk_core.clock import SystemClock
from lkk_core.personal_data import KeyStore, ShreddingMapper
from lkk_core.transcodings import ALL_TRANSCODINGS

SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"


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
