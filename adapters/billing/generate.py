"""A realistic, deterministic billing dataset of any size (``lkk billing generate``).

The first 17 contracts are fixed, whatever the seed (``manual_examples``),
in this order:

0.  ``78010000002778`` ООО "Ниссан Мэнюфэкчуринг РУС", the manual's readings
    example (Fig. 12, 14, 23), category III: ЭО ``780100000027780001`` with
    «РП-10 кВ яч.2» (коэф. 12000, потери 5 %, ПУ ``20300109``, 6+2 digits),
    «РТП 100. яч.2» (ПУ ``01284918``) and ПУ ``43984851``, ``01202434``; ЭО
    ``780100000027780002`` (лит.И). E-mails include ``demo@lkk.example``.
1.  ``78010000000487`` ООО "Т2 Мобайл" (Fig. 73), 2 ЭО; ``demo@lkk.example``.
2.  ``47100000100030`` ROL-10 contract 1 (Fig. 111's «Семиозерское
    карьероуправление», 3 ЭО); ``client1@mail.ru``.
3.  ``47100000306885`` ROL-10 contract 2; ``client1@mail.ru``.
4.  ``78020000998034`` ROL-10 contract 3; ``client1@mail.ru``.
5.  ``74010131001206`` ROL-10 contract 4 (Fig. 97); ``client2@mail.ru``.
6.  ``77640001813302`` Fig. 97's other contract.
7.  ``78020000313870`` Р-ИНДУСТРИЯ, with Fig. 103's branch and curator.
8.  ``78020000043870``, 9. ``78020000058480``, 10. ``50120002000157``,
    11. ``50120002005154``, 12. ``50071111000342``: names of Fig. 75, 76, 106.
13. ``57010000102493`` БУ ОО "Комплексный центр …" (Fig. 31, ИНН 5751024935).
14. ``57030000004857`` ИП Ефремов (Fig. 77–83): «ИК-001», потери 5 %, ПУ
    ``432453234`` «ЭЭ6701» 6+2, поверка 01.12.2023, 150 кВт, the Orel
    supplier of Fig. 71, АО "АЛЬФА-БАНК" (Fig. 78).
15. ``78010000012700`` ФПГ "РОССТРО" (Fig. 8).
16. ``78010000044211`` Приход храма Коневской иконы (Fig. 13).

Contract ``i`` from 17 on is drawn from ``random.Random(f"…:{seed}:{i}")``
alone, so it is the same in every dataset of that seed that reaches it, and
its number is the region and branch, then ``9`` and ``i`` in nine digits
(``78019000000017``), which no fixed number shares. Invented ИНН, ОГРН and
accounts carry valid check digits (``requisites``). Nothing reads the clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from adapters.billing.dataset import write_dataset
from adapters.billing.manual_examples import (
    AWAIT,
    MANUAL_CONTRACTS,
    MANUAL_READINGS,
    MOSCOW_SUPPLIER,
    NORTH_WEST_SUPPLIER,
    OREL_SUPPLIER,
    READINGS_PERIOD,
)
from adapters.billing.requisites import account, ogrn, organisation_inn, person_inn
from lkk_core.kernel.billing import (
    ScaleReading,
    Attachment,
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    Scale,
)

GENERATOR_VERSION = 1  # bump when a seed's output changes, so caches keyed by it (bench) start afresh

# region code of the contract number → (places, supplier, telephone code)
REGIONS = {
    "78": (("г. Санкт-Петербург",), NORTH_WEST_SUPPLIER, "812"),
    "47": (("Ленинградская обл., г. Гатчина", "Ленинградская обл., г. Всеволожск", "Ленинградская обл., г. Выборг",
            "Ленинградская обл., п. Кузьмоловский"), NORTH_WEST_SUPPLIER, "813"),
    "50": (("Московская обл., г. Химки", "Московская обл., г. Подольск", "Московская обл., г. Королёв"),
           MOSCOW_SUPPLIER, "495"),
    "77": (("г. Москва",), MOSCOW_SUPPLIER, "495"),
    "57": (("г. Орёл", "Орловская обл., г. Мценск", "Орловская обл., г. Ливны"), OREL_SUPPLIER, "4862"),
}
STREETS = ("ул. Заводская", "пр. Энгельса", "ул. Промышленная", "Московское ш.", "ул. Ленина", "наб. Обводного канала",
           "ул. Садовая", "ул. Кирова", "пр. Мира", "ул. Гагарина", "ул. Строителей", "Выборгское ш.")
FORMS = (("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество"),
         ("ПАО", "Публичное акционерное общество"), ("ЗАО", "Закрытое акционерное общество"))
WORDS = ("Северный", "Балтика", "Нева", "Технопарк", "Стройинвест", "Промсервис", "Агрокомплекс", "Логистик",
         "Металлторг", "Фармация", "Электроприбор", "Хлебозавод", "Полимер", "Автоцентр", "Гранит", "Ладога",
         "Меридиан", "Вектор", "Спецмонтаж", "Теплосеть")
LATIN = ("sever", "baltika", "neva", "technopark", "stroyinvest", "promservis", "agro", "logistic", "metall",
         "pharm", "elektropribor", "hleb", "polimer", "avtocentr", "granit", "ladoga", "meridian", "vektor",
         "specmontazh", "teploset")
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков")
NAMES = ("Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Михаил", "Игорь", "Олег")
PATRONYMICS = ("Александрович", "Сергеевич", "Андреевич", "Викторович", "Петрович", "Николаевич")
BANKS = ((  'Северо-Западный банк ПАО "Сбербанк"', "044030653", "30101810500000000653"),
         ('ПАО "Сбербанк"', "044525225", "30101810400000000225"),
         ('АО "АЛЬФА-БАНК"', "044525593", "30101810200000000593"),
         ('ПАО "Банк "Санкт-Петербург"', "044030790", "30101810900000000790"),
         ("Банк ВТБ (ПАО)", "044525187", "30101810700000000187"))
SITES = ("Производственный корпус", "Административное здание", "Склад", "Магазин", "Котельная", "Офис",
         "Насосная станция", "Гараж", "Цех № 2", "Столовая")
POINTS = {"НН": ("ВРУ-0,4 кВ", "ТП-{n} РУ-0,4 кВ ф.{k}", "ЩУ-{k}", "КТП-250 ввод {k}"),
          "СН-2": ("РП-10 кВ яч.{k}", "РТП {n}. яч.{k}", "ТП-{n} ввод 10 кВ")}
COEFFICIENTS = {"НН": (1, 1, 1, 20, 30, 40, 60, 80, 120), "СН-2": (2000, 4000, 6000, 12000)}
LOSSES = ("0", "0", "0", "1.5", "2", "2.5", "3", "5")
MODELS = (("Меркурий 230 ART-03", 6, 2), ("Меркурий 234 ARTM-00", 6, 2), ("СЭТ-4ТМ.03М", 8, 2),
          ("ПСЧ-4ТМ.05МК", 7, 2), ("Энергомера CE303", 6, 1), ("Альфа A1800", 7, 3), ("ЭЭ6701", 6, 2))
ZONES = (("Круглосуточный",), ("День", "Ночь"), ("Пик", "Полупик", "Ночь"))
ZONE_CHOICES = {True: ZONES[1:], False: ZONES[:1] * 3 + ZONES[1:]}  # price category II?
MAILBOXES = ("info", "energo", "buh", "office", "glavenergo")
STATUSES = (AWAIT,) * 17 + ("Показания переданы", "Показания переданы", "Недоступно")
ATTACHMENTS = (("Договор энергоснабжения № {number}", "dogovor_{number}.pdf"),
               ("Дополнительное соглашение № 1", "ds_1_{number}.pdf"),
               ("Акт разграничения балансовой принадлежности", "akt_rbp_{number}.pdf"))


def generate_contracts(n: int, *, seed: int = 0) -> Iterator[Contract]:
    """Yield ``n`` contracts: the fixed ones first, then drawn ones (deterministic in ``seed``)."""
    for i in range(n):
        if i < len(MANUAL_CONTRACTS):
            yield MANUAL_CONTRACTS[i]
        else:
            yield _contract(random.Random(f"lkk-billing:{seed}:{i}"), i)


def write_generated(path: Path, n: int, *, seed: int = 0, also_for: date | None = None,
                    progress: Callable[[int], None] | None = None) -> Path:
    """Write a generated dataset of ``n`` contracts to ``path`` as JSON Lines; return the path.

    ``also_for`` (the demo's current month) repeats billing's previous readings for that month too,
    without billing's own interval figure, so that a «Первичный акт» gives «Расход интерв.» (RDG-18).
    """
    def readings(contract: Contract) -> tuple[tuple[date, ScaleReading], ...]:
        facts = generated_readings(contract, seed)
        if also_for is None or also_for == READINGS_PERIOD:
            return facts
        before = _month_before(also_for)
        return facts + tuple((also_for, replace(r, previous_period=before, interval_consumption=None))
                             for _, r in facts)

    return write_dataset(path, generate_contracts(n, seed=seed), meter_readings=readings, progress=progress)


def _month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def generated_readings(contract: Contract, seed: int = 0) -> tuple[tuple[date, ScaleReading], ...]:
    """Return billing's facts of every meter scale for ``READINGS_PERIOD`` (the manual's ones where it has them).

    Drawn from their own ``random.Random`` per contract, so the contracts themselves stay as they were.
    """
    manual = {(r.meter_number, r.zone, r.quantity): (p, r) for p, r in MANUAL_READINGS.get(contract.number, ())}
    rng = random.Random(f"lkk-billing-readings:{seed}:{contract.number}")
    previous_period = _month_before(READINGS_PERIOD)
    facts = []
    for eo in contract.energy_objects:
        for point in eo.metering_points:
            for meter in point.meters:
                for scale in meter.scales:
                    if (meter.number, scale.zone, scale.quantity) in manual:
                        facts.append(manual[(meter.number, scale.zone, scale.quantity)])
                        continue
                    top = 10**meter.digits
                    rolled = rng.random() < 0.01  # noqa: PLR2004  (one scale in a hundred wrapped round)
                    value = rng.randrange(top - 50, top) if rolled else rng.randrange(top // 2)
                    interval = None
                    if contract.price_category.has_interval_readings and scale.quantity is Quantity.ACTIVE_IMPORT:
                        interval = Decimal(rng.randrange(10**7)) / 100
                    previous = Decimal(value).quantize(Decimal(1).scaleb(-meter.fraction_digits))
                    facts.append((READINGS_PERIOD, ScaleReading(meter.number, scale.zone, scale.quantity, previous,
                                                                previous_period, interval, rolled)))
    return tuple(facts)


def _contract(rng: random.Random, i: int) -> Contract:
    region = rng.choice(tuple(REGIONS))
    places, supplier, phone_code = REGIONS[region]
    number = f"{region}{rng.randint(1, 3):02d}9{i:09d}"
    category = rng.choice(tuple(PriceCategory))
    word = rng.randrange(len(WORDS))
    domain = f"{LATIN[word]}{rng.randint(1, 999)}.example"
    person = rng.random() < 0.1  # noqa: PLR2004  (one customer in ten is an entrepreneur)
    if person:
        full_person = f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {rng.choice(PATRONYMICS)}"
        short, full = f"ИП {full_person}", f"Индивидуальный предприниматель {full_person}"
        inn, kpp = person_inn(f"{region}{rng.randrange(10**8):08d}"), None
        reg = ogrn(f"3{rng.randint(4, 24):02d}{region}{rng.randrange(10**9):09d}")
    else:
        abbr, form = rng.choice(FORMS)
        short, full = f'{abbr} "{WORDS[word]}"', f'{form} "{WORDS[word]}"'
        inn = organisation_inn(f"{region}{rng.randrange(10**7):07d}")
        kpp, reg = f"{inn[:4]}01001", ogrn(f"1{rng.randint(2, 24):02d}{region}{rng.randrange(10**7):07d}")
    address = _address(rng, places)
    bank_name, bik, correspondent = rng.choice(BANKS)
    # 40702: an organisation's settlement account, 40802: an entrepreneur's.
    settlement = account(bik, f"40{'8' if person else '7'}02810{rng.randrange(10**11):011d}")
    bank = BankDetails(bank_name, bik, correspondent, settlement)
    emails = tuple(f"{box}@{domain}" for box in rng.sample(MAILBOXES, rng.randint(1, 3)))
    curator = f"{rng.choice(SURNAMES)}а {rng.choice(NAMES)[0]}. {rng.choice(PATRONYMICS)[0]}."
    contacts = (
        Contact("curator", curator, f"+7 ({phone_code}) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                f"curator{rng.randrange(1, 99)}@energosbyt.example"),
        Contact("branch", f"{rng.choice(('Центральное', 'Северное', 'Южное', 'Восточное'))} отделение",
                f"+7 ({phone_code}) {rng.randrange(100, 999)}-00-00", address=_address(rng, places)),
    )
    signed_on = date(2006, 1, 1) + timedelta(days=rng.randrange(19 * 365))
    objects = tuple(_energy_object(rng, f"{number}{k:04d}", places, category)
                    for k in range(1, rng.randint(1, 4) + 1))
    attachments = () if rng.random() < 0.7 else tuple(  # noqa: PLR2004
        Attachment(f"{number}-{k}", title.format(number=number), file_name.format(number=number))
        for k, (title, file_name) in enumerate(ATTACHMENTS[: rng.randint(1, 3)], start=1)
    )
    customer = Party(full, inn, kpp, reg, address, address)
    return Contract(number, short, signed_on, category, customer, supplier, bank, emails, contacts, objects,
                    attachments)


def _address(rng: random.Random, places: tuple[str, ...]) -> str:
    letter = f" лит.{rng.choice('АБВ')}" if rng.random() < 0.3 else ""  # noqa: PLR2004
    building = f"д. {rng.randint(1, 180)}{letter}"
    return f"{rng.choice(places)}, {rng.choice(STREETS)}, {building}"


def _energy_object(rng: random.Random, code: str, places: tuple[str, ...], category: PriceCategory) -> EnergyObject:
    points = tuple(_point(rng, str(k), category) for k in range(1, rng.randint(1, 3) + 1))
    return EnergyObject(code, rng.choice(SITES), _address(rng, places), rng.choice(STATUSES), points)


def _point(rng: random.Random, number: str, category: PriceCategory) -> MeteringPoint:
    voltage = rng.choice(("НН", "НН", "СН-2"))
    name = rng.choice(POINTS[voltage]).format(n=rng.randint(100, 2999), k=rng.randint(1, 12))
    meters = tuple(_meter(rng, category) for _ in range(rng.randint(1, 2)))
    coefficient, losses = Decimal(rng.choice(COEFFICIENTS[voltage])), Decimal(rng.choice(LOSSES))
    return MeteringPoint(number, name, coefficient, losses, meters, voltage, Decimal(rng.randrange(15, 5000, 5)))


def _meter(rng: random.Random, category: PriceCategory) -> Meter:
    model, digits, fraction = rng.choice(MODELS)
    # Category I pays one rate; II pays by zones; III–VI pay by the hour and mostly meter round the clock.
    zones = ZONES[0] if category is PriceCategory.I else rng.choice(ZONE_CHOICES[category is PriceCategory.II])
    quantities = [Quantity.ACTIVE_IMPORT]
    if rng.random() < 0.15:  # noqa: PLR2004  (a customer that also exports)
        quantities.append(Quantity.ACTIVE_EXPORT)
    if rng.random() < 0.2:  # noqa: PLR2004  (reactive energy is metered too)
        quantities += [Quantity.REACTIVE_IMPORT, Quantity.REACTIVE_EXPORT]
    scales = tuple(Scale(zone, quantity) for quantity in quantities for zone in zones)
    year, month, day = rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28)
    interval = rng.choice((8, 10, 16))  # межповерочный интервал, years
    return Meter(f"{rng.randrange(10**8):08d}", model, rng.choice(STATUSES), digits, fraction, scales,
                 date(year, month, day), date(year + interval, month, day))
