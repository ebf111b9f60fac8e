"""The library's boundaries: what it exports, and what it never imports (STYLE 2, 3)."""

from __future__ import annotations

import subprocess
import sys
import types

import lkk_core


def test_all_is_sorted_and_complete() -> None:
    assert lkk_core.__all__ == sorted(lkk_core.__all__)
    # Submodules become attributes once anything imports them: they are not the surface.
    public = {
        name for name, value in vars(lkk_core).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(lkk_core.__all__)
    assert all(hasattr(lkk_core, name) for name in lkk_core.__all__)


def test_importing_the_domain_pulls_in_no_adapter_or_framework() -> None:
    code = (
        "import sys, lkk_core, lkk_core.accounts, lkk_core.contracts, lkk_core.readings, lkk_core.kernel.outbox;"
        "bad = [m for m in ('falcon', 'waitress', 'openpyxl', 'adapters', 'psycopg', 'smtplib') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
