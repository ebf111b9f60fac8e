"""Answers of the accounts context: sessions opened, the profile, the sessions list (DOMAIN.md §1, §11)."""

from __future__ import annotations

from uuid import UUID

from adapters.http.schemas.common import Instant, Out, Paged


class SessionOpened(Out):
    """A started session: send ``token`` as ``Authorization: Bearer <token>``."""

    account_id: UUID
    session_id: UUID
    token: str
    stage: str
    position: int


class LoginHeld(Out):
    """A login from a new device waiting for the e-mailed code (ACC-08)."""

    account_id: UUID
    challenge_id: UUID
    position: int


class Profile(Out):
    """The «Профиль» tab (PRF-01); ``stage`` says which onboarding step is next."""

    account_id: UUID
    email: str | None
    email_confirmed: bool
    login: str | None
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    organisation: str | None
    position: str | None
    address: str | None
    phone: str | None
    two_factor: bool
    advertising: bool
    registered_at: Instant
    stage: str


class SessionRow(Out):
    """One line of «Сессии» (ACC-14); ``current`` shows «Текущая»."""

    session_id: UUID
    browser: str
    browser_version: str
    os: str
    started_at: Instant
    ended_at: Instant | None
    current: bool


class Sessions(Paged):
    """The «Сессии» tab, newest first, a page at a time."""

    items: list[SessionRow]


class AccountCreated(Out):
    """Staff: the id of an imported account."""

    account_id: UUID
