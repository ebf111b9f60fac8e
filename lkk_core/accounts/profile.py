"""Profile changes, password recovery and deletion (ACC-10, ACC-11, ACC-13, ACC-17)."""

from __future__ import annotations

from lkk_core.accounts import _common
from lkk_core.accounts.account import RESET_PASSWORD
from lkk_core.accounts.identifier_index import EMAIL, LOGIN, normalise_identifier
from lkk_core.accounts.commands import (
    ChangeEmail,
    ChangePassword,
    DeleteAccount,
    RequestPasswordReset,
    ResetPassword,
    SwitchTwoFactor,
)
from lkk_core.kernel.errors import Expired, RateLimited, ValidationFailed
from lkk_core.kernel.services import Actor, Services


def change_email(services: Services, actor: Actor, cmd: ChangeEmail) -> int:
    """Move the account to a new e-mail, unconfirmed and unique (ACC-02, ACC-13)."""

    def attempt() -> int:
        account = _common.acting_account(services, actor)
        account.require_onboarded()
        old = account.email
        if old and normalise_identifier(old) == normalise_identifier(cmd.email):
            if old == cmd.email:
                return services.app.head()
            account.change_email(cmd.email, now=services.clock.now())  # only the spelling changes
            return services.save(account)
        new_index = _common.claim(services, EMAIL, cmd.email, account.id)
        released = _common.release(services, EMAIL, old, account.id)
        account.change_email(cmd.email, now=services.clock.now())
        return services.save(account, new_index, *released)

    return services.write(attempt)


def change_password(services: Services, actor: Actor, cmd: ChangePassword) -> int:
    """«Изменение пароля»: the old one must be right, the new one valid and repeated (ACC-10)."""
    old_password_ok = _common.PasswordCheck(services, cmd.old_password)
    new_hash: list[str] = []  # Argon2 of the new password: once, on the first try that gets that far

    def attempt() -> int:
        account = _common.acting_account(services, actor)
        account.require_onboarded()
        # Verified once; again only if a concurrent change replaced the stored hash,
        # so the loser of two simultaneous changes is refused its (now wrong) old password.
        if not old_password_ok(account.password_hash):
            # NOTE: proposal, DOMAIN.md §13.14 (ACC-10).
            raise ValidationFailed("Неверный старый пароль", field="old_password")
        _common.check_new_password(cmd.new_password, cmd.new_password_again)
        if not new_hash:
            new_hash.append(services.passwords.hash(cmd.new_password))
        account.change_password(new_hash[0], now=services.clock.now())
        return services.save(account)

    return services.write(attempt)


def switch_two_factor(services: Services, actor: Actor, cmd: SwitchTwoFactor) -> int:
    """Turn confirmation of logins from new devices on or off (ACC-08)."""

    def attempt() -> int:
        account = _common.acting_account(services, actor)
        account.switch_two_factor(cmd.enabled, now=services.clock.now())
        return services.save(account)

    return services.write(attempt)


def request_password_reset(services: Services, cmd: RequestPasswordReset) -> None:
    """«Восстановить»: e-mail a code if the address is an account's; answer the same anyway (ACC-11)."""

    def attempt() -> None:
        account = _common.account_by_identifier(services, cmd.email)
        if account is None or not account.email:
            return
        try:
            _common.issue_code(services, account, RESET_PASSWORD, account.email)
        except RateLimited:
            return  # NOTE: a different answer would tell that the e-mail exists
        services.save(account)

    services.write(attempt)


def reset_password(services: Services, cmd: ResetPassword) -> int:
    """Set a new password with the recovery code; every session ends (ACC-11)."""
    _common.check_new_password(cmd.new_password, cmd.new_password_again)
    new_hash = services.passwords.hash(cmd.new_password)  # Argon2 outside the retries: it needs no state

    def attempt() -> int:
        account = _common.account_by_identifier(services, cmd.email)
        # One answer for an unknown e-mail, no code, a used or expired code and a
        # wrong one: anything else would tell a stranger which e-mails have accounts.
        if account is None:
            raise ValidationFailed(_common.WRONG_CODE, field="code")
        try:
            typed = _common.typed_code_hash(services, account, RESET_PASSWORD, cmd.code)
            accepted = account.reset_password(typed, new_hash, now=services.clock.now())
        except Expired:
            raise ValidationFailed(_common.WRONG_CODE, field="code") from None
        if not accepted:
            _common.refuse_wrong_code(services, account)  # saves the wrong-attempt count, then refuses
        return services.save(account)

    return services.write(attempt)


def delete_account(services: Services, actor: Actor, cmd: DeleteAccount) -> int:
    """«Удалить аккаунт»: free the e-mail and login, end sessions, shred personal data (ACC-17)."""

    password_ok = _common.PasswordCheck(services, cmd.password)  # Argon2 once, not once per try

    def attempt() -> int:
        account = _common.acting_account(services, actor)
        if not password_ok(account.password_hash):
            raise ValidationFailed("Неверный пароль", field="password")  # NOTE: proposal
        released = [
            *_common.release(services, EMAIL, account.email, account.id),
            *_common.release(services, LOGIN, account.login, account.id),
        ]
        # What other contexts take with the account (the contracts context: its holdings), in one save.
        taken = [aggregate for hook in services.on_account_deleted for aggregate in hook(services, account.id)]
        account.delete(now=services.clock.now())
        position = services.save(account, *released, *taken)
        # After the save, never before: shredding first would leave the e-mail
        # index unreleasable (notes/crypto-shredding.md §1). Idempotent if retried.
        services.app.keys.shred(account.id)
        return position

    return services.write(attempt)
