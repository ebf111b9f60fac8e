"""The invariants of billing's values, as pydantic metadata their fields carry (``lkk_core.kernel.billing``).

§0.3 and §4; APL-16's decision on requisites: ИНН 10 or 12 digits, КПП 9,
ОГРН 13 or ОГРНИП 15, БИК 9, accounts 20; CON-02's 14-digit contract number.
Mostly pydantic-core constraints, so that validating a dataset of 100,000
contracts runs in Rust.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

CONTRACT_NUMBER_DIGITS = 14  # CON-02
ENERGY_OBJECT_CODE_DIGITS = 18  # §4 vocabulary
INEXACT = "inexact_number"  # the error of a float given for an exact amount
# An unknown key is an error wherever pydantic builds one of these values.
STRICT_KEYS = ConfigDict(extra="forbid")


def digits(*counts: int) -> StringConstraints:
    """Return the constraint of a string of exactly one of ``counts`` ASCII digits."""
    return StringConstraints(pattern=rf"^(?:{'|'.join(f'[0-9]{{{c}}}' for c in counts)})$")


CONTRACT_NUMBER = digits(CONTRACT_NUMBER_DIGITS)
ENERGY_OBJECT_CODE = digits(ENERGY_OBJECT_CODE_DIGITS)
INN = digits(10, 12)  # 10: a legal entity, 12: an entrepreneur
OGRN = digits(13, 15)  # ОГРН 13, ОГРНИП 15
BIK = digits(9)
ACCOUNT = digits(20)  # a correspondent or a settlement account
KPP = StringConstraints(pattern=r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$")  # 4 digits, 2 digits or capitals, 3 digits
# The portal's own e-mail test (lkk_core.kernel.commands): no space, something before the last @,
# and a dot between two other characters after it.
EMAIL = StringConstraints(pattern=r"^\S+@[^\s@]*[^\s@.]\.+[^\s@.][^\s@]*$")


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise PydanticCustomError(INEXACT, "a number with a fraction must be read as a Decimal, not a float")
    return value


Text = Annotated[str, Field(min_length=1)]
Email = Annotated[str, EMAIL]
# On an amount, after its constraints (``Annotated[Decimal, Field(gt=0), EXACT]``), so that they stay
# pydantic-core's and its JSON Schema's: an exact amount is never built from a float.
EXACT = BeforeValidator(_exact)
