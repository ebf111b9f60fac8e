"""The demo of ``make run``: a billing dataset, and accounts ready to log in with contracts, made through the services."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from adapters.billing.generate import write_generated
from adapters.cli.config import var_dir
from lkk_core import accounts, contracts
from lkk_core.accounts import ClientDevice
from lkk_core.accounts import Account
from lkk_core.accounts import EnterCode, ImportLegacyAccount, Register, SavePersonalData, SavePhone
from lkk_core.contracts import ConfirmBinding, GrantAdministrator, RequestBinding
from lkk_core.kernel.errors import Conflict
from lkk_core.kernel.services import Actor, Services, StaffActor

DEMO_EMAIL, DEMO_PASSWORD = "demo@lkk.example", "Demo#2026"
LEGACY_LOGIN = "ivanov77"
# Contracts 0 and 1 of the generated dataset list demo@lkk.example (adapters/billing/generate.py).
DEMO_CONTRACTS = ("78010000002778", "78010000000487")
SEED_DEVICE = ClientDevice("lkk demo seed")


def ensure_dataset(env: Mapping[str, str], contracts_count: int) -> Iterator[str]:
    """Generate the billing dataset when ``LKK_BILLING_DATASET`` is unset and its default file is missing."""
    if env.get("LKK_BILLING_DATASET"):
        return
    path = var_dir(dict(env)) / "billing.json"
    if path.is_file():
        yield f"billing dataset: {path} (kept)"
        return
    write_generated(Path(path), contracts_count)
    yield f"billing dataset: {path} ({contracts_count} generated contracts)"


def seed(services: Services) -> Iterator[str]:
    """Create the demo accounts and bind their contracts once; a second run changes nothing."""
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
        yield from _bind_demo_contracts(services, actor)
        accounts.log_out(services, actor)
        yield f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}"
    try:
        accounts.import_legacy_account(
            services, StaffActor("demo"), ImportLegacyAccount(login=LEGACY_LOGIN, password=DEMO_PASSWORD)
        )
        yield f"legacy account: login {LEGACY_LOGIN} / {DEMO_PASSWORD} (no e-mail, ACC-11a)"
    except Conflict:
        yield f"legacy account {LEGACY_LOGIN} already exists"


def _bind_demo_contracts(services: Services, actor: Actor) -> Iterator[str]:
    # The demo follows its own links: the token is derived exactly as the outbox writes it.
    for number in DEMO_CONTRACTS:
        if services.billing is None or services.billing.find_contract(number) is None:
            continue
        requested = contracts.request_binding(services, actor, RequestBinding(contract_number=number,
                                                                             email=DEMO_EMAIL))
        binding = services.app.repository.get(requested.binding_id)
        token = services.secret.link_token(binding.id, binding.nonce)
        contracts.confirm_binding(services, ConfirmBinding(binding_id=binding.id, token=token))
        yield f"  contract {number} bound to {DEMO_EMAIL} («Руководитель»)"
    if services.billing is not None and services.billing.find_contract(DEMO_CONTRACTS[0]) is not None:
        contracts.grant_administrator(services, StaffActor("demo"), DEMO_CONTRACTS[0],
                                      GrantAdministrator(account_id=actor.account_id))
        yield f"  {DEMO_EMAIL} is the Administrator of {DEMO_CONTRACTS[0]} (granted by staff)"
