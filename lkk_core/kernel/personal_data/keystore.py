"""Per-person data keys, kept in a table beside the event log.

Each key is 32 random bytes, stored wrapped (AES-GCM) by a key-encryption key
(``LKK_PII_KEK``) that never enters the database, so the database alone
reveals no personal data. Shredding nulls the wrapped key and leaves a
tombstone, so nobody can mint a fresh key for a forgotten person later.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SubjectForgotten(Exception):  # noqa: N818 (a fact, like StopIteration)
    """New personal data about a person whose key was destroyed was refused."""


class KeyStore:
    """Data keys by subject (account id), wrapped by the KEK, cached for ``ttl`` seconds."""

    def __init__(
        self,
        datastore: Any,
        kek: bytes,
        *,
        table: str,
        now: Callable[[], datetime],
        ttl: float = 60.0,
    ) -> None:
        self._ds, self._kek, self._now, self._ttl = datastore, AESGCM(kek), now, ttl
        self._pg = type(datastore).__name__.startswith("Postgres")
        self.table = table
        self._cache: dict[UUID, tuple[AESGCM | None, float]] = {}  # None: tombstone
        self._lock = threading.Lock()
        types = ("uuid", "bytea", "timestamptz") if self._pg else ("TEXT", "BLOB", "TEXT")
        self._run(
            f"CREATE TABLE IF NOT EXISTS {table} (subject_id {types[0]} PRIMARY KEY,"
            f" wrapped_key {types[1]}, created_at {types[2]} NOT NULL, shredded_at {types[2]})"
        )

    # -- reading and writing keys -------------------------------------------------

    def for_read(self, subject: UUID) -> AESGCM | None:
        """Return the subject's key, or None when it never existed or was shredded."""
        hit = self._cache.get(subject)
        if hit and (hit[0] is None or hit[1] > time.monotonic()):
            return hit[0]
        row = self._run(
            (f"SELECT wrapped_key FROM {self.table} WHERE subject_id=?", self._param(subject)),
            commit=False,
        )
        if row is None:
            return None
        return self._remember(subject, row["wrapped_key"])

    def for_write(self, subject: UUID) -> AESGCM:
        """Return the subject's key, creating it on first use; refuse a shredded subject."""
        aead = self.for_read(subject)
        if aead is not None:
            return aead
        hit = self._cache.get(subject)
        if hit and hit[0] is None:
            raise SubjectForgotten(subject)
        key, nonce = AESGCM.generate_key(256), os.urandom(12)
        wrapped = nonce + self._kek.encrypt(nonce, key, subject.bytes)
        row = self._run(
            (
                f"INSERT INTO {self.table} VALUES (?,?,?,NULL) ON CONFLICT DO NOTHING",
                self._param(subject),
                wrapped,
                self._stamp(),
            ),
            (f"SELECT wrapped_key FROM {self.table} WHERE subject_id=?", self._param(subject)),
        )
        aead = self._remember(subject, row["wrapped_key"])
        if aead is None:
            raise SubjectForgotten(subject)  # shredded meanwhile by another process
        return aead

    def shred(self, subject: UUID) -> None:
        """Destroy the subject's key for good; idempotent, so retry until it returns."""
        now = self._stamp()
        self._run(
            (
                f"INSERT INTO {self.table} VALUES (?,NULL,?,?) ON CONFLICT (subject_id)"
                " DO UPDATE SET wrapped_key=NULL, shredded_at=excluded.shredded_at",
                self._param(subject),
                now,
                now,
            )
        )
        self._scrub_freed_storage()
        self.forget(subject)

    def forget(self, subject: UUID) -> None:
        """Mark the subject as shredded in this process's cache (seen a deletion event)."""
        with self._lock:
            self._cache[subject] = (None, float("inf"))

    def subjects_with_keys(self) -> set[UUID]:
        """Return every subject whose key still exists (the sweep compares it with deletions)."""
        with self._ds.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT subject_id FROM {self.table} WHERE wrapped_key IS NOT NULL")
            rows = cursor.fetchall()
        return {row["subject_id"] if isinstance(row["subject_id"], UUID) else UUID(row["subject_id"]) for row in rows}

    def preload(self) -> None:
        """Load every key in one query: a rebuild then decodes without a round trip per person."""
        with self._ds.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT subject_id, wrapped_key FROM {self.table}")
            rows = cursor.fetchall()
        for row in rows:
            subject = row["subject_id"]
            self._remember(subject if isinstance(subject, UUID) else UUID(subject), row["wrapped_key"])

    # -- internals ----------------------------------------------------------------

    def _remember(self, subject: UUID, wrapped: Any) -> AESGCM | None:
        aead = None
        if wrapped is not None:
            wrapped = bytes(wrapped)
            aead = AESGCM(self._kek.decrypt(wrapped[:12], wrapped[12:], subject.bytes))
        with self._lock:
            self._cache[subject] = (aead, time.monotonic() + self._ttl)
        return aead

    def _scrub_freed_storage(self) -> None:
        # NOTE: the old key survives in PostgreSQL's dead tuple until VACUUM, and in
        # SQLite's WAL until a checkpoint (notes/crypto-shredding.md §4).
        if self._pg:
            with self._ds.get_connection() as conn:
                conn.execute(f"VACUUM {self.table}")
        else:
            with self._ds.get_connection(commit=True) as conn:
                conn.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _param(self, subject: UUID) -> Any:
        return subject if self._pg else subject.hex

    def _stamp(self) -> Any:
        now = self._now()
        return now if self._pg else now.isoformat()

    def _run(self, *statements: Any, commit: bool = True) -> Any:
        with self._ds.transaction(commit=commit) as cursor:
            if not self._pg:
                cursor.execute("PRAGMA secure_delete=ON")  # zero the bytes a shred frees
            for sql, *params in [(s,) if isinstance(s, str) else s for s in statements]:
                cursor.execute(sql.replace("?", "%s") if self._pg else sql, tuple(params))
            if self._pg and cursor.description is None:
                return None
            return cursor.fetchone()
