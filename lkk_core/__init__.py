"""lkk_core: the domain library of the legal-entity customer portal (ЛКК ЮЛ).

Build services with ``bootstrap(env, clock=…, billing=…)`` (``new_secrets()``
gives the two keys ``env`` needs) and call the use cases in
``lkk_core.accounts``, ``lkk_core.contracts``, ``lkk_core.readings`` and
``lkk_core.staff`` (one package per bounded context, each importable only
through its public face) with an ``Actor`` (or, for staff commands, a
``StaffActor`` from ``staff.authenticate_staff``); read views through
``services.views.of(SomeView)``. Letters leave through an ``Outbox`` to a
``Mailer``, readings through a ``BillingFeed`` to ``Billing``; billing's
answers are the frozen value types below. These names, and those of each
context's ``__all__``, are the library's public face
(docs/reference/library.md); every other module, ``lkk_core.kernel``
included, is the library's inside.
Nothing here imports a web framework, a spreadsheet library or a driver.
"""

from lkk_core.kernel.access import Access
from lkk_core.kernel.app import ConfigurationError, LkkApplication, new_secrets
from lkk_core.bootstrap import ALL_PROJECTIONS, bootstrap
from lkk_core.kernel.billing import (
    AcceptedReading,
    Attachment,
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    ReadingWindow,
    Scale,
    ScaleReading,
    SubmittedProfile,
    SubmittedReading,
)
from lkk_core.kernel.billing_feed import BillingFeed
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
from lkk_core.kernel.outbox import Outbox
from lkk_core.kernel.paging import Page, Paging
from lkk_core.kernel.permissions import Capability, Holding, Role
from lkk_core.kernel.personal_data import REDACTED, SubjectForgotten
from lkk_core.kernel.ports import Billing, Clock, Mailer, MailRejected, OutgoingMail
from lkk_core.kernel.services import Actor, Services, Settings, StaffActor

__all__ = [
    "ALL_PROJECTIONS",
    "AcceptedReading",
    "Access",
    "Actor",
    "Attachment",
    "BankDetails",
    "Billing",
    "BillingFeed",
    "Capability",
    "Clock",
    "ConfigurationError",
    "Conflict",
    "Contact",
    "Contract",
    "EnergyObject",
    "Expired",
    "FixedClock",
    "Forbidden",
    "Holding",
    "LkkApplication",
    "LkkError",
    "MailRejected",
    "Mailer",
    "Meter",
    "MeteringPoint",
    "NotFound",
    "Outbox",
    "OutgoingMail",
    "Page",
    "Paging",
    "Party",
    "PreconditionFailed",
    "PriceCategory",
    "Quantity",
    "REDACTED",
    "RateLimited",
    "ReadingWindow",
    "Role",
    "Scale",
    "ScaleReading",
    "Services",
    "Settings",
    "StaffActor",
    "SubjectForgotten",
    "SubmittedProfile",
    "SubmittedReading",
    "SystemClock",
    "Unauthenticated",
    "ValidationFailed",
    "WindowClosed",
    "WrongCredentials",
    "bootstrap",
    "new_secrets",
]
