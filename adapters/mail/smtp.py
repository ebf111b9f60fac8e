"""SMTP delivery with the standard library, configured by a URL (``LKK_SMTP_URL``)."""

from __future__ import annotations

import smtplib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from adapters.mail.eml import EmlDirectoryMailer
from adapters.mail.message import build_message
from lkk_core.ports import Mailer, OutgoingMail


class SmtpMailer:
    """Sends each message over its own SMTP connection; errors propagate to the outbox."""

    def __init__(self, host: str, port: int, *, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, use_ssl: bool = False,
                 timeout: float = 10.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.use_ssl, self.timeout = starttls, use_ssl, timeout

    def send(self, mail: OutgoingMail) -> None:
        """Deliver one message or raise."""
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(build_message(mail, sender=self.sender))


def mailer_from_url(url: str) -> Mailer:
    """Build a mailer from ``smtp://[user:pass@]host[:port][?from=..&starttls=1]``,
    ``smtps://…`` or ``file:<directory>``."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    sender = query.get("from", "lkk@localhost")
    if parts.scheme in ("smtp", "smtps"):
        if not parts.hostname:
            msg = f"no host in mail URL {url!r}"
            raise ValueError(msg)
        return SmtpMailer(
            parts.hostname,
            parts.port or (465 if parts.scheme == "smtps" else 25),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=query.get("starttls") in ("1", "true", "yes"),
            use_ssl=parts.scheme == "smtps",
        )
    if parts.scheme == "file":
        return EmlDirectoryMailer(Path(unquote(parts.netloc + parts.path)), sender=sender)
    msg = f"unknown mail URL scheme {parts.scheme!r}: use smtp://, smtps:// or file:"
    raise ValueError(msg)
