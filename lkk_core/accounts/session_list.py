"""«Сессии», a page at a time (ACC-14; the keyset pages of issue 10)."""

from __future__ import annotations

from lkk_core.accounts.sessions_view import SessionRow, SessionsView
from lkk_core.kernel.paging import ALL, Keyset, Page, Paging, fetch_limit
from lkk_core.kernel.services import Actor, Services


def sessions_page(services: Services, actor: Actor, paging: Paging = ALL) -> Page[SessionRow]:
    """Return a page of the actor's sessions, newest first, the current one marked."""
    services.check_session(actor)
    keys = Keyset(services.secret, "sessions", 2)
    rows = services.views.of(SessionsView).sessions(actor.account_id, actor.session_id, after=keys.after(paging),
                                                    limit=fetch_limit(paging))
    return keys.page(rows, paging, lambda row: (row.started_at.isoformat(), str(row.session_id)))
