"""SMTP delivery with the standard library's ``smtplib``."""

from __future__ import annotations

import smtplib
import ssl

from adapters.mail.message import build_message
from lkk_core.kernel.ports import MailRejected, OutgoingMail


class SmtpMailer:
    """Send each message over its own SMTP connection; errors propagate to the outbox.

    A connection per message is slower than a pooled one, but the outbox sends
    few messages, and a fresh connection never fails on a server-side timeout.
    """

    def __init__(  # noqa: PLR0913  (the settings of one SMTP account)
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.use_ssl, self.timeout = starttls, use_ssl, timeout

    def send(self, mail: OutgoingMail) -> None:
        """Deliver one message or raise (``smtplib.SMTPException`` or ``OSError``)."""
        # NOTE: smtplib's own default context does not verify the certificate,
        # so a password would go to whoever answers; this one does.
        context = ssl.create_default_context()
        with self._connect(context) as smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            smtp.ehlo_or_helo_if_needed()
            try:
                if smtp.has_extn("8bitmime"):
                    smtp.send_message(build_message(mail, sender=self.sender), mail_options=["BODY=8BITMIME"])
                else:
                    # RFC 6152: 8-bit data only to a server that offers 8BITMIME.
                    smtp.send_message(build_message(mail, sender=self.sender, cte="quoted-printable"))
            except smtplib.SMTPRecipientsRefused as ex:
                if all(code >= 500 for code, _ in ex.recipients.values()):
                    raise MailRejected(f"{mail.to}: {ex.recipients}") from ex
                raise
            except smtplib.SMTPResponseException as ex:
                if ex.smtp_code >= 500:  # 5xx is permanent (RFC 5321 §4.2.1); 4xx is worth a retry
                    raise MailRejected(f"{mail.to}: {ex.smtp_code} {ex.smtp_error!r}") from ex
                raise

    def _connect(self, context: ssl.SSLContext) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)
