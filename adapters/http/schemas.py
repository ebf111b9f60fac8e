"""Response shapes of the HTTP API (requests are lkk_core's command models)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Base of response models."""

    model_config = ConfigDict(extra="forbid")


class Written(Out):
    """A command's answer: the log position its events reached."""

    position: int


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
    registered_at: str
    stage: str


class SessionRow(Out):
    """One line of «Сессии» (ACC-14); ``current`` shows «Текущая»."""

    session_id: UUID
    browser: str
    browser_version: str
    os: str
    started_at: str
    ended_at: str | None
    current: bool


class Sessions(Out):
    """The «Сессии» tab."""

    items: list[SessionRow]


class AccountCreated(Out):
    """Staff: the id of an imported account."""

    account_id: UUID


class Problem(Out):
    """An RFC 9457 problem document with lkk's stable ``code``."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    code: str
    detail: str


def profile_out(row: dict[str, Any]) -> dict[str, Any]:
    """Shape a profile view row for the API."""
    fields = Profile.model_fields
    return Profile.model_validate({k: v for k, v in row.items() if k in fields}).model_dump(mode="json")
