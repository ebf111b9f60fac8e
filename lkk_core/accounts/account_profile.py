"""The Account's identity: onboarding stage, e-mail, password and 2FA (ACC-03, ACC-05, ACC-06, ACC-08 … ACC-13).

A part of the one ``Account`` aggregate (lkk_core/accounts/account.py), which
declares the events; see that module for how the parts compose.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from lkk_core.accounts.account_codes import CONFIRM_EMAIL, RESET_PASSWORD, PendingCode
from lkk_core.kernel.errors import PreconditionFailed
from lkk_core.kernel.personal_data import Personal

# Onboarding stages, in order (ACC-03, ACC-05).
STAGE_EMAIL_CODE: Final = "email_code"
STAGE_PERSONAL_DATA: Final = "personal_data"
STAGE_PHONE: Final = "phone"
STAGE_DONE: Final = "done"

# What a command answers before onboarding is through (ACC-05, ACC-06).
CONFIRM_EMAIL_FIRST = "Подтвердите адрес электронной почты"
FILL_REQUIRED_FIELDS = "Заполните обязательные поля"


class ProfilePart:
    """Who the account is and how it proves it: e-mail, password, 2FA; and how far onboarding got."""

    email: str | None
    origin: str
    password_hash: str
    email_confirmed: bool
    registration_confirmed: bool
    personal_data: dict[str, str | None]
    phone: str | None
    two_factor: bool
    codes: dict[str, PendingCode]
    last_code_sent: dict[str, datetime]

    if TYPE_CHECKING:  # from the codes and sessions parts

        def _accept_code(self, purpose: str, typed_hash: str, now: datetime) -> bool: ...
        def _end_all_sessions(self, at: datetime) -> None: ...

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
            raise PreconditionFailed(CONFIRM_EMAIL_FIRST, stage=self.stage)
        if self.stage != STAGE_DONE:
            raise PreconditionFailed(FILL_REQUIRED_FIELDS, stage=self.stage)

    def require_confirmed_email(self) -> None:
        """Refuse paying, binding and readings without a confirmed e-mail (ACC-06)."""
        self.require_onboarded()
        if not self.email or not self.email_confirmed:
            raise PreconditionFailed(CONFIRM_EMAIL_FIRST, field="email")

    # -- e-mail (ACC-03, ACC-11a, ACC-12, ACC-13, ROL-16) ---------------------------

    def confirm_email(self, typed_hash: str, *, now: datetime) -> bool:
        """Confirm the e-mail with the code sent to it (ACC-03, ACC-12); False if wrong."""
        if not self._accept_code(CONFIRM_EMAIL, typed_hash, now):
            return False
        self._email_confirmed(at=now)
        return True

    def confirm_invited_email(self, *, now: datetime) -> None:
        """The first login with the e-mailed credentials proves the e-mail (ROL-16)."""
        if self.origin == "invitation" and not self.email_confirmed and self.email:
            self._email_confirmed(at=now)

    def change_email(self, email: str, *, now: datetime) -> None:
        """Put a new e-mail on the profile; it is unconfirmed until its code (ACC-13)."""
        self.require_onboarded()
        self._email_changed(email=email, at=now)

    def restore_email(self, email: str, *, staff_id: str, now: datetime) -> None:
        """Give a legacy account its e-mail back, unconfirmed (ACC-11a); staff only."""
        self._email_restored(email=email, staff_id=staff_id, at=now)

    # -- 2FA and passwords (ACC-08, ACC-10, ACC-11) ---------------------------------

    def switch_two_factor(self, enabled: bool, *, now: datetime) -> None:
        """Turn confirmation of logins from new devices on or off (ACC-08)."""
        self.require_onboarded()
        if enabled and not self.email:
            # The login code goes by e-mail: without one the account would lock itself out.
            raise PreconditionFailed("Укажите адрес электронной почты", field="email")  # NOTE: proposal
        if enabled != self.two_factor:
            self._two_factor_switched(enabled=enabled, at=now)

    def change_password(self, password_hash: str, *, now: datetime) -> None:
        """Replace the password (the service has checked the old one and the rules)."""
        self.require_onboarded()
        self._password_changed(password_hash=password_hash, at=now)

    def reset_password(self, typed_hash: str, password_hash: str, *, now: datetime) -> bool:
        """Set a new password with the recovery code (ACC-11); False if the code is wrong."""
        if not self._accept_code(RESET_PASSWORD, typed_hash, now):
            return False
        self._password_reset(password_hash=password_hash, at=now)
        return True

    # -- events (declared on Account: calling one records it) ----------------------

    def _email_confirmed(self, at: datetime) -> None:
        """The person typed the code sent to the e-mail: it is theirs."""
        self.email_confirmed = True
        self.registration_confirmed = True
        self.codes.pop(CONFIRM_EMAIL, None)

    def _email_changed(self, email: Personal, at: datetime) -> None:
        """The profile e-mail was changed; it needs confirming again."""
        self.email, self.email_confirmed = email, False
        self.codes.pop(CONFIRM_EMAIL, None)
        self.last_code_sent.pop(CONFIRM_EMAIL, None)

    def _email_restored(self, email: Personal, staff_id: str, at: datetime) -> None:
        """Supplier staff restored the e-mail of a legacy account."""
        self.email, self.email_confirmed = email, False

    def _two_factor_switched(self, enabled: bool, at: datetime) -> None:
        """The 2FA switch was turned on or off."""
        self.two_factor = enabled

    def _password_changed(self, password_hash: Personal, at: datetime) -> None:
        """The person changed their password; other sessions stay (ACC-10)."""
        self.password_hash = password_hash

    def _password_reset(self, password_hash: Personal, at: datetime) -> None:
        """The password was recovered by e-mail code; every session ended (ACC-11)."""
        self.password_hash = password_hash
        self.codes.pop(RESET_PASSWORD, None)
        self._end_all_sessions(at)
