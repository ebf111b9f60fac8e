"""The Account's logins: challenges from unknown devices, and sessions (ACC-07, ACC-08, ACC-14, ACC-15).

A part of the one ``Account`` aggregate (lkk_core/accounts/account.py), which
declares the events; see that module for how the parts compose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from lkk_core.accounts.account_codes import CONFIRM_LOGIN
from lkk_core.kernel.errors import NotFound

LOGIN_NOT_FOUND = "Вход не найден, войдите снова"  # no held login with that id (ACC-08)


@dataclass(frozen=True)
class Session:
    """A login session; only the SHA-256 of its token secret is kept."""

    token_hash: str
    fingerprint: str
    browser: str
    browser_version: str
    os: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class LoginChallenge:
    """A login from an unknown device or browser waiting for its code (ACC-08)."""

    challenge_id: UUID
    fingerprint: str
    browser: str
    browser_version: str
    os: str


class SessionsPart:
    """The sessions of an account, the devices it logged in from, and the login held for its code."""

    email: str | None
    two_factor: bool
    known_devices: set[str]
    challenge: LoginChallenge | None
    sessions: dict[UUID, Session]
    codes: dict[str, object]

    if TYPE_CHECKING:  # from the codes part (account_codes.py)

        def _accept_code(self, purpose: str, typed_hash: str, now: datetime) -> bool: ...

    def live_session(self, session_id: UUID) -> Session | None:
        """Return the session if it exists and has not ended."""
        session = self.sessions.get(session_id)
        return session if session and session.ended_at is None else None

    def needs_login_confirmation(self, fingerprint: str) -> bool:
        """Tell whether a login from this device and browser must be confirmed (ACC-08)."""
        # An account whose e-mail staff removed cannot receive a code: let it in
        # (ACC-11a) rather than lock it out; its login still needs the password.
        return self.two_factor and bool(self.email) and fingerprint not in self.known_devices

    def start_session(self, session_id: UUID, token_hash: str, client: LoginChallenge, *, now: datetime) -> None:
        """Open a session after a successful login."""
        self._logged_in(
            session_id=session_id, token_hash=token_hash, fingerprint=client.fingerprint,
            browser=client.browser, browser_version=client.browser_version, os=client.os, at=now,
        )

    def challenge_login(self, client: LoginChallenge, *, now: datetime) -> None:
        """Hold a login from an unknown device until its code is typed (ACC-08)."""
        self._login_challenged(
            challenge_id=client.challenge_id, fingerprint=client.fingerprint, browser=client.browser,
            browser_version=client.browser_version, os=client.os, at=now,
        )

    def confirm_login(
        self, challenge_id: UUID, typed_hash: str, session_id: UUID, token_hash: str, *, now: datetime
    ) -> bool:
        """Open the held session when the code is right; False if it is wrong."""
        if self.challenge is None or self.challenge.challenge_id != challenge_id:
            raise NotFound(LOGIN_NOT_FOUND, field="challenge_id")
        if not self._accept_code(CONFIRM_LOGIN, typed_hash, now):
            return False
        self.start_session(session_id, token_hash, self.challenge, now=now)
        return True

    def end_session(self, session_id: UUID, *, now: datetime, reason: str) -> None:
        """End a session (logout) or remove an old one from the list (ACC-14, ACC-15)."""
        if session_id not in self.sessions:
            raise NotFound("Сессия не найдена", field="session_id")
        self._session_ended(session_id=session_id, reason=reason, at=now)

    def _end_all_sessions(self, at: datetime) -> None:
        """End every live session (within an event: a password reset, ACC-11)."""
        for session_id, session in self.sessions.items():
            if session.ended_at is None:
                self.sessions[session_id] = replace(session, ended_at=at)

    # -- events (declared on Account: calling one records it) ----------------------

    def _login_challenged(
        self, challenge_id: UUID, fingerprint: str, browser: str, browser_version: str, os: str, at: datetime
    ) -> None:
        """A login from an unknown device or browser waits for its e-mailed code."""
        self.challenge = LoginChallenge(challenge_id, fingerprint, browser, browser_version, os)

    def _logged_in(
        self, session_id: UUID, token_hash: str, fingerprint: str, browser: str, browser_version: str, os: str,
        at: datetime,
    ) -> None:
        """A session started; its device and browser are known from now on."""
        self.sessions[session_id] = Session(token_hash, fingerprint, browser, browser_version, os, at)
        self.known_devices.add(fingerprint)
        self.challenge = None
        self.codes.pop(CONFIRM_LOGIN, None)

    def _session_ended(self, session_id: UUID, reason: str, at: datetime) -> None:
        """A session was ended by the person and removed from their list."""
        del self.sessions[session_id]
