"""The docs stay true to the code (STYLE 25).

Every ```python block in docs/ runs: a page's blocks in order, in one fresh
interpreter, in an empty directory, with ``base_env``'s settings. And the
reference pages name every route, every event (with its fields and personal
fields), every error code and every ``LKK_*`` variable the code knows.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from adapters.http import problems
from adapters.http.app import ROUTES
from lkk_core.accounts.account import Account
from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.contracts.contract_roles import ContractRoles
from lkk_core.accounts.identifier_index import IdentifierIndex
from lkk_core.readings.interval_act import IntervalAct
from lkk_core.readings.reading_submission import ReadingSubmission
from lkk_core.staff import StaffMember
from lkk_core.kernel.outbox import Outbox
from lkk_core.kernel.personal_data import pii_fields
from lkk_core.bootstrap import ALL_PROJECTIONS
from tests.conftest import base_env

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
AGGREGATES = (Account, IdentifierIndex, ContractBinding, ContractRoles, ReadingSubmission, IntervalAct, StaffMember)

# Runs the blocks in one namespace; the leading newlines make tracebacks
# point at the line of the Markdown file.
RUNNER = """
import json, sys
namespace = {"__name__": "__main__"}
for block in json.load(sys.stdin):
    exec(compile("\\n" * block["line"] + block["code"], block["file"], "exec"), namespace)
"""

# Settings of the developer's shell that would point the snippets at another store.
_STORE_KEY = re.compile(r"^(PERSISTENCE_MODULE|SQLITE_|POSTGRES_|LKK_|AGGREGATE_CACHE_)|_(PERSISTENCE_MODULE|SQLITE_DBNAME)$|_POSTGRES_")


RUN, ILLUSTRATIVE = "```python", "```python illustrative"


def python_blocks(page: Path, opener: str = RUN) -> list[dict[str, typing.Any]]:
    """Return the page's ```python blocks (or those of another opener) with the line each one's code starts after."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if current is None and line.strip() == opener:
            current, start = [], number
        elif current is not None and line.strip() == "```":
            blocks.append({"file": str(page), "line": start, "code": "\n".join(current) + "\n"})
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, f"{page}: a {opener} block opened at line {start} is never closed"
    return blocks


PAGES_WITH_PYTHON = [page for page in PAGES if python_blocks(page)]


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_blocks_run(page: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not _STORE_KEY.search(k)}
    env.update(base_env(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", RUNNER], input=json.dumps(python_blocks(page)), cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_python_block_either_runs_or_says_it_is_illustrative() -> None:
    """A typo such as ```py or ```python3 would silently take a block out of the run."""
    odd = [
        f"{page.relative_to(DOCS)}:{number}: {line.strip()}"
        for page in PAGES
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"```\s*py", line.strip()) and line.strip() not in {RUN, ILLUSTRATIVE}
    ]
    assert not odd, f"write ```python (run) or ```python illustrative (not run): {odd}"


PAGES_WITH_ILLUSTRATIONS = [page for page in PAGES if python_blocks(page, ILLUSTRATIVE)]


@pytest.mark.parametrize("page", PAGES_WITH_ILLUSTRATIONS, ids=lambda p: str(p.relative_to(DOCS)))
def test_illustrative_blocks_parse_and_import_only_what_exists(page: Path) -> None:
    """An illustrative block is not run, but it is Python, and what it imports from lkk exists.

    Imports from a package that does not exist yet (the context a how-to is
    writing) are left out.
    """
    missing = []
    for block in python_blocks(page, ILLUSTRATIVE):
        tree = ast.parse(block["code"], filename=f"{page}:{block['line']}")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in CODE_ROOTS):
                continue
            if not _package_exists(node.module):
                continue
            module = importlib.import_module(node.module)
            missing += [f"{node.module}.{a.name}" for a in node.names if not _has(module, node.module, a.name)]
    assert not missing, f"{page.relative_to(DOCS)} imports what does not exist: {missing}"


CODE_ROOTS = ("lkk_core", "adapters")


def _package_exists(module: str) -> bool:
    """Tell whether the module's package (``lkk_core.<x>`` or ``adapters.<x>``) is in the repository."""
    parts = module.split(".")[:2]
    base = ROOT.joinpath(*parts)
    return base.is_dir() or base.with_suffix(".py").exists() or len(parts) == 1


def _has(module: object, name: str, attribute: str) -> bool:
    if hasattr(module, attribute):
        return True
    try:
        importlib.import_module(f"{name}.{attribute}")
    except ModuleNotFoundError:
        return False
    return True


def test_some_docs_exist() -> None:
    names = {str(p.relative_to(DOCS)) for p in PAGES}
    assert {"README.md", "reference/http.md", "reference/events.md", "reference/configuration.md"} <= names


# -- the HTTP reference -------------------------------------------------------------


def openapi_path(template: str) -> str:
    """Write a route template as OpenAPI does: ``{session_id:uuid}`` becomes ``{session_id}``."""
    return re.sub(r"{(\w+):\w+}", r"{\1}", template)


