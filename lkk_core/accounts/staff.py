"""What supplier staff do to accounts from the administrative module (ACC-11a)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from lkk_core.accounts import _common
from lkk_core.accounts.account import Account
from lkk_core.accounts.identifier_index import EMAIL, LOGIN, normalise_identifier
from lkk_core.accounts.commands import ImportLegacyAccount, RestoreEmail
from lkk_core.kernel.errors import NotFound
from lkk_core.kernel.services import Services, StaffActor


@dataclass(frozen=True)
class AccountImported:
    """A legacy account brought over: its id and the log position it was written at."""

    account_id: UUID
    position: int


def import_legacy_account(services: Services, staff: StaffActor, cmd: ImportLegacyAccount) -> AccountImported:
    """Bring over a legacy account that logs in by login (ACC-07, ACC-11a)."""
    password_hash = services.passwords.hash(cmd.password)

    def attempt() -> AccountImported:
        account = Account.import_legacy(
            login=cmd.login, email=cmd.email, password_hash=password_hash, now=services.clock.now()
        )
        indexes = [_common.claim(services, LOGIN, cmd.login, account.id)]
        if cmd.email:
            indexes.append(_common.claim(services, EMAIL, cmd.email, account.id))
        return AccountImported(account.id, services.save(account, *indexes))

    return services.write(attempt)


def restore_email(services: Services, staff: StaffActor, account_id: UUID, cmd: RestoreEmail) -> int:
    """Give an account whose shared e-mail was removed its e-mail back, unconfirmed (ACC-11a)."""

    def attempt() -> int:
        account = services.find(Account, account_id)
        if account is None or account.is_deleted:
            raise NotFound(field="account_id")
        index = _common.claim(services, EMAIL, cmd.email, account.id)
        # The same address in another spelling shares the index: releasing it would free it.
        same = account.email is not None and normalise_identifier(account.email) == normalise_identifier(cmd.email)
        released = [] if same else _common.release(services, EMAIL, account.email, account.id)
        account.restore_email(cmd.email, staff_id=staff.staff_id, now=services.clock.now())
        return services.save(account, index, *released)

    return services.write(attempt)
