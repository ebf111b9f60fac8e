"""A mailer that keeps the letters in memory: for an embedding portal's tests, tutorials and the REPL."""

from __future__ import annotations

import re

from lkk_core.kernel.ports import OutgoingMail

_CODE = re.compile(r"\b(\d{5})\b")  # ACC-03: the codes are five digits
_LINK = re.compile(r"https?://\S+")


class RecordingMailer:
    """The ``Mailer`` port in memory: ``sent`` holds every letter in the order the outbox delivered them.

    Like the .eml directory, it is keyed by the message id: a redelivery of
    the same recorded letter (after a crash) replaces it instead of adding a
    second one.
    """

    def __init__(self) -> None:
        self._letters: dict[str, OutgoingMail] = {}

    def send(self, mail: OutgoingMail) -> None:
        """Keep the letter."""
        self._letters[mail.message_id] = mail

    @property
    def sent(self) -> list[OutgoingMail]:
        """Every letter kept, first delivered first."""
        return list(self._letters.values())

    def to(self, address: str) -> list[OutgoingMail]:
        """Return the letters to ``address`` (compared case-insensitively), first delivered first."""
        return [mail for mail in self._letters.values() if mail.to.casefold() == address.casefold()]

    def last_to(self, address: str) -> OutgoingMail:
        """Return the last letter to ``address``; raise ``LookupError`` when none came."""
        letters = self.to(address)
        if not letters:
            msg = f"no letter to {address}"
            raise LookupError(msg)
        return letters[-1]

    def last_code(self, address: str) -> str:
        """Return the five-digit code of the last letter to ``address`` that holds one (ACC-03, ACC-08, ACC-11)."""
        return self._last(address, _CODE, "code")

    def last_link(self, address: str) -> str:
        """Return the link of the last letter to ``address`` that holds one (CON-04's binding confirmation)."""
        return self._last(address, _LINK, "link")

    def _last(self, address: str, pattern: re.Pattern[str], what: str) -> str:
        for mail in reversed(self.to(address)):
            if found := pattern.search(mail.body):
                return found.group(found.lastindex or 0)
        msg = f"no letter with a {what} to {address}"
        raise LookupError(msg)
