"""Interval readings and the «Первичный акт» (DOMAIN.md RDG-13 … RDG-19, AS-36 … AS-39), through the services."""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from lkk_core import accounts, readings
from lkk_core.readings.interval_act import IntervalAct, interval_act_id
from lkk_core.kernel.billing import PriceCategory, ScaleReading
from lkk_core.kernel.billing_feed import BillingFeed
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import ChangeEmail
from lkk_core.readings.commands import ReadingsFilter, UploadIntervalProfile
from lkk_core.kernel.errors import LkkError
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.contracts_support import MOSCOW, Catalogue
from tests.readings_support import (
    A_PLUS,
    C5,
    CLOSED_METER,
    EO1,
    EO3,
    EXPORT_METER,
    FIG12,
    INSIDE,
    OTHER_EO_METER,
    PERIOD,
    PREVIOUS_PERIOD,
    R_PLUS,
    REACTIVE,
    ROUND,
    TWO_ZONES,
    administrator,
    holder,
    install_interval,
    reading,
    submit,
)
from tests.support import Mailbox, refused, registered

NOT_INTERVAL_CATEGORY = "Интервальные показания передаются только для потребителей III–VI ценовых категорий"
ONLY_A_PLUS = "Интервальный расход заполняется только для строк «А+»"
UNKNOWN_METER = "Прибор учёта не найден на энергообъекте"
WINDOW_CLOSED = "Период передачи показаний завершён"
FORBIDDEN = "Недостаточно прав для выполнения операции"
DAYS = calendar.monthrange(PERIOD.year, PERIOD.month)[1]  # February 2023: 28


@pytest.fixture
def admin(services: Services, mailbox: Mailbox, clock: FixedClock) -> Actor:
    clock.set(INSIDE)
    actor = administrator(services, mailbox)
    install_interval(services)
    return actor


