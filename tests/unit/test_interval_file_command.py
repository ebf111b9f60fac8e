"""The command of a parsed interval file: the grid checked cheaply, refused as any command (RDG-16)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from lkk_core.readings import UploadIntervalProfile

FIELDS: dict[str, Any] = {"contract_number": " 10000000000005 ", "energy_object": "100000000000050001 ",
                          "meter_number": "01284918", "period": date(2023, 2, 1), "kind": "Фактические",
                          "file_name": "Интервальные показания.xlsx"}


def grid(value: Decimal, days: int = 28) -> list[list[Decimal]]:
    return [[Decimal("0.125")] * (days - 1) + [value] for _ in range(24)]


@pytest.mark.parametrize("value", [Decimal("1.5"), Decimal(0), Decimal("123456789012345678901.25"), Decimal("1E+3")])
def test_rdg16_a_files_command_is_the_command_the_model_validates(value: Decimal) -> None:
    values = grid(value)
    assert UploadIntervalProfile.of_file(values, **FIELDS) == UploadIntervalProfile.model_validate(
        {**FIELDS, "values": values})


@pytest.mark.parametrize("values", [
    grid(Decimal("1E+30")), grid(Decimal("1234567890123456789012345")), grid(Decimal("0.0000000000000000000000001")),
    grid(Decimal("Infinity")), grid(Decimal("NaN")), grid(Decimal(1), days=32), [*grid(Decimal(1)), [Decimal(1)]],
])
def test_rdg16_a_files_grid_over_the_bounds_is_refused_as_the_model_refuses_it(values: list[list[Decimal]]) -> None:
    with pytest.raises(ValidationError) as model:
        UploadIntervalProfile.model_validate({**FIELDS, "values": values})
    with pytest.raises(ValidationError) as of_file:
        UploadIntervalProfile.of_file(values, **FIELDS)
    assert of_file.value.errors() == model.value.errors()


def test_rdg16_a_files_fields_are_validated_all_the_same() -> None:
    with pytest.raises(ValidationError) as raised:
        UploadIntervalProfile.of_file(grid(Decimal(1)), **{**FIELDS, "kind": "Факт\x00"})
    assert [e["loc"] for e in raised.value.errors()] == [("kind",)]
