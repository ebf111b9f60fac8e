"""The index that makes an e-mail or a login belong to one live account (ACC-02)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.errors import Conflict

EMAIL = "email"
LOGIN = "login"

TAKEN = {
    EMAIL: "Пользователь с таким e-mail уже зарегистрирован",  # NOTE: proposal, DOMAIN.md §13.14 (ACC-02)
    LOGIN: "Пользователь с таким логином уже зарегистрирован",  # NOTE: proposal
}


def normalise_identifier(value: str) -> str:
    """Return the form in which e-mails and logins are compared: trimmed, lower-cased."""
    return value.strip().lower()


class IdentifierIndex(Aggregate):
    """Who holds an e-mail or login; its id is a keyed hash of the normalised value.

    The id comes from ``ServerSecret.index_id`` (HMAC), so the log never shows
    the address, and two registrations of one e-mail race on this aggregate's
    version: the store lets exactly one of them write.
    """

    TOPIC = "lkk:IdentifierIndex"

    class Event(Aggregate.Event):
        """Base of the index's events."""

        TOPIC = "lkk:IdentifierIndex.Event"

    @staticmethod
    def create_id(key: UUID) -> UUID:
        """Return the id the service derived with the server secret (it is the key)."""
        return key

    @event("Claimed", topic="lkk:IdentifierIndex.Claimed")
    def __init__(self, key: UUID, kind: str, account_id: UUID, at: datetime) -> None:
        """An e-mail or login was first claimed by an account."""
        self.kind = kind
        self.account_id: UUID | None = account_id

    @property
    def is_held(self) -> bool:
        """Tell whether a live account holds the identifier."""
        return self.account_id is not None

    def claim(self, account_id: UUID, *, now: datetime) -> None:
        """Give the released identifier to another account, or refuse (ACC-02)."""
        if self.account_id == account_id:
            return
        if self.account_id is not None:
            raise Conflict(TAKEN[self.kind], field=self.kind)
        self._reclaimed(account_id=account_id, at=now)

    def release(self, account_id: UUID, *, now: datetime) -> None:
        """Free the identifier when its account lets it go (changed or deleted)."""
        if self.account_id == account_id:
            self._released(account_id=account_id, at=now)

    @event("Reclaimed", topic="lkk:IdentifierIndex.Reclaimed")
    def _reclaimed(self, account_id: UUID, at: datetime) -> None:
        """A released identifier was claimed by another (or the same) account."""
        self.account_id = account_id

    @event("Released", topic="lkk:IdentifierIndex.Released")
    def _released(self, account_id: UUID, at: datetime) -> None:
        """The account gave the identifier up; it may be registered again."""
        self.account_id = None
