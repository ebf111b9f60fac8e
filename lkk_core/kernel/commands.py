"""What every context's command models share: the base class and the field types used across contexts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, field_validator


def _check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in value):
        msg = "некорректный адрес электронной почты"
        raise ValueError(msg)
    return value


EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                         AfterValidator(_check_email)]
# The 14-digit rule is checked by the access check (``valid_contract_number``), so that any
# wrong length gets the manual's message (CON-02); the body size limit bounds the text.
ContractNumberText = str
EnergyObjectCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


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
            msg = "управляющие символы недопустимы"
            raise ValueError(msg)
        return value
