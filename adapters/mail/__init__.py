"""Mailers: SMTP (stdlib smtplib), a directory of .eml files (the demo's default), and letters kept in memory (tests)."""

from adapters.mail.eml import EmlDirectoryMailer
from adapters.mail.recording import RecordingMailer
from adapters.mail.smtp import SmtpMailer
from adapters.mail.url import mailer_from_url

__all__ = ["EmlDirectoryMailer", "RecordingMailer", "SmtpMailer", "mailer_from_url"]
