"""The mailers: a real SMTP server on loopback (aiosmtpd), and a directory of .eml files."""

from __future__ import annotations

import email
import re
import smtplib
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from adapters.mail import EmlDirectoryMailer, SmtpMailer, mailer_from_url
from lkk_core.kernel.ports import MailRejected, OutgoingMail

MAIL = OutgoingMail(
    message_id="3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b.4",
    to="alice@example.com",
    subject="Код подтверждения — ЛКК ЮЛ",
    body="Здравствуйте!\n\nВаш код подтверждения: 48213.\nКод действует 15 минут.\n",
)
USER, PASSWORD = "lkk-mailer", "p@ss:w/rd %?"  # characters a URL must percent-encode (smtplib's AUTH is ASCII)
# aiosmtpd warns (in its server thread, on every connection) about AUTH without TLS; on loopback it is intended.
PLAIN_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class Recorder:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802, ARG002
        self.envelopes.append(envelope)
        return "250 OK"

    def received(self) -> EmailMessage:
        [envelope] = self.envelopes
        content = envelope.content
        raw = content.encode() if isinstance(content, str) else content
        message = email.message_from_bytes(raw or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


def free_port() -> int:
    # aiosmtpd 1.4.6 connects to its own port after starting, so it needs a real one, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def accept_lkk_mailer(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:  # noqa: ARG001
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def start_server(**smtp_options: Any) -> tuple[Controller, Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    return controller, recorder


@pytest.fixture
def server() -> Iterator[tuple[int, Recorder]]:
    controller, recorder = start_server()
    yield controller.port, recorder
    controller.stop()


@pytest.fixture
def auth_server() -> Iterator[tuple[int, Recorder]]:
    # Plain-text AUTH is acceptable on loopback only; production uses smtps:// or starttls=1.
    controller, recorder = start_server(authenticator=accept_lkk_mailer, auth_require_tls=False, auth_required=True)
    yield controller.port, recorder
    controller.stop()


def assert_is_the_confirmation_mail(message: EmailMessage) -> None:
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Код подтверждения — ЛКК ЮЛ"
    assert message["Message-ID"] == "<3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b.4@lkk>"
    assert message["Date"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "Ваш код подтверждения" in body
    assert re.search(r"\b\d{5}\b", body).group() == "48213"  # type: ignore[union-attr]


@pytest.mark.slow
class TestSmtpMailer:
    def test_a_message_arrives_with_recipient_subject_id_and_code(self, server: tuple[int, Recorder]) -> None:
        port, recorder = server

        SmtpMailer("127.0.0.1", port, sender="noreply@lkk.test").send(MAIL)

        [envelope] = recorder.envelopes
        assert (envelope.mail_from, envelope.rcpt_tos) == ("noreply@lkk.test", ["alice@example.com"])
        assert_is_the_confirmation_mail(recorder.received())

    def test_a_mailer_from_an_smtp_url_sends_from_the_given_address(self, server: tuple[int, Recorder]) -> None:
        port, recorder = server

        mailer_from_url(f"smtp://127.0.0.1:{port}?from=noreply@lkk.test").send(MAIL)

        assert recorder.received()["From"] == "noreply@lkk.test"
        assert_is_the_confirmation_mail(recorder.received())

    @PLAIN_AUTH
    def test_url_credentials_are_percent_decoded_and_used_to_log_in(self, auth_server: tuple[int, Recorder]) -> None:
        port, recorder = auth_server
        url = "smtp://lkk-mailer:p%40ss%3Aw%2Frd%20%25%3F@127.0.0.1:{}?from=noreply@lkk.test"

        mailer_from_url(url.format(port)).send(MAIL)

        assert_is_the_confirmation_mail(recorder.received())

    @PLAIN_AUTH
    def test_a_wrong_password_is_an_error_not_a_silent_drop(self, auth_server: tuple[int, Recorder]) -> None:
        port, recorder = auth_server
        mailer = SmtpMailer("127.0.0.1", port, sender="noreply@lkk.test", username=USER, password="wrong")

        with pytest.raises(smtplib.SMTPAuthenticationError):
            mailer.send(MAIL)
        assert recorder.envelopes == []

    def test_a_server_without_8bitmime_gets_a_7bit_body(self) -> None:
        controller, recorder = start_server(decode_data=True)  # aiosmtpd then does not offer 8BITMIME
        try:
            SmtpMailer("127.0.0.1", controller.port, sender="noreply@lkk.test").send(MAIL)
        finally:
            controller.stop()

        content = recorder.envelopes[0].content
        assert isinstance(content, str) and content.isascii()
        assert_is_the_confirmation_mail(recorder.received())

    def test_starttls_the_server_does_not_offer_fails_instead_of_sending_in_clear(
        self, server: tuple[int, Recorder],
    ) -> None:
        port, recorder = server

        with pytest.raises(smtplib.SMTPNotSupportedError):
            mailer_from_url(f"smtp://127.0.0.1:{port}?starttls=1").send(MAIL)
        assert recorder.envelopes == []

    def test_a_server_that_is_down_raises_so_the_mail_stays_in_the_outbox(self) -> None:
        mailer = SmtpMailer("127.0.0.1", free_port(), sender="noreply@lkk.test", timeout=2.0)

        with pytest.raises(ConnectionRefusedError):
            mailer.send(MAIL)


class RefusingRecorder(Recorder):
    """A server that knows no such mailbox (550) or is busy (451), as ``answer`` says."""

    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,  # noqa: N802, ARG002
                          rcpt_options: Any) -> str:
        return self.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "raised"),
    [("550 5.1.1 no such user", MailRejected), ("451 4.3.0 try again later", smtplib.SMTPRecipientsRefused)],
)
def test_a_5xx_refusal_is_permanent_and_a_4xx_one_is_retried(answer: str, raised: type[Exception]) -> None:
    recorder = RefusingRecorder(answer)
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with pytest.raises(raised):
            SmtpMailer("127.0.0.1", controller.port, sender="noreply@lkk.test").send(MAIL)
    finally:
        controller.stop()
    assert recorder.envelopes == []


