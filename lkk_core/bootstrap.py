"""The composition root: build ``Services`` from a mapping of settings (the environment).

This is where the contexts meet the kernel: their projections join the one
``Views``, the accounts context answers the access check's session question
and the contracts context its holding question, their letters join the
outbox and their deliveries the billing feed, and an account's deletion
takes its contracts with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lkk_core import accounts, contracts, readings, staff
from lkk_core.kernel.access import AccessCheck
from lkk_core.kernel.app import ConfigurationError, LkkApplication, decode_key
from lkk_core.kernel.clock import SystemClock
from lkk_core.kernel.ports import Billing, Clock
from lkk_core.kernel.security import Passwords, ServerSecret
from lkk_core.kernel.services import DEFAULT_PORTAL_URL, DEFAULT_TIMEZONE, Services, Settings
from lkk_core.kernel.views import SqlProjection, Views

# Every view, in the order a rebuild runs them.
ALL_PROJECTIONS: tuple[type[SqlProjection], ...] = (
    accounts.ProfileProjection, accounts.SessionsProjection, contracts.ContractsProjection,
    readings.ReadingsProjection, readings.IntervalActsProjection, readings.ReadingsHistoryProjection,
    staff.StaffProjection,
)


def settings_from(env: Mapping[str, str]) -> Settings:
    """Read the tunable rules: ``LKK_EMAIL_CODE_TTL`` (seconds), ``LKK_CODE_ATTEMPTS``, ``LKK_PORTAL_URL``,
    ``LKK_TIMEZONE`` (the supplier's calendar: months of readings)."""
    return Settings(
        code_ttl=timedelta(seconds=int(env.get("LKK_EMAIL_CODE_TTL", "900"))),
        code_attempts=int(env.get("LKK_CODE_ATTEMPTS", "5")),
        portal_url=env.get("LKK_PORTAL_URL", DEFAULT_PORTAL_URL),
        timezone=_timezone(env.get("LKK_TIMEZONE") or DEFAULT_TIMEZONE),
    )


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"LKK_TIMEZONE: {name!r} is not a time zone of the IANA database (e.g. Europe/Moscow)"
        raise ConfigurationError(msg) from None


def bootstrap(env: Mapping[str, str], *, clock: Clock | None = None, billing: Billing | None = None) -> Services:
    """Build the services over the log and views that ``env`` describes.

    ``LKK_PROJECTIONS=inline`` (default) catches views up after each write in
    this process; ``external`` leaves it to ``lkk project run`` processes and
    waits for them, bounded, where a response must show its own write.
    """
    app = LkkApplication(env=dict(env))
    profile = env.get("LKK_ARGON2_PROFILE", "production")
    passwords = Passwords(**(Passwords.FAST if profile == "fast" else Passwords.PRODUCTION))
    services = Services(
        app=app,
        clock=clock or SystemClock(),
        secret=ServerSecret(decode_key(env.get("LKK_SECRET_KEY"), "LKK_SECRET_KEY")),
        passwords=passwords,
        settings=settings_from(env),
        billing=billing,
    )
    views = Views(app, ALL_PROJECTIONS, env, inline=env.get("LKK_PROJECTIONS", "inline") != "external")
    services.views = views
    services.after_save.append(views.after_save)
    services.access = AccessCheck(accounts.AccountSessions(), contracts.RoleHoldings())
    services.on_account_deleted.append(contracts.release_contracts)
    services.letters += [accounts.CodeLetters(), contracts.BindingLetters(), contracts.RoleLetters()]
    services.deliveries += [readings.SubmittedReadings(), readings.UploadedProfiles()]
    return services
