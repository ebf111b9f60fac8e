"""The billing feed: what the portal records for billing, handed to it by a follower of the log.

Each context that sends billing something (readings now; orders later)
gives the feed a ``Delivery`` for its events; the feed knows none of them.

``submit_readings`` only records ``ReadingsSubmitted`` and
``upload_interval_profile`` only ``IntervalProfileUploaded``; this follower
reads those events in log order and calls ``Billing.receive_readings`` or
``Billing.receive_interval_profile``, then tracks the position. Like the
outbox it delivers at least once: a crash between billing's acceptance and
the tracking commit repeats the call with the same (submission or act id,
version), which billing treats as one delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.follower import LogFollower
from lkk_core.kernel.ports import Billing

if TYPE_CHECKING:
    from lkk_core.kernel.services import Services


class Delivery(Protocol):
    """A context's deliveries to billing: the event classes it sends, and the sending of one."""

    events: tuple[type, ...]

    def deliver(self, event: Any, app: LkkApplication, billing: Billing) -> None:
        """Hand one recorded event to billing; raising leaves it pending."""


class BillingFeed(LogFollower[Delivery]):
    """Delivers what the contexts record for billing to the ``Billing`` port, each once at least, in order."""

    name = "billing_feed"

    def __init__(
        self, app: LkkApplication, billing: Billing, deliveries: Sequence[Delivery],
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(app, deliveries, env)
        self.billing = billing

    @classmethod
    def for_services(cls, services: Services) -> BillingFeed:
        """Build the feed over the services' log, billing and the contexts' deliveries."""
        return cls(services.app, services.require_billing(), services.deliveries)

    def carry_out(self, event: Any) -> bool:
        """Hand one event to billing."""
        self.deliver(event)
        return True

    def deliver(self, event: Any) -> None:
        """Send one event to billing by the delivery its context registered."""
        self._handlers[type(event)].deliver(event, self.app, self.billing)
