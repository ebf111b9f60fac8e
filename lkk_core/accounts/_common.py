"""Steps shared by the account use cases."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from lkk_core.accounts.account import Account, live_session
from lkk_core.accounts.identifier_index import EMAIL, LOGIN, IdentifierIndex, normalise_identifier
from lkk_core.kernel.errors import Unauthenticated, ValidationFailed
from lkk_core.accounts.passwords import check_password
from lkk_core.kernel.security import new_nonce
from lkk_core.kernel.services import Actor, Services

WRONG_CODE = "Неверный код"  # NOTE: proposal, DOMAIN.md §13.14 (ACC-03)


def index_id(services: Services, kind: str, value: str) -> UUID:
    """Return the id of the index aggregate of an e-mail or login."""
    return services.secret.index_id(kind, normalise_identifier(value))


def account_by_identifier(services: Services, identifier: str) -> Account | None:
    """Find the live account holding an e-mail (if it has an @) or a legacy login."""
    kind = EMAIL if "@" in identifier else LOGIN
    index = services.find(IdentifierIndex, index_id(services, kind, identifier))
    if index is None or index.account_id is None:
        return None
    account = services.find(Account, index.account_id)
    return None if account is None or account.is_deleted else account


def claim(services: Services, kind: str, value: str, account_id: UUID) -> IdentifierIndex:
    """Claim an e-mail or login for the account, creating its index on first use (ACC-02)."""
    now = services.clock.now()
    aggregate_id = index_id(services, kind, value)
    index = services.find(IdentifierIndex, aggregate_id)
    if index is None:
        return IdentifierIndex(key=aggregate_id, kind=kind, account_id=account_id, at=now)
    index.claim(account_id, now=now)
    return index


def release(services: Services, kind: str, value: str | None, account_id: UUID) -> list[IdentifierIndex]:
    """Let go of an e-mail or login the account holds; returns what to save."""
    if not value:
        return []
    index = services.find(IdentifierIndex, index_id(services, kind, value))
    if index is None:
        return []
    index.release(account_id, now=services.clock.now())
    return [index]


def acting_account(services: Services, actor: Actor) -> Account:
    """Load the actor's account; its session must still be live."""
    account = services.find(Account, actor.account_id)
    if account is None or live_session(account, actor.session_id) is None:
        raise Unauthenticated
    return account


def issue_code(services: Services, account: Account, purpose: str, to: str) -> None:
    """Record a new code for the outbox to e-mail (ACC-03, ACC-04)."""
    nonce = new_nonce()
    code = services.secret.code(account.id, purpose, nonce)
    account.issue_code(
        purpose,
        to=to,
        nonce=nonce,
        code_hash=services.secret.code_hash(account.id, purpose, nonce, code),
        now=services.clock.now(),
        ttl=services.settings.code_ttl,
        attempts=services.settings.code_attempts,
    )


def typed_code_hash(services: Services, account: Account, purpose: str, code: str) -> str:
    """Hash a typed code the way the issued one was hashed."""
    return services.secret.code_hash(account.id, purpose, account.pending_nonce(purpose), code)


def check_new_password(new_password: str, again: str | None = None, *, field: str = "new_password") -> None:
    """Apply ACC-09 and, on forms with a repeat field, ACC-10's «ещё раз»."""
    check_password(new_password, field=field)
    if again is not None and again != new_password:
        # NOTE: proposal, DOMAIN.md §13.14 (ACC-10).
        raise ValidationFailed("Пароли не совпадают", field="new_password_again")


def refuse_wrong_code(services: Services, account: Account) -> NoReturn:
    """Keep the wrong-attempt count, then refuse (ACC-03).

    Called inside a command's ``services.write`` attempt: when the save loses a
    race it raises ``IntegrityError`` and the attempt runs again on fresh state
    (the count is never lost); when it is written, the refusal goes out.
    """
    services.save(account)
    raise ValidationFailed(WRONG_CODE, field="code")


class PasswordCheck:
    """A typed password checked against stored hashes, each hash verified at most once.

    Argon2 is the costliest step of a command, so it runs outside the retry
    loop's decisions: a command's attempt asks ``check(account.password_hash)``
    on every try, and only when the stored hash changed between tries (the
    password was changed or reset by a concurrent writer) is it verified again,
    against the new hash; a retry never decides on a verdict about an old one.
    """

    def __init__(self, services: Services, password: str) -> None:
        self._passwords = services.passwords
        self._password = password
        self._verdicts: dict[str | None, bool] = {}

    def __call__(self, stored_hash: str | None) -> bool:
        """Tell whether the password matches ``stored_hash`` (None: no account, verified for equal timing)."""
        if stored_hash not in self._verdicts:
            self._verdicts[stored_hash] = self._passwords.verify(stored_hash, self._password)
        return self._verdicts[stored_hash]
