"""The «Сессии» tab: browser, OS, date-time, «Текущая» (ACC-14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from lkk_core.accounts.account import Account
from lkk_core.kernel.paging import Key, limit_clause
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer


@dataclass(frozen=True)
class SessionRow:
    """One line of «Сессии» (ACC-14); ``current`` shows «Текущая»."""

    session_id: UUID
    browser: str
    browser_version: str
    os: str
    started_at: datetime
    ended_at: datetime | None
    current: bool


class SessionsView(SqlView):
    """One row per listed session; no personal data (only the account id)."""

    tables: ClassVar[dict[str, str]] = {
        "sessions": (
            "session_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, browser TEXT NOT NULL,"
            " browser_version TEXT NOT NULL, os TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {"sessions_by_account": ("sessions", "account_id")}

    def sessions(self, account_id: UUID, current_session_id: UUID | None = None, *,
                 after: Key | None = None, limit: int | None = None) -> list[SessionRow]:
        """Return the account's sessions, newest first, the current one marked; ``after`` a (started_at, id) key."""
        where, params = "", [str(account_id)]
        if after is not None:  # newest first, then by id: the keyset of a page (lkk_core.kernel.paging)
            where = " AND (started_at < ? OR (started_at = ? AND session_id > ?))"
            params = [*params, after[0], *after]
        tail, more = limit_clause(limit)
        rows = self.rows(
            "SELECT * FROM {sessions} WHERE account_id = ?" + where + " ORDER BY started_at DESC, session_id" + tail,
            [*params, *more],
        )
        return [
            SessionRow(
                session_id=UUID(row["session_id"]), browser=row["browser"], browser_version=row["browser_version"],
                os=row["os"], started_at=datetime.fromisoformat(row["started_at"]),
                ended_at=None if row["ended_at"] is None else datetime.fromisoformat(row["ended_at"]),
                current=current_session_id is not None and row["session_id"] == str(current_session_id),
            )
            for row in rows
        ]


def _logged_in(writer: Writer, e: Any) -> None:
    writer.execute(
        "INSERT INTO {sessions} VALUES (?, ?, ?, ?, ?, ?, NULL)",
        [str(e.session_id), str(e.originator_id), e.browser, e.browser_version, e.os, e.at.isoformat()],
    )


def _ended_all(writer: Writer, e: Any) -> None:
    writer.execute(
        "UPDATE {sessions} SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL",
        [e.at.isoformat(), str(e.originator_id)],
    )


class SessionsProjection(SqlProjection):
    """Folds login and logout events into ``SessionsView``."""

    name = "sessions"
    view_class = SessionsView
    handlers: ClassVar = {
        Account.LoggedIn: _logged_in,
        Account.SessionEnded: lambda w, e: w.execute("DELETE FROM {sessions} WHERE session_id = ?", [str(e.session_id)]),
        Account.PasswordReset: _ended_all,
        Account.Deleted: lambda w, e: w.execute("DELETE FROM {sessions} WHERE account_id = ?", [str(e.originator_id)]),
    }
