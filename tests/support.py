"""Helpers for tests: a mailer that keeps letters in memory, the account story's steps, a refusal checked whole."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.http.problems import status_of
from lkk_core import accounts
from lkk_core.accounts.login import ClientDevice
from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.errors import LkkError
from lkk_core.accounts.commands import EnterCode, Register, SavePersonalData, SavePhone
from lkk_core.kernel.outbox import Outbox
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.ports import OutgoingMail
from lkk_core.kernel.services import Actor, Services

CHROME = ClientDevice(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36"
)
FIREFOX = ClientDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:112.0) Gecko/20100101 Firefox/112.0")
PASSWORD = "Secret#123"

_MISSING = object()


def refused(services: Services | None, call: Callable[[], Any], *, code: str, field: str | None = None,
            message: str | None = None, status: int | None = None, wrote: int = 0, **details: Any) -> LkkError:
    """Run ``call``, which must be refused; check the refusal whole and return the error.

    - the error is an ``LkkError`` with that ``code`` (``validation_failed``, ``not_found``, …);
    - ``details["field"]`` is ``field``: left out, the error must name no field, so a test
      cannot forget one;
    - each other keyword is a detail the error carries with that value (``contract_number=C1``);
    - ``message``, when given, is the Russian text shown to the user;
    - over HTTP the error answers a 4xx (``adapters.http.problems.status_of``), never a 5xx;
      ``status``, when given, is that status;
    - the log moved by exactly ``wrote`` events (``services.app.head()``, one ``max(id)``): 0 for
      a refusal that writes nothing, which is nearly all; ACC-03's wrong code, which counts the
      attempt, says ``wrote=1``. ``services`` is None only for a pure function with no store.
    """
    head = services.app.head() if services is not None else 0
    with pytest.raises(LkkError) as caught:
        call()
    error = caught.value
    assert error.code == code, f"{error!r}: code {error.code!r}, expected {code!r}"
    assert error.details.get("field") == field, f"{error!r}: field {error.details.get('field')!r}, expected {field!r}"
    for key, value in details.items():
        found = error.details.get(key, _MISSING)
        assert found == value, f"{error!r}: {key}={found!r}, expected {value!r}"
    if message is not None:
        assert error.message == message, f"{error!r}: message {error.message!r}, expected {message!r}"
    answered = status_of(error)
    assert 400 <= answered < 500, f"{error!r}: answers {answered} over HTTP, not a 4xx"
    assert status is None or answered == status, f"{error!r}: answers {answered} over HTTP, expected {status}"
    if services is not None:
        moved = services.app.head() - head
        assert moved == wrote, f"{error!r}: the log moved by {moved} events, expected {wrote}"
    return error


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
