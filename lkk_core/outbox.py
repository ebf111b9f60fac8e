"""The outbox: e-mails recorded as events first, delivered by a follower of the log.

A command only records ``Account.CodeIssued``; this follower reads such
events in log order, derives the code from the recorded nonce, and hands the
mail to the ``Mailer`` port. Its position is tracked per message, after the
mailer accepted it: a crash between a command's commit and the send loses
nothing (the event is still ahead of the position), and a message is sent
again only if the process dies between the mailer's acceptance and the
tracking commit, then with the same Message-ID, so the copy is recognisable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.utils import get_topic

from lkk_core.aggregates.account import CONFIRM_EMAIL, CONFIRM_LOGIN, RESET_PASSWORD, Account
from lkk_core.app import LkkApplication
from lkk_core.personal_data import is_redacted
from lkk_core.ports import MailRejected, Mailer, OutgoingMail
from lkk_core.projections.catch_up import view_env
from lkk_core.security import ServerSecret

log = logging.getLogger(__name__)

# NOTE: proposals: the manual shows only the modal (Fig. 3, Fig. 105), not the letter.
SUBJECTS = {
    CONFIRM_EMAIL: "Код подтверждения адреса электронной почты",
    RESET_PASSWORD: "Код для восстановления пароля",
    CONFIRM_LOGIN: "Код подтверждения входа в личный кабинет",
}
PURPOSE_TEXT = {
    CONFIRM_EMAIL: "Для подтверждения адреса электронной почты введите код",
    RESET_PASSWORD: "Для восстановления пароля введите код",
    CONFIRM_LOGIN: "Выполняется вход в личный кабинет с нового устройства или браузера. Для подтверждения введите код",
}


def compose(event: Any, code: str) -> OutgoingMail:
    """Write the letter that carries a code."""
    minutes = int((event.expires_at - event.at).total_seconds() // 60)
    body = (
        f"Здравствуйте!\n\n{PURPOSE_TEXT[event.purpose]}: {code}\n\n"
        f"Код действует {minutes} мин. Если вы не запрашивали код, просто проигнорируйте это письмо.\n\n"
        "Личный кабинет для юридических лиц"
    )
    message_id = f"{event.originator_id.hex}.{event.originator_version}"
    return OutgoingMail(message_id=message_id, to=event.to, subject=SUBJECTS[event.purpose], body=body)


class Outbox:
    """Delivers the log's recorded e-mails through a ``Mailer``, each once, in order."""

    name = "outbox"
    topics = (get_topic(Account.CodeIssued),)

    def __init__(self, app: LkkApplication, mailer: Mailer, secret: ServerSecret, env: Mapping[str, str] | None = None) -> None:
        self.app, self.mailer, self.secret = app, mailer, secret
        environment = view_env(app, self.name, {**app.env, **(env or {})})
        self.tracking: Any = InfrastructureFactory.construct(environment).tracking_recorder()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def position(self) -> int:
        """Return the position of the last handled message."""
        return self.tracking.max_tracking_id(self.app.name) or 0

    def deliver_pending(self) -> int:
        """Send every recorded mail after the tracked position; return how many were sent."""
        sent = 0
        with self._lock:
            while batch := self.app.recorder.select_notifications(
                start=self.position(), limit=100, topics=self.topics, inclusive_of_start=False
            ):
                for notification in batch:
                    event = self.app.mapper.to_domain_event(notification)
                    if not is_redacted(event.to) and event.to:
                        code = self.secret.code(event.originator_id, event.purpose, event.nonce)
                        try:
                            self.mailer.send(compose(event, code))  # raising leaves it pending
                            sent += 1
                        except MailRejected:
                            # Refused for good: retrying would hold up every later letter.
                            # The person can ask for a new code; the log keeps the request.
                            log.warning("mail for event %s refused permanently; skipped", notification.id,
                                        exc_info=True)
                    self.tracking.insert_tracking(Tracking(self.app.name, notification.id))
        return sent

    def nudge(self, recordings: object = None) -> None:
        """Wake the background sender (after a write)."""
        self._wake.set()

    def run_forever(self, *, poll: float = 1.0, stop: threading.Event | None = None) -> None:
        """Deliver in a loop until stopped; a failing mailer is retried on the next round."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.deliver_pending()
            except Exception:  # the mailer's errors vary by transport; retry next round
                log.exception("outbox delivery failed; will retry")
            self._wake.wait(poll)
            self._wake.clear()
