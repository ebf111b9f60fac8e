"""The picture of the architecture matches the code (issue 9, STYLE 25).

docs/explanation/architecture.md draws the shape twice: as text (the first
```` ```text ```` block) and as Mermaid (the first ```` ```mermaid ```` block).
Both name every context package and every kernel module there is; every
module, folder and public name the page mentions exists; the contexts it
calls "later" do not exist yet; and the Mermaid arrows between contexts are
exactly the imports between them. So the page cannot drift from the code
without a red test.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from adapters.http.resources.base import POSITION_HEADER, Resource
from lkk_core.kernel import access, billing_feed, outbox
from lkk_core.kernel.services import RACE_RETRIES, Services
from lkk_core.kernel.views import Views

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "lkk_core"
PAGE = ROOT / "docs" / "explanation" / "architecture.md"
CONTEXTS = sorted(p.name for p in CORE.iterdir() if (p / "__init__.py").exists() and p.name != "kernel")
KERNEL = sorted(
    [p.stem for p in (CORE / "kernel").glob("*.py") if p.stem != "__init__"]
    + [p.name for p in (CORE / "kernel").iterdir() if (p / "__init__.py").exists()]
)
LATER = {"payments", "documents", "appeals", "notifications", "catalogue", "help"}  # ARCHITECTURE.md §1
# Folders a picture may name besides the packages of lkk_core and adapters.
TOP_FOLDERS = {"lkk_core", "adapters", "tests", "bench", "docs", "tools", "unit", "integration", "e2e"}


def text() -> str:
    return PAGE.read_text(encoding="utf-8")


def block(kind: str) -> str:
    """Return the first ```kind block of the page."""
    found = re.search(rf"^```{kind}\n(.*?)^```$", text(), re.MULTILINE | re.DOTALL)
    assert found, f"{PAGE.name} has no ```{kind} block"
    return found.group(1)


