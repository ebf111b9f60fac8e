"""Russian requisites with their check digits, for generated datasets.

ИНН (10 digits for an organisation, 12 for a person), ОГРН (13) and ОГРНИП
(15) end in check digits; a bank account's 9th digit is a key computed
with the bank's БИК. The generator makes every invented number pass these
checks, so a dataset looks right to anyone who verifies it.
"""

from __future__ import annotations

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT = ((7, 1, 3) * 8)[:23]


def _weighted(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10)


def organisation_inn(first9: str) -> str:
    """Return the 10-digit ИНН of an organisation: ``first9`` plus its check digit."""
    return first9 + _weighted(first9, _INN10)


def person_inn(first10: str) -> str:
    """Return the 12-digit ИНН of a person: ``first10`` plus two check digits."""
    eleven = first10 + _weighted(first10, _INN11)
    return eleven + _weighted(eleven, _INN12)


def ogrn(first12: str) -> str:
    """Return a 13-digit ОГРН (first12 mod 11, last digit) or, from 14 digits, a 15-digit ОГРНИП (mod 13)."""
    return first12 + str(int(first12) % (11 if len(first12) == 12 else 13) % 10)  # noqa: PLR2004


def account(bik: str, without_key: str, *, correspondent: bool = False) -> str:
    """Return a 20-digit account from 19 digits, with the key put in 9th place (Bank of Russia rule)."""
    draft = without_key[:8] + "0" + without_key[8:]
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    total = sum(int(d) * w % 10 for d, w in zip(prefix + draft, _ACCOUNT, strict=True))
    return draft[:8] + str(total * 3 % 10) + draft[9:]


def is_valid_inn(inn: str) -> bool:
    """Tell whether an ИНН of 10 or 12 digits has the right check digits."""
    if len(inn) == 10:  # noqa: PLR2004
        return organisation_inn(inn[:9]) == inn
    return len(inn) == 12 and person_inn(inn[:10]) == inn  # noqa: PLR2004


def is_valid_account(bik: str, number: str, *, correspondent: bool = False) -> bool:
    """Tell whether a 20-digit account has the right key for the bank's БИК."""
    return account(bik, number[:8] + number[9:], correspondent=correspondent) == number
