"""The readings history on each store: a rebuild from the log equals the live view; the dataset's rows (HIS-07)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from adapters.billing.dataset import DATASET_SOURCE, DatasetBilling, write_dataset
from lkk_core import readings
from lkk_core.kernel.billing import AcceptedReading, Quantity, ScaleReading
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingsHistoryFilter
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.services import Services, StaffActor
from tests.contracts_support import Catalogue
from tests.readings_support import (
    A_PLUS,
    C5,
    EO1,
    EO3,
    FIG12,
    INSIDE,
    OTHER_EO_METER,
    PERIOD,
    PREVIOUS_PERIOD,
    ROUND,
    TWO_ZONES,
    administrator,
    readings_contract,
    reading,
    submit,
)
from tests.support import Mailbox

STAFF = StaffActor("billing")
MONTHS = ReadingsHistoryFilter(period_from=PREVIOUS_PERIOD, period_to=PERIOD)


def rows(page: dict) -> list[tuple[str, str, date, Decimal, Decimal | None, str]]:
    return [(eo.code, m.number, r.period, r.value, r.consumption, r.source)
            for c in page.contracts for eo in c.energy_objects for m in eo.meters for r in m.readings]


def test_his07_a_rebuild_from_the_log_equals_the_live_history_and_decimals_stay_exact(
    store_env: dict[str, str], store_services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    services = store_services
    clock.set(INSIDE)
    admin = administrator(services, Mailbox(services))
    billing = services.billing
    assert isinstance(billing, Catalogue)
    billing.accepted[(C5, PREVIOUS_PERIOD)] = (
        AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal("12441.00"), None, "контрольное снятие"),
        AcceptedReading(EO3, OTHER_EO_METER, ROUND, "А+", Decimal("500"), Decimal("0.000001"), "АИИС КУЭ"),
    )
    readings.accept_period(services, STAFF, C5, PREVIOUS_PERIOD)
    readings.submit_readings(services, admin, submit(reading(FIG12, "12442,50"),
                                                     reading(OTHER_EO_METER, "600", energy_object=EO3)))
    readings.accept_period(services, STAFF, C5, PERIOD, close=False)
    billing.accepted[(C5, PERIOD)] = (
        AcceptedReading(EO3, OTHER_EO_METER, ROUND, "А+", Decimal("601.5"), None, "расчётный способ"),
    )
    readings.accept_period(services, STAFF, C5, PERIOD)  # again: replaces the month's rows

    expected = [
        (EO1, FIG12, PERIOD, Decimal("12442.50"), Decimal(18900), "передано через ЛКК"),
        (EO1, FIG12, PREVIOUS_PERIOD, Decimal("12441.00"), None, "контрольное снятие"),
        (EO3, OTHER_EO_METER, PERIOD, Decimal("601.5"), None, "расчётный способ"),
        (EO3, OTHER_EO_METER, PREVIOUS_PERIOD, Decimal(500), Decimal("0.000001"), "АИИС КУЭ"),
    ]
    live = readings.readings_history(services, admin, MONTHS)
    assert rows(live) == expected
    assert str(rows(live)[0][3]) == "12442.50"  # the value exactly as typed
    assert verify(services.app, ALL_PROJECTIONS, services.views, tmp_path / "verify") == []

    reopened = bootstrap(store_env, clock=clock, billing=Catalogue(contracts=dict(billing.contracts)))
    try:
        reopened.views.rebuild()
        assert rows(readings.readings_history(reopened, admin, MONTHS)) == expected
    finally:
        reopened.views.close()
        reopened.app.close()


def test_his07_the_reference_billing_lists_the_readings_it_settled_a_month_with(tmp_path: Path) -> None:
    """A later month's facts name the reading billing accepted for ``previous_period``: that is its row."""
    facts = (
        (PERIOD, ScaleReading(FIG12, ROUND, A_PLUS, Decimal("012441.00"), PREVIOUS_PERIOD)),
        (PERIOD, ScaleReading(TWO_ZONES, "День", A_PLUS, Decimal(100), PREVIOUS_PERIOD)),
        (PERIOD, ScaleReading(OTHER_EO_METER, ROUND, Quantity.ACTIVE_IMPORT, None, None)),  # nothing accepted
        (PERIOD, ScaleReading(TWO_ZONES, "Ночь", A_PLUS, Decimal(50), date(2022, 12, 1))),  # another month
    )
    path = write_dataset(tmp_path / "billing.jsonl", [readings_contract()], meter_readings=lambda c: facts)
    with DatasetBilling(path) as billing:
        assert billing.accepted_readings(C5, date(2023, 1, 17)) == (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal("12441.00"), None, DATASET_SOURCE),
            AcceptedReading(EO1, TWO_ZONES, "День", "А+", Decimal(100), None, DATASET_SOURCE),
        )
        assert billing.accepted_readings(C5, PERIOD) == ()
        assert billing.accepted_readings("10000000000099", PREVIOUS_PERIOD) == ()
