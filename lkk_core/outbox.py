"""The outbox: e-mails recorded as events first, delivered by a follower of the log.

A command only records the event that asks for a letter (a code issued, a
binding requested, a role granted); this follower reads such events in log
order, derives the code, link or first password from the recorded nonce,
and hands the letter to the ``Mailer`` port. Its position is tracked per message, after the
mailer accepted it: a crash between a command's commit and the send loses
nothing (the event is still ahead of the position), and a message is sent
again only if the process dies between the mailer's acceptance and the
tracking commit, then with the same Message-ID, so the copy is recognisable.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from eventsourcing.utils import get_topic

from lkk_core.aggregates.account import Account
from lkk_core.aggregates.contract_binding import ContractBinding
from lkk_core.aggregates.contract_roles import BINDING, ContractRoles
from lkk_core.app import LkkApplication
from lkk_core.letters import binding_letter, binding_link, code_letter, role_letter
from lkk_core.follower import LogFollower
from lkk_core.ports import Billing, MailRejected, Mailer, OutgoingMail
from lkk_core.personal_data import is_redacted
from lkk_core.security import ServerSecret
from lkk_core.services import DEFAULT_PORTAL_URL, Services

log = logging.getLogger(__name__)


class Outbox(LogFollower):
    """Delivers the log's recorded e-mails through a ``Mailer``, each once, in order."""

    name = "outbox"
    topics = tuple(get_topic(cls) for cls in (
        Account.CodeIssued, ContractBinding.Requested, ContractBinding.RequestedAgain,
        ContractRoles.RoleGranted, ContractRoles.RoleChanged,
    ))

    def __init__(  # noqa: PLR0913  (the ports and settings a letter needs)
        self,
        app: LkkApplication,
        mailer: Mailer,
        secret: ServerSecret,
        env: Mapping[str, str] | None = None,
        *,
        billing: Billing | None = None,
        portal_url: str = DEFAULT_PORTAL_URL,
    ) -> None:
        super().__init__(app, env)
        self.mailer, self.secret = mailer, secret
        self.billing, self.portal_url = billing, portal_url

    @classmethod
    def for_services(cls, services: Services, mailer: Mailer) -> Outbox:
        """Build the outbox over the services' log, billing and settings."""
        return cls(services.app, mailer, services.secret, billing=services.billing,
                   portal_url=services.settings.portal_url)

    def carry_out(self, event: Any) -> bool:
        """Send the letter the event asks for, if there is still someone to send it to."""
        letter = self.letter(event)
        if letter is None:
            return False
        try:
            self.mailer.send(letter)  # raising leaves it pending
        except MailRejected:
            # Refused for good: retrying would hold up every later letter.
            # The person can ask for a new code; the log keeps the request.
            log.warning("mail %s refused permanently; skipped", letter.message_id, exc_info=True)
            return False
        return True

    def letter(self, event: Any) -> OutgoingMail | None:
        """Write the letter an event asks for; None when there is nobody to send it to any more."""
        if isinstance(event, Account.CodeIssued):
            if not event.to or is_redacted(event.to):
                return None
            return code_letter(event, self.secret.code(event.originator_id, event.purpose, event.nonce))
        if isinstance(event, ContractBinding.Requested | ContractBinding.RequestedAgain):
            if is_redacted(event.email):
                return None
            link = binding_link(self.portal_url, event.originator_id,
                                self.secret.link_token(event.originator_id, event.nonce))
            return binding_letter(event, link, self._contract_name(event.contract_number, default=None))
        if event.source == BINDING:
            return None  # the binder followed the link; the bell tells them (CON-08)
        grantee = self.app.repository.get(event.account_id)
        if grantee.is_deleted or not grantee.email:
            return None
        credentials = None
        if event.invitation_nonce:
            credentials = (grantee.login, self.secret.initial_password(event.originator_id, event.invitation_nonce))
        name = self._contract_name(event.contract_number, default=f"№ {event.contract_number}")
        return role_letter(event, grantee.email, name or "", self.portal_url, credentials)

    def _contract_name(self, number: str, *, default: str | None) -> str | None:
        contract = self.billing.find_contract(number) if self.billing else None
        return contract.name if contract else default
