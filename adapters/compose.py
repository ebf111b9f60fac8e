"""The composition root of the adapters: lkk_core's services plus the adapters the environment selects.

Every entry point (``lkk serve``, ``waitress-serve --call``, the CLI commands)
builds its services here, so they all read the same variables the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.billing import DatasetMissing, billing_from_env
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.ports import Billing, Clock
from lkk_core.kernel.services import Services


def services_from_env(env: Mapping[str, str], *, clock: Clock | None = None, billing: bool = True) -> Services:
    """Build the services over the log, views and adapters that ``env`` describes.

    ``billing=False`` is for the auditor's commands (export, rebuild, verify),
    which replay the log and never ask billing: they run without a dataset.
    Otherwise a missing or invalid dataset stops the start with a message that
    names ``LKK_BILLING_DATASET`` and the bad field.
    """
    port = billing_from_env(env) if billing else _optional_billing(env)
    return bootstrap(env, clock=clock, billing=port)


def _optional_billing(env: Mapping[str, str]) -> Billing | None:
    try:
        return billing_from_env(env)
    except DatasetMissing:
        return None
