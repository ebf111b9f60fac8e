"""Choose a mailer from a URL, the value of ``LKK_SMTP_URL``.

``smtp://[user:pass@]host[:port][?from=addr&starttls=1]`` (port 25),
``smtps://…`` (TLS from the start, port 465), and ``file:///abs/dir`` or
``file:relative/dir`` for a directory of .eml files. User and password are
percent-decoded, so ``p%40ss`` is the password ``p@ss``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from adapters.mail.eml import EmlDirectoryMailer
from adapters.mail.smtp import SmtpMailer
from lkk_core.kernel.ports import Mailer

DEFAULT_SENDER = "lkk@localhost"
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def mailer_from_url(url: str) -> Mailer:
    """Return the mailer the URL describes; raise ValueError if it describes none."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    # A misspelt option would otherwise be ignored, e.g. send a password without STARTTLS.
    allowed = {"from", "starttls"} if parts.scheme == "smtp" else {"from"}
    if unknown := sorted(set(query) - allowed):
        msg = f"unknown option(s) {', '.join(unknown)} in mail URL (allowed: {', '.join(sorted(allowed))})"
        raise ValueError(msg)
    sender = query.get("from") or DEFAULT_SENDER
    if parts.scheme in ("smtp", "smtps"):
        return _smtp_mailer(parts, sender=sender, starttls=_flag(query.get("starttls", "0")))
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            msg = f"file mail URL names a host {parts.netloc!r}: use file:///abs/dir or file:relative/dir"
            raise ValueError(msg)
        return EmlDirectoryMailer(Path(unquote(parts.path)), sender=sender)
    msg = f"unknown mail URL scheme {parts.scheme!r} in LKK_SMTP_URL: use smtp://, smtps:// or file:"
    raise ValueError(msg)


def _smtp_mailer(parts: SplitResult, *, sender: str, starttls: bool) -> SmtpMailer:
    if not parts.hostname:
        msg = f"no host in {parts.scheme}:// mail URL"
        raise ValueError(msg)
    return SmtpMailer(
        parts.hostname,
        parts.port or (465 if parts.scheme == "smtps" else 25),
        sender=sender,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=starttls,
        use_ssl=parts.scheme == "smtps",
    )


def _flag(value: str) -> bool:
    try:
        return _FLAGS[value.lower()]
    except KeyError:
        msg = f"starttls={value!r} in mail URL: use 1 or 0"
        raise ValueError(msg) from None
