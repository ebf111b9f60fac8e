"""The contracts of the manual's own figures, and those the demo and the ROL-10 tests bind.

``adapters.billing.generate`` puts these first in every generated dataset, in
this order, whatever the seed; its module docstring says which is which.
Values the manual shows are copied verbatim (numbers, names, codes, meter
numbers, the Orel supplier's requisites); what it leaves out is invented
in the same style.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.billing.requisites import account, ogrn, organisation_inn, person_inn
from lkk_core.kernel.billing import (
    AWAITING_READINGS,
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
    ScaleReading,
)

DEMO_EMAIL = "demo@lkk.example"  # adapters/cli/demo.py: listed on the first two contracts
CLIENT1, CLIENT2 = "client1@mail.ru", "client2@mail.ru"  # ROL-10, AS-60, AS-61

AWAIT = AWAITING_READINGS
ROUND_THE_CLOCK = (Scale("Круглосуточный", Quantity.ACTIVE_IMPORT),)
DAY_NIGHT = (Scale("День", Quantity.ACTIVE_IMPORT), Scale("Ночь", Quantity.ACTIVE_IMPORT))

# Fig. 71: the supplier of the manual's appeals (ООО "ИНТЕР РАО-ОРЛОВСКИЙ ЭНЕРГОСБЫТ").
_OREL = "302020, ОРЛОВСКАЯ ОБЛАСТЬ, Г. ОРЁЛ, УЛ. ПОЛЕССКАЯ, Д. 28К"
OREL_SUPPLIER = Party(
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ИНТЕР РАО-ОРЛОВСКИЙ ЭНЕРГОСБЫТ"', "5754020600", "575301001",
    "1115742001682", _OREL, _OREL,
)
_NEVA = "196247, г. Санкт-Петербург, Ленинский пр., д. 160"
NORTH_WEST_SUPPLIER = Party('Акционерное общество "Энергосбыт Северо-Запад"', organisation_inn("784100001"),
                            "784101001", ogrn("102780000001"), _NEVA, _NEVA)
_MOSCOW = "115035, г. Москва, ул. Садовническая, д. 9"
MOSCOW_SUPPLIER = Party('Акционерное общество "Энергосбыт Центр"', organisation_inn("770500000"), "770501001",
                        ogrn("102770000001"), _MOSCOW, _MOSCOW)
SBER_NW = BankDetails('Северо-Западный банк ПАО "Сбербанк"', "044030653", "30101810500000000653",
                      account("044030653", "4070281055000012877"))
ALFA = BankDetails('АО "АЛЬФА-БАНК"', "044525593", "30101810200000000593", "49702810102680002693")  # Fig. 78, verbatim
SPB_BRANCH = Contact("branch", "Центральное отделение", "(812) 336-69-69",
                     address="195009, Санкт-Петербург, ул. Михайлова, дом 11")  # Fig. 103
LLC = "Общество с ограниченной ответственностью"


def _meter(number: str, model: str = "Меркурий 230 ART-03", scales: tuple[Scale, ...] = ROUND_THE_CLOCK,
           digits: tuple[int, int] = (6, 2)) -> Meter:
    return Meter(number, model, AWAIT, digits[0], digits[1], scales, date(2019, 6, 14), date(2035, 6, 14))


def _point(number: str, name: str, coefficient: int, losses: str, *meters: Meter,
           voltage: str = "СН-2") -> MeteringPoint:
    return MeteringPoint(number, name, Decimal(coefficient), Decimal(losses), meters, voltage)


def _site(code: str, address: str, *points: MeteringPoint, name: str = "Производственный корпус") -> EnergyObject:
    return EnergyObject(code, name, address, AWAIT, points)


def _simple(number: str, names: tuple[str, str], inn: str, address: str, *emails: str,
            supplier: Party = NORTH_WEST_SUPPLIER, objects: int = 1, category: PriceCategory = PriceCategory.I,
            contacts: tuple[Contact, ...] = (SPB_BRANCH,)) -> Contract:
    """Return a contract of one to three small sites: names are (short, full)."""
    sites = tuple(
        _site(f"{number}{k:04d}", f"{address}, корп. {k}",
              _point("1", "ВРУ-0,4 кВ", 1, "0",
                     _meter(f"{number[-5:]}{k:03d}", scales=DAY_NIGHT if k % 2 else ROUND_THE_CLOCK), voltage="НН"),
              name=f"Объект № {k}")
        for k in range(1, objects + 1)
    )
    kpp = f"{inn[:4]}01001" if len(inn) == 10 else None  # noqa: PLR2004  (a person has no КПП)
    customer = Party(names[1], inn, kpp, legal_address=address, postal_address=address)
    return Contract(number, names[0], date(2018, 1, 1), category, customer, supplier, SBER_NW, emails, contacts, sites)


PARGOLOVO = "г. Санкт-Петербург, п. Парголово, Комендантский пр., д.140"
NISSAN_NAME = "Ниссан Мэнюфэкчуринг РУС"

NISSAN = Contract(  # Fig. 12, 14, 23: the manual's readings example
    "78010000002778", f'ООО "{NISSAN_NAME}"', date(2009, 6, 1), PriceCategory.III,
    Party(f'{LLC} "{NISSAN_NAME}"', organisation_inn("780200001"), "780201001", ogrn("105780000001"),
          f"194362, {PARGOLOVO} лит.А", f"194362, {PARGOLOVO} лит.А"),
    NORTH_WEST_SUPPLIER, SBER_NW, (DEMO_EMAIL, "energo@nissan-rus.example", "buh@nissan-rus.example"),
    (Contact("curator", "Бойкова Татьяна Геннадьевна", "+7 (812) 336-69-70", "boykova.tg@energosbyt-nw.example"),
     SPB_BRANCH),
    (
        _site("780100000027780001", f"{PARGOLOVO} лит.А,Б,В,Д,Е,Ж,З,К,И",
              _point("1", "РП-10 кВ яч.2", 12000, "5", _meter("20300109", "СЭТ-4ТМ.03М")),
              _point("2", "РТП 100. яч.2", 2000, "0", _meter("01284918", "СЭТ-4ТМ.03М")),
              _point("3", "РТП 100. яч.5", 2000, "0",
                     _meter("43984851", "ПСЧ-4ТМ.05МК",
                            (*ROUND_THE_CLOCK, Scale("Круглосуточный", Quantity.ACTIVE_EXPORT))),
                     _meter("01202434", "ПСЧ-4ТМ.05МК"))),
        _site("780100000027780002", f"{PARGOLOVO} лит.И",
              _point("1", "ТП-1522 РУ-0,4 кВ", 40, "2.5", _meter("01284977", digits=(7, 2)), voltage="НН"),
              name="Склад"),
    ),
    (Attachment("78010000002778-1", "Договор энергоснабжения № 78010000002778", "dogovor_78010000002778.pdf"),
     Attachment("78010000002778-2", "Дополнительное соглашение № 1", "ds_1_78010000002778.pdf")),
)

_MTSENSK = "Орловская обл, г Мценск, ул Ленина, д 1"
EFREMOV = Contract(  # Fig. 77–83: the individual entrepreneur of the supply-contract appeal
    "57030000004857", "ИП ЕФРЕМОВ АЛЕКСАНДР ВИКТОРОВИЧ", date(2024, 1, 1), PriceCategory.I,
    Party("Индивидуальный предприниматель ЕФРЕМОВ АЛЕКСАНДР ВИКТОРОВИЧ", "570300048570", None, "308574422800020",
          "г. Орел", _MTSENSK),
    OREL_SUPPLIER, ALFA, ("79117178512@ya.ru",),
    (Contact("curator", "Яга Васильевна М", "+79608250000", "79117178512@ya.ru"),),
    (_site("570300000048570001", _MTSENSK,
           MeteringPoint("1", "ИК-001", Decimal(1), Decimal(5),
                         (Meter("432453234", "ЭЭ6701", AWAIT, 6, 2, ROUND_THE_CLOCK, date(2023, 12, 1),
                                date(2039, 12, 1)),),
                         "НН", Decimal(150)),
           name="тсп-01"),),
)

MANUAL_CONTRACTS: tuple[Contract, ...] = (
    NISSAN,
    _simple("78010000000487", ('ООО "Т2 Мобайл"', f'{LLC} "Т2 Мобайл"'), organisation_inn("774300001"),  # Fig. 73
            "г. Санкт-Петербург, ул. Кожевенная, д. 27", DEMO_EMAIL, "energy@t2.example", objects=2,
            category=PriceCategory.II),
    # ROL-10: client1 holds 1–3 (Administrator, Power engineer, Accountant); client2 binds 4 (Руководитель).
    _simple("47100000100030",  # Fig. 110, 111
            ('АО "Семиозерское карьероуправление"', 'Акционерное общество "Семиозерское карьероуправление"'),
            organisation_inn("470400001"), "Ленинградская обл., Выборгский р-н, п. Семиозерье, ул. Карьерная, д. 1",
            CLIENT1, "office@semiozerie.example", objects=3, category=PriceCategory.IV),
    _simple("47100000306885", ('ООО "Туманный Альбион"', f'{LLC} "Туманный Альбион"'),  # Fig. 106
            organisation_inn("470300001"), "Ленинградская обл., г. Всеволожск, Октябрьский пр., д. 96", CLIENT1,
            objects=2),
    _simple("78020000998034", ("СазоновЮР", "Индивидуальный предприниматель Сазонов Юрий Романович"),  # Fig. 106
            person_inn("7810000000"), "г. Санкт-Петербург, ул. Савушкина, д. 12", CLIENT1, "sazonov.yr@mail.ru"),
    _simple("74010131001206",  # Fig. 97: «Вам добавлен договор № 74010131001206 … с ролью "Руководитель"»
            ('ООО "Южноуральский механический завод"', f'{LLC} "Южноуральский механический завод"'),
            organisation_inn("740400001"), "Челябинская обл., г. Златоуст, ул. Таганайская, д. 1", CLIENT2,
            "zakaz@yumz.example", supplier=MOSCOW_SUPPLIER, contacts=()),
    _simple("77640001813302", ('ООО "Садовое кольцо"', f'{LLC} "Садовое кольцо"'),  # Fig. 97
            organisation_inn("770500001"), "г. Москва, ул. Садовая-Черногрязская, д. 8", "info@sadkol.example",
            supplier=MOSCOW_SUPPLIER, contacts=()),
    _simple("78020000313870",  # Fig. 103: the branch and the curator
            ('ООО "НПП "Р-ИНДУСТРИЯ"', f'{LLC} "НАУЧНО-ПРОИЗВОДСТВЕННОЕ ПРЕДПРИЯТИЕ "Р-ИНДУСТРИЯ"'),
            organisation_inn("780200003"), "195009, Санкт-Петербург, ул. Михайлова, дом 11", "r-industry@mail.ru",
            contacts=(Contact("curator", "Бойкова Татьяна Геннадьевна"), SPB_BRANCH)),
    _simple("78020000043870", ("ЖИЛИЩНО-СТРОИТЕЛЬНЫЙ КООПЕРАТИВ № 145",) * 2,  # Fig. 106
            organisation_inn("780200004"), "г. Санкт-Петербург, пр. Культуры, д. 11", "zhsk145@mail.ru"),
    _simple("78020000058480", ('ООО "МагнитЭнерго"', f'{LLC} "МагнитЭнерго"'),  # Fig. 106
            organisation_inn("780200002"), "г. Санкт-Петербург, Выборгское ш., д. 15", "magnitenergo@mail.ru"),
    _simple("50120002000157", ('ООО "Сити Трейдинг"', f'{LLC} "Сити Трейдинг"'),  # Fig. 75, 76
            organisation_inn("501200001"), "Московская обл., г. Королёв, ул. Ленина, д. 4", "city-trading@mail.ru",
            supplier=MOSCOW_SUPPLIER),
    _simple("50120002005154", ('ООО "Умелец-2"', f'{LLC} "Умелец-2"'),  # the closed appeal after Fig. 76
            organisation_inn("501200002"), "Московская обл., г. Королёв, пр. Космонавтов, д. 20", "umelets2@mail.ru",
            supplier=MOSCOW_SUPPLIER),
    _simple("50071111000342",  # Fig. 76
            ('ООО "КОЛЛЕКЦИОННЫЕ ПОДАРКИ"', 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "КОЛЛЕКЦИОННЫЕ ПОДАРКИ"'),
            organisation_inn("500700001"), "Московская обл., г. Дмитров, ул. Профессиональная, д. 3", "gifts@mail.ru",
            supplier=MOSCOW_SUPPLIER),
    _simple("57010000102493",  # Fig. 31
            ('БУ ОО "Комплексный центр социального обслуживания населения Железнодорожного района г.Орла"',
             'Бюджетное учреждение Орловской области "Комплексный центр социального обслуживания населения '
             'Железнодорожного района г.Орла"'),
            "5751024935", "302004, г. Орёл, ул. 3-я Курская, д. 15", "kcson-zhd@orel.example",
            supplier=OREL_SUPPLIER, contacts=()),
    EFREMOV,
    _simple("78010000012700",  # Fig. 8 (the number is hidden there)
            ('ООО ФПГ "РОССТРО"', f'{LLC} Финансово-промышленная группа "РОССТРО"'), organisation_inn("780100001"),
            "г. Санкт-Петербург, Средний пр. В.О., д. 36", "rosstro@mail.ru", category=PriceCategory.III),
    _simple("78010000044211",  # Fig. 13 (the name is cut off there)
            ("Приход храма Коневской иконы Божией Матери",
             "Православная местная религиозная организация Приход храма Коневской иконы Божией Матери"),
            organisation_inn("780100002"), "г. Санкт-Петербург, ул. Коли Томчака, д. 16", "konevets-hram@mail.ru"),
)


# Billing's facts of the readings page (RDG-02, RDG-18), by contract number: (the month submitted, the facts).
READINGS_PERIOD = date(2023, 2, 1)  # Fig. 12 shows the previous reading «за январь 2023»
MANUAL_READINGS: dict[str, tuple[tuple[date, ScaleReading], ...]] = {
    "78010000002778": (
        # Fig. 12: коэф. 12000, потери 5 %, previous 012441,00 for January 2023; current 12442 gives
        # «Расход» 12600, and «Расход интерв.» 137130.48 a «Дельта» of −124530.48.
        (READINGS_PERIOD, ScaleReading("20300109", "Круглосуточный", Quantity.ACTIVE_IMPORT, Decimal("12441.00"),
                                       date(2023, 1, 1), Decimal("137130.48"))),
    ),
}
