"""Issue 10: the library's public face per context, documented, and the docs' code importing nothing else.

Public (docs/explanation/architecture.md, «What is public»): the names in the
``__all__`` of ``lkk_core``, of each context package ``lkk_core.<context>`` and
of the adapter packages in ``ADAPTER_FACES``. Everything else — a
``lkk_core.kernel`` module, a module inside a context or an adapter package,
any module whose name starts with ``_``, the tests' helpers — is private.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from lkk_core import Services

from tests.unit.test_docs import ILLUSTRATIVE, PAGES, RUN, python_blocks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CONTEXTS = sorted(p.name for p in (ROOT / "lkk_core").iterdir() if (p / "__init__.py").exists() and p.name != "kernel")
ADAPTER_FACES = ("adapters.billing", "adapters.billing.readings_files", "adapters.http", "adapters.mail")
FACES = ("lkk_core", *(f"lkk_core.{context}" for context in CONTEXTS), *ADAPTER_FACES)
OURS = ("lkk_core", "adapters", "tests", "bench", "tools")
# Pages for someone changing the library itself (a new context, a projection, an event's version):
# their code lives inside lkk_core and may use its modules (test_boundaries.py holds it), never a private one.
INSIDE_PAGES = ("how-to/add-a-context.md", "how-to/add-a-projection.md", "how-to/version-an-event.md")


def exported(face: str) -> list[str]:
    return list(importlib.import_module(face).__all__)


def private_imports(code: str, *, inside: bool = False) -> list[str]:
    """Return each import of ``code`` that reaches past the public face (``inside``: lkk_core's modules pass)."""

    def allowed(module: str) -> bool:
        # Code written inside the library (a context's own module, the kernel) may import its modules,
        # and those of the context a how-to is writing, which do not exist yet; never a private one.
        return inside and module.startswith("lkk_core.") and not any(p.startswith("_") for p in module.split("."))

    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names
                      if a.name.split(".")[0] in OURS and a.name not in FACES and not allowed(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS:
            if node.module not in FACES:
                found += [] if allowed(node.module) else [f"{node.module}.{a.name}" for a in node.names]
                continue
            subpackages = {f.rsplit(".", 1)[1] for f in FACES if f.startswith(f"{node.module}.")}
            public = set(exported(node.module)) | subpackages
            found += [f"{node.module}.{a.name}" for a in node.names if a.name not in public]
    return found


def test_the_check_finds_private_imports() -> None:
    code = """
from lkk_core import Actor, accounts
from lkk_core.accounts import register
from lkk_core.accounts.login import ClientDevice
from lkk_core.kernel.outbox import Outbox
from lkk_core.readings import _common
from adapters.mail import RecordingMailer
from adapters.mail.recording import RecordingMailer
from tests.support import Mailbox
import lkk_core.kernel.app
import lkk_core.readings
"""
    assert private_imports(code) == [
        "lkk_core.accounts.login.ClientDevice", "lkk_core.kernel.outbox.Outbox", "lkk_core.readings._common",
        "adapters.mail.recording.RecordingMailer", "tests.support.Mailbox", "lkk_core.kernel.app",
    ]
    assert private_imports(code, inside=True) == [
        "lkk_core.readings._common", "adapters.mail.recording.RecordingMailer", "tests.support.Mailbox",
    ]


def test_the_library_tutorial_imports_only_public_names() -> None:
    """The tutorial walks register → onboard → bind → read; seven of its thirteen imports were private before."""
    page = DOCS / "tutorials" / "library.md"
    blocks = python_blocks(page)
    code = "\n".join(block["code"] for block in blocks)
    for step in ("accounts.register(", "accounts.confirm_email(", "accounts.save_phone(", "contracts.confirm_binding(",
                 "readings.submit_readings(", "readings.readings_history("):
        assert step in code, step
    assert private_imports(code) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_python_blocks_of_the_docs_import_only_public_names(page: Path) -> None:
    name = str(page.relative_to(DOCS))
    found = [
        f"{name}:{block['line']}: {module}"
        for opener in (RUN, ILLUSTRATIVE)
        for block in python_blocks(page, opener)
        for module in private_imports(block["code"], inside=name in INSIDE_PAGES)
    ]
    assert not found, f"import these from lkk_core, its contexts or the adapter packages: {found}"


@pytest.mark.parametrize("face", FACES)
def test_each_face_defines_every_name_of_its_all(face: str) -> None:
    module = importlib.import_module(face)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("face", FACES)
def test_the_reference_page_names_every_public_name(face: str) -> None:
    text = (DOCS / "reference" / "library.md").read_text(encoding="utf-8")
    assert f"## `{face}`" in text, f"docs/reference/library.md has no section for {face}"
    section = text.split(f"## `{face}`", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in exported(face) if f"| `{name}` |" not in section]
    assert not missing, f"docs/reference/library.md, section {face}, lacks {missing}"
    extra = [name for name in _listed(section) if name not in exported(face)]
    assert not extra, f"docs/reference/library.md, section {face}, lists what {face} does not export: {extra}"


def _listed(section: str) -> list[str]:
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]


def test_an_embedding_portal_finds_what_it_needs_in_the_public_names() -> None:
    """Use cases, command models, ClientDevice, results, a recording mailer, key generation (issue 10)."""
    import lkk_core  # noqa: PLC0415
    from adapters.mail import RecordingMailer  # noqa: PLC0415
    from lkk_core import accounts, contracts, readings  # noqa: PLC0415

    assert {"bootstrap", "new_secrets", "Outbox", "Actor", "StaffActor", "FixedClock",
            "LkkError"} <= set(lkk_core.__all__)
    assert {"register", "Register", "Registration", "ClientDevice", "confirm_email",
            "EnterCode"} <= set(accounts.__all__)
    assert {"request_binding", "RequestBinding", "confirm_binding", "ConfirmBinding", "my_contracts",
            "ContractListItem"} <= set(contracts.__all__)
    assert {"submit_readings", "SubmitReadings", "ReadingInput", "ReadingsSaved", "readings_page",
            "readings_history"} <= set(readings.__all__)
    secrets = lkk_core.new_secrets()
    assert set(secrets) == {"LKK_PII_KEK", "LKK_SECRET_KEY"}
    assert secrets != lkk_core.new_secrets()
    assert RecordingMailer().sent == []


LIBRARY_FACES = ("lkk_core", *(f"lkk_core.{context}" for context in CONTEXTS))


def _classes_in(annotation: object) -> Iterator[type]:
    if inspect.isclass(annotation):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _classes_in(argument)


def test_every_type_a_public_name_takes_returns_or_holds_is_public() -> None:
    """An embedder can name what it passes and gets back: no result, command field or argument of a private type."""
    public = {id(getattr(importlib.import_module(face), name)) for face in LIBRARY_FACES for name in exported(face)}
    hidden = set()
    for face in LIBRARY_FACES:
        module = importlib.import_module(face)
        for name in exported(face):
            value = getattr(module, name)
            if inspect.isclass(value) and issubclass(value, BaseModel):
                annotations = [field.annotation for field in value.model_fields.values()]
            elif inspect.isfunction(value) or dataclasses.is_dataclass(value) and value is not Services:
                annotations = list(typing.get_type_hints(value).values())
            else:
                continue  # Services: a container of ports and settings, built by bootstrap
            hidden |= {f"{face}.{name}: {cls.__module__}.{cls.__qualname__}"
                       for annotation in annotations for cls in _classes_in(annotation)
                       if cls.__module__.startswith("lkk_core") and id(cls) not in public}
    assert not hidden
