"""The command of a parsed integral file: rows proven at once, refused as any command (RDG-05, RDG-11)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lkk_core.readings import SubmitReadings

NUMBER, PERIOD = "10000000000005", date(2023, 2, 1)
ROW = ("100000000000050001", "01284918", "Круглосуточный", "А+", Decimal("12441.50"))
FIELDS = ("energy_object", "meter_number", "zone", "quantity", "value")


def validated(rows: list[tuple[object, ...]]) -> SubmitReadings:
    return SubmitReadings.model_validate({"contract_number": NUMBER, "period": PERIOD,
                                          "readings": [dict(zip(FIELDS, row, strict=True)) for row in rows]})


def test_rdg05_a_files_command_is_the_command_the_model_validates() -> None:
    rows = [ROW, (*ROW[:4], Decimal(0)), (*ROW[:4], Decimal("1.25E+4")), ("Э" * 40, *ROW[1:])]
    built = SubmitReadings.of_file(NUMBER, PERIOD, rows)
    assert built == validated(rows)
    for mine, theirs in zip(built.readings, validated(rows).readings, strict=True):
        assert vars(mine) == vars(theirs)
        assert mine.model_fields_set == theirs.model_fields_set
        assert mine.model_dump() == theirs.model_dump()
        assert hash(mine) == hash(theirs)
        with pytest.raises(ValidationError):  # frozen, as a validated one
            mine.zone = "День"  # type: ignore[misc]


@pytest.mark.parametrize("row", [
    ("Э" * 41, *ROW[1:]), (ROW[0], "0128\x004918", *ROW[2:]), (ROW[0], " 01284918", *ROW[2:]),
    (ROW[0], "01284918\t", *ROW[2:]), (ROW[0], "", *ROW[2:]), (*ROW[:4], Decimal(-1)), (*ROW[:4], Decimal("NaN")),
    (*ROW[:3], 7, ROW[4]), (ROW[0], "0128\u00a04918", *ROW[2:]), (ROW[0], "01284918\u00a0", *ROW[2:]),
    (ROW[0], "0128\t4918", *ROW[2:]), (ROW[0], "0128\x7f4918", *ROW[2:]),
])
def test_rdg11_a_row_the_parser_proves_nothing_about_is_judged_as_the_model_judges_it(row: tuple[object, ...]) -> None:
    try:
        expected: object = validated([ROW, row])
    except ValidationError as ex:
        with pytest.raises(ValidationError) as raised:
            SubmitReadings.of_file(NUMBER, PERIOD, [ROW, row])  # type: ignore[list-item]
        assert raised.value.errors(include_context=False) == ex.errors(include_context=False)
    else:
        assert SubmitReadings.of_file(NUMBER, PERIOD, [ROW, row]) == expected  # type: ignore[list-item]


def test_rdg11_more_rows_than_a_command_holds_are_refused_as_the_model_refuses_them() -> None:
    rows = [ROW] * 10_001
    with pytest.raises(ValidationError) as model:
        validated(rows)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as of_file:
        SubmitReadings.of_file(NUMBER, PERIOD, rows)
    assert of_file.value.errors() == model.value.errors()


def test_con02_a_files_contract_number_is_validated_all_the_same() -> None:
    with pytest.raises(Exception, match="14 цифр"):
        SubmitReadings.of_file("12345", PERIOD, [ROW])