@pytest.fixture
def bob(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    """A Power engineer on the first energy object only (ROL-15)."""
    return holder(services, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, (EO1,))


@pytest.fixture
def carol(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    return holder(services, mailbox, admin, "carol@example.com", Role.ACCOUNTANT)


def grid(value: str = "1.5", *, hours: int = 24, days: int = DAYS) -> list[list[Decimal]]:
    """Every hour of every day with ``value``, except hour h of day d which is h·d/100 (so cells differ)."""
    return [[Decimal(value) + Decimal(h * d) / 100 for d in range(days)] for h in range(hours)]


def upload(meter_number: str = FIG12, values: list[list[Decimal]] | None = None, *, kind: str = "Фактические",
           energy_object: str = EO1, file_name: str | None = "Интервальные показания.xlsx",
           **more: Any) -> UploadIntervalProfile:
    return UploadIntervalProfile(contract_number=C5, energy_object=energy_object, meter_number=meter_number,
                                 period=PERIOD.replace(day=15), kind=kind, values=grid() if values is None else values,
                                 file_name=file_name, **more)


def fields(error: LkkError) -> list[str]:
    """The fields of a refusal that lists its errors, in order (RDG-16: every cell at once)."""
    return [entry["field"] for entry in error.details["errors"]]


def refused_upload(services: Services, actor: Actor, cmd: UploadIntervalProfile, *,
                   code: str = "validation_failed", **expected: Any) -> LkkError:
    """Upload, which must be refused whole (code, no top-level field unless given, nothing written)."""
    return refused(services, lambda: readings.upload_interval_profile(services, actor, cmd), code=code, **expected)


def meter_row(services: Services, actor: Actor, meter_number: str) -> dict[str, Any]:
    [block] = readings.readings_page(services, actor, ReadingsFilter(period=PERIOD, contract_number=C5)).items
    return next(meter for eo in block.energy_objects for point in eo.metering_points
                for meter in point.meters if meter.number == meter_number)


class TestIntervalTarget:
    def test_rdg15_the_meter_is_labelled_as_on_the_form(self, services: Services, bob: Actor) -> None:
        target = readings.interval_target(services, bob, C5, EO1, FIG12)
        assert target.label == f"ПУ {FIG12} • РП-10 кВ яч.2"
        assert (target.energy_object.code, target.point.number, target.meter.number) == (EO1, "1", FIG12)

    @pytest.mark.parametrize("category", [PriceCategory.I, PriceCategory.II])
    def test_rdg13_as37_categories_i_and_ii_are_refused(
        self, services: Services, admin: Actor, category: PriceCategory
    ) -> None:
        install_interval(services, category)
        refused(services, lambda: readings.interval_target(services, admin, C5, EO1, FIG12), code="validation_failed",
                field="contract_number", message=NOT_INTERVAL_CATEGORY, status=422, price_category=str(category))
        refused_upload(services, admin, upload(), field="contract_number", message=NOT_INTERVAL_CATEGORY,
                       price_category=str(category))

    @pytest.mark.parametrize("category", [PriceCategory.III, PriceCategory.IV, PriceCategory.V, PriceCategory.VI])
    def test_rdg13_categories_iii_to_vi_are_accepted(
        self, services: Services, admin: Actor, category: PriceCategory
    ) -> None:
        install_interval(services, category)
        assert readings.interval_target(services, admin, C5, EO1, FIG12).meter.number == FIG12

    def test_rdg14_as37_a_meter_without_a_plus_is_refused(self, services: Services, admin: Actor) -> None:
        install_interval(services, PriceCategory.IV)
        refused_upload(services, admin, upload(EXPORT_METER), field="meter_number", message=ONLY_A_PLUS)
        refused(services, lambda: readings.interval_target(services, admin, C5, EO1, EXPORT_METER),
                code="validation_failed", field="meter_number", message=ONLY_A_PLUS)

    def test_rdg14_a_meter_with_a_plus_and_reactive_energy_is_accepted(self, services: Services, admin: Actor) -> None:
        assert readings.interval_target(services, admin, C5, EO1, REACTIVE).meter.number == REACTIVE

    def test_an_unknown_meter_or_a_meter_of_another_energy_object_is_a_field_error(
        self, services: Services, admin: Actor
    ) -> None:
        for energy_object, meter_number in ((EO1, "99999999"), (EO1, OTHER_EO_METER)):
            refused(services, partial(readings.interval_target, services, admin, C5, energy_object, meter_number),
                    code="validation_failed", field="meter_number", message=UNKNOWN_METER)
        refused(services, lambda: readings.interval_target(services, admin, C5, f"{C5}9999", FIG12),
                code="validation_failed", field="energy_object", message="Энергообъект не найден в договоре")


class TestUploadIntervalProfile:
    def test_rdg17_as36_the_act_is_pending_with_the_sum_of_the_cells(self, services: Services, bob: Actor) -> None:
        values = grid()
        recorded = readings.upload_interval_profile(services, bob, upload(values=values))

        assert (recorded.number, recorded.status, recorded.message) == (1, "В ожидании", "Показания сохранены")
        assert recorded.total == sum(v for row in values for v in row)
        assert (recorded.period, recorded.meter_number, recorded.energy_object) == (PERIOD, FIG12, EO1)
        assert recorded.created_at == INSIDE and recorded.act_id == interval_act_id(C5, FIG12, PERIOD)
        assert recorded.position == services.app.head()

    def test_rdg17_the_act_is_readable_with_its_exact_values(self, services: Services, bob: Actor) -> None:
        values = grid("0.10")
        values[0][0] = Decimal("12.500")
        recorded = readings.upload_interval_profile(services, bob, upload(values=values))

        act = readings.interval_act(services, bob, recorded.act_id, 1)

        assert act.values == tuple(tuple(row) for row in values)
        assert str(act.values[0][0]) == "12.500"  # trailing zeros kept: exact, as uploaded
        assert all(isinstance(v, Decimal) for row in act.values for v in row)
        assert (act.label, act.kind, act.file_name, act.status) == (
            f"ПУ {FIG12} • РП-10 кВ яч.2", "Фактические", "Интервальные показания.xlsx", "В ожидании")
        assert act.total == recorded.total

    def test_rdg17_a_later_upload_supersedes_and_acts_are_listed_latest_first(
        self, services: Services, bob: Actor, clock: FixedClock
    ) -> None:
        first = readings.upload_interval_profile(services, bob, upload(values=grid("1")))
        clock.advance(hours=2)
        second = readings.upload_interval_profile(services, bob, upload(values=grid("2"), kind="Расчётные",
                                                                        file_name=None))

        listed = readings.interval_acts(services, bob, C5, FIG12, PERIOD.replace(day=20))

        assert second.number == 2 and second.act_id == first.act_id
        assert [(a.number, a.current, a.kind) for a in listed.acts] == [
            (2, True, "Расчётные"), (1, False, "Фактические")]
        assert [a.total for a in listed.acts] == [second.total, first.total]
        assert listed.acts[0].created_at > listed.acts[1].created_at
        assert (listed.label, listed.kinds) == (f"ПУ {FIG12} • РП-10 кВ яч.2", ("Фактические", "Расчётные"))
        assert readings.interval_act(services, bob, first.act_id, 1).values[0][0] == Decimal(1)  # kept

    def test_rdg17_a_meter_without_acts_lists_none(self, services: Services, bob: Actor) -> None:
        assert readings.interval_acts(services, bob, C5, FIG12, PERIOD).acts == ()

    def test_rdg16_as38_a_grid_of_the_wrong_shape_names_each_field(self, services: Services, admin: Actor) -> None:
        values = grid(hours=23)
        values[5] = values[5][:-1]
        error = refused_upload(services, admin, upload(values=values),
                               message="В сутках 24 часовых интервала: «00-01» … «23-24»")
        assert error.details["errors"] == [
            {"field": "values", "message": "В сутках 24 часовых интервала: «00-01» … «23-24»", "rows": 23},
            {"field": "values[5]", "message": f"Нужно по одному значению за каждый день месяца: {DAYS}", "days": DAYS,
             "given": DAYS - 1},
        ]

    def test_rdg16_thirty_days_for_a_thirty_one_day_month_are_refused(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        clock.set(datetime(2023, 3, 10, 12, tzinfo=MOSCOW))
        cmd = upload(values=grid(days=30)).model_copy(update={"period": PERIOD.replace(month=3)})
        error = refused_upload(services, admin, cmd, message="Нужно по одному значению за каждый день месяца: 31")
        assert fields(error) == [f"values[{h}]" for h in range(24)]
        assert {(e["days"], e["given"]) for e in error.details["errors"]} == {(31, 30)}

    def test_rdg16_negative_values_and_an_unknown_kind_are_reported_together(
        self, services: Services, admin: Actor
    ) -> None:
        values = grid()
        values[3][7] = Decimal("-1")
        error = refused_upload(services, admin, upload(values=values, kind="Придуманный"),
                               message="Выберите вид показаний из списка")
        assert error.details["errors"] == [
            {"field": "kind", "message": "Выберите вид показаний из списка", "choices": ["Фактические", "Расчётные"]},
            {"field": "values[3][7]", "message": "Значение не может быть отрицательным", "value": "-1"},
        ]

    def test_rdg16_the_command_bounds_the_grid(self) -> None:
        with pytest.raises(ValueError, match="values"):
            upload(values=grid(hours=25))
        with pytest.raises(ValueError, match="values"):
            upload(values=grid(days=32))

    def test_rdg15_the_kind_must_be_one_of_billings(self, services: Services, admin: Actor) -> None:
        error = refused_upload(services, admin, upload(kind="Потребление"), message="Выберите вид показаний из списка")
        assert fields(error) == ["kind"]

    def test_rdg03_a_meter_not_awaiting_readings_is_a_conflict(self, services: Services, admin: Actor) -> None:
        error = refused_upload(services, admin, upload(CLOSED_METER), code="conflict", status=409,
                               message="Передача показаний недоступна: статус «Принято»", energy_object=EO1,
                               meter_number=CLOSED_METER)
        assert error.details["status"] == "Принято"  # the detail, not the HTTP status refused() takes

    def test_rdg04_outside_the_window_is_window_closed(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        clock.set(datetime(2023, 3, 21, 23, 59, tzinfo=MOSCOW))
        readings.upload_interval_profile(services, admin, upload())
        clock.set(datetime(2023, 3, 22, 0, 0, tzinfo=MOSCOW))
        refused_upload(services, admin, upload(values=grid(hours=3)),  # the window comes first
                       code="window_closed", message=WINDOW_CLOSED, contract_number=C5, period=PERIOD.isoformat())

    def test_rdg04_after_billing_closed_the_period_is_window_closed(self, services: Services, admin: Actor) -> None:
        readings.accept_period(services, StaffActor("billing"), C5, PERIOD)
        refused_upload(services, admin, upload(), code="window_closed", message=WINDOW_CLOSED, contract_number=C5,
                       period=PERIOD.isoformat())

    def test_acc06_the_upload_needs_a_confirmed_email(self, services: Services, admin: Actor) -> None:
        accounts.change_email(services, admin, ChangeEmail(email="client5.new@mail.ru"))
        refused_upload(services, admin, upload(), code="precondition_failed", field="email", status=412,
                       message="Подтвердите адрес электронной почты")


class TestWhoMayUpload:
    def test_rdg19_as39_an_accountant_is_forbidden(self, services: Services, admin: Actor, carol: Actor) -> None:
        recorded = readings.upload_interval_profile(services, admin, upload())
        accountant = {"code": "forbidden", "status": 403, "message": FORBIDDEN, "contract_number": C5,
                      "role": str(Role.ACCOUNTANT)}
        refused_upload(services, carol, upload(), **accountant)
        refused(services, lambda: readings.interval_target(services, carol, C5, EO1, FIG12), **accountant)
        refused(services, lambda: readings.interval_acts(services, carol, C5, FIG12, PERIOD), **accountant)
        refused(services, lambda: readings.interval_act(services, carol, recorded.act_id, 1), **accountant)

    def test_rdg19_rol15_a_scoped_power_engineer_is_refused_outside_the_grant(
        self, services: Services, admin: Actor, bob: Actor
    ) -> None:
        recorded = readings.upload_interval_profile(services, admin, upload(OTHER_EO_METER, energy_object=EO3))
        outside = {"code": "forbidden", "message": FORBIDDEN, "contract_number": C5, "energy_object": EO3,
                   "role": str(Role.POWER_ENGINEER)}
        refused_upload(services, bob, upload(OTHER_EO_METER, energy_object=EO3), **outside)
        refused(services, lambda: readings.interval_target(services, bob, C5, EO3, OTHER_EO_METER), **outside)
        refused(services, lambda: readings.interval_acts(services, bob, C5, OTHER_EO_METER, PERIOD), **outside)
        refused(services, lambda: readings.interval_act(services, bob, recorded.act_id, 1), **outside)

    def test_rdg19_a_stranger_or_a_missing_act_is_not_found(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        recorded = readings.upload_interval_profile(services, admin, upload())
        stranger = registered(services, mailbox, "stranger@example.com")
        not_held = {"code": "not_found", "status": 404, "message": "Договор не найден", "contract_number": C5}
        refused(services, lambda: readings.interval_act(services, stranger, recorded.act_id, 1), **not_held)
        refused_upload(services, stranger, upload(), **not_held)
        refused(services, lambda: readings.interval_act(services, admin, recorded.act_id, 2), code="not_found",
                message="Первичный акт не найден", act_id=str(recorded.act_id), number=2)
        missing = interval_act_id(C5, TWO_ZONES, PERIOD)
        refused(services, lambda: readings.interval_act(services, admin, missing, 1), code="not_found",
                message="Первичный акт не найден", act_id=str(missing), number=1)


class TestReadingsPage:
    def test_rdg18_as36_the_page_shows_the_acts_interval_and_delta(self, services: Services, admin: Actor) -> None:
        billing = services.billing
        assert isinstance(billing, Catalogue)
        billing.readings[(C5, PERIOD)] = (ScaleReading(REACTIVE, ROUND, A_PLUS, Decimal(10), PREVIOUS_PERIOD),)
        values = grid("0")
        values[0][0] = Decimal("0.5")  # «Введённый расход» 0.5 + Σ h·d/100
        recorded = readings.upload_interval_profile(services, admin, upload(REACTIVE, values))
        readings.submit_readings(services, admin, submit(reading(REACTIVE, "11"),
                                                         reading(REACTIVE, "5", quantity=R_PLUS)))

        meter = meter_row(services, admin, REACTIVE)

        interval = recorded.total * 12000 * Decimal("1.05")  # «без КТ и без потерь»: КТ and losses applied
        [a_plus] = [s for s in meter.scales if s.quantity == "А+"]
        assert a_plus.consumption == Decimal(12600)
        assert a_plus.interval_consumption == interval
        assert a_plus.delta == Decimal(12600) - interval
        act = meter.interval_act
        assert (act.act_id, act.number, act.total, act.status) == (recorded.act_id, 1, recorded.total,
                                                                               "В ожидании")
        assert act.created_at == INSIDE and act.interval_consumption == interval

    def test_rdg18_billings_figure_wins(self, services: Services, admin: Actor) -> None:
        readings.upload_interval_profile(services, admin, upload(FIG12))
        [scale] = meter_row(services, admin, FIG12).scales
        assert scale.interval_consumption == Decimal("137130.48")  # Fig. 12, from billing
        assert meter_row(services, admin, FIG12).interval_act.number == 1

    def test_rdg18_several_a_plus_zones_carry_the_figure_on_the_meter(self, services: Services, admin: Actor) -> None:
        recorded = readings.upload_interval_profile(services, admin, upload(TWO_ZONES))
        readings.submit_readings(services, admin, submit(reading(TWO_ZONES, "110", "День"),
                                                         reading(TWO_ZONES, "60", "Ночь")))
        meter = meter_row(services, admin, TWO_ZONES)
        assert all(s.interval_consumption is None for s in meter.scales)
        interval = recorded.total * 12000 * Decimal("1.05")
        assert meter.interval_act.interval_consumption == interval
        assert meter.interval_act.delta == (10 + 10) * 12000 * Decimal("1.05") - interval

    def test_rdg18_a_meter_without_an_act_has_none(self, services: Services, admin: Actor) -> None:
        assert meter_row(services, admin, FIG12).interval_act is None


class TestBillingFeed:
    def test_rdg17_the_act_reaches_billing_once_with_its_exact_values(self, services: Services, admin: Actor) -> None:
        values = grid("3.10")
        recorded = readings.upload_interval_profile(services, admin, upload(values=values))
        feed = BillingFeed.for_services(services)
        assert feed.deliver_pending() == 1
        assert feed.deliver_pending() == 0
        billing = services.billing
        assert isinstance(billing, Catalogue)
        version, number, period, profile = billing.profiles[recorded.act_id]
        assert (number, period, profile.meter_number, profile.energy_object, profile.metering_point) == (
            C5, PERIOD, FIG12, EO1, "1")
        assert profile.values == tuple(tuple(row) for row in values) and profile.total == recorded.total
        assert version == services.get(IntervalAct, recorded.act_id).version

