"""A log written before issue 9's restructuring still replays: every aggregate loads, every view rebuilds the same.

``tests/fixtures/log_before_issue9/`` holds an event log (``lkk.db``, with its
key store), the view and follower files, and ``expected_views.json``, all
written by the code *before* issue 9 moved ``lkk_core``'s modules into
packages: commit 44694a2 (its ``make_log.py``, run from a worktree of that
commit, says how). The story behind it records every kind of event the
aggregates had then, one account deleted and its key shredded included.

Stored events name their classes by topic (``lkk:Account.Registered`` …),
never by module path, and the views keep their tables: so whatever the
modules are called now, the stored topics must keep replaying, and a rebuild
from position 0 must give exactly the rows the old code's rebuild gave,
tracking positions included.

Only the top-level ``lkk_core`` package is imported (module paths are what
issue 9 changes); the tables are read with plain sqlite3 from the view files,
found by name anywhere under the copied store.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from lkk_core import FixedClock, Services, bootstrap

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "log_before_issue9"
EXPECTED: dict[str, dict[str, list[dict[str, Any]]]] = json.loads(
    (FIXTURE / "expected_views.json").read_text(encoding="utf-8"))
# The keys the fixture was written with (make_log.py): without them its personal data cannot be read.
LKK_PII_KEK = "F-QWV82i36v4fxdBj1V24yUrB3UjZ3WlsWu9NMHSQG8"
LKK_SECRET_KEY = "atRoZN5oHWkBeK3F6oUHeJjEo5LpXUTxuzcEKAabLD0"
AGGREGATE_TOPICS = {
    "lkk:Account", "lkk:IdentifierIndex", "lkk:ContractBinding", "lkk:ContractRoles", "lkk:ReadingSubmission",
    "lkk:IntervalAct",
}
PAGE = 100


@pytest.fixture(params=["old_view_files", "no_view_files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A copy of the fixture's files; with ``no_view_files`` the views start from nothing."""
    copy = tmp_path / "store"
    shutil.copytree(FIXTURE, copy, ignore=shutil.ignore_patterns("*.py", "*.json", "__pycache__"))
    if request.param == "no_view_files":
        for path in view_files(copy).values():
            path.unlink()
    return copy


def env(store: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(store / "lkk.db"),
        "LKK_VAR_DIR": str(store),
        "LKK_PII_KEK": LKK_PII_KEK,
        "LKK_SECRET_KEY": LKK_SECRET_KEY,
        "LKK_ARGON2_PROFILE": "fast",
        "AGGREGATE_CACHE_MAXSIZE": "",  # every get reads the log
    }


def view_files(store: Path) -> dict[str, Path]:
    """Return the file of each view named in expected_views.json (``views/<name>.db`` at 44694a2)."""
    found: dict[str, list[Path]] = {}
    for path in sorted(store.rglob("*.db")):
        if path.stem in EXPECTED:
            found.setdefault(path.stem, []).append(path)
    assert all(len(paths) == 1 for paths in found.values()), found
    return {name: paths[0] for name, paths in found.items()}


def dump(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Return every row of every table of one SQLite file, as JSON-able dicts, sorted (as make_log.py does)."""
    with closing(sqlite3.connect(path)) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')  # noqa: S608  (names from sqlite_master)
            columns = [d[0] for d in cursor.description]
            rows = [{c: ({"hex": v.hex()} if isinstance(v, bytes) else v) for c, v in zip(columns, row, strict=True)}
                    for row in cursor]
            tables[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
    return tables


def opened(store: Path) -> Services:
    return bootstrap(env(store), clock=FixedClock())


def closed(services: Services) -> None:
    services.views.close()
    services.app.close()


def test_every_view_rebuilds_from_position_0_to_the_rows_the_old_code_wrote(store: Path) -> None:
    services = opened(store)
    try:
        head = services.views.rebuild()
        tracked = {row["application_name"]: row["notification_id"] for row in EXPECTED["profile"]["tracking"]}
        assert head == services.app.head() == tracked["Lkk"]
    finally:
        closed(services)

    files = view_files(store)
    assert sorted(files) == sorted(EXPECTED), "a view file is missing after the rebuild"
    for name, path in files.items():
        assert dump(path) == EXPECTED[name], f"view {name!r} ({path.relative_to(store)}) differs"


def test_every_aggregate_in_the_old_log_loads(store: Path) -> None:
    services = opened(store)
    try:
        versions: dict[UUID, int] = {}
        created: dict[UUID, str] = {}
        start = 0
        while batch := services.app.notification_log.select(start, PAGE, inclusive_of_start=False):
            for notification in batch:
                created.setdefault(notification.originator_id, notification.topic)
                versions[notification.originator_id] = notification.originator_version
            start = batch[-1].id
        assert start == services.app.head() > 0

        kinds = set()
        for originator_id, version in versions.items():
            aggregate = services.app.repository.get(originator_id)
            topic = get_topic(type(aggregate))
            assert aggregate.version == version, (topic, originator_id)
            assert created[originator_id].startswith(f"{topic}."), (created[originator_id], topic)
            kinds.add(topic)
        assert kinds == AGGREGATE_TOPICS
    finally:
        closed(services)