def test_http_reference_names_every_route_and_method() -> None:
    text = (DOCS / "reference" / "http.md").read_text(encoding="utf-8")
    missing = [openapi_path(path) for path, _ in ROUTES if openapi_path(path) not in text]
    missing += [
        f"{method} {openapi_path(path)}"
        for path, resource in ROUTES
        for method in resource.OPERATIONS
        if f"`{method} {openapi_path(path)}`" not in text
    ]
    assert not missing, f"docs/reference/http.md lacks {missing}"


def test_http_reference_lists_every_error_code() -> None:
    text = (DOCS / "reference" / "http.md").read_text(encoding="utf-8")
    codes = {cls.code for cls in problems.STATUS} | set(problems.FALCON_CODES.values())
    codes |= {"wrong_credentials", "internal_error", "http_error"}  # written by the handlers themselves
    missing = sorted(code for code in codes if f"`{code}`" not in text)
    assert not missing, f"docs/reference/http.md lacks the error codes {missing}"


# -- the event catalogue ------------------------------------------------------------


def stored_event_classes(aggregate: type[Aggregate]) -> Iterator[type]:
    """Yield the aggregate's event classes that reach the log.

    Skipped: the aggregate's ``Event`` base, and eventsourcing's generated
    ``Created`` base, which has no topic of its own (the decorated ``__init__``
    makes the created event that is stored).
    """
    for name in dir(aggregate):
        cls = getattr(aggregate, name)
        if isinstance(cls, type) and issubclass(cls, aggregate.Event) and cls is not aggregate.Event:
            if "TOPIC" in vars(cls):
                yield cls


def own_fields(cls: type) -> set[str]:
    """Return the fields an event class adds to eventsourcing's own."""
    base = {"originator_id", "originator_version", "timestamp", "originator_topic", "originator_id_type"}
    return set(typing.get_type_hints(cls)) - base


def meanings(aggregate: type[Aggregate]) -> dict[str, str]:
    """Return ``{topic: docstring}`` of the aggregate's ``@event``-decorated methods."""
    found = {}
    for value in vars(aggregate).values():
        topic, func = getattr(value, "event_topic", None), getattr(value, "decorated_func", None)
        if topic and func is not None and func.__doc__:
            found[topic] = " ".join(func.__doc__.split())
    return found


def catalogue_rows() -> dict[str, list[str]]:
    """Return the cells of every table row of events.md that starts with a topic."""
    rows = {}
    for line in (DOCS / "reference" / "events.md").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\| `(lkk:[\w.]+)` \|", line):
            rows[match.group(1)] = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


@pytest.mark.parametrize("aggregate", AGGREGATES, ids=lambda a: a.__name__)
def test_event_catalogue_lists_every_event_with_its_fields(aggregate: type[Aggregate]) -> None:
    classes = list(stored_event_classes(aggregate))
    assert len(classes) >= 2, classes  # the scan found the events, not nothing (IntervalAct has two)
    text = (DOCS / "reference" / "events.md").read_text(encoding="utf-8")
    rows, docs = catalogue_rows(), meanings(aggregate)
    assert f"`{get_topic(aggregate)}`" in text
    for cls in classes:
        topic = get_topic(cls)
        assert topic in rows, f"docs/reference/events.md has no row for {topic}"
        cells = rows[topic]
        assert set(re.findall(r"`(\w+)`", cells[1])) == own_fields(cls), f"fields of {topic}"
        personal = set(pii_fields(cls))
        if len(cells) == 4:  # | topic | fields | personal | meaning |
            assert set(re.findall(r"`(\w+)`", cells[2])) == personal, f"personal fields of {topic}"
        else:
            assert not personal, f"{topic} has personal fields but its table has no column for them"
        assert docs.get(topic) and docs[topic] in cells[-1], f"meaning of {topic}: {docs.get(topic)!r}"


@pytest.mark.parametrize("projection", ALL_PROJECTIONS, ids=lambda p: p.name)
def test_views_reference_describes_every_view_and_its_tables(projection: type) -> None:
    text = (DOCS / "reference" / "events.md").read_text(encoding="utf-8")
    heading = f"### `{projection.name}` ({projection.view_class.__name__})"
    assert heading in text, f"docs/reference/events.md has no section {heading}"
    section = text.split(heading, 1)[1].split("\n### ", 1)[0]
    tables = projection.view_class.tables
    missing = [t for t in tables if len(tables) > 1 and f"| `{t}` |" not in section]  # a row per table
    for table, ddl in tables.items():
        columns = [words[0] for words in (part.split() for part in ddl.split(","))
                   if words and re.fullmatch(r"[a-z_]+", words[0])]
        missing += [f"{table}.{column}" for column in columns if f"`{column}`" not in section]
    assert not missing, f"the section {heading} lacks {missing}"


def test_postgres_how_to_lists_every_view_table() -> None:
    text = (DOCS / "how-to" / "postgres.md").read_text(encoding="utf-8")
    names = [t for p in ALL_PROJECTIONS for t in (*p.view_class.tables, f"{p.name}_tracking")]
    missing = [name for name in names if f"`{name}`" not in text]
    assert not missing, f"docs/how-to/postgres.md lacks the tables {missing}"


