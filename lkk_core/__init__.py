"""lkk_core: the domain library of the legal-entity customer portal (ЛКК ЮЛ).

Build services with ``bootstrap(os.environ)`` and call the use cases in
``lkk_core.accounts`` with an ``Actor``; read views through ``services.views``.
Nothing here imports a web framework, a spreadsheet library or a driver.
"""

from lkk_core.app import ConfigurationError, LkkApplication
from lkk_core.bootstrap import bootstrap
from lkk_core.clock import FixedClock, SystemClock
from lkk_core.errors import (
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
from lkk_core.ports import Billing, Clock, Mailer, MailRejected, OutgoingMail
from lkk_core.services import Actor, Services, Settings, StaffActor

__all__ = [
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
