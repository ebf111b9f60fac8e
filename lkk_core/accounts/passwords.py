"""Password rules of «Требования к паролю» (DOMAIN.md ACC-09)."""

from __future__ import annotations

from enum import Enum

from lkk_core.kernel.errors import ValidationFailed

MIN_LENGTH, MAX_LENGTH = 8, 128


class Requirement(Enum):
    """One line of the form's requirement list, with its verbatim text."""

    LATIN_ONLY = "Буквы только латинского алфавита"
    MIN_LENGTH = "Не менее 8 символов"
    UPPERCASE = "Заглавные буквы"
    LOWERCASE = "Строчные буквы"
    DIGITS = "Цифры"
    NO_SPACES = "Любые символы кроме пробелов"
    MAX_LENGTH = "Не более 128 символов"  # NOTE: proposal; the manual sets no maximum

    @property
    def message(self) -> str:
        """Return the Russian text shown on the form."""
        return self.value


def unmet_requirements(password: str) -> list[Requirement]:
    """Return the requirements the password fails, in the form's order."""
    unmet = []
    # NOTE: any character outside printable ASCII that is not whitespace (a
    # Cyrillic letter, «€», a control character) counts against LATIN_ONLY.
    if any(not c.isspace() and not 33 <= ord(c) <= 126 for c in password):
        unmet.append(Requirement.LATIN_ONLY)
    if len(password) < MIN_LENGTH:
        unmet.append(Requirement.MIN_LENGTH)
    if not any("A" <= c <= "Z" for c in password):
        unmet.append(Requirement.UPPERCASE)
    if not any("a" <= c <= "z" for c in password):
        unmet.append(Requirement.LOWERCASE)
    if not any("0" <= c <= "9" for c in password):
        unmet.append(Requirement.DIGITS)
    if any(c.isspace() for c in password):
        unmet.append(Requirement.NO_SPACES)
    if len(password) > MAX_LENGTH:
        unmet.append(Requirement.MAX_LENGTH)
    return unmet


def check_password(password: str, *, field: str = "password") -> None:
    """Refuse a password that fails any requirement, naming every one it fails."""
    unmet = unmet_requirements(password)
    if unmet:
        raise ValidationFailed(
            "; ".join(r.message for r in unmet), field=field, unmet=[r.name.lower() for r in unmet]
        )
