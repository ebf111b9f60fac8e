"""Write docs/reference/rules.md, the in-repository index of DOMAIN.md's rule ids.

DOMAIN.md lives beside the repository, not in it, so the page is the copy the
repository cites: each rule's id, its title (the one line) and the manual's
sections it gives as «Source», grouped under DOMAIN.md's chapters. Run it again
when DOMAIN.md changes; ``tests/unit/test_rules_reference.py`` checks that every
id the repository cites is on the page::

    .venv/bin/python -m tools.rules_page ../shared/DOMAIN.md [--out docs/reference/rules.md]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

_CHAPTER = re.compile(r"^## (\d+)\. (.+)$", re.MULTILINE)
_RULE = re.compile(r"^\*\*([A-Z]{3}-\d{2}[a-z]?) (.+?)\*\*", re.MULTILINE | re.DOTALL)
_SOURCE = re.compile(r"^- Source: (.+?)(?=^- |^\s*$)", re.MULTILINE | re.DOTALL)
_MANUAL = re.compile(r"^Manual: (.+?\))\.", re.MULTILINE | re.DOTALL)  # ROL-19: a table, not a list

HEADER = """# Rule ids

Code, tests, commit notes and the OpenAPI document cite the rules of the
domain specification (`DOMAIN.md`, kept beside the repository) by id:
`ACC-05`, `ROL-19`, `RDG-17` …. This page is their index inside the
repository: each id with its title and the sections of the manual
(«Личный кабинет клиента юридического лица. Руководство пользователя», v3.10)
the rule comes from. The rule itself, its numbers and decisions are in
DOMAIN.md; where DOMAIN.md and the manual disagree, the manual wins.

`tools/rules_page.py` writes this page from DOMAIN.md;
`tests/unit/test_rules_reference.py` fails on an id cited anywhere in the
repository that is not here (a typo, or a rule DOMAIN.md does not have).
"""


@dataclass(frozen=True)
class Rule:
    """One rule of DOMAIN.md: its id, title and the manual's sections."""

    chapter: str
    id: str
    title: str
    source: str


def _one_line(text: str) -> str:
    return " ".join(text.split()).rstrip(".")


def rules(domain: str) -> list[Rule]:
    """Return DOMAIN.md's rules in the order it gives them."""
    chapters = [(m.start(), f"{m.group(1)}. {m.group(2)}") for m in _CHAPTER.finditer(domain)]
    found = []
    matches = list(_RULE.finditer(domain))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        body = domain[match.end(): following.start() if following else len(domain)]
        source = _SOURCE.search(body) or _MANUAL.search(body)
        chapter = [name for start, name in chapters if start < match.start()][-1]
        found.append(Rule(chapter, match.group(1), _one_line(match.group(2)),
                          _one_line(source.group(1)) if source else "—"))
    return found


def page(domain: str) -> str:
    """Return the Markdown of the page."""
    lines, chapter = [HEADER], None
    for rule in rules(domain):
        if rule.chapter != chapter:
            chapter = rule.chapter
            lines += [f"\n## {chapter}\n", "| id | rule | manual |", "| --- | --- | --- |"]
        cells = (cell.replace("|", "\\|") for cell in (rule.title, rule.source))
        lines.append(f"| `{rule.id}` | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("domain", type=Path, help="the path of DOMAIN.md")
    parser.add_argument("--out", type=Path, default=Path("docs/reference/rules.md"))
    args = parser.parse_args()
    args.out.write_text(page(args.domain.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
