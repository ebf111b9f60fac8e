"""The library's boundaries: what it exports, and what it never imports (STYLE 2, 3)."""

from __future__ import annotations

import subprocess
import sys

import lkk_core


def test_all_is_sorted_and_complete() -> None:
    assert lkk_core.__all__ == sorted(lkk_core.__all__)
    public = {name for name in vars(lkk_core) if not name.startswith("_")} - {
        "accounts", "aggregates", "app", "bootstrap", "clock", "commands", "errors", "passwords", "personal_data",
        "phones", "ports", "projections", "security", "services", "transcodings", "user_agents", "outbox",
    }
    assert public <= set(lkk_core.__all__)
    assert all(hasattr(lkk_core, name) for name in lkk_core.__all__)


def test_importing_the_domain_pulls_in_no_adapter_or_framework() -> None:
    code = (
        "import sys, lkk_core, lkk_core.accounts, lkk_core.projections, lkk_core.outbox;"
        "bad = [m for m in ('falcon', 'waitress', 'openpyxl', 'adapters', 'psycopg', 'smtplib') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
