"""The Account's e-mailed codes: issue one at most once a minute, check a typed one, count wrong tries (ACC-03, ACC-04).

A part of the one ``Account`` aggregate (lkk_core/accounts/account.py), which
declares the events; see that module for how the parts compose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from lkk_core.kernel.errors import Expired, RateLimited
from lkk_core.kernel.personal_data import Personal
from lkk_core.kernel.security import same_hash

CODE_INVALID = "Код недействителен, запросите новый"  # no pending code, or it expired (ACC-03, ACC-04)

RESEND_INTERVAL = timedelta(minutes=1)  # ACC-04

# Code purposes (ACC-03, ACC-08, ACC-11, ACC-12): each has its own pending code
# and its own one-minute resend countdown.
CONFIRM_EMAIL = "confirm_email"
RESET_PASSWORD = "reset_password"
CONFIRM_LOGIN = "confirm_login"


@dataclass(frozen=True)
class PendingCode:
    """A code e-mailed and not yet used: only its keyed hash is known."""

    nonce: str
    code_hash: str
    expires_at: datetime
    attempts_left: int


class CodesPart:
    """The codes of an account: one pending code per purpose, and when each was last sent."""

    codes: dict[str, PendingCode]
    last_code_sent: dict[str, datetime]

    def resend_allowed_at(self, purpose: str) -> datetime | None:
        """Return when a new code for ``purpose`` may be sent (ACC-04), or None."""
        last = self.last_code_sent.get(purpose)
        return last + RESEND_INTERVAL if last else None

    def issue_code(
        self, purpose: str, *, to: str, nonce: str, code_hash: str, now: datetime, ttl: timedelta, attempts: int
    ) -> None:
        """Record a new code for ``purpose``, to be e-mailed by the outbox; at most one a minute."""
        allowed_at = self.resend_allowed_at(purpose)
        if allowed_at is not None and now < allowed_at:
            seconds = int((allowed_at - now).total_seconds() + 0.999)
            raise RateLimited(
                f"Повторная отправка кода возможна через {seconds} с",
                retry_after=seconds, purpose=purpose,
            )
        self._code_issued(
            purpose=purpose, to=to, nonce=nonce, code_hash=code_hash, at=now, expires_at=now + ttl, attempts=attempts
        )

    def pending_nonce(self, purpose: str) -> str:
        """Return the nonce of the pending code (the service hashes the typed code with it)."""
        code = self.codes.get(purpose)
        if code is None:
            raise Expired(CODE_INVALID, field="code")
        return code.nonce

    def _accept_code(self, purpose: str, typed_hash: str, now: datetime) -> bool:
        """Tell whether the typed code is the pending one; a wrong one costs an attempt (recorded)."""
        code = self.codes.get(purpose)
        if code is None or now >= code.expires_at:
            raise Expired(CODE_INVALID, field="code")
        if same_hash(code.code_hash, typed_hash):
            return True
        self._code_rejected(purpose=purpose, attempts_left=code.attempts_left - 1, at=now)
        return False

    # -- events (declared on Account: calling one records it) ----------------------

    def _code_issued(
        self, purpose: str, to: Personal, nonce: str, code_hash: str, at: datetime, expires_at: datetime, attempts: int
    ) -> None:
        """A code was issued and queued for e-mail; the code itself is never recorded."""
        self.codes[purpose] = PendingCode(nonce, code_hash, expires_at, attempts)
        self.last_code_sent[purpose] = at

    def _code_rejected(self, purpose: str, attempts_left: int, at: datetime) -> None:
        """A wrong code was typed; with no attempts left the code is void."""
        if attempts_left > 0:
            self.codes[purpose] = replace(self.codes[purpose], attempts_left=attempts_left)
        else:
            del self.codes[purpose]
