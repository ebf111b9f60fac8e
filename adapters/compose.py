"""The composition root of the adapters: lkk_core's services plus the adapters the environment selects.

Every entry point (``lkk serve``, ``waitress-serve --call``, the CLI commands)
builds its services here, so they all read the same variables the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from lkk_core.bootstrap import bootstrap
from lkk_core.ports import Clock
from lkk_core.services import Services


def services_from_env(env: Mapping[str, str], *, clock: Clock | None = None) -> Services:
    """Build the services over the log, views and adapters that ``env`` describes."""
    return bootstrap(env, clock=clock)
