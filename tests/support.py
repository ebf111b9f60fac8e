"""Helpers for tests: a mailer that keeps letters in memory, and the account story's steps."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lkk_core import accounts
from lkk_core.accounts.login import ClientDevice
from lkk_core.kernel.app import LkkApplication
from lkk_core.accounts.commands import EnterCode, Register, SavePersonalData, SavePhone
from lkk_core.kernel.outbox import Outbox
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views.catch_up import verify
from lkk_core.kernel.ports import OutgoingMail
from lkk_core.kernel.services import Actor, Services

CHROME = ClientDevice(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36"
)
FIREFOX = ClientDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:112.0) Gecko/20100101 Firefox/112.0")
PASSWORD = "Secret#123"


@dataclass
class Letters:
    """The ``Mailer`` port kept in memory, for domain tests (the real ones are tested apart)."""

    sent: list[OutgoingMail] = field(default_factory=list)

    def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)


class Mailbox:
    """Delivers the outbox and reads the codes out of the letters."""

    def __init__(self, services: Services) -> None:
        self.letters = Letters()
        self.outbox = Outbox.for_services(services, self.letters)

    def deliver(self) -> list[OutgoingMail]:
        before = len(self.letters.sent)
        self.outbox.deliver_pending()
        return self.letters.sent[before:]

    def last_code(self, to: str) -> str:
        self.deliver()
        for mail in reversed(self.letters.sent):
            if mail.to == to:
                return re.search(r"\b(\d{5})\b", mail.body).group(1)  # type: ignore[union-attr]
        raise AssertionError(f"no letter to {to}")


def registered(services: Services, mailbox: Mailbox, email: str = "alice@example.com",
               *, confirm: bool = True, onboard: bool = True) -> Actor:
    """Walk AS-01 as far as asked; return the actor of the registration's session."""
    reg = accounts.register(services, Register(email=email, password=PASSWORD, agreement_accepted=True), CHROME)
    actor = Actor(reg.account_id, reg.session_id)
    if confirm:
        accounts.confirm_email(services, actor, EnterCode(code=mailbox.last_code(email)))
    if confirm and onboard:
        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))
        accounts.save_phone(services, actor, SavePhone(phone="+7 812 123-12-31"))
    return actor


def replays_and_verifies(services: Services, env: dict[str, str], live: dict[Any, dict[str, Any]],
                         workdir: Path) -> None:
    """End a stateful story: the log replays to the live aggregates and every view verifies; then clean up.

    ``live`` maps aggregate ids to ``vars()`` of the aggregates as the story left them.
    """
    try:
        reader = LkkApplication(env={**env, "AGGREGATE_CACHE_MAXSIZE": ""})  # no cache: a real replay
        try:
            for aggregate_id, state in live.items():
                assert vars(reader.repository.get(aggregate_id)) == state
        finally:
            reader.close()
        differences = verify(services.app, ALL_PROJECTIONS, services.views, workdir / "verify")
        assert differences == []
    finally:
        services.views.close()
        services.app.close()
        shutil.rmtree(workdir, ignore_errors=True)
