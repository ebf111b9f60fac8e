"""What every context's command models share: the base class and the field types used across contexts."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from lkk_core.kernel.billing import is_contract_number
from lkk_core.kernel.errors import ValidationFailed

WRONG_NUMBER = "Номер договора должен состоять из 14 цифр"  # NOTE: proposal, DOMAIN.md §13.14 (CON-02)


def _check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in value):
        msg = "некорректный адрес электронной почты"
        raise ValueError(msg)
    return value


EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                         AfterValidator(_check_email)]


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
    WithJsonSchema({"type": "string", "pattern": r"^\s*[0-9]{14}\s*$",
                    "description": "14 digits; surrounding spaces are ignored"}),
]
EnergyObjectCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


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
