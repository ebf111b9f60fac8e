"""Commands of accounts and authentication (DOMAIN.md §1, §11)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, StringConstraints, WithJsonSchema

from lkk_core.accounts.phones import PHONE_PATTERN
from lkk_core.kernel.commands import Command, EmailAddress
from lkk_core.kernel.security import CODE_DIGITS

Password = Annotated[str, Field(min_length=1, max_length=1024)]  # the rules are ACC-09, in passwords.py
# [0-9], not \d: \d also takes non-ASCII digits ("٠٠٠٠٠").
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=rf"^[0-9]{{{CODE_DIGITS}}}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]


class Register(Command):
    """«Регистрация» (ACC-01)."""

    email: EmailAddress
    password: Password
    agreement_accepted: StrictBool = Field(description="«Я принимаю пользовательское соглашение»")
    advertising: StrictBool = Field(False, description="«Я согласен получать рекламно-информационную рассылку»")


class EnterCode(Command):
    """The five-digit code from the e-mail (ACC-03, ACC-12)."""

    code: Code


class SavePersonalData(Command):
    """«Вы зарегистрировались» / «Редактирование профиля» (ACC-05, PRF-02)."""

    last_name: Name
    first_name: Name
    patronymic: OptionalText = None
    organisation: OptionalText = None
    position: OptionalText = None
    address: OptionalText = None


class SavePhone(Command):
    """The phone form (ACC-05, PRF-03)."""

    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                     WithJsonSchema({"type": "string", "pattern": PHONE_PATTERN,
                                     "description": "+7 and ten digits, 8 and ten digits, or ten digits"})]


class LogIn(Command):
    """«Войти» by e-mail or legacy login (ACC-07)."""

    identifier: Identifier = Field(description="E-mail or login")
    password: Password
    device_id: Annotated[str | None, StringConstraints(max_length=128)] = Field(
        None, description="A random id the client keeps per device, to recognise it (ACC-08)"
    )


class ResendLoginCode(Command):
    """Another code for a login held for confirmation (ACC-04, ACC-08)."""

    account_id: UUID
    challenge_id: UUID


class ConfirmLogin(ResendLoginCode):
    """The code that lets a login from a new device through (ACC-08)."""

    code: Code


class ChangeEmail(Command):
    """A new profile e-mail (ACC-13, PRF-03)."""

    email: EmailAddress


class ChangePassword(Command):
    """«Изменение пароля» (ACC-10)."""

    old_password: Password
    new_password: Password
    new_password_again: Password


class RequestPasswordReset(Command):
    """«Вспомнить пароль» → «Восстановить» (ACC-11)."""

    email: EmailAddress


class ResetPassword(Command):
    """The recovery code with the new password (ACC-11)."""

    email: EmailAddress
    code: Code
    new_password: Password
    new_password_again: Password


class SwitchTwoFactor(Command):
    """«Запрашивать подтверждение при входе с нового устройства/браузера» (ACC-08)."""

    enabled: StrictBool


class DeleteAccount(Command):
    """«Удалить аккаунт», confirmed with the current password (ACC-17)."""

    password: Password


class RestoreEmail(Command):
    """Staff: give a legacy account its e-mail back (ACC-11a)."""

    email: EmailAddress


class ImportLegacyAccount(Command):
    """Staff: bring over an account from before e-mail login (ACC-07, ACC-11a)."""

    login: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                            pattern=r"^[^@\s]+$")]
    email: EmailAddress | None = None
    password: Password
