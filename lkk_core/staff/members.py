"""Use cases of staff credentials: create a specialist, issue and revoke tokens, authenticate a token.

Who acts is a ``StaffActor`` like every staff command's: another specialist
(the CLI's ``--as``), or ``OPERATOR``, the person at the server's console,
who holds the deployment's keys anyway and so creates the first specialist.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from lkk_core.kernel.errors import Conflict, NotFound, Unauthenticated
from lkk_core.kernel.security import new_token_secret, same_hash, token_hash
from lkk_core.kernel.services import Services, StaffActor
from lkk_core.staff.commands import CreateStaffMember, normalise_staff_login
from lkk_core.staff.member import StaffMember

OPERATOR = StaffActor("operator")  # recorded as created_by / issued_by / revoked_by for console bootstrap
TOKEN_PREFIX = "lkks"
LOGIN_TAKEN = "Специалист с таким логином уже есть"  # NOTE: proposal
STAFF_NOT_FOUND = "Специалист не найден"  # NOTE: proposal
STAFF_KEY_REQUIRED = "Требуется ключ специалиста сбытовой компании"  # NOTE: proposal


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: shown once, never stored (only its hash is)."""

    staff_id: str
    token_id: UUID
    token: str
    position: int


def staff_member_id(services: Services, login: str) -> UUID:
    """Return the id of the specialist with that login (a keyed hash: the log never shows the login)."""
    return services.secret.index_id("staff-login", normalise_staff_login(login))


def _member(services: Services, login: str) -> StaffMember:
    member = services.find(StaffMember, staff_member_id(services, login))
    if member is None:
        raise NotFound(STAFF_NOT_FOUND, field="login")
    return member


def _new_token(member: StaffMember, by: StaffActor, services: Services) -> tuple[UUID, str]:
    token_id, secret = uuid.UUID(bytes=secrets.token_bytes(16), version=4), new_token_secret()
    member.issue_token(token_id, token_hash(secret), by=by.staff_id, now=services.clock.now())
    return token_id, f"{TOKEN_PREFIX}.{member.id.hex}.{token_id.hex}.{secret}"


def create_staff_member(services: Services, by: StaffActor, cmd: CreateStaffMember) -> IssuedToken:
    """Create a specialist with their first token (``lkk staff create``); a taken login is a conflict."""

    def attempt() -> IssuedToken:
        key = staff_member_id(services, cmd.login)
        if services.find(StaffMember, key) is not None:
            raise Conflict(LOGIN_TAKEN, field="login")
        member = StaffMember(key=key, login=cmd.login, full_name=cmd.full_name, email=cmd.email,
                             created_by=by.staff_id, at=services.clock.now())
        token_id, token = _new_token(member, by, services)
        return IssuedToken(member.staff_id, token_id, token, services.save(member))

    return services.write(attempt)


def issue_staff_token(services: Services, by: StaffActor, login: str) -> IssuedToken:
    """Issue one more token to a specialist (``lkk staff token``); refused once they are revoked."""

    def attempt() -> IssuedToken:
        member = _member(services, login)
        token_id, token = _new_token(member, by, services)
        return IssuedToken(member.staff_id, token_id, token, services.save(member))

    return services.write(attempt)


def revoke_staff_token(services: Services, by: StaffActor, login: str, token_id: UUID) -> int:
    """Revoke one token of a specialist: the next request with it is refused, on every worker."""

    def attempt() -> int:
        member = _member(services, login)
        member.revoke_token(token_id, by=by.staff_id, now=services.clock.now())
        return services.save(member)

    return services.write(attempt)


def revoke_staff_member(services: Services, by: StaffActor, login: str) -> int:
    """Revoke a specialist and every token of theirs (``lkk staff revoke``)."""

    def attempt() -> int:
        member = _member(services, login)
        member.revoke(by=by.staff_id, now=services.clock.now())
        return services.save(member)

    return services.write(attempt)


def authenticate_staff(services: Services, token: str) -> StaffActor:
    """Turn a staff bearer token into the specialist it belongs to, or raise ``Unauthenticated``.

    The specialist is read from the store on every call (the repository's
    cached copy is brought up to the log first), so a revocation made by any
    process refuses the very next request everywhere.
    """
    try:
        prefix, member_hex, token_hex, secret = token.split(".", 3)
        member_id, token_id = UUID(hex=member_hex), UUID(hex=token_hex)
    except ValueError:
        raise Unauthenticated(STAFF_KEY_REQUIRED) from None
    member = _current(services, member_id) if prefix == TOKEN_PREFIX else None
    record = None if member is None else member.live_token(token_id)
    if record is None or not same_hash(record.token_hash, token_hash(secret)):
        raise Unauthenticated(STAFF_KEY_REQUIRED)
    return StaffActor(member.staff_id)  # type: ignore[union-attr]  (record is None when member is)


def _current(services: Services, member_id: UUID) -> StaffMember | None:
    """Load the specialist as the log has them now, whatever the repository cache's settings."""
    repository = services.app.repository
    if repository.cache is None or repository.fastforward:
        return services.peek(StaffMember, member_id)  # the cached copy is brought up to the log's head first
    # With AGGREGATE_CACHE_FASTFORWARD off, a cached copy would keep a token revoked by
    # another process alive here: read the specialist's few events from the store instead.
    try:
        found = repository.get(member_id, version=_EVERY_VERSION)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, StaffMember) else None


_EVERY_VERSION = 2**62  # "up to the latest": a version given makes eventsourcing read the store, not the cache


def acting_staff(services: Services, login: str) -> StaffActor:
    """Return the specialist a console command acts as (``lkk staff --as LOGIN``); refused once revoked."""
    member = _member(services, login)
    if member.revoked_at is not None:
        raise Unauthenticated(STAFF_KEY_REQUIRED, field="login")
    return StaffActor(member.staff_id)
