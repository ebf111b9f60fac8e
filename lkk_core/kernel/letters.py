"""What every letter shares: the signature and a Message-ID that a redelivery repeats.

Each context writes its own letters from the events that ask for them
(``lkk_core.accounts.letters``, ``lkk_core.contracts.letters``) and hands the
outbox a ``LetterWriter`` for them.
"""

from __future__ import annotations

from typing import Any

SIGNATURE = "Личный кабинет для юридических лиц"


def message_id(event: Any) -> str:
    """Return the letter's id: the event's originator id and version, so a redelivery is the same message."""
    return f"{event.originator_id.hex}.{event.originator_version}"
