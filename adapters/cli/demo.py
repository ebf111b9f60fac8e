"""The demo dataset of ``make run``: accounts ready to log in, created through the services."""

from __future__ import annotations

from collections.abc import Iterator

from lkk_core import accounts
from lkk_core.accounts.login import ClientDevice
from lkk_core.aggregates.account import Account
from lkk_core.commands.accounts import EnterCode, ImportLegacyAccount, Register, SavePersonalData, SavePhone
from lkk_core.errors import Conflict
from lkk_core.services import Actor, Services, StaffActor

DEMO_EMAIL, DEMO_PASSWORD = "demo@lkk.example", "Demo#2026"
LEGACY_LOGIN = "ivanov77"
SEED_DEVICE = ClientDevice("lkk demo seed")


def seed(services: Services) -> Iterator[str]:
    """Create the demo accounts once; a second run changes nothing."""
    try:
        reg = accounts.register(
            services, Register(email=DEMO_EMAIL, password=DEMO_PASSWORD, agreement_accepted=True), SEED_DEVICE
        )
    except Conflict:
        yield f"demo account {DEMO_EMAIL} already exists"
    else:
        actor = Actor(reg.account_id, reg.session_id)
        account = services.get(Account, reg.account_id)
        # The demo skips reading its own code: it confirms with the derived one.
        nonce = account.pending_nonce("confirm_email")
        code = services.secret.code(account.id, "confirm_email", nonce)
        accounts.confirm_email(services, actor, EnterCode(code=code))
        accounts.save_personal_data(
            services, actor,
            SavePersonalData(last_name="Петрова", first_name="Мария", patronymic="Сергеевна",
                             organisation="ООО «Пример»", position="Главный энергетик",
                             address="г. Санкт-Петербург, ул. Примерная, д. 1"),
        )
        accounts.save_phone(services, actor, SavePhone(phone="+7 812 123-12-31"))
        accounts.log_out(services, actor)
        yield f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}"
    try:
        accounts.import_legacy_account(
            services, StaffActor("demo"), ImportLegacyAccount(login=LEGACY_LOGIN, password=DEMO_PASSWORD)
        )
        yield f"legacy account: login {LEGACY_LOGIN} / {DEMO_PASSWORD} (no e-mail, ACC-11a)"
    except Conflict:
        yield f"legacy account {LEGACY_LOGIN} already exists"
