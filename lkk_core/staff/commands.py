"""Commands of staff credentials: who a specialist is, as typed at ``lkk staff create``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from lkk_core.kernel.commands import Command, EmailAddress
from lkk_core.kernel.errors import ValidationFailed

WRONG_LOGIN = "Логин специалиста: от 2 до 64 латинских букв, цифр и знаков . _ @ + -"  # NOTE: proposal
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,63}")


def normalise_staff_login(value: str) -> str:
    """Return a login as it is compared (trimmed, lower-cased), or refuse it with the field named."""
    login = value.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise ValidationFailed(WRONG_LOGIN, field="login")
    return login


# A login or an e-mail address, compared lower-cased: printable, no spaces, short enough for a log line.
StaffLogin = Annotated[str, AfterValidator(normalise_staff_login),
                       WithJsonSchema({"type": "string", "pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9._@+-]{1,63}\s*$"})]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CreateStaffMember(Command):
    """Give a specialist of the supplier access to the administrative module."""

    login: StaffLogin = Field(description="A login or an e-mail address, unique among staff")
    full_name: FullName = Field(description="«ФИО специалиста»")
    email: EmailAddress | None = None
