"""The reference billing adapter over real dataset files: loading, lookups, every rule, windows, the generator."""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.billing import (
    DatasetBilling,
    DatasetInvalid,
    DatasetMissing,
    billing_from_env,
    dataset_json_schema,
    write_dataset,
)
from adapters.billing.dataset import SCHEMA_PATH, dataset_schema_text
from adapters.billing.generate import generate_contracts, write_generated
from adapters.billing.manual_examples import MANUAL_CONTRACTS
from adapters.billing.records import contract_record
from adapters.billing.requisites import is_valid_account, is_valid_inn
from adapters.cli import billing_cli
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.billing import PriceCategory, Quantity, ReadingWindow

MSK = ZoneInfo("Europe/Moscow")
HEADER = {"format": "lkk-billing-dataset", "version": 1}
NUMBER, OTHER = "78010000002778", "78010000000487"


def contract(number: str = NUMBER, *, codes: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Return a small valid contract record: one energy object, one point, one meter, one scale."""
    codes = codes or (f"{number}0001",)
    return {
        "number": number, "name": 'ООО "Пример"', "signed_on": "2021-03-01", "price_category": "III",
        "customer": {"name": 'Общество с ограниченной ответственностью "Пример"', "inn": "7802000015"},
        "supplier": {"name": 'АО "Энергосбыт"', "inn": "7841000010", "kpp": "784101001"},
        "bank": {"bank_name": "ПАО Сбербанк", "bik": "044525225", "correspondent_account": "30101810400000000225",
                 "settlement_account": "40702810900000012345"},
        "emails": ["client1@mail.ru"],
        "contacts": [{"kind": "curator", "name": "Петров П. П.", "email": "curator@energo.example"}],
        "energy_objects": [
            {"code": code, "name": "Склад", "address": "г. Санкт-Петербург, ул. Заводская, д. 1", "status": "Ожидание",
             "metering_points": [{"number": "1", "name": "РП-10 кВ яч.2", "coefficient": "12000", "losses_percent": "5",
                                  "meters": [{"number": "20300109", "model": "СЭТ-4ТМ.03М", "status": "Ожидание",
                                              "digits": 6, "fraction_digits": 2,
                                              "scales": [{"zone": "Круглосуточный", "quantity": "А+"}]}]}]}
            for code in codes
        ],
    }


def write_lines(path: Path, *contracts: dict[str, Any], header: dict[str, Any] | None = None) -> Path:
    lines = [json.dumps(header or HEADER, ensure_ascii=False)] + [json.dumps(c, ensure_ascii=False) for c in contracts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def first_meter(record: dict[str, Any]) -> dict[str, Any]:
    return record["energy_objects"][0]["metering_points"][0]["meters"][0]  # type: ignore[no-any-return]


def first_point(record: dict[str, Any]) -> dict[str, Any]:
    return record["energy_objects"][0]["metering_points"][0]  # type: ignore[no-any-return]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "billing.json", contract(), contract(OTHER))


class TestLookups:
    def test_a_contract_is_found_by_its_number(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            found = billing.find_contract(NUMBER)

        assert found is not None
        assert found.number == NUMBER
        assert found.price_category is PriceCategory.III
        assert found.energy_objects[0].metering_points[0].coefficient == Decimal(12000)
        assert found.energy_objects[0].metering_points[0].meters[0].scales[0].quantity is Quantity.ACTIVE_IMPORT
        assert found.bank is not None
        assert found.emails == ("client1@mail.ru",)

    def test_an_unknown_or_malformed_number_finds_nothing(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            assert billing.find_contract("99999999999999") is None
            assert billing.find_contract("7801") is None
            assert billing.reading_window("99999999999999", date(2022, 10, 1)) is None

    def test_the_dataset_says_how_much_it_holds(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            assert len(billing) == 2
            assert list(billing.numbers()) == [NUMBER, OTHER]
            assert (billing.counts.energy_objects, billing.counts.meters, billing.counts.scales) == (2, 2, 2)

    def test_optional_keys_may_be_left_out(self, tmp_path: Path) -> None:
        record = contract()
        del record["bank"], record["contacts"]
        with DatasetBilling(write_lines(tmp_path / "b.jsonl", record)) as billing:
            found = billing.find_contract(NUMBER)

        assert found is not None
        assert (found.bank, found.contacts, found.attachments) == (None, (), ())

    def test_a_json_document_reads_like_json_lines(self, tmp_path: Path, dataset: Path) -> None:
        document = tmp_path / "document.json"
        document.write_text(json.dumps({**HEADER, "contracts": [contract(), contract(OTHER)]}, indent=2), "utf-8")

        with DatasetBilling(document) as from_document, DatasetBilling(dataset) as from_lines:
            assert from_document.find_contract(OTHER) == from_lines.find_contract(OTHER)
            assert len(from_document) == 2

    def test_lookups_from_many_threads_agree(self, tmp_path: Path) -> None:
        path = write_generated(tmp_path / "b.jsonl", 60)
        expected = {c.number: c for c in generate_contracts(60)}

        with DatasetBilling(path) as billing, ThreadPoolExecutor(8) as pool:
            found = list(pool.map(billing.find_contract, list(expected) * 5))

        assert found == list(expected.values()) * 5


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    record = copy.deepcopy(contract())
    change(record)
    return record


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Return a change that sets the dotted ``path`` (list indexes as numbers) of a record."""
    def change(record: dict[str, Any]) -> None:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        target: Any = record
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value

    return change


DELETE = object()
EO = "energy_objects.0"
POINT = f"{EO}.metering_points.0"
METER = f"{POINT}.meters.0"
LATIN_DUPLICATE = [{"zone": "День", "quantity": "А+"}, {"zone": "Ночь", "quantity": "А+"},
                   {"zone": "День", "quantity": "A+"}]

RULES = [  # (what breaks, change, the field named, words of the message)
    ("short number", _set("number", "7801000000277"), "contracts[0].number", "must be 14 digits"),
    ("non-ASCII digit", _set("number", "7801000000277٣"), "contracts[0].number", "must be 14 digits"),
    ("number as a JSON number", _set("number", 78010000002778), "contracts[0].number", "valid string"),
    ("short code", _set(f"{EO}.code", "78010000002778001"), "contracts[0].energy_objects[0].code", "must be 18 digits"),
    ("bad e-mail", _set("emails", ["client1@mail.ru", "client1.mail.ru"]), "contracts[0].emails[1]", "e-mail"),
    ("e-mail without a dot", _set("emails", ["client1@localhost"]), "contracts[0].emails[0]", "e-mail"),
    ("bad contact e-mail", _set("contacts.0.email", "кто-то@"), "contracts[0].contacts[0].email", "e-mail"),
    ("zero coefficient", _set(f"{POINT}.coefficient", "0"),
     "contracts[0].energy_objects[0].metering_points[0].coefficient", "greater than 0"),
    ("negative coefficient", _set(f"{POINT}.coefficient", -2),
     "contracts[0].energy_objects[0].metering_points[0].coefficient", "greater than 0"),
    ("losses of 100 %", _set(f"{POINT}.losses_percent", "100"),
     "contracts[0].energy_objects[0].metering_points[0].losses_percent", "less than 100"),
    ("negative losses", _set(f"{POINT}.losses_percent", "-0.5"),
     "contracts[0].energy_objects[0].metering_points[0].losses_percent", "greater than or equal to 0"),
    ("losses not a number", _set(f"{POINT}.losses_percent", "пять"),
     "contracts[0].energy_objects[0].metering_points[0].losses_percent", "decimal"),
    ("no digits", _set(f"{METER}.digits", 0), "contracts[0].energy_objects[0].metering_points[0].meters[0].digits",
     "greater than or equal to 1"),
    ("13 digits", _set(f"{METER}.digits", 13), "contracts[0].energy_objects[0].metering_points[0].meters[0].digits",
     "less than or equal to 12"),
    ("digits as text", _set(f"{METER}.digits", "6"),
     "contracts[0].energy_objects[0].metering_points[0].meters[0].digits", "valid integer"),
    ("7 fraction digits", _set(f"{METER}.fraction_digits", 7),
     "contracts[0].energy_objects[0].metering_points[0].meters[0].fraction_digits", "less than or equal to 6"),
    ("negative fraction digits", _set(f"{METER}.fraction_digits", -1),
     "contracts[0].energy_objects[0].metering_points[0].meters[0].fraction_digits", "greater than or equal to 0"),
    ("no scale", _set(f"{METER}.scales", []), "contracts[0].energy_objects[0].metering_points[0].meters[0].scales",
     "at least one scale"),
    ("a scale twice", _set(f"{METER}.scales", LATIN_DUPLICATE),
     "contracts[0].energy_objects[0].metering_points[0].meters[0].scales", "scales[2] repeats scales[0] (День × А+)"),
    ("unknown quantity", _set(f"{METER}.scales.0.quantity", "B+"),
     "contracts[0].energy_objects[0].metering_points[0].meters[0].scales[0].quantity", "«А+», «А-», «R+», «R-»"),
    ("price category VII", _set("price_category", "VII"), "contracts[0].price_category", "I, II, III, IV, V, VI"),
    ("price category as a number", _set("price_category", 3), "contracts[0].price_category", "I, II, III, IV, V, VI"),
    ("short ИНН", _set("customer.inn", "78020000"), "contracts[0].customer.inn", "must be 10 or 12 digits"),
    ("bad КПП", _set("supplier.kpp", "78410100"), "contracts[0].supplier.kpp", "9 characters"),
    ("short БИК", _set("bank.bik", "04452522"), "contracts[0].bank.bik", "must be 9 digits"),
    ("unknown contact kind", _set("contacts.0.kind", "boss"), "contracts[0].contacts[0].kind", "'curator' or 'branch'"),
    ("empty status", _set(f"{EO}.status", ""), "contracts[0].energy_objects[0].status", "at least 1 character"),
    ("bad date", _set("signed_on", "01.03.2021"), "contracts[0].signed_on", "date"),
    ("a typo in a key", _set("emials", ["a@b.ru"]), "contracts[0].emials", "Extra inputs are not permitted"),
    ("a missing key", _set("energy_objects", DELETE), "contracts[0].energy_objects", "Field required"),
]


class TestEveryRuleNamesTheField:
    @pytest.mark.parametrize(("change", "field", "words"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
    def test_rule(self, tmp_path: Path, change: Callable[[dict[str, Any]], None], field: str, words: str) -> None:
        path = write_lines(tmp_path / "b.jsonl", mutated(change))

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == field
        assert words in caught.value.problems[0].message
        assert f"{field}: " in str(caught.value)
        assert "(line 2)" in str(caught.value)

    def test_a_number_twice_names_both(self, tmp_path: Path) -> None:
        path = write_lines(tmp_path / "b.jsonl", contract(), contract(codes=(f"{OTHER}0001",)))

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert str(caught.value.problems[0]) == f"contracts[1].number: repeats contracts[0].number {NUMBER} (line 3)"

    def test_an_energy_object_code_twice_in_the_dataset_names_both(self, tmp_path: Path) -> None:
        path = write_lines(tmp_path / "b.jsonl", contract(), contract(OTHER, codes=(f"{OTHER}0001", f"{NUMBER}0001")))

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == "contracts[1].energy_objects[1].code"
        assert f"repeats contracts[0].energy_objects[0].code {NUMBER}0001" in caught.value.problems[0].message

    def test_every_problem_is_reported_not_just_the_first(self, tmp_path: Path) -> None:
        bad = [mutated(_set("number", "1")), contract(OTHER), mutated(_set("emails", ["x"]))]
        path = write_lines(tmp_path / "b.jsonl", *bad)

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert [p.field for p in caught.value.problems] == ["contracts[0].number", "contracts[2].emails[0]"]
        assert "(and 1 more problems)" in str(caught.value)

    def test_a_line_that_is_not_json_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "b.jsonl"
        path.write_text(json.dumps(HEADER) + "\n" + json.dumps(contract()) + "\n{\"number\": \n", encoding="utf-8")

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == "contracts[1]"
        assert "Invalid JSON" in caught.value.problems[0].message

    def test_a_file_without_the_header_line_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "b.jsonl"
        path.write_text(json.dumps(contract()) + "\n", encoding="utf-8")

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == "format"
        assert "lkk-billing-dataset" in str(caught.value)

    @pytest.mark.parametrize("text", ["", "not json", "[1, 2]"])
    def test_a_file_that_is_no_dataset_is_refused(self, tmp_path: Path, text: str) -> None:
        path = tmp_path / "b.json"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == "(file)"

    def test_a_document_names_fields_the_same_way(self, tmp_path: Path) -> None:
        path = tmp_path / "b.json"
        bad = mutated(_set(f"{EO}.code", "123"))
        path.write_text(json.dumps({**HEADER, "contracts": [contract(OTHER), bad]}, indent=2), encoding="utf-8")

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert str(caught.value.problems[0]) == "contracts[1].energy_objects[0].code: must be 18 digits"

    @pytest.mark.parametrize(("header", "field"), [
        ({"format": "something-else", "version": 1}, "format"),
        ({"format": "lkk-billing-dataset", "version": 2}, "version"),
        ({**HEADER, "reading_windows": [{"period": "2022-13", "opens_at": "2022-10-01T00:00:00+03:00",
                                          "closes_at": "2022-11-22T00:00:00+03:00"}]}, "reading_windows[0].period"),
        ({**HEADER, "reading_windows": [{"period": "2022-10", "opens_at": "2022-10-01T00:00:00",
                                          "closes_at": "2022-11-22T00:00:00+03:00"}]}, "reading_windows[0].opens_at"),
        ({**HEADER, "reading_windows": [{"period": "2022-10", "opens_at": "2022-10-01T00:00:00+03:00",
                                          "closes_at": "2022-10-01T00:00:00+03:00"}]}, "reading_windows[0].closes_at"),
    ], ids=["format", "version", "month", "naive", "empty window"])
    def test_the_header_is_checked_too(self, tmp_path: Path, header: dict[str, Any], field: str) -> None:
        path = write_lines(tmp_path / "b.jsonl", contract(), header=header)

        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert caught.value.field == field
        assert "(line 1)" in str(caught.value)


class TestValuesAreReadAsWritten:
    def test_a_latin_a_is_read_as_the_cyrillic_quantity(self, tmp_path: Path) -> None:
        scales = [{"zone": "День", "quantity": "A+"}, {"zone": "Ночь", "quantity": "A-"},
                  {"zone": "Ночь", "quantity": "А+"}]
        record = mutated(_set(f"{METER}.scales", scales))
        with DatasetBilling(write_lines(tmp_path / "b.jsonl", record)) as billing:
            found = billing.find_contract(NUMBER)

        assert found is not None
        quantities = [s.quantity for s in found.energy_objects[0].metering_points[0].meters[0].scales]
        assert quantities == [Quantity.ACTIVE_IMPORT, Quantity.ACTIVE_EXPORT, Quantity.ACTIVE_IMPORT]
        assert quantities[0] == "А+"  # Cyrillic А (U+0410)

    def test_a_latin_a_in_a_document_is_read_as_the_cyrillic_quantity(self, tmp_path: Path) -> None:
        record = mutated(_set(f"{METER}.scales", [{"zone": "День", "quantity": "A+"}]))
        path = tmp_path / "b.json"
        path.write_text(json.dumps({**HEADER, "contracts": [record]}), encoding="utf-8")

        with DatasetBilling(path) as billing:
            found = billing.find_contract(NUMBER)

        assert found is not None
        assert found.energy_objects[0].metering_points[0].meters[0].scales[0].quantity is Quantity.ACTIVE_IMPORT

    def test_a_line_with_a_latin_a_still_names_its_bad_field(self, tmp_path: Path) -> None:
        record = mutated(_set(f"{METER}.scales", [{"zone": "День", "quantity": "A+"}]))
        record["customer"]["inn"] = "123"
        first_point(record)["coefficient"] = Decimal("0.5")

        path = tmp_path / "b.jsonl"
        path.write_text(json.dumps(HEADER) + "\n" + _dumps_with_numbers(record) + "\n", encoding="utf-8")
        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(path)

        assert [str(p) for p in caught.value.problems] == ["contracts[0].customer.inn: must be 10 or 12 digits (line 2)"]

    def test_decimals_are_exact_whether_numbers_or_strings(self, tmp_path: Path) -> None:
        record = contract()
        point = first_point(record)
        point["coefficient"], point["losses_percent"], point["max_power_kw"] = "12000", "1.10", 150
        other = contract(OTHER)
        first_point(other)["coefficient"] = Decimal("0.1000000000000000055511151231257827")  # a JSON number
        first_point(other)["losses_percent"] = Decimal("4.50")
        path = tmp_path / "b.jsonl"
        path.write_text("\n".join([json.dumps(HEADER), json.dumps(record), _dumps_with_numbers(other)]) + "\n", "utf-8")

        with DatasetBilling(path) as billing:
            mine, theirs = billing.find_contract(NUMBER), billing.find_contract(OTHER)

        assert mine is not None and theirs is not None
        point_of = mine.energy_objects[0].metering_points[0]
        assert (str(point_of.coefficient), str(point_of.losses_percent)) == ("12000", "1.10")
        assert point_of.max_power_kw == 150
        exact = theirs.energy_objects[0].metering_points[0]
        assert str(exact.coefficient) == "0.1000000000000000055511151231257827"
        assert str(exact.losses_percent) == "4.50"

    def test_a_document_reads_numbers_exactly_too(self, tmp_path: Path) -> None:
        record = contract()
        first_point(record)["coefficient"] = Decimal("12000.000000000000000001")
        path = tmp_path / "b.json"
        path.write_text(_dumps_with_numbers({**HEADER, "contracts": [record]}), encoding="utf-8")

        with DatasetBilling(path) as billing:
            found = billing.find_contract(NUMBER)

        assert found is not None
        assert found.energy_objects[0].metering_points[0].coefficient == Decimal("12000.000000000000000001")


def _dumps_with_numbers(value: Any) -> str:
    """JSON with Decimals written as bare numbers, the way a hand-written file has them."""
    class Encoder(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            return f"@@{o}@@" if isinstance(o, Decimal) else super().default(o)

    return json.dumps(value, cls=Encoder, ensure_ascii=False).replace('"@@', "").replace('@@"', "")


class TestReadingWindows:
    def test_the_default_window_is_the_manuals_october_2022_example(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            window = billing.reading_window(NUMBER, date(2022, 10, 1))

        # Fig. 13: «… за октябрь 2022 года доступна с 1 октября 2022 года по 21 ноября 2022 года».
        assert window is not None
        assert (window.period, window.opens_at, window.closes_at) == (
            date(2022, 10, 1), datetime(2022, 10, 1, tzinfo=MSK), datetime(2022, 11, 22, tzinfo=MSK))
        assert window.opens_at == datetime(2022, 9, 30, 21, 0, tzinfo=UTC)
        assert window.closes_at == datetime(2022, 11, 21, 21, 0, tzinfo=UTC)
        assert window.opens_at.utcoffset() is not None
        assert not window.is_open(datetime(2022, 9, 30, 23, 59, 59, tzinfo=MSK))
        assert window.is_open(datetime(2022, 10, 1, 0, 0, tzinfo=MSK))
        assert window.is_open(datetime(2022, 11, 21, 23, 59, 59, tzinfo=MSK))
        assert not window.is_open(datetime(2022, 11, 22, 0, 0, tzinfo=MSK))

    def test_any_day_of_the_month_means_the_month(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            mid_month = billing.reading_window(NUMBER, date(2022, 10, 17))
            assert mid_month == billing.reading_window(NUMBER, date(2022, 10, 1))

    def test_december_closes_in_january_of_the_next_year(self, dataset: Path) -> None:
        with DatasetBilling(dataset) as billing:
            window = billing.reading_window(NUMBER, date(2022, 12, 1))

        assert window is not None
        assert window.closes_at == datetime(2023, 1, 22, tzinfo=MSK)

    def test_the_time_zone_comes_from_lkk_timezone(self, dataset: Path) -> None:
        billing = billing_from_env({"LKK_BILLING_DATASET": str(dataset), "LKK_TIMEZONE": "Asia/Yekaterinburg"})
        with billing:
            window = billing.reading_window(NUMBER, date(2022, 10, 1))

        assert window is not None
        assert window.opens_at == datetime(2022, 9, 30, 19, 0, tzinfo=UTC)

    def test_explicit_windows_win_the_contracts_over_the_datasets(self, tmp_path: Path) -> None:
        everyone = {"period": "2022-10", "opens_at": "2022-10-03T09:00:00+03:00",
                    "closes_at": "2022-11-15T18:00:00+03:00"}
        own = {"period": "2022-10", "opens_at": "2022-10-05T00:00:00+03:00", "closes_at": "2022-11-10T00:00:00+03:00"}
        path = write_lines(tmp_path / "b.jsonl", {**contract(), "reading_windows": [own]}, contract(OTHER),
                           header={**HEADER, "reading_windows": [everyone]})

        with DatasetBilling(path) as billing:
            mine = billing.reading_window(NUMBER, date(2022, 10, 1))
            theirs = billing.reading_window(OTHER, date(2022, 10, 9))
            november = billing.reading_window(OTHER, date(2022, 11, 1))

        assert mine == ReadingWindow(date(2022, 10, 1), datetime(2022, 10, 5, tzinfo=MSK),
                                     datetime(2022, 11, 10, tzinfo=MSK))
        assert theirs is not None
        assert theirs.opens_at == datetime(2022, 10, 3, 9, tzinfo=MSK)
        assert theirs.closes_at == datetime(2022, 11, 15, 18, tzinfo=MSK)
        assert november is not None
        assert november.opens_at == datetime(2022, 11, 1, tzinfo=MSK)  # no explicit one: the rule

    def test_written_windows_are_read_back(self, tmp_path: Path) -> None:
        window = ReadingWindow(date(2023, 1, 1), datetime(2023, 1, 9, tzinfo=MSK), datetime(2023, 2, 20, tzinfo=MSK))
        path = write_dataset(tmp_path / "b.jsonl", generate_contracts(3), reading_windows=[window])

        with DatasetBilling(path) as billing:
            assert billing.reading_window(NUMBER, date(2023, 1, 1)) == window


class TestMeterReadings:
    def test_rdg02_the_generated_dataset_holds_fig12s_previous_reading(self, tmp_path: Path) -> None:
        path = write_generated(tmp_path / "b.jsonl", 20)

        with DatasetBilling(path) as billing:
            facts = {r.key: r for r in billing.meter_readings(NUMBER, date(2023, 2, 15))}
            later = billing.meter_readings(NUMBER, date(2023, 3, 1))

        fig12 = facts[("20300109", "Круглосуточный", "А+")]
        assert (fig12.previous, fig12.previous_period) == (Decimal("12441.00"), date(2023, 1, 1))
        assert fig12.interval_consumption == Decimal("137130.48") and not fig12.rolled_over
        contract = MANUAL_CONTRACTS[0]
        scales = {(m.number, s.zone, s.quantity.value) for eo in contract.energy_objects
                  for p in eo.metering_points for m in p.meters for s in m.scales}
        assert set(facts) == scales  # every scale of the contract has its previous reading
        assert later == ()

    def test_rdg02_readings_in_a_record_are_validated_and_read_exactly(self, tmp_path: Path) -> None:
        record = contract()
        meter = first_meter(record)
        record["meter_readings"] = [{"period": "2023-02", "meter_number": meter["number"], "zone": "Круглосуточный",
                                     "quantity": "A+", "previous": 0.1, "previous_period": "2023-01",
                                     "rolled_over": True}]
        path = write_lines(tmp_path / "b.jsonl", record)

        with DatasetBilling(path) as billing:
            [fact] = billing.meter_readings(NUMBER, date(2023, 2, 1))
            assert billing.find_contract(NUMBER) is not None

        assert fact.previous == Decimal("0.1") and fact.quantity is Quantity.ACTIVE_IMPORT and fact.rolled_over

    def test_a_malformed_reading_names_its_field(self, tmp_path: Path) -> None:
        record = contract()
        record["meter_readings"] = [{"period": "2023-13", "meter_number": "1", "zone": "День", "quantity": "А+"}]
        with pytest.raises(DatasetInvalid) as caught:
            DatasetBilling(write_lines(tmp_path / "b.jsonl", record))
        assert caught.value.problems[0].field == "contracts[0].meter_readings[0].period"


class TestSelectionFromTheEnvironment:
    def test_lkk_billing_dataset_names_the_file(self, dataset: Path) -> None:
        with billing_from_env({"LKK_BILLING_DATASET": str(dataset)}) as billing:
            assert billing.path == dataset

    def test_the_default_is_billing_json_under_lkk_var_dir(self, dataset: Path, tmp_path: Path) -> None:
        with billing_from_env({"LKK_VAR_DIR": str(tmp_path)}) as billing:
            assert billing.path == tmp_path / "billing.json"

    def test_a_missing_file_names_the_variable(self, tmp_path: Path) -> None:
        with pytest.raises(DatasetMissing, match=r"LKK_BILLING_DATASET=.*nope\.json: no such file"):
            billing_from_env({"LKK_BILLING_DATASET": str(tmp_path / "nope.json")})
        with pytest.raises(DatasetMissing, match="LKK_BILLING_DATASET is not set and its default .*billing.json"):
            billing_from_env({"LKK_VAR_DIR": str(tmp_path / "empty")})

    def test_an_invalid_file_names_the_field(self, tmp_path: Path) -> None:
        path = write_lines(tmp_path / "billing.json", mutated(_set(f"{EO}.code", "1")))

        with pytest.raises(DatasetInvalid, match=r"contracts\[0\]\.energy_objects\[0\]\.code: must be 18 digits"):
            billing_from_env({"LKK_VAR_DIR": str(tmp_path)})

    def test_an_unknown_time_zone_names_lkk_timezone(self, dataset: Path) -> None:
        with pytest.raises(ConfigurationError, match="LKK_TIMEZONE"):
            billing_from_env({"LKK_BILLING_DATASET": str(dataset), "LKK_TIMEZONE": "Europe/Atlantis"})


class TestSchema:
    def test_the_schema_file_is_current(self) -> None:
        assert SCHEMA_PATH.read_text(encoding="utf-8") == dataset_schema_text(), (
            "run `lkk billing schema --out adapters/billing/dataset.schema.json`")

    def test_the_schema_carries_the_rules(self) -> None:
        defs = dataset_json_schema()["$defs"]

        assert defs["ContractLine"]["properties"]["number"]["pattern"] == "^(?:[0-9]{14})$"
        assert defs["EnergyObject"]["properties"]["code"]["pattern"] == "^(?:[0-9]{18})$"
        assert defs["Meter"]["properties"]["scales"]["minItems"] == 1
        assert defs["MeteringPoint"]["properties"]["losses_percent"]["anyOf"][0]["exclusiveMaximum"] == 100
        assert defs["MeteringPoint"]["properties"]["coefficient"]["anyOf"][0]["exclusiveMinimum"] == 0
        assert defs["Scale"]["properties"]["quantity"] == {"$ref": "#/$defs/Quantity"}
        assert set(defs["Quantity"]["enum"]) == {"А+", "А-", "R+", "R-", "A+", "A-"}
        assert defs["Party"]["properties"]["inn"]["pattern"] == "^(?:[0-9]{10}|[0-9]{12})$"
        assert defs["ContractLine"]["required"] == ["number", "name", "signed_on", "price_category", "customer",
                                                   "supplier", "emails", "energy_objects"]
        assert all(d["additionalProperties"] is False for name, d in defs.items() if d["type"] == "object")


class TestGenerator:
    def test_the_same_seed_writes_the_same_bytes(self, tmp_path: Path) -> None:
        first = write_generated(tmp_path / "a.jsonl", 40, seed=7)
        second = write_generated(tmp_path / "b.jsonl", 40, seed=7)
        other = write_generated(tmp_path / "c.jsonl", 40, seed=8)

        assert first.read_bytes() == second.read_bytes()
        assert first.read_bytes() != other.read_bytes()

    def test_a_smaller_dataset_is_a_prefix_of_a_larger_one(self, tmp_path: Path) -> None:
        small, large = write_generated(tmp_path / "a.jsonl", 20), write_generated(tmp_path / "b.jsonl", 45)

        assert large.read_bytes().startswith(small.read_bytes())

    def test_a_generated_dataset_validates(self, tmp_path: Path) -> None:
        with DatasetBilling(write_generated(tmp_path / "b.jsonl", 300, seed=3)) as billing:
            assert len(billing) == 300
            assert billing.counts.energy_objects >= 300

    def test_the_manuals_examples_come_first(self) -> None:
        contracts = list(generate_contracts(len(MANUAL_CONTRACTS) + 3, seed=99))
        nissan = contracts[0]
        eo = nissan.energy_object("780100000027780001")
        assert eo is not None
        point = eo.metering_points[0]
        assert (point.name, point.coefficient, point.losses_percent) == ("РП-10 кВ яч.2", 12000, 5)
        assert (point.meters[0].number, point.meters[0].digits, point.meters[0].fraction_digits) == ("20300109", 6, 2)
        meters = {m.number for p in eo.metering_points for m in p.meters}
        assert {"20300109", "01284918", "43984851", "01202434"} <= meters
        assert "780100000027780002" in nissan.energy_object_codes
        numbers = [c.number for c in contracts]
        assert {"78010000000487", "57030000004857", "47100000306885", "50120002000157"} <= set(numbers)
        efremov = next(c for c in contracts if c.number == "57030000004857")
        assert efremov.customer.inn == "570300048570"
        assert efremov.energy_objects[0].metering_points[0].meters[0].number == "432453234"

    def test_the_demo_and_the_rol_10_accounts_have_their_contracts(self) -> None:
        contracts = list(generate_contracts(200))

        assert [c.number for c in contracts if "demo@lkk.example" in c.emails] == [NUMBER, OTHER]
        client1 = [c for c in contracts if "client1@mail.ru" in c.emails]
        client2 = [c for c in contracts if "client2@mail.ru" in c.emails]
        assert [c.number for c in client1] == ["47100000100030", "47100000306885", "78020000998034"]
        assert [c.number for c in client2] == ["74010131001206"]
        assert len(client1[0].energy_objects) >= 2  # AS-61 grants a role on one energy object of several

    def test_drawn_contracts_are_realistic(self) -> None:
        drawn = list(generate_contracts(400, seed=5))[len(MANUAL_CONTRACTS):]

        assert {c.price_category for c in drawn} == set(PriceCategory)
        assert all(1 <= len(c.energy_objects) <= 4 for c in drawn)  # noqa: PLR2004
        points = [p for c in drawn for eo in c.energy_objects for p in eo.metering_points]
        assert {len(eo.metering_points) for c in drawn for eo in c.energy_objects} == {1, 2, 3}
        assert {len(p.meters) for p in points} == {1, 2}
        meters = [m for p in points for m in p.meters]
        zones = {tuple(dict.fromkeys(s.zone for s in m.scales)) for m in meters}
        assert zones == {("Круглосуточный",), ("День", "Ночь"), ("Пик", "Полупик", "Ночь")}
        assert {s.quantity for m in meters for s in m.scales} == set(Quantity)
        statuses = [m.status for m in meters]
        assert statuses.count("Ожидание") > len(statuses) * 0.7
        assert {"Показания переданы", "Недоступно"} <= set(statuses)
        assert all(1 <= len(c.emails) <= 3 for c in drawn)  # noqa: PLR2004
        assert all({x.kind for x in c.contacts} == {"curator", "branch"} for c in drawn)
        assert 0 < sum(bool(c.attachments) for c in drawn) < len(drawn)

    def test_invented_requisites_carry_valid_check_digits(self) -> None:
        contracts = list(generate_contracts(300, seed=11))

        assert all(is_valid_inn(c.customer.inn) and is_valid_inn(c.supplier.inn) for c in contracts)
        drawn = contracts[len(MANUAL_CONTRACTS):]
        assert all(c.bank and is_valid_account(c.bank.bik, c.bank.settlement_account) for c in drawn)
        assert all(c.bank and is_valid_account(c.bank.bik, c.bank.correspondent_account, correspondent=True)
                   for c in drawn)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(0, 30), seed=st.integers(0, 2**63))
def test_any_generated_dataset_validates_and_round_trips(size: int, seed: int) -> None:
    contracts = list(generate_contracts(size, seed=seed))
    with tempfile.TemporaryDirectory() as folder:
        path = write_dataset(Path(folder) / "billing.json", contracts)
        with DatasetBilling(path) as billing:
            assert [billing.find_contract(c.number) for c in contracts] == contracts
            assert len(billing) == size

        document = Path(folder) / "document.json"
        document.write_text(json.dumps({**HEADER, "contracts": [contract_record(c) for c in contracts]}), "utf-8")
        with DatasetBilling(document) as billing:
            assert [billing.find_contract(c.number) for c in contracts] == contracts


class TestCommandLine:
    @staticmethod
    def lkk(*argv: str) -> int:
        top = argparse.ArgumentParser(prog="lkk")
        billing_cli.add_arguments(top.add_subparsers(dest="command", required=True))
        args = top.parse_args(argv)
        return int(args.run(args))

    def test_generate_then_check(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out = tmp_path / "billing.json"

        assert self.lkk("billing", "generate", "--contracts", "25", "--out", str(out), "--seed", "4") == 0
        assert self.lkk("billing", "check", str(out)) == 0

        printed = capsys.readouterr().out
        assert "wrote 25 contracts" in printed
        assert "valid: 25 contracts" in printed

    def test_check_names_the_bad_field_and_fails(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = write_lines(tmp_path / "b.jsonl", mutated(_set(f"{POINT}.losses_percent", "100")))

        assert self.lkk("billing", "check", str(path)) == 1

        assert "contracts[0].energy_objects[0].metering_points[0].losses_percent" in capsys.readouterr().err

    def test_check_reads_the_environment_without_a_path(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.delenv("LKK_BILLING_DATASET", raising=False)
        monkeypatch.setenv("LKK_VAR_DIR", str(tmp_path))

        assert self.lkk("billing", "check") == 1
        assert "LKK_BILLING_DATASET" in capsys.readouterr().err

        write_generated(tmp_path / "billing.json", 5)
        assert self.lkk("billing", "check") == 0

    def test_schema_prints_the_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert self.lkk("billing", "schema") == 0
        assert capsys.readouterr().out == dataset_schema_text()
