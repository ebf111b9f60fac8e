"""The registry of views: every projection with its concrete view, found by class (``views.of(ProfileView)``).

``Views`` is assembled from its jobs: following the log (``follow``),
read-your-writes (``read_your_writes``) and auditing (``audit``); here it is
built, once per application, with each view's store chosen by its backend.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from eventsourcing.persistence import InfrastructureFactory, TrackingRecorder
from eventsourcing.utils import Environment

from lkk_core.kernel.app import POSTGRES, SQLITE, LkkApplication, keep_compiled_statements
from lkk_core.kernel.views.audit import Auditing
from lkk_core.kernel.views.base import SqlProjection, SqlView
from lkk_core.kernel.views.postgres import PostgresStore
from lkk_core.kernel.views.read_your_writes import ReadYourWrites
from lkk_core.kernel.views.sqlite import SqliteStore

V = TypeVar("V")

# {persistence module: (the view's store, eventsourcing's tracking recorder, class-name prefix)}
_BACKENDS: dict[str, tuple[type[SqlView], str, str]] = {
    SQLITE: (SqliteStore, "SQLiteTrackingRecorder", "SQLite"),
    POSTGRES: (PostgresStore, "PostgresTrackingRecorder", "Postgres"),
}


@functools.cache
def concrete_view(view_class: type[SqlView], persistence_module: str) -> type[TrackingRecorder]:
    """Mix a portable view with the store and the tracking recorder of the given backend (chosen here, once)."""
    if persistence_module not in _BACKENDS:
        msg = f"views need SQLite or PostgreSQL, not {persistence_module}"
        raise ValueError(msg)
    store, recorder_name, prefix = _BACKENDS[persistence_module]
    recorder = getattr(importlib.import_module(persistence_module), recorder_name)
    return type(f"{prefix}{view_class.__name__}", (store, view_class, recorder), {})


def view_env(app: LkkApplication, name: str, base: Mapping[str, str], *, scratch_dir: Path | None = None) -> Environment:
    """Return the environment a view of ``name`` is built from: beside the log by default."""
    env = dict(base)
    module = app.env["PERSISTENCE_MODULE"]
    env["PERSISTENCE_MODULE"] = env.get(f"{name.upper()}_PERSISTENCE_MODULE", module)
    key = f"{name.upper()}_SQLITE_DBNAME"
    if env["PERSISTENCE_MODULE"] == SQLITE and (scratch_dir or key not in env):
        log_db = Path(app.env["SQLITE_DBNAME"])
        folder = scratch_dir or log_db.parent / "views"
        folder.mkdir(parents=True, exist_ok=True)
        env[key] = str(folder / f"{name}.db")
    return Environment(name, env)


class Views(ReadYourWrites, Auditing):
    """Every projection of the domain with its view, following one application's log."""

    def __init__(
        self,
        app: LkkApplication,
        projections: Sequence[type[SqlProjection]],
        env: Mapping[str, str] | None = None,
        *,
        inline: bool = True,
        scratch_dir: Path | None = None,
    ) -> None:
        self.app, self.inline = app, inline
        base = dict(app.env) if env is None else {**app.env, **env}
        self.projections = {}
        for projection_class in projections:
            environment = view_env(app, projection_class.name, base, scratch_dir=scratch_dir)
            view_class = concrete_view(projection_class.view_class, environment["PERSISTENCE_MODULE"])
            if self._beside_the_log(environment):
                # Same PostgreSQL database and schema: share the log's pool.
                view = view_class(datastore=app.factory.datastore,  # type: ignore[attr-defined,call-arg]
                                  tracking_table_name=f"{projection_class.name}_tracking")
                view.create_table()  # type: ignore[attr-defined]
            else:
                factory: Any = keep_compiled_statements(InfrastructureFactory.construct(environment))
                view = factory.tracking_recorder(view_class)
            self.projections[projection_class.name] = projection_class(view=view)
        self._lock = threading.Lock()
        self._tracked = {}
        self._reached = {}

    def _beside_the_log(self, environment: Environment) -> bool:
        if not (self.app.is_postgres and environment["PERSISTENCE_MODULE"] == POSTGRES):
            return False
        keys = ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_SCHEMA")
        return all(environment.get(k) == self.app.env.get(k) for k in keys)

    def of(self, view_class: type[V]) -> V:
        """Return the view of that class (its abstract class, as a context names it): typed, no strings."""
        try:
            return self._by_class[view_class]  # type: ignore[no-any-return]
        except KeyError:
            pass
        for projection in self.projections.values():
            if isinstance(projection.view, view_class):
                self._by_class[view_class] = projection.view  # every query asks: look it up once
                return projection.view
        msg = f"no projection with a {view_class.__name__} is registered"
        raise LookupError(msg)

    @functools.cached_property
    def _by_class(self) -> dict[type, Any]:
        return {}

    def close(self) -> None:
        """Close the views' own connections (a pool shared with the log stays open)."""
        for projection in self.projections.values():
            if projection.view.datastore is not getattr(self.app.factory, "datastore", None):
                projection.view.datastore.close()
