"""The invariants of billing's values hold on the domain's dataclasses themselves, with no adapter (kernel/billing.py).

Pydantic builds the values from outside data (``TypeAdapter(Meter).validate_python(…)``);
each refusal names its field and its error type, and a valid value comes back equal to
the one a constructor builds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from lkk_core.kernel.billing import (
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    ReadingWindow,
    Scale,
    ScaleReading,
)
from lkk_core.kernel.billing_constraints import INEXACT

SCALE = {"zone": "День", "quantity": "А+"}
METER = {"number": "20300109", "model": "СЭТ-4ТМ.03М", "status": "Ожидание", "digits": 6, "fraction_digits": 2,
         "scales": [SCALE]}
POINT = {"number": "1", "name": "РП-10 кВ яч.2", "coefficient": "12000", "losses_percent": "5", "meters": [METER]}
CODE = "780100000027780001"
OBJECT = {"code": CODE, "name": "Склад", "address": "г. Санкт-Петербург", "status": "Ожидание",
          "metering_points": [POINT]}
PARTY = {"name": 'ООО "Пример"', "inn": "7802000015", "kpp": "784101001", "ogrn": "1027800000001"}
BANK = {"bank_name": "ПАО Сбербанк", "bik": "044525225", "correspondent_account": "30101810400000000225",
        "settlement_account": "40702810900000012345"}
CONTRACT = {"number": "78010000002778", "name": 'ООО "Пример"', "signed_on": "2021-03-01", "price_category": "III",
            "customer": PARTY, "supplier": PARTY, "bank": BANK, "emails": ["client1@mail.ru"], "contacts": [],
            "energy_objects": [OBJECT]}


def refusal(kind: type, value: Any) -> tuple[str, tuple[str | int, ...]]:
    """Return the type and the place of the one error pydantic finds building ``kind`` from ``value``."""
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    [error] = caught.value.errors()
    return error["type"], error["loc"]


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


def test_a_valid_contract_is_built_as_its_constructor_builds_it() -> None:
    built = TypeAdapter(Contract).validate_python(CONTRACT)

    scale = Scale("День", Quantity.ACTIVE_IMPORT)
    meter = Meter("20300109", "СЭТ-4ТМ.03М", "Ожидание", 6, 2, (scale,))
    point = MeteringPoint("1", "РП-10 кВ яч.2", Decimal(12000), Decimal(5), (meter,))
    party = Party('ООО "Пример"', "7802000015", "784101001", "1027800000001")
    assert built == Contract("78010000002778", 'ООО "Пример"', date(2021, 3, 1), PriceCategory.III, party, party,
                             BankDetails(**BANK), ("client1@mail.ru",), (),
                             (EnergyObject(CODE, "Склад", "г. Санкт-Петербург", "Ожидание", (point,)),))


@pytest.mark.parametrize("number", ["7801000000277", "780100000027780", "7801000000277٣", " 78010000002778"])
def test_con02_a_contract_number_is_14_ascii_digits(number: str) -> None:
    assert refusal(Contract, with_(CONTRACT, number=number)) == ("string_pattern_mismatch", ("number",))


@pytest.mark.parametrize("code", ["78010000002778001", "7801000000277800011", "78010000002778000A"])
def test_an_energy_object_code_is_18_digits(code: str) -> None:  # DOMAIN.md §0.3 identifiers, §4 vocabulary
    assert refusal(EnergyObject, with_(OBJECT, code=code)) == ("string_pattern_mismatch", ("code",))


@pytest.mark.parametrize(("kind", "value", "where"), [
    (Party, with_(PARTY, inn="78020000151"), ("inn",)),  # 11 digits: neither a company's 10 nor a person's 12
    (Party, with_(PARTY, kpp="78410100"), ("kpp",)),
    (Party, with_(PARTY, kpp="7841ab001"), ("kpp",)),
    (Party, with_(PARTY, ogrn="10278000000011"), ("ogrn",)),  # 14: neither ОГРН 13 nor ОГРНИП 15
    (BankDetails, with_(BANK, bik="04452522"), ("bik",)),
    (BankDetails, with_(BANK, correspondent_account="3010181040000000022"), ("correspondent_account",)),
    (BankDetails, with_(BANK, settlement_account="407028109000000123456"), ("settlement_account",)),
], ids=["ИНН 11", "КПП 8", "КПП lower case", "ОГРН 14", "БИК 8", "корр. счёт 19", "р/с 21"])
def test_apl16_requisites_have_their_lengths(kind: type, value: dict[str, Any], where: tuple[str]) -> None:
    assert refusal(kind, value) == ("string_pattern_mismatch", where)


def test_apl16_a_person_has_12_digits_of_inn_and_15_of_ogrnip() -> None:
    person = TypeAdapter(Party).validate_python(with_(PARTY, inn="570300048570", kpp=None, ogrn="304570309800012"))

    assert (person.inn, person.kpp, person.ogrn) == ("570300048570", None, "304570309800012")


@pytest.mark.parametrize("email", ["client1.mail.ru", "client1@localhost", "кто-то@", "a b@mail.ru"])
def test_con02_the_contracts_e_mails_look_like_e_mails(email: str) -> None:
    assert refusal(Contract, with_(CONTRACT, emails=["ok@mail.ru", email])) == ("string_pattern_mismatch",
                                                                               ("emails", 1))
    assert refusal(Contact, {"kind": "curator", "name": "Петров", "email": email}) == ("string_pattern_mismatch",
                                                                                       ("email",))


def test_a_contact_is_the_curator_or_the_branch() -> None:
    assert refusal(Contact, {"kind": "boss", "name": "Петров"}) == ("literal_error", ("kind",))


@pytest.mark.parametrize(("change", "where"), [
    ({"coefficient": "0"}, "coefficient"), ({"coefficient": -2}, "coefficient"),
    ({"losses_percent": "100"}, "losses_percent"), ({"losses_percent": "-0.5"}, "losses_percent"),
    ({"max_power_kw": "-1"}, "max_power_kw"),
])
def test_rdg02_the_coefficient_is_positive_and_losses_are_from_0_to_below_100(change: dict[str, Any],
                                                                              where: str) -> None:
    kind, loc = refusal(MeteringPoint, with_(POINT, **change))

    assert kind in ("greater_than", "greater_than_equal", "less_than")
    assert loc == (where,)


@pytest.mark.parametrize(("change", "kind"), [
    ({"digits": 0}, "greater_than_equal"), ({"digits": 13}, "less_than_equal"), ({"digits": "6"}, "int_type"),
    ({"fraction_digits": -1}, "greater_than_equal"), ({"fraction_digits": 7}, "less_than_equal"),
])
def test_rdg02_a_meter_has_1_to_12_digits_and_0_to_6_after_the_point(change: dict[str, Any], kind: str) -> None:
    assert refusal(Meter, with_(METER, **change)) == (kind, (next(iter(change)),))


def test_rdg02_a_meter_has_at_least_one_scale() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Meter).validate_python(with_(METER, scales=[]))

    [error] = caught.value.errors()
    assert (error["type"], error["loc"], error["msg"]) == ("scales", ("scales",), "a meter needs at least one scale")


def test_rdg02_a_meter_has_no_scale_twice() -> None:
    scales = [SCALE, {"zone": "Ночь", "quantity": "А+"}, {"zone": "День", "quantity": "А-"}, SCALE]

    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Meter).validate_python(with_(METER, scales=scales))

    [error] = caught.value.errors()
    assert error["loc"] == ("scales",)
    assert error["msg"] == "scales[3] repeats scales[0] (День × А+)"


def test_a_quantity_is_one_of_the_four() -> None:  # §4 vocabulary; a Latin "A+" is the dataset's to accept
    assert refusal(Scale, {"zone": "День", "quantity": "A+"}) == ("enum", ("quantity",))
    assert TypeAdapter(Scale).validate_python({"zone": "День", "quantity": "R-"}).quantity is Quantity.REACTIVE_EXPORT


@pytest.mark.parametrize(("kind", "value", "where"), [
    (MeteringPoint, with_(POINT, coefficient=0.1), ("coefficient",)),
    (MeteringPoint, with_(POINT, losses_percent=2.5), ("losses_percent",)),
    (ScaleReading, {"meter_number": "1", "zone": "День", "quantity": "А+", "previous": 12441.0}, ("previous",)),
    (ScaleReading, {"meter_number": "1", "zone": "День", "quantity": "А+", "interval_consumption": 1.5},
     ("interval_consumption",)),
])
def test_an_amount_is_never_built_from_a_float(kind: type, value: dict[str, Any], where: tuple[str]) -> None:
    assert refusal(kind, value) == (INEXACT, where)


def test_an_amount_keeps_every_digit_of_its_text() -> None:
    point = TypeAdapter(MeteringPoint).validate_json(
        '{"number": "1", "name": "ИК", "coefficient": "0.1000000000000000055511151231257827",'
        ' "losses_percent": 5, "meters": []}')

    assert str(point.coefficient) == "0.1000000000000000055511151231257827"
    assert point.losses_percent == Decimal(5)


def test_rdg04_a_window_closes_after_it_opens_and_has_a_time_zone() -> None:
    window = {"period": "2022-10-01", "opens_at": "2022-10-01T00:00:00+03:00", "closes_at": "2022-11-22T00:00:00+03:00"}

    assert TypeAdapter(ReadingWindow).validate_python(window) == ReadingWindow(
        date(2022, 10, 1), datetime(2022, 9, 30, 21, tzinfo=UTC), datetime(2022, 11, 21, 21, tzinfo=UTC))
    assert refusal(ReadingWindow, with_(window, closes_at=window["opens_at"])) == ("window", ("closes_at",))
    assert refusal(ReadingWindow, with_(window, opens_at="2022-10-01T00:00:00")) == ("timezone_aware", ("opens_at",))


@pytest.mark.parametrize(("kind", "value"), [
    (Contract, with_(CONTRACT, emials=["a@b.ru"])), (Meter, with_(METER, digit=6)), (Scale, with_(SCALE, kind="x")),
    (ReadingWindow, {"period": "2022-10-01", "opens_at": "2022-10-01T00:00:00+03:00",
                     "closes_at": "2022-11-22T00:00:00+03:00", "opens": "?"}),
])
def test_a_key_a_value_does_not_have_is_refused(kind: type, value: dict[str, Any]) -> None:
    assert refusal(kind, value)[0] == "unexpected_keyword_argument"
