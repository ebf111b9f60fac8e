"""Fixtures shared by every layer: stores (SQLite and PostgreSQL), a movable clock, services."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lkk_core.kernel.app import new_key
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.services import Services
from tests.contracts_support import Catalogue
from tests.support import Mailbox

PG = {"host": "127.0.0.1", "port": "5432", "dbname": "test", "user": "postgres"}


def postgres_available() -> bool:
    """Tell whether the PostgreSQL of the machine answers; with LKK_TEST_POSTGRES=1 it must."""
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(**PG, connect_timeout=3):
            return True
    except Exception:
        if os.environ.get("LKK_TEST_POSTGRES") == "1":
            raise
        return False


def base_env(tmp_path: Path) -> dict[str, str]:
    """Settings every test store shares: fresh keys, cheap Argon2id, files in tmp_path."""
    return {
        "LKK_PII_KEK": new_key(),
        "LKK_SECRET_KEY": new_key(),
        "LKK_ARGON2_PROFILE": "fast",
        "LKK_VAR_DIR": str(tmp_path),
    }


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    """A store on SQLite files in tmp_path."""
    return {**base_env(tmp_path), "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "lkk.db")}


@pytest.fixture
def postgres_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A store in a fresh schema of the PostgreSQL database ``test``, dropped afterwards."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432 (LKK_TEST_POSTGRES=1 makes this a failure)")
    import psycopg  # noqa: PLC0415

    schema = f"lkk_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield {
        **base_env(tmp_path),
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": PG["dbname"], "POSTGRES_HOST": PG["host"], "POSTGRES_PORT": PG["port"],
        "POSTGRES_USER": PG["user"], "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema,
    }
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The same test on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_env")


@pytest.fixture
def clock() -> FixedClock:
    """A clock that moves only when a test moves it."""
    return FixedClock()


@pytest.fixture
def services(sqlite_env: dict[str, str], clock: FixedClock) -> Iterator[Services]:
    """Services over SQLite with views caught up inline."""
    built = bootstrap(sqlite_env, clock=clock, billing=Catalogue())
    yield built
    built.views.close()
    built.app.close()


@pytest.fixture
def store_services(store_env: dict[str, str], clock: FixedClock) -> Iterator[Services]:
    """Services over each store in turn."""
    built = bootstrap(store_env, clock=clock, billing=Catalogue())
    yield built
    built.views.close()
    built.app.close()


@pytest.fixture
def mailbox(services: Services) -> Mailbox:
    """Delivers the outbox of the services and reads the codes out of the letters."""
    return Mailbox(services)
