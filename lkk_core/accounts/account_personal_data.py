"""The Account's personal data: the form's fields, the phone, and their shredding on deletion (ACC-05, PRF-02, ACC-17).

A part of the one ``Account`` aggregate (lkk_core/accounts/account.py), which
declares the events; see that module for how the parts compose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lkk_core.accounts.account_profile import (
    CONFIRM_EMAIL_FIRST,
    FILL_REQUIRED_FIELDS,
    STAGE_EMAIL_CODE,
    STAGE_PERSONAL_DATA,
)
from lkk_core.kernel.errors import PreconditionFailed
from lkk_core.kernel.personal_data import REDACTED, OptionalPersonal, Personal

# Фамилия, Имя, Отчество, Организация, Должность, Адрес (ACC-05).
PERSONAL_FIELDS = ("last_name", "first_name", "patronymic", "organisation", "position", "address")



class PersonalDataPart:
    """What the person told about themselves, and the deletion that makes it unreadable."""

    email: str | None
    login: str | None
    password_hash: str
    personal_data: dict[str, str | None]
    phone: str | None
    codes: dict[str, Any]
    challenge: Any
    sessions: dict[Any, Any]
    deleted_at: datetime | None
    stage: str  # from the profile part (account_profile.py)

    @property
    def is_deleted(self) -> bool:
        """Tell whether the account was deleted (ACC-17)."""
        return self.deleted_at is not None

    def save_personal_data(self, *, now: datetime, **fields: str | None) -> None:
        """Save Фамилия, Имя, Отчество, Организация, Должность, Адрес; the e-mail code comes first (ACC-05)."""
        if self.stage == STAGE_EMAIL_CODE:
            raise PreconditionFailed(CONFIRM_EMAIL_FIRST, stage=self.stage)
        self._personal_data_saved(**{name: fields.get(name) for name in PERSONAL_FIELDS}, at=now)

    def save_phone(self, phone: str, *, now: datetime) -> None:
        """Save the phone, normalised to +7XXXXXXXXXX; personal data must come first (ACC-05)."""
        if self.stage in (STAGE_EMAIL_CODE, STAGE_PERSONAL_DATA):
            raise PreconditionFailed(FILL_REQUIRED_FIELDS, stage=self.stage)
        self._phone_saved(phone=phone, at=now)

    def delete(self, *, now: datetime) -> None:
        """Delete the account: sessions end, personal data becomes unreadable (ACC-17)."""
        self._deleted(at=now)

    # -- events (declared on Account: calling one records it) ----------------------

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

    def _phone_saved(self, phone: Personal, at: datetime) -> None:
        """The person saved their phone number."""
        self.phone = phone

    def _deleted(self, at: datetime) -> None:
        """The account was deleted; its key is destroyed right after (crypto-shredding)."""
        # Replays with and without the key must agree, so blank what the key protected.
        self.email = self.login = self.phone = self.password_hash = REDACTED
        self.personal_data = dict.fromkeys(self.personal_data, REDACTED)
        self.codes, self.challenge, self.sessions = {}, None, {}
        self.deleted_at = at