def exports(context: str) -> set[str]:
    tree = ast.parse((CORE / context / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return {ast.literal_eval(element) for element in node.value.elts}  # type: ignore[attr-defined]
    return set()


def context_imports() -> set[tuple[str, str]]:
    """Return (importer, imported) for every context that imports another."""
    edges = set()
    for context in CONTEXTS:
        for path in (CORE / context).rglob("*.py"):
            for other in re.findall(r"\blkk_core\.(\w+)", path.read_text(encoding="utf-8")):
                if other in CONTEXTS and other != context:
                    edges.add((context, other))
    return edges


def later_lines(picture: str) -> list[str]:
    return [line for line in picture.splitlines() if "later" in line]


def test_the_scan_sees_the_code() -> None:
    assert {"accounts", "contracts", "readings"} <= set(CONTEXTS)
    assert {"access", "app", "services", "views", "outbox", "billing_feed"} <= set(KERNEL)
    assert context_imports()  # some context uses another's public face


@pytest.mark.parametrize("kind", ["text", "mermaid"])
def test_both_pictures_name_every_context_package(kind: str) -> None:
    picture = block(kind)
    missing = [c for c in CONTEXTS if not re.search(rf"\b{c}/", picture)]
    assert not missing, f"the {kind} picture lacks the contexts {missing}"


@pytest.mark.parametrize("kind", ["text", "mermaid"])
def test_both_pictures_name_every_kernel_module(kind: str) -> None:
    picture = block(kind)
    missing = [m for m in KERNEL if not re.search(rf"\b{m}(\.py|/)", picture)]
    assert not missing, f"the {kind} picture lacks the kernel modules {missing}"


@pytest.mark.parametrize("kind", ["text", "mermaid"])
def test_contexts_called_later_do_not_exist_yet(kind: str) -> None:
    lines = later_lines(block(kind))
    assert lines, f"the {kind} picture names no later contexts"
    named = {name for line in lines for name in re.findall(r"(?<![\w<])(\w+)/", line)}
    assert named == LATER - set(CONTEXTS), f"the later contexts of the {kind} picture"


def test_mermaid_arrows_between_contexts_are_the_imports_between_them() -> None:
    drawn = {
        (a, b) for a, b in re.findall(r"^\s*(\w+)\s*-->(?:\|[^|]*\|)?\s*(\w+)\s*$", block("mermaid"), re.MULTILINE)
        if a in CONTEXTS and b in CONTEXTS
    }
    assert drawn == context_imports()


def test_every_module_file_the_page_names_exists() -> None:
    files = {p.name for top in ("lkk_core", "adapters") for p in (ROOT / top).rglob("*.py")}
    named = set(re.findall(r"(?<![\w/.<])(\w+\.py)\b", text()))
    assert named, "the page names no module"
    assert named <= files, f"no such module: {sorted(named - files)}"


def test_every_path_the_page_names_exists() -> None:
    paths = set(re.findall(r"\b((?:lkk_core|adapters|tests|bench|docs|tools)/[\w/]*(?:\.py)?)", text()))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"no such path: {missing}"


@pytest.mark.parametrize("kind", ["text", "mermaid"])
def test_every_folder_the_pictures_name_exists(kind: str) -> None:
    folders = {p.name for top in ("lkk_core", "adapters") for p in (ROOT / top).rglob("*") if p.is_dir()}
    named = set(re.findall(r"(?<![\w/.<])(\w+)/", block(kind)))
    unknown = named - folders - TOP_FOLDERS - LATER
    assert not unknown, f"the {kind} picture names folders that do not exist: {sorted(unknown)}"


def test_every_public_name_of_a_context_the_page_names_is_in_its_face() -> None:
    wrong = []
    for context, name in re.findall(rf"(?<![\w/])(?:lkk_core\.)?({'|'.join(CONTEXTS)})\.(\w+)", text()):
        if name not in exports(context) and not (CORE / context / f"{name}.py").exists():
            wrong.append(f"{context}.{name}")
    assert not wrong, f"not in the context's __all__: {wrong}"


def test_every_kernel_name_the_page_names_exists() -> None:
    found = re.findall(r"\blkk_core\.kernel\.(\w+)(?:\.(\w+))?", text())
    assert found
    for module, name in found:
        assert module in KERNEL, module
        if name:
            imported = __import__(f"lkk_core.kernel.{module}", fromlist=[name])
            assert hasattr(imported, name), f"lkk_core.kernel.{module}.{name}"


def test_the_services_and_views_the_page_calls_exist() -> None:
    fields = {f.name for f in dataclasses.fields(Services)}
    called = set(re.findall(r"(?<![\w./])[Ss]ervices\.(\w+)", text())) - {"py"}
    assert {"authorize", "write", "save", "views"} <= called
    assert not {n for n in called if not hasattr(Services, n) and n not in fields}
    on_views = set(re.findall(r"(?<![\w.])(?:services\.)?[Vv]iews\.(\w+)", text())) - {"py"}
    assert "of" in on_views
    assert not {n for n in on_views if not hasattr(Views, n)}
    on_resource = set(re.findall(r"\bResource\.(\w+)", text()))
    assert {"read_after", "written"} <= on_resource
    assert all(hasattr(Resource, n) for n in on_resource)


def test_the_protocols_the_composition_root_plugs_in_are_named_as_the_code_names_them() -> None:
    page = text()
    for module, protocol in [(access, "Sessions"), (access, "Holdings"), (outbox, "LetterWriter"),
                             (billing_feed, "Delivery")]:
        assert hasattr(module, protocol)
        assert f"`{protocol}`" in page, protocol
    assert "`on_account_deleted`" in page


def test_the_readme_layout_names_the_kernel_and_every_context() -> None:
    rows = re.findall(r"^\| `([^`]+)` \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert {"lkk_core/kernel/", *(f"lkk_core/{c}/" for c in CONTEXTS)} <= set(rows)
    assert all((ROOT / row).exists() for row in rows), rows


def test_the_figures_the_page_quotes_are_the_code_s() -> None:
    page = text()
    assert f"`{POSITION_HEADER}`" in page
    assert re.findall(r"`RACE_RETRIES` \((\d+)\)", page) == [str(RACE_RETRIES)]
