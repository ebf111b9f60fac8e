"""Every write goes through ``services.write`` (ARCHITECTURE.md §2): the one path that retries a lost race.

A save outside it lets the store's ``IntegrityError`` escape when two writers
race (an HTTP 500). This reads the source of lkk_core: every ``services.save``
must sit in an attempt handed to ``services.write``, or in a helper called only
from such attempts (``refuse_wrong_code``, ``release_contracts`` …).
tests/integration/test_account_races.py checks the same at run time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITE_PATH = ROOT / "lkk_core" / "kernel" / "services.py"  # where write and save are defined


@dataclass
class Function:
    where: str
    name: str
    saves: int = 0
    calls: set[str] = field(default_factory=set)
    attempts: set[str] = field(default_factory=set)  # names handed to services.write


def _services_call(node: ast.AST, method: str) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "services"
    )


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _attempt_names(write: ast.Call) -> set[str]:
    """What a ``services.write(...)`` call runs: a name, ``partial(name, …)``, or a lambda's callees."""
    names: set[str] = set()
    for arg in write.args:
        if isinstance(arg, ast.Name):
            names.add(arg.id)
        elif isinstance(arg, ast.Call) and _called_name(arg) == "partial" and arg.args:
            if isinstance(arg.args[0], ast.Name):
                names.add(arg.args[0].id)
        elif isinstance(arg, ast.Lambda):
            names |= {n for c in ast.walk(arg.body) if isinstance(c, ast.Call) and (n := _called_name(c))}
    return names


def _functions(tree: ast.AST, where: str) -> list[Function]:
    """Each function with what its own body (not its nested functions') saves, calls and hands to write."""
    found: list[Function] = []

    def visit(node: ast.AST, into: Function) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = Function(where, child.name)
                found.append(inner)
                visit(child, inner)
                continue
            if isinstance(child, ast.Call):
                if _services_call(child, "save"):
                    into.saves += 1
                if _services_call(child, "write"):
                    into.attempts |= _attempt_names(child)
                if name := _called_name(child):
                    into.calls.add(name)
            visit(child, into)

    module = Function(where, "<module>")
    found.append(module)
    visit(tree, module)
    return found


def saves_outside_write(sources: dict[str, str]) -> list[str]:
    """Return ``where:function`` of every function that saves but may run outside ``services.write``."""
    functions = [f for where, text in sources.items() for f in _functions(ast.parse(text), where)]
    inside = {name for f in functions for name in f.attempts}
    changed = True
    while changed:  # a helper is inside when every function calling it is
        changed = False
        for f in functions:
            callers = [g for g in functions if f.name in g.calls]
            if f.name not in inside and f.name != "<module>" and callers and all(
                g.name in inside for g in callers
            ):
                inside.add(f.name)
                changed = True
    return [f"{f.where}:{f.name}" for f in functions if f.saves and f.name not in inside]


def lkk_core_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "lkk_core").rglob("*.py")) if path != WRITE_PATH
    }


def test_every_save_in_lkk_core_runs_inside_services_write() -> None:
    assert saves_outside_write(lkk_core_sources()) == []


def test_a_command_that_saves_outside_services_write_is_found() -> None:
    bare = '''
def save_phone(services, actor, cmd):
    account = acting_account(services, actor)
    account.save_phone(cmd.phone)
    return services.save(account)

def refuse(services, account):
    services.save(account)
    raise ValueError

def confirm(services, actor, cmd):
    def attempt():
        refuse(services, acting_account(services, actor))
    services.write(attempt)
    refuse(services, None)  # and once outside the write
'''
    wrapped = '''
def save_phone(services, actor, cmd):
    def attempt():
        account = acting_account(services, actor)
        return services.save(account)
    return services.write(attempt)

def _release(services, account_id):
    services.save(account_id)

def sweep(services, ids):
    for i in ids:
        services.write(partial(_release, services, i))
'''

    assert saves_outside_write({"bare.py": bare}) == ["bare.py:save_phone", "bare.py:refuse"]
    assert saves_outside_write({"wrapped.py": wrapped}) == []
