"""Registration, the e-mail code and onboarding (ACC-01 … ACC-05, ACC-12)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from lkk_core.accounts._common import (
    acting_account,
    check_new_password,
    claim,
    issue_code,
    refuse_wrong_code,
    typed_code_hash,
)
from lkk_core.accounts.login import ClientDevice, describe_client, open_session
from lkk_core.accounts.account import CONFIRM_EMAIL, STAGE_EMAIL_CODE, Account
from lkk_core.accounts.identifier_index import EMAIL
from lkk_core.accounts.commands import EnterCode, Register, SavePersonalData, SavePhone
from lkk_core.kernel.errors import PreconditionFailed
from lkk_core.accounts.phones import normalise_phone
from lkk_core.kernel.services import Actor, Services


@dataclass(frozen=True)
class Registration:
    """A new account, with the session its code and onboarding steps run in."""

    account_id: UUID
    session_id: UUID
    token: str
    position: int
    stage: str = STAGE_EMAIL_CODE  # the code comes next (ACC-03)


def register(services: Services, cmd: Register, device: ClientDevice) -> Registration:
    """Open an account, claim its e-mail and send the code (ACC-01 … ACC-03)."""
    check_new_password(cmd.password, field="password")
    password_hash = services.passwords.hash(cmd.password)
    client = describe_client(services, device)

    def attempt() -> Registration:
        now = services.clock.now()
        account = Account.register(
            email=cmd.email, password_hash=password_hash, advertising=cmd.advertising,
            agreement_accepted=cmd.agreement_accepted, now=now,
        )
        index = claim(services, EMAIL, cmd.email, account.id)
        issue_code(services, account, CONFIRM_EMAIL, cmd.email)
        session_id, token = open_session(services, account, client)
        position = services.save(account, index)
        return Registration(account.id, session_id, token, position)

    return services.write(attempt)


def send_email_code(services: Services, actor: Actor) -> int:
    """«Подтвердить» / «Отправить ещё раз»: e-mail a new code, at most once a minute (ACC-04, ACC-12)."""

    def attempt() -> int:
        account = acting_account(services, actor)
        if not account.email:
            # NOTE: ACC-12 implied: an account without an e-mail must enter one first.
            raise PreconditionFailed("Укажите адрес электронной почты", field="email")
        issue_code(services, account, CONFIRM_EMAIL, account.email)
        return services.save(account)

    return services.write(attempt)


def confirm_email(services: Services, actor: Actor, cmd: EnterCode) -> int:
    """Confirm the e-mail with its code (ACC-03, ACC-12)."""

    def attempt() -> int:
        account = acting_account(services, actor)
        typed = typed_code_hash(services, account, CONFIRM_EMAIL, cmd.code)
        if not account.confirm_email(typed, now=services.clock.now()):
            refuse_wrong_code(services, account)  # saves the wrong-attempt count, then refuses
        return services.save(account)

    return services.write(attempt)


def save_personal_data(services: Services, actor: Actor, cmd: SavePersonalData) -> int:
    """Save the personal data (ACC-05 onboarding, PRF-02 editing)."""
    fields = cmd.model_dump()

    def attempt() -> int:
        account = acting_account(services, actor)
        account.save_personal_data(now=services.clock.now(), **fields)
        return services.save(account)

    return services.write(attempt)


def save_phone(services: Services, actor: Actor, cmd: SavePhone) -> int:
    """Save the phone as +7XXXXXXXXXX (ACC-05, PRF-03)."""
    phone = normalise_phone(cmd.phone)

    def attempt() -> int:
        account = acting_account(services, actor)
        account.save_phone(phone, now=services.clock.now())
        return services.save(account)

    return services.write(attempt)
