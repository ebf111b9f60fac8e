"""The shape of the code (issue 9): one package per bounded context, a kernel, and public faces only.

- A context (``lkk_core/<context>/``) is used from outside only through its
  package, ``lkk_core.<context>``: never one of its modules, private or not.
  That holds for the other contexts, the adapters, the benchmarks and the tools.
- A private module (a name starting with ``_``) is imported only inside its own package.
- The kernel imports no context; the contexts' dependencies form no cycle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "lkk_core"
CONTEXTS = sorted(p.name for p in CORE.iterdir() if (p / "__init__.py").exists() and p.name != "kernel")
CHECKED = ("lkk_core", "adapters", "bench", "tools")


def imported_modules(source: str) -> list[str]:
    """Return every module an import statement of the source names (``from a import b`` gives a and a.b)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _package_of(relative: Path) -> str:
    return ".".join(relative.with_suffix("").parts[:-1])


def violations(relative: Path, source: str) -> list[str]:
    """Return the imports of one file (path relative to the repository) that break the boundaries."""
    parts = relative.parts
    own_context = parts[1] if parts[0] == "lkk_core" and len(parts) > 2 else None  # noqa: PLR2004
    package = _package_of(relative)
    found = []
    for module in imported_modules(source):
        names = module.split(".")
        if names[0] != "lkk_core":
            continue
        private = next((i for i, name in enumerate(names) if name.startswith("_") and i > 0), None)
        if private is not None and not package.startswith(".".join(names[:private])):
            found.append(f"{relative}: {module} is private to {'.'.join(names[:private])}")
            continue
        if len(names) > 2 and names[1] in CONTEXTS and names[1] != own_context:  # noqa: PLR2004
            # ``from lkk_core.accounts import Account`` names lkk_core.accounts.Account: a public name, fine.
            parent = ".".join(names[:2])
            if not _is_public_name(parent, names[2]) or len(names) > 3:  # noqa: PLR2004
                found.append(f"{relative}: {module} reaches inside {parent}; import from {parent} itself")
        if own_context == "kernel" and len(names) > 1 and names[1] in CONTEXTS:
            found.append(f"{relative}: the kernel imports the {names[1]} context")
    return found


def _is_public_name(package: str, name: str) -> bool:
    init = ROOT.joinpath(*package.split("."), "__init__.py")
    return name in _exports(init) and not ROOT.joinpath(*package.split("."), f"{name}.py").exists()


def _exports(init: Path) -> set[str]:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return {ast.literal_eval(element) for element in node.value.elts}  # type: ignore[attr-defined]
    return set()


def _python_files() -> list[Path]:
    return sorted(p for top in CHECKED for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_file_reaches_inside_another_context_or_a_private_module() -> None:
    found = [v for path in _python_files() for v in violations(path.relative_to(ROOT), path.read_text("utf-8"))]

    assert found == []


@pytest.mark.parametrize(("path", "source"), [
    ("lkk_core/readings/page.py", "from lkk_core.accounts._common import acting_account"),
    ("lkk_core/readings/page.py", "from lkk_core.contracts import _common"),
    ("lkk_core/readings/page.py", "from lkk_core.contracts.contract_roles import ContractRoles"),
    ("adapters/http/app.py", "import lkk_core.readings.submission"),
    ("bench/accounts.py", "from lkk_core.accounts.account import Account"),
    ("lkk_core/kernel/outbox.py", "from lkk_core.accounts import Account"),
])
def test_the_check_catches_each_kind_of_crossing(path: str, source: str) -> None:
    assert violations(Path(path), source) != []


@pytest.mark.parametrize(("path", "source"), [
    ("lkk_core/readings/page.py", "from lkk_core.contracts import ContractsView"),
    ("lkk_core/readings/page.py", "from lkk_core.readings._common import Place"),
    ("adapters/http/app.py", "from lkk_core import accounts"),
    ("adapters/http/app.py", "from lkk_core.kernel.errors import LkkError"),
])
def test_public_faces_and_own_modules_pass(path: str, source: str) -> None:
    assert violations(Path(path), source) == []


def test_contexts_depend_on_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {context: set() for context in CONTEXTS}
    for context in CONTEXTS:
        for path in (CORE / context).rglob("*.py"):
            for module in imported_modules(path.read_text("utf-8")):
                names = module.split(".")
                if names[0] == "lkk_core" and len(names) > 1 and names[1] in CONTEXTS and names[1] != context:
                    graph[context].add(names[1])

    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as ex:
        pytest.fail(f"contexts import each other in a cycle: {ex.args[1]}")
    assert set(order) == set(CONTEXTS)
