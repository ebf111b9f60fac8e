"""One ``OutgoingMail`` as an RFC 5322 message."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

from lkk_core.ports import OutgoingMail


def build_message(mail: OutgoingMail, *, sender: str) -> EmailMessage:
    """Return a UTF-8 plain-text message; its Message-ID is stable per recorded event."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = f"<{mail.message_id}@lkk>"
    # 8bit, not base64: a person reading var/outbox/*.eml (the demo) sees the code as text.
    message.set_content(mail.body, charset="utf-8", cte="8bit")
    return message
