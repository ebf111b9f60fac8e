"""One ``OutgoingMail`` as an RFC 5322 message."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

from lkk_core.kernel.ports import OutgoingMail


def build_message(mail: OutgoingMail, *, sender: str, cte: str = "8bit") -> EmailMessage:
    """Return a UTF-8 plain-text message whose Message-ID is stable per recorded event.

    Args:
        mail: The message the outbox recorded.
        sender: The From address.
        cte: Content-Transfer-Encoding of the body. The default, 8bit, keeps
            Russian text readable in a .eml file; pass ``"quoted-printable"``
            for an SMTP server that does not offer 8BITMIME.
    """
    message = EmailMessage()  # policy.default: the Subject is RFC 2047-encoded as needed
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    # The id makes a redelivery after a crash recognisable as the same message.
    message["Message-ID"] = f"<{mail.message_id}@lkk>"
    message.set_content(mail.body, charset="utf-8", cte=cte)
    return message
