"""The demo of ``make run``: a billing dataset, and accounts ready to log in with contracts, made through the services."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from adapters.billing.generate import write_generated
from adapters.cli.config import var_dir
from lkk_core import accounts, contracts, readings
from lkk_core.accounts import ClientDevice
from lkk_core.accounts import Account
from lkk_core.accounts import EnterCode, ImportLegacyAccount, Register, SavePersonalData, SavePhone
from lkk_core.contracts import ConfirmBinding, GrantAdministrator, RequestBinding
from lkk_core.kernel.errors import Conflict
from lkk_core.readings import ReadingInput, ReadingsFilter, SubmitReadings, UploadIntervalProfile
from lkk_core.kernel.services import Actor, Services, StaffActor

DEMO_EMAIL, DEMO_PASSWORD = "demo@lkk.example", "Demo#2026"
LEGACY_LOGIN = "ivanov77"
# Contracts 0 and 1 of the generated dataset list demo@lkk.example (adapters/billing/generate.py).
DEMO_CONTRACTS = ("78010000002778", "78010000000487")
SEED_DEVICE = ClientDevice("lkk demo seed")
INTERVAL_METER = "01284918"  # the meter of docs/tutorials/readings.md's hourly profile


def ensure_dataset(env: Mapping[str, str], contracts_count: int, month: date,
                   progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
    """Generate the billing dataset when ``LKK_BILLING_DATASET`` is unset and its default file is missing.

    Billing's previous readings are given for ``month`` too (the current one), so the demo's page has
    «Предыдущие показания», «Расход» and «Дельта» to show.
    """
    if env.get("LKK_BILLING_DATASET"):
        return
    path = var_dir(dict(env)) / "billing.json"
    if path.is_file():
        yield f"billing dataset: {path} (kept)"
        return
    write_generated(Path(path), contracts_count, also_for=month,
                    progress=None if progress is None else lambda done: progress(done, contracts_count))
    yield f"billing dataset: {path} ({contracts_count} generated contracts)"


def demo_files(env: Mapping[str, str]) -> list[Path]:
    """Return what ``lkk demo reset`` removes: the demo's own SQLite log, views, outbox and dataset (never keys).

    Refuses (``DemoStoreElsewhere``) when the settings point the log or the dataset anywhere else,
    so that a reset can only ever remove the demo's own folder's files.
    """
    foreign = [k for k in ("PERSISTENCE_MODULE", "SQLITE_DBNAME", "LKK_BILLING_DATASET", "LKK_SMTP_URL")
               if env.get(k) and not (k == "PERSISTENCE_MODULE" and env[k] == "eventsourcing.sqlite")]
    if foreign:
        raise DemoStoreElsewhere(foreign)
    folder = var_dir(dict(env))
    found = [p for p in (folder / "lkk.db", folder / "lkk.db-wal", folder / "lkk.db-shm", folder / "billing.json")
             if p.exists()]
    return found + [p for p in (folder / "views", folder / "outbox") if p.is_dir()]


class DemoStoreElsewhere(Exception):  # noqa: N818  (a refusal, said as a fact)
    """``lkk demo reset`` would touch a store that is not the demo's."""

    def __init__(self, settings: list[str]) -> None:
        self.settings = settings
        super().__init__(f"lkk demo reset: не выполнено — {', '.join(settings)} указывает на хранилище вне демо-папки;"
                         " сброс удаляет только var/ демо")  # NOTE: proposal


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
        yield from _demo_readings(services, actor)
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


def _demo_readings(services: Services, actor: Actor) -> Iterator[str]:
    """Submit this month's readings of the first demo contract and one meter's hourly profile (RDG-02, RDG-18)."""
    number = DEMO_CONTRACTS[0]
    if services.billing is None or services.billing.find_contract(number) is None:
        return
    page = readings.readings_page(services, actor, ReadingsFilter(contract_number=number))
    block = page.items[0]
    inputs, profiled = [], None
    for eo in block.energy_objects:
        for point in eo.metering_points:
            for meter in point.meters:
                for i, scale in enumerate(meter.scales):
                    if not meter.may_submit or scale.previous is None:
                        continue
                    used = Decimal(100 + 37 * len(inputs)).quantize(Decimal(1).scaleb(-meter.fraction_digits))
                    value = (scale.previous + used) % 10**meter.digits  # past the capacity it rolls over (RDG-02)
                    inputs.append(ReadingInput(energy_object=eo.code, meter_number=meter.number, zone=scale.zone,
                                               quantity=scale.quantity, value=value))
                    if profiled is None and i == 0 and meter.number == INTERVAL_METER:
                        profiled = (eo.code, meter.number, used)
    if not inputs:
        return
    readings.submit_readings(services, actor, SubmitReadings(contract_number=number, period=page.period,
                                                              readings=inputs))
    yield f"  {len(inputs)} readings of {page.period:%m.%Y} submitted for {number}"
    if profiled is not None and (act := _demo_profile(services, actor, number, page.period, *profiled)):
        yield act


def _demo_profile(services: Services, actor: Actor, number: str, period: date,  # noqa: PLR0913
                  energy_object: str, meter_number: str, used: Decimal) -> str | None:
    # A profile a little above the meter's «Расход», so that the page shows a «Дельта».
    kinds = readings.interval_acts(services, actor, number, meter_number, period).kinds
    if not kinds:
        return None
    days = calendar.monthrange(period.year, period.month)[1]
    total = used + 3
    cell = (total / (24 * days)).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
    grid = [[cell] * days for _ in range(24)]
    grid[-1][-1] += total - cell * 24 * days  # the remainder, so that the cells sum to the total exactly
    recorded = readings.upload_interval_profile(services, actor, UploadIntervalProfile(
        contract_number=number, energy_object=energy_object, meter_number=meter_number, period=period,
        kind=kinds[0], values=grid))
    return f"  «Первичный акт» № {recorded.number} of meter {meter_number}: {recorded.total} кВт·ч ({kinds[0]})"