# -- configuration ------------------------------------------------------------------


def lkk_variables() -> set[str]:
    """Return every ``LKK_*`` name that appears in the library or the adapters."""
    names: set[str] = set()
    for folder in ("lkk_core", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"LKK_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    return names


def test_configuration_reference_lists_every_variable() -> None:
    text = (DOCS / "reference" / "configuration.md").read_text(encoding="utf-8")
    names = lkk_variables()
    assert {"LKK_PII_KEK", "LKK_SECRET_KEY"} <= names  # the scan found them
    names |= {"PERSISTENCE_MODULE", "SQLITE_DBNAME", "POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_PORT",
              "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_SCHEMA"}
    names |= {f"{name.upper()}_SQLITE_DBNAME" for name in [p.name for p in ALL_PROJECTIONS] + [Outbox.name]}
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert not missing, f"docs/reference/configuration.md lacks {missing}"


# -- links ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_relative_links_resolve(page: Path) -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    broken = [t for t in targets if "://" not in t and not (page.parent / t).exists()]
    assert not broken, f"{page.relative_to(DOCS)} links to missing {broken}"


# -- the code a page names ----------------------------------------------------------

# `lkk_core/kernel/outbox.py`, `tests/conftest.py:base_env`, `adapters/http/` …
_PATH = re.compile(r"`((?:lkk_core|adapters|tests|bench|tools|docs)/[^`\s:<>*…]*)[`:]")
# `lkk_core.kernel.errors`, `lkk_core.accounts.delete_account`, `adapters.billing.write_dataset(path, contracts)` …
_DOTTED = re.compile(r"`((?:lkk_core|adapters)(?:\.\w+)+)[`(:\s]")


def resolves(dotted: str) -> bool:
    """Tell whether ``a.b.c`` is a module, or a name reached from the longest importable module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


PAGES_AND_README = [*PAGES, ROOT / "README.md"]


@pytest.mark.parametrize("page", PAGES_AND_README, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_and_module_a_page_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # What a how-to tells the reader to create ("Create `lkk_core/appeals/`") does not exist yet.
    created = tuple(re.findall(r"[Cc]reate\s+`([^`]+)`", text))
    created += tuple(c.removesuffix(".py").strip("/").replace("/", ".") for c in created)
    missing = [p for p in _PATH.findall(text) if not (ROOT / p).exists() and not p.startswith(created)]
    missing += [d for d in _DOTTED.findall(text) if not resolves(d) and not d.startswith(created)]
    assert not missing, f"{page.relative_to(ROOT)} names what does not exist: {missing}"


def test_the_scan_of_named_code_finds_paths_and_modules() -> None:
    sample = "`lkk_core/kernel/app.py` `tests/conftest.py:base_env` `lkk_core.kernel.errors` `adapters.billing.x(a)`"
    assert _PATH.findall(sample) == ["lkk_core/kernel/app.py", "tests/conftest.py"]
    assert _DOTTED.findall(sample) == ["lkk_core.kernel.errors", "adapters.billing.x"]
    assert resolves("lkk_core.kernel.errors.LkkError")
    assert not resolves("lkk_core.aggregates.account")
    assert not resolves("lkk_core.accounts.no_such_name")


def test_roles_reference_reproduces_table_3() -> None:
    from lkk_core.kernel.permissions import TABLE_3, Capability, Role  # noqa: PLC0415

    text = (DOCS / "reference" / "roles.md").read_text(encoding="utf-8")
    columns = (Role.POWER_ENGINEER, Role.ACCOUNTANT, Role.MANAGER, Role.ADMINISTRATOR)
    for capability in Capability:
        [line] = [line for line in text.splitlines() if f"| `{capability.value}`" in line]
        marks = [cell.strip() for cell in line.split("|")[-5:-1]]
        assert marks == ["+" if role in TABLE_3[capability] else "–" for role in columns], capability


def test_the_figures_the_pages_quote_are_the_codes() -> None:
    """«RACE_RETRIES (12)» and the events above version 1 are said as the code has them (issue 10's stale docs)."""
    from lkk_core.kernel.services import RACE_RETRIES  # noqa: PLC0415

    quoted = {int(n) for page in PAGES for n in re.findall(r"RACE_RETRIES`? \((\d+)\)", page.read_text(encoding="utf-8"))}
    assert quoted == {RACE_RETRIES}
    versioned = sorted(f"{aggregate.__name__}.{name}" for aggregate in AGGREGATES for name, cls in vars(aggregate).items()
                       if isinstance(cls, type) and getattr(cls, "class_version", 1) > 1)
    events = (DOCS / "reference" / "events.md").read_text(encoding="utf-8")
    sentence = events[events.index("- `class_version` appears"):].split("\n\n", 1)[0].split("\n-", 1)[0]
    assert sorted(re.findall(r"`([A-Za-z]+\.[A-Za-z]+)` \(version \d+\)", sentence)) == versioned
