"""Russian phone numbers, normalised to +7 and ten digits (DOMAIN.md ACC-05)."""

from __future__ import annotations

import re

from lkk_core.errors import ValidationFailed

_SEPARATORS = re.compile(r"[\s\-()]")
# NOTE: proposal; the manual gives no message for a malformed phone.
MESSAGE = "Введите номер телефона в формате +7 XXX XXX-XX-XX"


def normalise_phone(raw: str) -> str:
    """Return ``+7XXXXXXXXXX`` for the forms people type, or refuse."""
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+7"):
        digits = compact[2:]
    elif compact.startswith("8") and len(compact) == 11:
        digits = compact[1:]
    else:
        digits = compact
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise ValidationFailed(MESSAGE, field="phone")
    return "+7" + digits
