"""A person's login to the portal (DOMAIN.md §1, §11): one aggregate, its behaviour in one module per job.

``Account`` is a single eventsourcing aggregate (one id, one version, one
stream of events), composed of plain parts, each readable on its own:

========================  ==========================================================
account_profile.py        onboarding stage, e-mail, password, 2FA
account_codes.py          e-mailed codes: issue, check, count wrong tries
account_sessions.py       login challenges from unknown devices, sessions
account_personal_data.py  personal data, phone, deletion (crypto-shredding)
========================  ==========================================================

Each part holds its commands and the bodies of its events (the methods named
``_<something>_<past participle>``). The events themselves are declared here,
on ``Account``, because eventsourcing defines an aggregate's event classes only
from ``@event`` methods in the aggregate class's own body: a decorated method
on a plain mixin would have no event class. So each line below turns a part's
method into the event, under the name, topic and fields the log has always
held (tests/unit/test_account_events.py keeps them; never change a TOPIC).
"""

from __future__ import annotations

# The event classes live in this module, so their string annotations are resolved
# here (personal-data fields are found by their ``Personal`` marker): keep these.
from datetime import datetime  # noqa: F401  (see above)
from typing import Any
from uuid import UUID  # noqa: F401  (see above)

from eventsourcing.domain import Aggregate, event

from lkk_core.accounts.account_codes import (
    CONFIRM_EMAIL,
    CONFIRM_LOGIN,
    RESEND_INTERVAL,
    RESET_PASSWORD,
    CodesPart,
    PendingCode,
)
from lkk_core.accounts.account_personal_data import PERSONAL_FIELDS, PersonalDataPart
from lkk_core.accounts.account_profile import (
    STAGE_DONE,
    STAGE_EMAIL_CODE,
    STAGE_PERSONAL_DATA,
    STAGE_PHONE,
    ProfilePart,
)
from lkk_core.accounts.account_sessions import LoginChallenge, Session, SessionsPart
from lkk_core.kernel.errors import ValidationFailed
from lkk_core.kernel.personal_data import OptionalPersonal, Personal

__all__ = [
    "CONFIRM_EMAIL",
    "CONFIRM_LOGIN",
    "PERSONAL_FIELDS",
    "RESEND_INTERVAL",
    "RESET_PASSWORD",
    "STAGE_DONE",
    "STAGE_EMAIL_CODE",
    "STAGE_PERSONAL_DATA",
    "STAGE_PHONE",
    "Account",
    "LoginChallenge",
    "PendingCode",
    "Session",
    "live_session",
]


class Account(ProfilePart, CodesPart, SessionsPart, PersonalDataPart, Aggregate):
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

    def __deepcopy__(self, memo: dict[int, Any]) -> Account:
        """Copy the account for a command, one level deep (eventsourcing copies a cached aggregate per ``get``).

        Every value the account holds is immutable (str, datetime, UUID, frozen
        dataclasses) or a dict, set or list of immutables, so copying the
        containers is a deep copy, ten times cheaper than ``copy.deepcopy``'s
        walk. Keep it so: tests/unit/test_account_events.py checks it.
        """
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        copied.__dict__.update({name: _one_level(value) for name, value in vars(self).items()})
        return copied

    # -- the events: name, stored topic, and the part's method that applies it ----

    _code_issued = event("CodeIssued", topic="lkk:Account.CodeIssued")(CodesPart._code_issued)
    _code_rejected = event("CodeRejected", topic="lkk:Account.CodeRejected")(CodesPart._code_rejected)

    _email_confirmed = event("EmailConfirmed", topic="lkk:Account.EmailConfirmed")(ProfilePart._email_confirmed)
    _email_changed = event("EmailChanged", topic="lkk:Account.EmailChanged")(ProfilePart._email_changed)
    _email_restored = event("EmailRestored", topic="lkk:Account.EmailRestored")(ProfilePart._email_restored)
    _two_factor_switched = event("TwoFactorSwitched", topic="lkk:Account.TwoFactorSwitched")(
        ProfilePart._two_factor_switched
    )
    _password_changed = event("PasswordChanged", topic="lkk:Account.PasswordChanged")(ProfilePart._password_changed)
    _password_reset = event("PasswordReset", topic="lkk:Account.PasswordReset")(ProfilePart._password_reset)

    _login_challenged = event("LoginChallenged", topic="lkk:Account.LoginChallenged")(
        SessionsPart._login_challenged
    )
    _logged_in = event("LoggedIn", topic="lkk:Account.LoggedIn")(SessionsPart._logged_in)
    _session_ended = event("SessionEnded", topic="lkk:Account.SessionEnded")(SessionsPart._session_ended)

    _personal_data_saved = event("PersonalDataSaved", topic="lkk:Account.PersonalDataSaved")(
        PersonalDataPart._personal_data_saved
    )
    _phone_saved = event("PhoneSaved", topic="lkk:Account.PhoneSaved")(PersonalDataPart._phone_saved)
    _deleted = event("Deleted", topic="lkk:Account.Deleted")(PersonalDataPart._deleted)


def _one_level(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, set):
        return set(value)
    if isinstance(value, list):
        return list(value)
    return value


def live_session(account: Account | None, session_id: UUID) -> Session | None:
    """The session, if the account exists, is not deleted and the session has not ended."""
    if account is None or account.is_deleted:
        return None
    return account.live_session(session_id)


Account.Deleted.forgets_subject = True  # type: ignore[attr-defined]
