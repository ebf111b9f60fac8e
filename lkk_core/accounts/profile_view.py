"""The profile page: «Личные данные», «Контактные данные», 2FA (PRF-01, ACC-12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from lkk_core.accounts.account import STAGE_DONE, STAGE_EMAIL_CODE, STAGE_PERSONAL_DATA, STAGE_PHONE, Account
from lkk_core.kernel.personal_data import REDACTED
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer


Stage = Literal["email_code", "personal_data", "phone", "done"]


@dataclass(frozen=True)
class Profile:
    """The profile of a live account (PRF-01); ``stage`` says which onboarding step is next (ACC-05)."""

    account_id: UUID
    email: str | None
    email_confirmed: bool
    registration_confirmed: bool
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
    registered_at: datetime
    stage: Stage


class ProfileView(SqlView):
    """One row per account, personal data included (the only view that holds it)."""

    tables: ClassVar[dict[str, str]] = {
        "profile": (
            "account_id TEXT PRIMARY KEY, email TEXT, email_confirmed INTEGER NOT NULL,"
            " registration_confirmed INTEGER NOT NULL, login TEXT, last_name TEXT, first_name TEXT,"
            " patronymic TEXT, organisation TEXT, position TEXT, address TEXT, phone TEXT,"
            " two_factor INTEGER NOT NULL, advertising INTEGER NOT NULL, registered_at TEXT NOT NULL,"
            " deleted_at TEXT"
        ),
    }

    def profile(self, account_id: UUID) -> Profile | None:
        """Return the profile of a live account, with its onboarding stage."""
        rows = self.rows("SELECT * FROM {profile} WHERE account_id = ? AND deleted_at IS NULL", [str(account_id)])
        if not rows:
            return None
        row = rows[0]
        return Profile(
            account_id=UUID(row["account_id"]), email=row["email"], email_confirmed=bool(row["email_confirmed"]),
            registration_confirmed=bool(row["registration_confirmed"]), login=row["login"],
            last_name=row["last_name"], first_name=row["first_name"], patronymic=row["patronymic"],
            organisation=row["organisation"], position=row["position"], address=row["address"], phone=row["phone"],
            two_factor=bool(row["two_factor"]), advertising=bool(row["advertising"]),
            registered_at=datetime.fromisoformat(row["registered_at"]), stage=_stage(row),
        )


def _stage(row: dict[str, Any]) -> Stage:
    if not row["registration_confirmed"]:
        return STAGE_EMAIL_CODE
    if row["first_name"] is None:
        return STAGE_PERSONAL_DATA
    return STAGE_PHONE if row["phone"] is None else STAGE_DONE


def _set(writer: Writer, account_id: UUID, **values: Any) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    writer.execute(f"UPDATE {{profile}} SET {assignments} WHERE account_id = ?", [*values.values(), str(account_id)])


def _registered(writer: Writer, e: Any) -> None:
    writer.execute(
        "INSERT INTO {profile} (account_id, email, email_confirmed, registration_confirmed, login,"
        " two_factor, advertising, registered_at) VALUES (?, ?, 0, ?, ?, 0, ?, ?)",
        [str(e.originator_id), e.email, int(e.origin != "registration"), e.login, int(e.advertising),
         e.at.isoformat()],
    )


def _personal_data(writer: Writer, e: Any) -> None:
    _set(writer, e.originator_id, last_name=e.last_name, first_name=e.first_name, patronymic=e.patronymic,
         organisation=e.organisation, position=e.position, address=e.address)


def _deleted(writer: Writer, e: Any) -> None:
    # Exactly what a rebuild without the key writes, so `lkk project verify` agrees.
    row = writer.fetchall("SELECT * FROM {profile} WHERE account_id = ?", [str(e.originator_id)])
    old = row[0] if row else {}
    blank = {c: None if v is None else str(REDACTED) for c, v in old.items() if c in _PERSONAL_COLUMNS}
    _set(writer, e.originator_id, deleted_at=e.at.isoformat(), **blank)


_PERSONAL_COLUMNS = ("email", "login", "last_name", "first_name", "patronymic", "organisation", "position",
                     "address", "phone")


class ProfileProjection(SqlProjection):
    """Folds account events into ``ProfileView``."""

    name = "profile"
    view_class = ProfileView
    handlers: ClassVar = {
        Account.Registered: _registered,
        Account.EmailConfirmed: lambda w, e: _set(w, e.originator_id, email_confirmed=1, registration_confirmed=1),
        Account.EmailChanged: lambda w, e: _set(w, e.originator_id, email=e.email, email_confirmed=0),
        Account.EmailRestored: lambda w, e: _set(w, e.originator_id, email=e.email, email_confirmed=0),
        Account.PersonalDataSaved: _personal_data,
        Account.PhoneSaved: lambda w, e: _set(w, e.originator_id, phone=e.phone),
        Account.TwoFactorSwitched: lambda w, e: _set(w, e.originator_id, two_factor=int(e.enabled)),
        Account.Deleted: _deleted,
    }
