"""A filled template comes back unchanged: template → fill → upload → history → export (RDG-11, RDG-05, HIS-07).

Hypothesis fills the real template of the readings contract the way people
do (numbers, text with a point or a comma, some meters left empty), uploads
it through the services, lets billing accept the period, and reads the
values back from the readings history and from its .xlsx export.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from adapters.billing.readings_files import Limits
from adapters.billing.readings_files.history_xlsx import readings_history_xlsx
from adapters.billing.readings_files.uploads import integral_template_for, submit_integral_file
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingsHistoryFilter
from lkk_core.readings import accept_period, readings_history
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.conftest import base_env
from tests.contracts_support import Catalogue
from tests.readings_support import C5, FIG12, INSIDE, OTHER_EO_METER, PERIOD, REACTIVE, TWO_ZONES, administrator
from tests.support import Mailbox

# The meters the template offers (in «Ожидание»), with each scale's previous reading (tests/readings_support.py).
PREVIOUS = {
    FIG12: {("Круглосуточный", "А+"): Decimal("12441")},
    TWO_ZONES: {("День", "А+"): Decimal(100), ("Ночь", "А+"): Decimal(50)},
    REACTIVE: {("Круглосуточный", "А+"): Decimal(10), ("Круглосуточный", "R+"): None},  # R+ rolled over: any value
    OTHER_EO_METER: {("Круглосуточный", "А+"): Decimal(500)},
}
Scale = tuple[str, str, str]  # (meter, zone, quantity)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Actor]]:
    """One store for every example: each example's values replace the previous ones (RDG-09)."""
    path: Path = tmp_path_factory.mktemp("round_trip")
    env = {**base_env(path), "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path / "lkk.db")}
    clock = FixedClock()
    clock.set(INSIDE)
    services = bootstrap(env, clock=clock, billing=Catalogue())
    try:
        yield services, administrator(services, Mailbox(services))
    finally:
        services.views.close()
        services.app.close()


@st.composite
def filled(draw: st.DrawFn) -> dict[Scale, tuple[Decimal, str]]:
    """Values for some meters, every scale of a chosen meter (RDG-06), each with the way it is typed."""
    meters = draw(st.sets(st.sampled_from(sorted(PREVIOUS)), min_size=1))
    values = {}
    for meter in sorted(meters):
        for (zone, quantity), previous in PREVIOUS[meter].items():
            cents = draw(st.integers(min_value=int((previous or 0) * 100), max_value=99_999_999))
            value = Decimal(cents).scaleb(-2)
            values[(meter, zone, quantity)] = (value, draw(st.sampled_from(["number", "point", "comma"])))
    return values


def fill(template: bytes, values: dict[Scale, tuple[Decimal, str]]) -> bytes:
    """Type the values into «Текущие показания» (column I) of the template's rows."""
    workbook = load_workbook(BytesIO(template))
    sheet = workbook.active
    for row in range(2, sheet.max_row + 1):
        key = (sheet.cell(row, 4).value, sheet.cell(row, 7).value, sheet.cell(row, 6).value)
        if key in values:
            value, typed = values[key]
            text = format(value, "f")
            shown: Any = float(value) if typed == "number" else text.replace(".", ",") if typed == "comma" else text
            sheet.cell(row, 9, value=shown)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def history_values(page: dict[str, Any]) -> dict[Scale, Decimal]:
    return {
        (meter.number, reading.zone, reading.quantity): Decimal(str(reading.value))
        for contract in page.contracts for eo in contract.energy_objects for meter in eo.meters
        for reading in meter.readings if reading.period == PERIOD
    }


def export_values(data: bytes) -> dict[tuple[str, str], Decimal]:
    """(meter, «Тарифная зона») → «Значение» of the export's rows for the period."""
    sheet = load_workbook(BytesIO(data)).active
    headers = [cell.value for cell in sheet[1]]
    meter, value, zone = headers.index("Номер ПУ"), headers.index("Значение"), headers.index("Тарифная зона")
    return {(row[meter], row[zone]): Decimal(str(row[value])) for row in sheet.iter_rows(min_row=2, values_only=True)}


@given(values=filled())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rdg11_his07_a_filled_template_round_trips_to_history_and_export(
    portal: tuple[Services, Actor], values: dict[Scale, tuple[Decimal, str]],
) -> None:
    services, admin = portal
    template = integral_template_for(services, admin, C5, PERIOD)
    saved = submit_integral_file(services, admin, contract_number=C5, period=PERIOD, data=fill(template, values),
                                 filename="Показания.xlsx", limits=Limits())
    assert saved.message == "Показания сохранены"
    accept_period(services, StaffActor("billing"), C5, PERIOD, close=False)  # billing takes them for settlement
    services.views.wait_for(services.app.head())

    page = readings_history(services, admin, ReadingsHistoryFilter(contract_number=C5, period_from=PERIOD,
                                                                   period_to=PERIOD))
    shown = history_values(page)
    for scale, (value, _) in values.items():
        assert shown[scale] == value

    exported = export_values(readings_history_xlsx(page, generated_at=datetime(2023, 2, 10, tzinfo=INSIDE.tzinfo)))
    by_label = {(meter.number, r.tariff_zone): Decimal(str(r.value))
                for c in page.contracts for eo in c.energy_objects for meter in eo.meters
                for r in meter.readings}
    assert exported == by_label  # the export is exactly what is shown
