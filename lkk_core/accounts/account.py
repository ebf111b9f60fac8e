"""A person's login to the portal (DOMAIN.md §1, §11)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.errors import (
    Expired,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ValidationFailed,
)
from lkk_core.kernel.personal_data import REDACTED, OptionalPersonal, Personal
from lkk_core.kernel.security import same_hash

RESEND_INTERVAL = timedelta(minutes=1)  # ACC-04

# Code purposes (ACC-03, ACC-08, ACC-11, ACC-12): each has its own pending code
# and its own one-minute resend countdown.
CONFIRM_EMAIL = "confirm_email"
RESET_PASSWORD = "reset_password"
CONFIRM_LOGIN = "confirm_login"

# Onboarding stages, in order (ACC-03, ACC-05).
STAGE_EMAIL_CODE = "email_code"
STAGE_PERSONAL_DATA = "personal_data"
STAGE_PHONE = "phone"
STAGE_DONE = "done"

PERSONAL_FIELDS = ("last_name", "first_name", "patronymic", "organisation", "position", "address")


@dataclass(frozen=True)
class PendingCode:
    """A code e-mailed and not yet used: only its keyed hash is known."""

    nonce: str
    code_hash: str
    expires_at: datetime
    attempts_left: int


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


class Account(Aggregate):
    """A person's account: e-mail, password, personal data, phone, 2FA, sessions."""

    TOPIC = "lkk:Account"

    class Event(Aggregate.Event):
        """Base of the account's events."""

        TOPIC = "lkk:Account.Event"

    @classmethod
    def register(
        cls, *, email: str, password_hash: str, advertising: bool, agreement_accepted: bool, now: datetime
    ) -> Account:
        """Open an account from the registration form, or refuse (ACC-01)."""
        if not agreement_accepted:
            raise ValidationFailed(
                "Необходимо принять пользовательское соглашение", field="agreement_accepted"
            )
        return cls(
            email=email, login=None, password_hash=password_hash, advertising=advertising,
            agreement_accepted_at=now, origin="registration", at=now,
        )

    @classmethod
    def import_legacy(cls, *, login: str, email: str | None, password_hash: str, now: datetime) -> Account:
        """Bring over an account from before e-mail login (ACC-07, ACC-11a); staff only."""
        return cls(
            email=email, login=login, password_hash=password_hash, advertising=False,
            agreement_accepted_at=None, origin="legacy", at=now,
        )

    @classmethod
    def invite(cls, *, email: str, login: str, password_hash: str, now: datetime) -> Account:
        """Open an account for an e-mail an Administrator granted a role to (ROL-16).

        The e-mailed login and password prove the address at the first login,
        which confirms it; the person then goes through onboarding (ACC-05).
        """
        return cls(
            email=email, login=login, password_hash=password_hash, advertising=False,
            agreement_accepted_at=None, origin="invitation", at=now,
        )

    @event("Registered", topic="lkk:Account.Registered")
    def __init__(
        self,
        email: OptionalPersonal,
        login: OptionalPersonal,
        password_hash: Personal,
        advertising: bool,
        agreement_accepted_at: datetime | None,
        origin: str,
        at: datetime,
    ) -> None:
        """An account was opened (by registration, or imported from the legacy portal)."""
        self.email, self.login, self.password_hash = email, login, password_hash
        self.advertising, self.agreement_accepted_at, self.origin = advertising, agreement_accepted_at, origin
        self.email_confirmed = False
        # A legacy account existed before e-mail codes, so it has no code step.
        self.registration_confirmed = origin != "registration"
        self.personal_data: dict[str, str | None] = {}
        self.phone: str | None = None
        self.two_factor = False
        self.known_devices: set[str] = set()
        self.codes: dict[str, PendingCode] = {}
        self.last_code_sent: dict[str, datetime] = {}
        self.challenge: LoginChallenge | None = None
        self.sessions: dict[UUID, Session] = {}
        self.deleted_at: datetime | None = None

    # -- queries ------------------------------------------------------------------

    @property
    def is_deleted(self) -> bool:
        """Tell whether the account was deleted (ACC-17)."""
        return self.deleted_at is not None

    @property
    def stage(self) -> str:
        """Return the onboarding step the person is at (ACC-03, ACC-05)."""
        if not self.registration_confirmed:
            return STAGE_EMAIL_CODE
        if not self.personal_data:
            return STAGE_PERSONAL_DATA
        if self.phone is None:
            return STAGE_PHONE
        return STAGE_DONE

    def require_onboarded(self) -> None:
        """Refuse every other command until the code, personal data and phone are in (ACC-05)."""
        if self.stage == STAGE_EMAIL_CODE:
            raise PreconditionFailed("Подтвердите адрес электронной почты", stage=self.stage)
        if self.stage != STAGE_DONE:
            raise PreconditionFailed("Заполните обязательные поля", stage=self.stage)

    def require_confirmed_email(self) -> None:
        """Refuse paying, binding and readings without a confirmed e-mail (ACC-06)."""
        self.require_onboarded()
        if not self.email or not self.email_confirmed:
            raise PreconditionFailed("Подтвердите адрес электронной почты", field="email")

    def live_session(self, session_id: UUID) -> Session | None:
        """Return the session if it exists and has not ended."""
        session = self.sessions.get(session_id)
        return session if session and session.ended_at is None else None

    def resend_allowed_at(self, purpose: str) -> datetime | None:
        """Return when a new code for ``purpose`` may be sent (ACC-04), or None."""
        last = self.last_code_sent.get(purpose)
        return last + RESEND_INTERVAL if last else None

    # -- codes (ACC-03, ACC-04) ----------------------------------------------------

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
            raise Expired("Код недействителен, запросите новый", field="code")
        return code.nonce

    def _accept_code(self, purpose: str, typed_hash: str, now: datetime) -> bool:
        code = self.codes.get(purpose)
        if code is None or now >= code.expires_at:
            raise Expired("Код недействителен, запросите новый", field="code")
        if same_hash(code.code_hash, typed_hash):
            return True
        self._code_rejected(purpose=purpose, attempts_left=code.attempts_left - 1, at=now)
        return False

    @event("CodeIssued", topic="lkk:Account.CodeIssued")
    def _code_issued(
        self, purpose: str, to: Personal, nonce: str, code_hash: str, at: datetime, expires_at: datetime, attempts: int
    ) -> None:
        """A code was issued and queued for e-mail; the code itself is never recorded."""
        self.codes[purpose] = PendingCode(nonce, code_hash, expires_at, attempts)
        self.last_code_sent[purpose] = at

    @event("CodeRejected", topic="lkk:Account.CodeRejected")
    def _code_rejected(self, purpose: str, attempts_left: int, at: datetime) -> None:
        """A wrong code was typed; with no attempts left the code is void."""
        if attempts_left > 0:
            self.codes[purpose] = replace(self.codes[purpose], attempts_left=attempts_left)
        else:
            del self.codes[purpose]

    # -- e-mail --------------------------------------------------------------------

    def confirm_email(self, typed_hash: str, *, now: datetime) -> bool:
        """Confirm the e-mail with the code sent to it (ACC-03, ACC-12); False if wrong."""
        if not self._accept_code(CONFIRM_EMAIL, typed_hash, now):
            return False
        self._email_confirmed(at=now)
        return True

    @event("EmailConfirmed", topic="lkk:Account.EmailConfirmed")
    def _email_confirmed(self, at: datetime) -> None:
        """The person typed the code sent to the e-mail: it is theirs."""
        self.email_confirmed = True
        self.registration_confirmed = True
        self.codes.pop(CONFIRM_EMAIL, None)

    def change_email(self, email: str, *, now: datetime) -> None:
        """Put a new e-mail on the profile; it is unconfirmed until its code (ACC-13)."""
        self.require_onboarded()
        self._email_changed(email=email, at=now)

    @event("EmailChanged", topic="lkk:Account.EmailChanged")
    def _email_changed(self, email: Personal, at: datetime) -> None:
        """The profile e-mail was changed; it needs confirming again."""
        self.email, self.email_confirmed = email, False
        self.codes.pop(CONFIRM_EMAIL, None)
        self.last_code_sent.pop(CONFIRM_EMAIL, None)

    def restore_email(self, email: str, *, staff_id: str, now: datetime) -> None:
        """Give a legacy account its e-mail back, unconfirmed (ACC-11a); staff only."""
        self._email_restored(email=email, staff_id=staff_id, at=now)

    @event("EmailRestored", topic="lkk:Account.EmailRestored")
    def _email_restored(self, email: Personal, staff_id: str, at: datetime) -> None:
        """Supplier staff restored the e-mail of a legacy account."""
        self.email, self.email_confirmed = email, False

    # -- onboarding and profile (ACC-05, PRF-02, PRF-03) ---------------------------

    def save_personal_data(self, *, now: datetime, **fields: str | None) -> None:
        """Save Фамилия, Имя, Отчество, Организация, Должность, Адрес."""
        if self.stage == STAGE_EMAIL_CODE:
            raise PreconditionFailed("Подтвердите адрес электронной почты", stage=self.stage)
        self._personal_data_saved(**{name: fields.get(name) for name in PERSONAL_FIELDS}, at=now)

    @event("PersonalDataSaved", topic="lkk:Account.PersonalDataSaved")
    def _personal_data_saved(
        self,
        last_name: Personal,
        first_name: Personal,
        patronymic: OptionalPersonal,
        organisation: OptionalPersonal,
        position: OptionalPersonal,
        address: OptionalPersonal,
        at: datetime,
    ) -> None:
        """The person saved their personal data."""
        self.personal_data = {
            "last_name": last_name, "first_name": first_name, "patronymic": patronymic,
            "organisation": organisation, "position": position, "address": address,
        }

    def save_phone(self, phone: str, *, now: datetime) -> None:
        """Save the phone, normalised to +7XXXXXXXXXX; personal data must come first (ACC-05)."""
        if self.stage in (STAGE_EMAIL_CODE, STAGE_PERSONAL_DATA):
            raise PreconditionFailed("Заполните обязательные поля", stage=self.stage)
        self._phone_saved(phone=phone, at=now)

    @event("PhoneSaved", topic="lkk:Account.PhoneSaved")
    def _phone_saved(self, phone: Personal, at: datetime) -> None:
        """The person saved their phone number."""
        self.phone = phone

    def switch_two_factor(self, enabled: bool, *, now: datetime) -> None:
        """Turn confirmation of logins from new devices on or off (ACC-08)."""
        self.require_onboarded()
        if enabled and not self.email:
            # The login code goes by e-mail: without one the account would lock itself out.
            raise PreconditionFailed("Укажите адрес электронной почты", field="email")  # NOTE: proposal
        if enabled != self.two_factor:
            self._two_factor_switched(enabled=enabled, at=now)

    @event("TwoFactorSwitched", topic="lkk:Account.TwoFactorSwitched")
    def _two_factor_switched(self, enabled: bool, at: datetime) -> None:
        """The 2FA switch was turned on or off."""
        self.two_factor = enabled

    # -- passwords (ACC-10, ACC-11) ------------------------------------------------

    def change_password(self, password_hash: str, *, now: datetime) -> None:
        """Replace the password (the service has checked the old one and the rules)."""
        self.require_onboarded()
        self._password_changed(password_hash=password_hash, at=now)

    @event("PasswordChanged", topic="lkk:Account.PasswordChanged")
    def _password_changed(self, password_hash: Personal, at: datetime) -> None:
        """The person changed their password; other sessions stay (ACC-10)."""
        self.password_hash = password_hash

    def reset_password(self, typed_hash: str, password_hash: str, *, now: datetime) -> bool:
        """Set a new password with the recovery code (ACC-11); False if the code is wrong."""
        if not self._accept_code(RESET_PASSWORD, typed_hash, now):
            return False
        self._password_reset(password_hash=password_hash, at=now)
        return True

    @event("PasswordReset", topic="lkk:Account.PasswordReset")
    def _password_reset(self, password_hash: Personal, at: datetime) -> None:
        """The password was recovered by e-mail code; every session ended (ACC-11)."""
        self.password_hash = password_hash
        self.codes.pop(RESET_PASSWORD, None)
        self._end_all_sessions(at)

    # -- sessions (ACC-07, ACC-08, ACC-14, ACC-15) ---------------------------------

    def confirm_invited_email(self, *, now: datetime) -> None:
        """The first login with the e-mailed credentials proves the e-mail (ROL-16)."""
        if self.origin == "invitation" and not self.email_confirmed and self.email:
            self._email_confirmed(at=now)

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
            raise NotFound("Вход не найден, войдите снова", field="challenge_id")
        if not self._accept_code(CONFIRM_LOGIN, typed_hash, now):
            return False
        self.start_session(session_id, token_hash, self.challenge, now=now)
        return True

    @event("LoginChallenged", topic="lkk:Account.LoginChallenged")
    def _login_challenged(
        self, challenge_id: UUID, fingerprint: str, browser: str, browser_version: str, os: str, at: datetime
    ) -> None:
        """A login from an unknown device or browser waits for its e-mailed code."""
        self.challenge = LoginChallenge(challenge_id, fingerprint, browser, browser_version, os)

    @event("LoggedIn", topic="lkk:Account.LoggedIn")
    def _logged_in(
        self, session_id: UUID, token_hash: str, fingerprint: str, browser: str, browser_version: str, os: str,
        at: datetime,
    ) -> None:
        """A session started; its device and browser are known from now on."""
        self.sessions[session_id] = Session(token_hash, fingerprint, browser, browser_version, os, at)
        self.known_devices.add(fingerprint)
        self.challenge = None
        self.codes.pop(CONFIRM_LOGIN, None)

    def end_session(self, session_id: UUID, *, now: datetime, reason: str) -> None:
        """End a session (logout) or remove an old one from the list (ACC-14, ACC-15)."""
        if session_id not in self.sessions:
            raise NotFound("Сессия не найдена", field="session_id")
        self._session_ended(session_id=session_id, reason=reason, at=now)

    @event("SessionEnded", topic="lkk:Account.SessionEnded")
    def _session_ended(self, session_id: UUID, reason: str, at: datetime) -> None:
        """A session was ended by the person and removed from their list."""
        del self.sessions[session_id]

    def _end_all_sessions(self, at: datetime) -> None:
        for session_id, session in self.sessions.items():
            if session.ended_at is None:
                self.sessions[session_id] = replace(session, ended_at=at)

    # -- deletion (ACC-17) ---------------------------------------------------------

    def delete(self, *, now: datetime) -> None:
        """Delete the account: sessions end, personal data becomes unreadable."""
        self._deleted(at=now)

    @event("Deleted", topic="lkk:Account.Deleted")
    def _deleted(self, at: datetime) -> None:
        """The account was deleted; its key is destroyed right after (crypto-shredding)."""
        # Replays with and without the key must agree, so blank what the key protected.
        self.email = self.login = self.phone = self.password_hash = REDACTED
        self.personal_data = dict.fromkeys(self.personal_data, REDACTED)
        self.codes, self.challenge, self.sessions = {}, None, {}
        self.deleted_at = at


Account.Deleted.forgets_subject = True  # type: ignore[attr-defined]
