"""The list of specialists (``lkk staff list``): who they are, who created them, their live tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from lkk_core.kernel.services import Services
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer
from lkk_core.staff.member import StaffMember


@dataclass(frozen=True)
class StaffTokenRow:
    """A token of a specialist, by id (the secret is never kept)."""

    token_id: UUID
    issued_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class StaffRow:
    """One specialist, with the tokens issued to them."""

    staff_id: str
    login: str
    full_name: str
    email: str | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    tokens: tuple[StaffTokenRow, ...]


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class StaffView(SqlView):
    """One row per specialist (their login, name and e-mail in the clear, as the profile view holds customers')."""

    tables: ClassVar[dict[str, str]] = {
        "staff": (
            "staff_id TEXT PRIMARY KEY, login TEXT NOT NULL, full_name TEXT NOT NULL, email TEXT,"
            " created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT"
        ),
        "staff_tokens": "token_id TEXT PRIMARY KEY, staff_id TEXT NOT NULL, issued_at TEXT NOT NULL, revoked_at TEXT",
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {"staff_tokens_by_staff": ("staff_tokens", "staff_id")}

    def members(self) -> list[StaffRow]:
        """Return every specialist, by login, with their tokens in the order issued."""
        tokens: dict[str, list[StaffTokenRow]] = {}
        for row in self.rows("SELECT * FROM {staff_tokens} ORDER BY issued_at, token_id"):
            tokens.setdefault(row["staff_id"], []).append(
                StaffTokenRow(UUID(row["token_id"]), datetime.fromisoformat(row["issued_at"]), _time(row["revoked_at"])))
        return [
            StaffRow(staff_id=row["staff_id"], login=row["login"], full_name=row["full_name"], email=row["email"],
                     created_by=row["created_by"], created_at=datetime.fromisoformat(row["created_at"]),
                     revoked_at=_time(row["revoked_at"]), tokens=tuple(tokens.get(row["staff_id"], ())))
            for row in self.rows("SELECT * FROM {staff} ORDER BY login")
        ]


def _created(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {staff} VALUES (?, ?, ?, ?, ?, ?, NULL)",
                   [str(e.originator_id), e.login, e.full_name, e.email, e.created_by, e.at.isoformat()])


def _token_issued(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {staff_tokens} VALUES (?, ?, ?, NULL)",
                   [str(e.token_id), str(e.originator_id), e.at.isoformat()])


class StaffProjection(SqlProjection):
    """Folds the specialists' events into ``StaffView``."""

    name = "staff"
    view_class = StaffView
    handlers: ClassVar = {
        StaffMember.Created: _created,
        StaffMember.TokenIssued: _token_issued,
        StaffMember.TokenRevoked: lambda w, e: w.execute(
            "UPDATE {staff_tokens} SET revoked_at = ? WHERE token_id = ?", [e.at.isoformat(), str(e.token_id)]),
        StaffMember.Revoked: lambda w, e: w.execute(
            "UPDATE {staff} SET revoked_at = ? WHERE staff_id = ?", [e.at.isoformat(), str(e.originator_id)]),
    }


def staff_members(services: Services) -> list[StaffRow]:
    """Return every specialist as the view has them, after this process's own writes (read-your-writes)."""
    services.views.wait_for(services.app.head())
    return services.views.of(StaffView).members()
