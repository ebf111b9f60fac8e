"""The CLI's environment: ``os.environ``, plus the demo's generated secrets when none are set."""

from __future__ import annotations

import os
from pathlib import Path

from lkk_core.kernel.app import new_key

SECRET_KEYS = ("LKK_PII_KEK", "LKK_SECRET_KEY")


def var_dir(env: dict[str, str]) -> Path:
    """Return the folder of the embedded store, outbox and secrets (``LKK_VAR_DIR``, default ./var)."""
    return Path(env.get("LKK_VAR_DIR") or "var")


def environment(*, create_secrets: bool = False) -> dict[str, str]:
    """Return the settings; for the demo, keys come from ``var/secrets.env`` (made on first use).

    Production sets ``LKK_PII_KEK`` and ``LKK_SECRET_KEY`` itself and keeps the
    KEK out of the database and its backups (docs/explanation/personal-data.md).
    """
    env = dict(os.environ)
    if all(env.get(k) for k in SECRET_KEYS):
        return env
    path = var_dir(env) / "secrets.env"
    if not path.exists() and create_secrets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={new_key()}\n" for k in SECRET_KEYS))
        path.chmod(0o600)
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            env.setdefault(key.strip(), value.strip())
    return env


def mail_url(env: dict[str, str]) -> str:
    """Return ``LKK_SMTP_URL``, or the demo's directory of .eml files."""
    return env.get("LKK_SMTP_URL") or f"file:{(var_dir(env) / 'outbox').resolve()}"
