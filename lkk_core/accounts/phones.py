"""Russian phone numbers, normalised to +7 and ten digits (DOMAIN.md ACC-05)."""

from __future__ import annotations

import re

from lkk_core.kernel.commands import TRIMMED_SPACE
from lkk_core.kernel.errors import ValidationFailed

# NOTE: proposal; the manual gives no message for a malformed phone.
MESSAGE = "Введите номер телефона в формате +7 XXX XXX-XX-XX"

# NOTE: only the separators people type between digit groups in the manual's
# examples (space, hyphen, parentheses); a tab, a dot or a letter means the
# value is not a phone number. [0-9], not \d: \d also takes non-ASCII digits.
_BODY = re.compile(r"[0-9 ()\-]+")
_SEPARATORS = re.compile(r"[ ()\-]")
NATIONAL, WITH_PREFIX = 10, 11  # digits after +7 / 8; digits with the 7 or 8
# ``normalise_phone`` as a pattern of the typed text, for the OpenAPI document; at most two
# separators between digits keep every match within the 40 characters of the field.
_SEP = r"[ ()\-]{0,2}"
PHONE_PATTERN = (rf"^[{TRIMMED_SPACE}]*(?:\+{_SEP}7(?:{_SEP}[0-9]){{10}}|{_SEP}8(?:{_SEP}[0-9]){{10}}"
                 rf"|{_SEP}[0-9](?:{_SEP}[0-9]){{9}}){_SEP}[{TRIMMED_SPACE}]*$")


def normalise_phone(raw: str) -> str:
    """Return ``+7XXXXXXXXXX`` for a typed Russian number, or refuse it.

    Accepts ``+7`` and eleven digits in all, a leading ``8`` (the domestic
    prefix, same as ``+7``) and eleven digits, or a bare ten-digit number.

    Raises:
        ValidationFailed: anything else, e.g. another country code or a wrong digit count.
    """
    typed = raw.strip(" ")
    plus = typed.startswith("+")
    body = typed[1:] if plus else typed
    digits = _SEPARATORS.sub("", body) if _BODY.fullmatch(body) else ""
    if plus and len(digits) == WITH_PREFIX and digits.startswith("7"):
        return "+" + digits
    if not plus and len(digits) == WITH_PREFIX and digits.startswith("8"):
        return "+7" + digits[1:]
    if not plus and len(digits) == NATIONAL:
        return "+7" + digits
    raise ValidationFailed(MESSAGE, field="phone")
