"""Login, two-factor confirmation and sessions (ACC-07, ACC-08, ACC-14, ACC-15)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from lkk_core.accounts import _common
from lkk_core.accounts.account import CONFIRM_LOGIN, Account, LoginChallenge, live_session
from lkk_core.accounts.account_sessions import LOGIN_NOT_FOUND
from lkk_core.accounts.commands import ConfirmLogin, LogIn, ResendLoginCode
from lkk_core.kernel.errors import NotFound, Unauthenticated, WrongCredentials
from lkk_core.kernel.security import new_token_secret, same_hash, token_hash
from lkk_core.kernel.services import Actor, Services
from lkk_core.accounts.user_agents import fingerprint_basis, parse_user_agent


@dataclass(frozen=True)
class ClientDevice:
    """What the client tells about itself: its User-Agent and an optional device id."""

    user_agent: str | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class LoginResult:
    """A started session (``token``) or a login waiting for its code (``challenge_id``)."""

    account_id: UUID
    position: int
    session_id: UUID | None = None
    token: str | None = None
    challenge_id: UUID | None = None
    stage: str = ""


def describe_client(services: Services, device: ClientDevice) -> LoginChallenge:
    """What a session or a held login records of the device (UA parsed, fingerprinted): once per command."""
    info = parse_user_agent(device.user_agent)
    fingerprint = services.secret.fingerprint(fingerprint_basis(info), device.device_id)
    return LoginChallenge(uuid4(), fingerprint, info.browser, info.browser_version, info.os)


def _token(account_id: UUID, session_id: UUID, secret: str) -> str:
    return f"{account_id.hex}.{session_id.hex}.{secret}"


def open_session(services: Services, account: Account, client: LoginChallenge) -> tuple[UUID, str]:
    """Start a session on the account (not saved yet) from ``client``; return its id and bearer token."""
    session_id, secret = uuid4(), new_token_secret()
    account.start_session(session_id, token_hash(secret), client, now=services.clock.now())
    return session_id, _token(account.id, session_id, secret)


def log_in(services: Services, cmd: LogIn, device: ClientDevice) -> LoginResult:
    """«Войти» by e-mail or login; one generic failure for any mismatch (ACC-07, ACC-08)."""
    password_ok = _common.PasswordCheck(services, cmd.password)  # Argon2 once, not once per try
    client = describe_client(services, device)

    def attempt() -> LoginResult:
        account = _common.account_by_identifier(services, cmd.identifier)
        if not password_ok(account.password_hash if account else None) or account is None:
            raise WrongCredentials(field="identifier")
        now = services.clock.now()
        if account.needs_login_confirmation(client.fingerprint):
            account.challenge_login(client, now=now)
            _common.issue_code(services, account, CONFIRM_LOGIN, account.email or "")
            position = services.save(account)
            return LoginResult(account.id, position, challenge_id=client.challenge_id, stage=account.stage)
        account.confirm_invited_email(now=now)
        session_id, token = open_session(services, account, client)
        position = services.save(account)
        return LoginResult(account.id, position, session_id=session_id, token=token, stage=account.stage)

    return services.write(attempt)


def _challenged_account(services: Services, challenge_id: UUID, account_id: UUID) -> Account:
    account = services.find(Account, account_id)
    if account is None or account.is_deleted or account.challenge is None:
        raise NotFound(LOGIN_NOT_FOUND, field="challenge_id")
    if account.challenge.challenge_id != challenge_id:
        raise NotFound(LOGIN_NOT_FOUND, field="challenge_id")
    return account


def confirm_login(services: Services, cmd: ConfirmLogin) -> LoginResult:
    """Let a login from a new device through with its e-mailed code (ACC-08)."""
    session_id, secret = uuid4(), new_token_secret()

    def attempt() -> LoginResult:
        account = _challenged_account(services, cmd.challenge_id, cmd.account_id)
        typed = _common.typed_code_hash(services, account, CONFIRM_LOGIN, cmd.code)
        now = services.clock.now()
        if not account.confirm_login(cmd.challenge_id, typed, session_id, token_hash(secret), now=now):
            _common.refuse_wrong_code(services, account)
        position = services.save(account)
        token = _token(account.id, session_id, secret)
        return LoginResult(account.id, position, session_id=session_id, token=token, stage=account.stage)

    return services.write(attempt)


def resend_login_code(services: Services, cmd: ResendLoginCode) -> int:
    """E-mail a new code for a held login, at most once a minute (ACC-04, ACC-08)."""

    def attempt() -> int:
        account = _challenged_account(services, cmd.challenge_id, cmd.account_id)
        _common.issue_code(services, account, CONFIRM_LOGIN, account.email or "")
        return services.save(account)

    return services.write(attempt)


def authenticate(services: Services, token: str) -> Actor:
    """Turn a bearer token into the actor it belongs to, or raise ``Unauthenticated``."""
    try:
        account_hex, session_hex, secret = token.split(".", 2)
        account_id, session_id = UUID(hex=account_hex), UUID(hex=session_hex)
    except ValueError:
        raise Unauthenticated from None
    # Every request asks this: read the cached account itself (it only reads), not a deep copy.
    account = services.peek(Account, account_id)
    session = live_session(account, session_id)
    if session is None or not same_hash(session.token_hash, token_hash(secret)):
        raise Unauthenticated
    return Actor(account_id, session_id)


def end_session(services: Services, actor: Actor, session_id: UUID) -> int:
    """«Завершить» a session: the current one logs out, another is revoked and removed (ACC-14)."""
    reason = "logout" if session_id == actor.session_id else "ended_by_user"

    def attempt() -> int:
        account = _common.acting_account(services, actor)
        account.end_session(session_id, now=services.clock.now(), reason=reason)
        return services.save(account)

    return services.write(attempt)


def log_out(services: Services, actor: Actor) -> int:
    """«Выйти»: end the current session (ACC-15)."""
    return end_session(services, actor, actor.session_id)
