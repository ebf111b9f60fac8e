"""Mail goes through an outbox: recorded first, delivered by a follower, nothing lost."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from adapters.mail import EmlDirectoryMailer
from lkk_core import accounts
from lkk_core.accounts.commands import DeleteAccount
from lkk_core.kernel.outbox import Outbox
from lkk_core.kernel.ports import MailRejected, OutgoingMail
from lkk_core.kernel.services import Services
from tests.support import PASSWORD, Letters, Mailbox, registered


class BrokenMailer:
    """An SMTP server that is down."""

    def send(self, mail: OutgoingMail) -> None:
        raise ConnectionRefusedError("smtp down")


def test_a_failed_send_stays_pending_and_goes_out_later(store_services: Services) -> None:
    registered(store_services, Mailbox(store_services), confirm=False)
    broken = Outbox.for_services(store_services, BrokenMailer())

    with pytest.raises(ConnectionRefusedError):
        broken.deliver_pending()
    assert broken.position() == 0

    letters = Letters()
    working = Outbox.for_services(store_services, letters)  # e.g. after a restart
    assert working.deliver_pending() == 1
    assert [m.to for m in letters.sent] == ["alice@example.com"]


def test_each_recorded_mail_is_sent_once(store_services: Services) -> None:
    registered(store_services, Mailbox(store_services), "bob@example.com", confirm=False)
    letters = Letters()
    outbox = Outbox.for_services(store_services, letters)

    outbox.deliver_pending()
    outbox.deliver_pending()
    Outbox.for_services(store_services, letters).deliver_pending()  # another instance, same tracking

    assert len(letters.sent) == 1


def test_mail_to_a_deleted_account_is_not_sent(services: Services) -> None:
    mailbox = Mailbox(services)
    actor = registered(services, mailbox)
    from lkk_core.accounts.commands import RequestPasswordReset  # noqa: PLC0415

    services.clock.advance(minutes=2)  # type: ignore[attr-defined]
    accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))
    accounts.delete_account(services, actor, DeleteAccount(password=PASSWORD))

    assert mailbox.deliver() == []


def test_the_eml_mailer_writes_a_readable_letter_once_per_message(services: Services, tmp_path: Path) -> None:
    registered(services, Mailbox(services), confirm=False)
    outbox = Outbox.for_services(services, EmlDirectoryMailer(tmp_path / "outbox"))
    outbox.deliver_pending()

    [file] = (tmp_path / "outbox").glob("*.eml")
    letter = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert letter["To"] == "alice@example.com"
    assert letter["Subject"] == "Код подтверждения адреса электронной почты"
    assert "Для подтверждения адреса электронной почты введите код" in letter.get_content()
    EmlDirectoryMailer(tmp_path / "outbox").send(
        OutgoingMail(file.stem, "alice@example.com", "again", "the same message id")
    )
    assert len(list((tmp_path / "outbox").iterdir())) == 1


class RejectingMailer(Letters):
    """A server that refuses one mailbox for good (550) and takes the rest."""

    def send(self, mail: OutgoingMail) -> None:
        if mail.to == "gone@example.com":
            raise MailRejected("550 no such user")
        super().send(mail)


def test_a_permanently_refused_letter_does_not_hold_up_later_ones(store_services: Services) -> None:
    registered(store_services, Mailbox(store_services), "gone@example.com", confirm=False)
    registered(store_services, Mailbox(store_services), "bob@example.com", confirm=False)
    mailer = RejectingMailer()
    outbox = Outbox.for_services(store_services, mailer)

    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0  # the refused one is not retried for ever
    assert [m.to for m in mailer.sent] == ["bob@example.com"]
