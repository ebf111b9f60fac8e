"""What every context's command models share: the base class and the field types used across contexts."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from lkk_core.kernel.billing import is_contract_number
from lkk_core.kernel.errors import ValidationFailed

# Whitespace as the server trims it, for the patterns of the OpenAPI document (ECMA's \s is another
# set): pydantic's ``strip_whitespace`` (Unicode White_Space), and ``str.strip()``/``isspace()`` (that and
# \x1c-\x1f); and the control characters ``Command`` refuses.
TRIMMED_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
PYTHON_SPACE = TRIMMED_SPACE + r"\x1c-\x1f"
CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"

WRONG_NUMBER = "Номер договора должен состоять из 14 цифр"  # NOTE: proposal, DOMAIN.md §13.14 (CON-02)


def _check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in value):
        msg = "некорректный адрес электронной почты"
        raise ValueError(msg)
    return value


# ``_check_email`` as a pattern, for the OpenAPI document: trimmed, no spaces or control characters,
# something before the last «@», and a «.» in the domain with more than dots around it; a subset
# of what it accepts (at most 64 characters before the «@»), so that no address it describes is refused.
_LOCAL, _DOMAIN, _LABEL = (f"[^{PYTHON_SPACE}{CONTROL_CLASS}]", f"[^{PYTHON_SPACE}@{CONTROL_CLASS}]",
                           f"[^{PYTHON_SPACE}@.{CONTROL_CLASS}]")
# The parts are bounded so that a matching address is never over 254 characters (64 + 1 + 4 × 44 + 3).
_PART = f"{_DOMAIN}{{0,44}}"
EMAIL_PATTERN = (rf"^[{TRIMMED_SPACE}]*{_LOCAL}{{1,64}}@{_PART}{_LABEL}{_PART}\.{_PART}{_LABEL}{_PART}"
                 rf"[{TRIMMED_SPACE}]*$")
EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                         AfterValidator(_check_email),
                         WithJsonSchema({"type": "string", "pattern": EMAIL_PATTERN,
                                         "description": "an e-mail address, local@domain.tld"})]


def _check_contract_number(value: str, info: ValidationInfo) -> str:
    """Return the number without surrounding spaces, or refuse it with CON-02's message.

    The refusal is the domain's ``ValidationFailed`` itself, not a pydantic
    error: pydantic lets it through unchanged, so a command built in the
    core (CLI, tests), a JSON body, a query string and a path parameter
    all refuse a wrong number the same way, with the manual's message and
    the field, whatever its length (no length constraint speaks first; the
    body size limit bounds the text).
    """
    number = value.strip()
    if not is_contract_number(number):
        raise ValidationFailed(WRONG_NUMBER, field=info.field_name or "contract_number")
    return number


# The contract number, validated once where it enters: in the command model, or a path
# parameter through ``TypeAdapter(ContractNumber)``; use cases receive it valid (CON-02).
ContractNumber = Annotated[
    str,
    AfterValidator(_check_contract_number),
    WithJsonSchema({"type": "string", "pattern": rf"^[{PYTHON_SPACE}]*[0-9]{{14}}[{PYTHON_SPACE}]*$",
                    "description": "14 digits; surrounding spaces are ignored"}),
]
EnergyObjectCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_A_DATE = "Введите дату в формате ГГГГ-ММ-ДД"  # NOTE: proposal


def _iso_date(value: object) -> object:
    # pydantic alone reads "0", 0 or "2024-01-01T00:00" as a date (the first two as a Unix time):
    # a date is only a date, or its text YYYY-MM-DD (RFC 3339 full-date, the OpenAPI ``format: date``).
    if isinstance(value, date) or isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError(NOT_A_DATE)


# A calendar date in a command, a query or a form: YYYY-MM-DD and nothing else.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}
# The same characters as a pattern, for text checked outside a model's fields (a reading's value).
CONTROL_CHARACTERS = re.compile("[" + re.escape("".join(sorted(_CONTROL))) + "]")
CONTROL_MESSAGE = "управляющие символы недопустимы"


class Command(BaseModel):
    """Base of every command: unknown fields are refused, values are frozen.

    Control characters (NUL above all: PostgreSQL text cannot hold it) are
    refused in every text field, so no event can carry what a view cannot store.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and not _CONTROL.isdisjoint(value):
            raise ValueError(CONTROL_MESSAGE)
        return value
