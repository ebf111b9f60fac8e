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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.follower import LogFollower
from lkk_core.kernel.ports import Billing, MailRejected, Mailer, OutgoingMail
from lkk_core.kernel.security import ServerSecret
from lkk_core.kernel.services import DEFAULT_PORTAL_URL

if TYPE_CHECKING:
    from lkk_core.kernel.services import Services

log = logging.getLogger(__name__)


class LetterWriter(Protocol):
    """A context's letters: the event classes it writes for, and the letter of one such event."""

    events: tuple[type, ...]

    def letter(self, event: Any, outbox: Outbox) -> OutgoingMail | None:
        """Write the letter the event asks for; None when there is nobody to send it to any more."""


class Outbox(LogFollower[LetterWriter]):
    """Delivers the log's recorded e-mails through a ``Mailer``, each once, in order."""

    name = "outbox"

    def __init__(  # noqa: PLR0913  (the ports and settings a letter needs)
        self,
        app: LkkApplication,
        mailer: Mailer,
        secret: ServerSecret,
        writers: Sequence[LetterWriter],
        env: Mapping[str, str] | None = None,
        *,
        billing: Billing | None = None,
        portal_url: str = DEFAULT_PORTAL_URL,
    ) -> None:
        super().__init__(app, writers, env)
        self.mailer, self.secret = mailer, secret
        self.billing, self.portal_url = billing, portal_url

    @classmethod
    def for_services(cls, services: Services, mailer: Mailer) -> Outbox:
        """Build the outbox over the services' log, billing, settings and the contexts' letters."""
        return cls(services.app, mailer, services.secret, services.letters, billing=services.billing,
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
        """Write the letter an event asks for, by the writer its context registered."""
        writer = self.handler(event)
        return None if writer is None else writer.letter(event, self)
