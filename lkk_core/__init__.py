"""lkk_core: the domain library of the legal-entity customer portal (ЛКК ЮЛ).

Build services with ``bootstrap(os.environ)`` and call the use cases in
``lkk_core.accounts``, ``lkk_core.contracts`` and ``lkk_core.readings`` (one package per
bounded context, each importable only through its public face) with an ``Actor``;
read views through ``services.views.of(SomeView)``. What the contexts share is in
``lkk_core.kernel``.
Nothing here imports a web framework, a spreadsheet library or a driver.
"""

from lkk_core.kernel.app import ConfigurationError, LkkApplication
from lkk_core.bootstrap import ALL_PROJECTIONS, bootstrap
from lkk_core.kernel.clock import FixedClock, SystemClock
from lkk_core.kernel.errors import (
    Conflict,
    Expired,
    Forbidden,
    LkkError,
    NotFound,
    PreconditionFailed,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
    WindowClosed,
    WrongCredentials,
)
from lkk_core.kernel.ports import Billing, Clock, Mailer, MailRejected, OutgoingMail
from lkk_core.kernel.services import Actor, Services, Settings, StaffActor

__all__ = [
    "ALL_PROJECTIONS",
    "Actor",
    "Billing",
    "Clock",
    "ConfigurationError",
    "Conflict",
    "Expired",
    "FixedClock",
    "Forbidden",
    "LkkApplication",
    "LkkError",
    "MailRejected",
    "Mailer",
    "NotFound",
    "OutgoingMail",
    "PreconditionFailed",
    "RateLimited",
    "Services",
    "Settings",
    "StaffActor",
    "SystemClock",
    "Unauthenticated",
    "ValidationFailed",
    "WindowClosed",
    "WrongCredentials",
    "bootstrap",
]
