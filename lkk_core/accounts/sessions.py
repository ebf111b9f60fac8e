"""The accounts context's part of the access check: whose session is live, and how far the account is."""

from __future__ import annotations

from lkk_core.accounts.account import Account, live_session
from lkk_core.kernel.access import Standing
from lkk_core.kernel.errors import Unauthenticated
from lkk_core.kernel.services import Actor, Services


class AccountSessions:
    """``lkk_core.kernel.access.Sessions`` over the account aggregates (read without a copy)."""

    def check(self, services: Services, actor: Actor, standing: Standing) -> None:
        """Raise ``Unauthenticated`` unless the session is live; ``PreconditionFailed`` unless far enough."""
        account = services.peek(Account, actor.account_id)
        if account is None or live_session(account, actor.session_id) is None:
            raise Unauthenticated
        if standing is Standing.CONFIRMED_EMAIL:
            account.require_confirmed_email()  # ACC-06
        elif standing is Standing.ONBOARDED:
            account.require_onboarded()  # ACC-05
