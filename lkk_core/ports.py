"""Ports: what the domain needs from the outside world.

Each is a Protocol; adapters implement them (``adapters/``), and
``lkk_core`` never imports an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The time source: every rule with a duration takes ``now`` from here."""

    def now(self) -> datetime:
        """Return the current instant, time-zone aware (UTC)."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail the portal sends: plain text, one recipient.

    ``message_id`` is stable for the recorded event that asked for the mail,
    so a re-delivery after a crash carries the same Message-ID and the
    receiving side (or the .eml directory) sees one message, not two.
    """

    message_id: str
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Delivers e-mail; called only by the outbox follower, never by a service."""

    def send(self, mail: OutgoingMail) -> None:
        """Deliver one message or raise; raising leaves it in the outbox."""
        ...
