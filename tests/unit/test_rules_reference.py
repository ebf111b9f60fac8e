"""Issue 10: the rule ids the repository cites (ACC-05, ROL-19 …) resolve inside it, on docs/reference/rules.md.

DOMAIN.md is beside the repository, not in it: the page is its in-repository
copy (``tools/rules_page.py`` writes it), so these tests read only the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from adapters.http.app import ROUTES
from adapters.http.openapi import openapi
from tools.rules_page import page, rules

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "rules.md"
RULE_ID = re.compile(r"\b[A-Z]{3}-\d{2}[a-z]?\b")
SCANNED = ("lkk_core", "adapters", "tests", "docs", "bench", "tools", ".ci")
TEXT_SUFFIXES = {".py", ".md", ".json", ".toml", ".txt", ".yaml", ".yml", ""}
# Strings of the rule-id shape that are not rule ids.
NOT_RULES = {
    "ART-03": "the meter model «Меркурий 230 ART-03»",
    "ABC-12": "a malformed phone number in tests/unit/test_phones.py",
}


def page_rows() -> dict[str, list[str]]:
    """Return ``{id: [title, manual]}`` of every table row of the page."""
    rows = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\| `([A-Z]{3}-\d{2}[a-z]?)` \|", line):
            rows[match.group(1)] = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[2:-1]]
    return rows


def cited_ids() -> dict[str, set[str]]:
    """Return ``{id: the files citing it}`` over the repository's text files and the OpenAPI document."""
    found: dict[str, set[str]] = {}
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    files += [p for top in SCANNED for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]
    for path in files:
        if "__pycache__" in path.parts or path == PAGE:
            continue
        for rule in RULE_ID.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(rule, set()).add(str(path.relative_to(ROOT)))
    for rule in RULE_ID.findall(json.dumps(openapi(ROUTES), ensure_ascii=False)):
        found.setdefault(rule, set()).add("the OpenAPI document")
    return {rule: files for rule, files in found.items() if rule not in NOT_RULES}


def test_every_rule_id_the_repository_cites_is_on_the_reference_page() -> None:
    cited, listed = cited_ids(), page_rows()
    assert {"ACC-05", "ROL-19", "RDG-17", "CON-02"} <= set(cited)  # the scan found them
    unknown = {rule: sorted(files) for rule, files in cited.items() if rule not in listed}
    assert not unknown, f"cited, but not rules of DOMAIN.md (docs/reference/rules.md): {unknown}"


def test_every_row_of_the_page_has_a_title_and_the_manuals_section() -> None:
    rows = page_rows()
    assert len(rows) > 100  # noqa: PLR2004  (DOMAIN.md has 137 rules)
    blank = [rule for rule, (title, manual) in rows.items() if not title or not manual]
    assert not blank
    # Each cites a section (§), figure or table of the manual; "—" says DOMAIN.md gives none.
    assert all(re.search(r"§|Fig\.|Table \d", manual) or manual == "—" for _, manual in rows.values())


def test_the_page_lists_each_rule_once_under_its_chapter() -> None:
    ids = re.findall(r"^\| `([A-Z]{3}-\d{2}[a-z]?)` \|", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(ids) == len(set(ids))


SAMPLE = """## 1. Accounts & authentication

**ACC-01 Registration form**
- Rule: the form.
- Source: §2.2, Fig. 2;
  §11.2.
- Implied / open: —

**ROL-06 Many Accountants; the Administrator sees
them all**
- Rule: many.
- Source: §13.2.1.

## 12. Roles

**ROL-19 Table 3 — permission matrix (reproduced exactly)**

Manual: «Таблица 3» (§13.2.1.2). `+` = allowed.

| # | Capability |
"""


def test_the_page_writer_takes_title_and_source_across_lines() -> None:
    found = [(r.chapter, r.id, r.title, r.source) for r in rules(SAMPLE)]

    assert found == [
        ("1. Accounts & authentication", "ACC-01", "Registration form", "§2.2, Fig. 2; §11.2"),
        ("1. Accounts & authentication", "ROL-06", "Many Accountants; the Administrator sees them all", "§13.2.1"),
        ("12. Roles", "ROL-19", "Table 3 — permission matrix (reproduced exactly)", "«Таблица 3» (§13.2.1.2)"),
    ]
    assert "| `ROL-06` | Many Accountants; the Administrator sees them all | §13.2.1 |" in page(SAMPLE)
