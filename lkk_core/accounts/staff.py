"""What supplier staff do to accounts from the administrative module (ACC-11a)."""

from __future__ import annotations

from uuid import UUID

from lkk_core.accounts import _common
from lkk_core.aggregates.account import Account
from lkk_core.aggregates.identifier_index import EMAIL, LOGIN, normalise_identifier
from lkk_core.commands.accounts import ImportLegacyAccount, RestoreEmail
from lkk_core.errors import NotFound
from lkk_core.services import Services, StaffActor


def import_legacy_account(services: Services, staff: StaffActor, cmd: ImportLegacyAccount) -> UUID:
    """Bring over a legacy account that logs in by login (ACC-07, ACC-11a)."""
    password_hash = services.passwords.hash(cmd.password)

    def attempt() -> UUID:
        account = Account.import_legacy(
            login=cmd.login, email=cmd.email, password_hash=password_hash, now=services.clock.now()
        )
        indexes = [_common.claim(services, LOGIN, cmd.login, account.id)]
        if cmd.email:
            indexes.append(_common.claim(services, EMAIL, cmd.email, account.id))
        services.save(account, *indexes)
        return account.id

    return services.retrying(attempt)


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

    return services.retrying(attempt)
