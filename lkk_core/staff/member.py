"""A supplier specialist who may use the administrative module, and the tokens they authenticate with.

One aggregate per specialist. Its id is a keyed hash of the normalised
login (``ServerSecret.index_id``), so two ``lkk staff create`` of one login
race on one version and the store lets one of them write, and the log never
shows the login in the clear. Its ``str`` is what staff commands record in
their ``by_staff`` / ``staff_id`` fields: a stable id that outlives a
rename and carries no personal data.

A token is ``lkks.<staff id>.<token id>.<secret>``: 256 random bits of
secret, of which only the SHA-256 is recorded (see
docs/explanation/security.md, «Staff credentials»). Revoking a token, or the
specialist, is one more event on this aggregate, which every request reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.errors import Conflict, NotFound
from lkk_core.kernel.personal_data import OptionalPersonal, Personal

STAFF_REVOKED = "Доступ специалиста отозван"  # NOTE: proposal
TOKEN_NOT_FOUND = "Ключ доступа не найден"  # NOTE: proposal


@dataclass(frozen=True)
class StaffTokenRecord:
    """A token issued to a specialist: its id, the hash of its secret, when, and when revoked."""

    token_id: UUID
    token_hash: str
    issued_at: datetime
    revoked_at: datetime | None = None


class StaffMember(Aggregate):
    """A specialist of the supplier: login, full name, e-mail, who created them, their tokens."""

    TOPIC = "lkk:StaffMember"

    class Event(Aggregate.Event):
        """Base of a specialist's events."""

        TOPIC = "lkk:StaffMember.Event"

    @staticmethod
    def create_id(key: UUID) -> UUID:
        """Return the id the service derived from the login with the server secret (it is the key)."""
        return key

    @event("Created", topic="lkk:StaffMember.Created")
    def __init__(  # noqa: PLR0913  (the fields of the fact)
        self, key: UUID, login: Personal, full_name: Personal, email: OptionalPersonal, created_by: str, at: datetime
    ) -> None:
        """A specialist was given access to the administrative module."""
        self.login, self.full_name, self.email = login, full_name, email
        self.created_by, self.created_at = created_by, at
        self.revoked_at: datetime | None = None
        self.tokens: dict[UUID, StaffTokenRecord] = {}

    @property
    def staff_id(self) -> str:
        """Return the id staff commands record (``by_staff``, ``staff_id``)."""
        return str(self.id)

    def live_token(self, token_id: UUID) -> StaffTokenRecord | None:
        """Return the token if it and the specialist are not revoked."""
        record = self.tokens.get(token_id)
        if self.revoked_at is not None or record is None or record.revoked_at is not None:
            return None
        return record

    def issue_token(self, token_id: UUID, token_hash: str, *, by: str, now: datetime) -> None:
        """Give the specialist one more token; refused once the specialist is revoked."""
        self._check_not_revoked()
        self._token_issued(token_id=token_id, token_hash=token_hash, issued_by=by, at=now)

    def revoke_token(self, token_id: UUID, *, by: str, now: datetime) -> None:
        """End one token at once; revoking it again changes nothing."""
        record = self.tokens.get(token_id)
        if record is None:
            raise NotFound(TOKEN_NOT_FOUND, field="token_id")
        if record.revoked_at is None:
            self._token_revoked(token_id=token_id, revoked_by=by, at=now)

    def revoke(self, *, by: str, now: datetime) -> None:
        """End the specialist's access and every token of theirs; revoking again changes nothing."""
        if self.revoked_at is None:
            self._revoked(revoked_by=by, at=now)

    @event("TokenIssued", topic="lkk:StaffMember.TokenIssued")
    def _token_issued(self, token_id: UUID, token_hash: str, issued_by: str, at: datetime) -> None:
        """A token was issued to the specialist (only the SHA-256 of its secret is recorded)."""
        self.tokens[token_id] = StaffTokenRecord(token_id, token_hash, at)

    @event("TokenRevoked", topic="lkk:StaffMember.TokenRevoked")
    def _token_revoked(self, token_id: UUID, revoked_by: str, at: datetime) -> None:
        """One token of the specialist was revoked."""
        old = self.tokens[token_id]
        self.tokens[token_id] = StaffTokenRecord(old.token_id, old.token_hash, old.issued_at, at)

    @event("Revoked", topic="lkk:StaffMember.Revoked")
    def _revoked(self, revoked_by: str, at: datetime) -> None:
        """The specialist's access was revoked, with every token of theirs."""
        self.revoked_at = at

    def _check_not_revoked(self) -> None:
        if self.revoked_at is not None:
            raise Conflict(STAFF_REVOKED, field="login")
