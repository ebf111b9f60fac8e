"""Issue 10: the public in-memory mailer an embedding portal's tests use (adapters.mail.RecordingMailer)."""

from __future__ import annotations

import pytest

from adapters.mail import RecordingMailer
from lkk_core import Outbox, OutgoingMail, Services, accounts
from tests.support import CHROME, PASSWORD

LETTER = OutgoingMail(message_id="a1.3", to="Anna@Example.com", subject="Код", body="Ваш код подтверждения: 04213.")


def test_it_keeps_the_letters_the_outbox_delivers_and_reads_the_acc03_code(services: Services) -> None:
    mailer = RecordingMailer()
    outbox = Outbox.for_services(services, mailer)
    accounts.register(services, accounts.Register(email="anna@example.com", password=PASSWORD,
                                                  agreement_accepted=True), CHROME)

    assert outbox.deliver_pending() == 1
    [letter] = mailer.sent
    assert mailer.last_to("anna@example.com") == letter
    code = mailer.last_code("anna@example.com")
    assert len(code) == 5 and code.isdigit()  # noqa: PLR2004
    assert code in letter.body


def test_a_redelivered_letter_is_kept_once_as_the_eml_directory_does() -> None:
    mailer = RecordingMailer()
    mailer.send(LETTER)
    mailer.send(LETTER)

    assert mailer.sent == [LETTER]


def test_letters_to_an_address_are_found_whatever_its_case_last_one_last() -> None:
    mailer = RecordingMailer()
    later = OutgoingMail(message_id="a1.4", to="anna@example.com", subject="Код",
                         body="Код: 55555; см. https://x/y?a=1")
    mailer.send(LETTER)
    mailer.send(OutgoingMail(message_id="b2.1", to="bob@example.com", subject="Код", body="Код: 11111"))
    mailer.send(later)

    assert mailer.to("ANNA@example.com") == [LETTER, later]
    assert mailer.last_code("anna@example.com") == "55555"
    assert mailer.last_link("anna@example.com") == "https://x/y?a=1"


def test_asking_for_what_never_came_raises_lookup_error() -> None:
    mailer = RecordingMailer()
    mailer.send(LETTER)

    with pytest.raises(LookupError, match="no letter to bob@example.com"):
        mailer.last_to("bob@example.com")
    with pytest.raises(LookupError, match="no letter with a link"):
        mailer.last_link("anna@example.com")
