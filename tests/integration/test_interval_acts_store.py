"""Interval acts on each store: exact values survive a reopen, the feed, and a rebuild of the view (RDG-17, RDG-18)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from adapters.billing.dataset import INTERVAL_READING_KINDS, DatasetBilling, write_dataset
from lkk_core import readings
from lkk_core.readings.interval_act import IntervalAct
from lkk_core.kernel.billing import SubmittedProfile
from lkk_core.kernel.billing_feed import BillingFeed
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingsFilter, UploadIntervalProfile
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.services import Services
from tests.contracts_support import Catalogue
from tests.readings_support import (
    C5,
    EO1,
    FIG12,
    INSIDE,
    PERIOD,
    TWO_ZONES,
    administrator,
    install_interval,
    interval_contract,
)
from tests.support import Mailbox

DAYS = 28  # February 2023


def profile(first: str) -> UploadIntervalProfile:
    values = [[Decimal(first) + Decimal(h) / 10 + Decimal(d) / 1000 for d in range(DAYS)] for h in range(24)]
    return UploadIntervalProfile(contract_number=C5, energy_object=EO1, meter_number=FIG12, period=PERIOD,
                                 kind="Фактические", values=values, file_name="Интервальные показания.xls")


def test_rdg17_acts_round_trip_exactly_after_a_reopen_and_reach_billing_once(
    store_env: dict[str, str], store_services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    services = store_services
    clock.set(INSIDE)
    admin = administrator(services, Mailbox(services))
    billing = install_interval(services)
    first = readings.upload_interval_profile(services, admin, profile("1.10"))
    clock.advance(hours=1)
    second = readings.upload_interval_profile(services, admin, profile("0.500"))
    readings.upload_interval_profile(services, admin, profile("2").model_copy(update={"meter_number": TWO_ZONES}))

    feed = BillingFeed.for_services(services)
    assert feed.deliver_pending() == 3  # noqa: PLR2004
    assert BillingFeed.for_services(services).deliver_pending() == 0  # the position is stored: no repeat
    assert billing.profile_deliveries == 3  # noqa: PLR2004
    version, number, period, delivered = billing.profiles[second.act_id]
    assert (number, period, str(delivered.values[0][0]), delivered.total) == (C5, PERIOD, "0.500", second.total)
    assert verify(services.app, ALL_PROJECTIONS, services.views, tmp_path / "verify") == []

    reopened = bootstrap(store_env, clock=clock, billing=Catalogue(contracts=dict(billing.contracts),
                                                                   readings=dict(billing.readings)))
    try:
        stored = list(reopened.app.events.get(first.act_id))  # decoded from the store, not the cache
        uploads = [e for e in stored if isinstance(e, IntervalAct.IntervalProfileUploaded)]
        assert [str(e.values[0][0]) for e in uploads] == ["1.10", "0.500"]  # exact, as uploaded
        assert all(isinstance(e.values[0][0], Decimal) for e in uploads)
        assert [e.total for e in uploads] == [first.total, second.total]
        assert all(isinstance(e.total, Decimal) for e in uploads)
        fresh = reopened.app.repository.get(first.act_id)
        assert fresh.version == version
        assert vars(fresh) == vars(services.get(IntervalAct, first.act_id))  # replay equals the live aggregate

        act = readings.interval_act(reopened, admin, first.act_id, 1)
        assert act.values == tuple(tuple(row) for row in profile("1.10").values)
        assert str(act.values[23][27]) == "3.427"
        listed = readings.interval_acts(reopened, admin, C5, FIG12, PERIOD)
        assert [(a.number, a.current) for a in listed.acts] == [(2, True), (1, False)]

        [block] = readings.readings_page(reopened, admin, ReadingsFilter(period=PERIOD)).items
        meter = block.energy_objects[0].metering_points[0].meters[0]
        assert meter.interval_act.total == second.total and meter.interval_act.number == 2  # noqa: PLR2004
    finally:
        reopened.views.close()
        reopened.app.close()


def test_rdg15_rdg17_the_reference_billing_lists_kinds_and_keeps_the_latest_act_once(tmp_path: Path) -> None:
    def act(total: str) -> SubmittedProfile:
        return SubmittedProfile(EO1, "1", FIG12, "Фактические", ((Decimal(total),),), Decimal(total))

    act_id = uuid4()
    with DatasetBilling(write_dataset(tmp_path / "billing.jsonl", [interval_contract()])) as billing:
        assert billing.interval_reading_kinds(C5) == INTERVAL_READING_KINDS
        assert billing.interval_reading_kinds("10000000000099") == ()
        billing.receive_interval_profile(C5, PERIOD, act("1.5"), act_id=act_id, version=2)
        billing.receive_interval_profile(C5, PERIOD, act("2.5"), act_id=act_id, version=3)
        billing.receive_interval_profile(C5, PERIOD, act("2.5"), act_id=act_id, version=3)  # a repeated delivery
        billing.receive_interval_profile(C5, PERIOD, act("1.5"), act_id=act_id, version=2)  # an old one, late
        assert billing.profiles == {act_id: (3, C5, PERIOD, act("2.5"))}
