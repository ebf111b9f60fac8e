"""Mailers: SMTP (stdlib smtplib) and a directory of .eml files (the demo's default)."""

from adapters.mail.eml import EmlDirectoryMailer
from adapters.mail.smtp import SmtpMailer
from adapters.mail.url import mailer_from_url

__all__ = ["EmlDirectoryMailer", "SmtpMailer", "mailer_from_url"]