class TestEmlDirectoryMailer:
    def test_the_message_is_written_as_a_readable_eml_file(self, tmp_path: Path) -> None:
        outbox = tmp_path / "var" / "outbox"  # created on first send

        EmlDirectoryMailer(outbox).send(MAIL)

        path = outbox / f"{MAIL.message_id}.eml"
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert message["From"] == "lkk@localhost"
        assert_is_the_confirmation_mail(message)
        assert "Ваш код подтверждения: 48213" in path.read_text(encoding="utf-8")  # no base64 to decode

    def test_sending_the_same_message_again_leaves_one_file_and_no_temp_files(self, tmp_path: Path) -> None:
        mailer = EmlDirectoryMailer(tmp_path, sender="noreply@lkk.test")

        mailer.send(MAIL)
        mailer.send(MAIL)  # a redelivery after a crash

        assert [p.name for p in tmp_path.iterdir()] == [f"{MAIL.message_id}.eml"]

    def test_a_message_id_that_is_not_a_file_name_is_refused(self, tmp_path: Path) -> None:
        mailer = EmlDirectoryMailer(tmp_path / "outbox")

        with pytest.raises(ValueError, match="not a plain file name"):
            mailer.send(OutgoingMail(message_id="../escape", to="a@example.com", subject="s", body="b"))
        assert list(tmp_path.iterdir()) == []


class TestMailerFromUrl:
    def test_smtp_defaults_to_port_25_without_tls(self) -> None:
        mailer = mailer_from_url("smtp://mail.example.com")

        assert isinstance(mailer, SmtpMailer)
        assert (mailer.host, mailer.port, mailer.sender) == ("mail.example.com", 25, "lkk@localhost")
        assert (mailer.starttls, mailer.use_ssl, mailer.username, mailer.password) == (False, False, None, None)

    def test_smtps_uses_tls_on_port_465(self) -> None:
        mailer = mailer_from_url("smtps://u%40example.com:s%3Acret@mail.example.com?from=noreply@lkk.test")

        assert isinstance(mailer, SmtpMailer)
        assert (mailer.port, mailer.use_ssl, mailer.sender) == (465, True, "noreply@lkk.test")
        assert (mailer.username, mailer.password) == ("u@example.com", "s:cret")

    def test_smtp_with_starttls_and_an_explicit_port(self) -> None:
        mailer = mailer_from_url("smtp://mail.example.com:587?starttls=1")

        assert isinstance(mailer, SmtpMailer)
        assert (mailer.port, mailer.starttls, mailer.use_ssl) == (587, True, False)

    @pytest.mark.parametrize(("url", "directory"), [
        ("file:///srv/lkk/outbox", Path("/srv/lkk/outbox")),
        ("file:var/outbox", Path("var/outbox")),
        ("file:/srv/my%20outbox", Path("/srv/my outbox")),
    ])
    def test_a_file_url_is_a_directory_of_eml_files(self, url: str, directory: Path) -> None:
        mailer = mailer_from_url(url)

        assert isinstance(mailer, EmlDirectoryMailer)
        assert mailer.directory == directory

    @pytest.mark.parametrize(("url", "complaint"), [
        ("http://mail.example.com", "unknown mail URL scheme 'http'"),
        ("mail.example.com:25", "unknown mail URL scheme"),
        ("smtp://mail.example.com?startls=1", "unknown option"),
        ("smtp://mail.example.com?starttls=maybe", "starttls='maybe'"),
        ("smtps://mail.example.com?starttls=1", "unknown option"),
        ("smtp:///?from=a@example.com", "no host"),
        ("file://outbox/dir", "names a host"),
    ])
    def test_a_url_that_names_no_mailer_is_refused(self, url: str, complaint: str) -> None:
        with pytest.raises(ValueError, match=re.escape(complaint)):
            mailer_from_url(url)
