"""Ports: what the domain needs from the outside world.

Each is a Protocol; adapters implement them (``adapters/``), and
``lkk_core`` never imports an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from uuid import UUID

    from lkk_core.kernel.billing import (
        AcceptedReading, Contract, ReadingWindow, ScaleReading, SubmittedProfile, SubmittedReading,
    )


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
        """Deliver one message or raise; raising leaves it in the outbox.

        Raise ``MailRejected`` when the server refuses the message for good
        (an unknown mailbox, a 5xx answer): the outbox records that and moves
        on instead of retrying it for ever and holding up every later letter.
        """
        ...


class MailRejected(Exception):  # noqa: N818  (a fact, not a programming error)
    """The mail server refused a message permanently; retrying will not help."""


class Billing(Protocol):
    """The supplier's billing system: the system of record for contracts (ARCHITECTURE.md §8).

    Lookups are by the 14-digit contract number and must stay fast when
    billing holds hundreds of thousands of contracts.
    """

    def find_contract(self, number: str) -> Contract | None:
        """Return the contract with that number, or None if billing has none."""
        ...

    def reading_window(self, number: str, period: date) -> ReadingWindow | None:
        """Return when readings of the contract for the month ``period`` may be submitted."""
        ...

    def meter_readings(self, number: str, period: date) -> tuple[ScaleReading, ...]:
        """Return billing's facts per meter scale of the contract for the month ``period`` (RDG-02, RDG-18)."""
        ...

    def receive_readings(
        self, number: str, period: date, readings: tuple[SubmittedReading, ...], *, submission_id: UUID, version: int
    ) -> None:
        """Take readings submitted in the portal; idempotent per (``submission_id``, ``version``).

        Called only by the billing feed follower (at least once), never by a service.
        """
        ...

    def interval_reading_kinds(self, number: str) -> tuple[str, ...]:
        """Return the choices of «Вид показаний» for the contract's interval uploads (RDG-15)."""
        ...

    def receive_interval_profile(
        self, number: str, period: date, profile: SubmittedProfile, *, act_id: UUID, version: int
    ) -> None:
        """Take a «Первичный акт» uploaded in the portal; idempotent per (``act_id``, ``version``).

        Called only by the billing feed follower (at least once), never by a service.
        """
        ...

    def accepted_readings(self, number: str, period: date) -> tuple[AcceptedReading, ...]:
        """Return the readings of the month billing accepted from sources other than the portal (HIS-07).

        A scale the portal also submitted is billing's word: its value and source win.
        """
        ...
