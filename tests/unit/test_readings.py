"""Meter readings on screen (DOMAIN.md §4, RDG-01 … RDG-09, RDG-18, RDG-19), through the services."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from lkk_core import accounts, readings
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.kernel.billing_feed import BillingFeed
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.errors import LkkError
from lkk_core.accounts.commands import ChangeEmail
from lkk_core.readings.commands import AWAITING, ReadingInput, ReadingsFilter, SubmitReadings
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.contracts_support import MOSCOW, C1, Catalogue
from tests.readings_support import (
    C5,
    CLOSED_METER,
    EO1,
    EO2,
    EO3,
    FIG12,
    INSIDE,
    OTHER_EO_METER,
    PERIOD,
    PREVIOUS_PERIOD,
    R_PLUS,
    REACTIVE,
    TWO_ZONES,
    administrator,
    holder,
    reading,
    submit,
)
from tests.support import Mailbox, refused

STAFF = StaffActor("billing")


@pytest.fixture
def admin(services: Services, mailbox: Mailbox, clock: FixedClock) -> Actor:
    clock.set(INSIDE)
    return administrator(services, mailbox)


@pytest.fixture
def bob(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    """A Power engineer on the first energy object only (ROL-15)."""
    return holder(services, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, (EO1,))


@pytest.fixture
def carol(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    return holder(services, mailbox, admin, "carol@example.com", Role.ACCOUNTANT)


def page(services: Services, actor: Actor, **filters: Any) -> dict[str, Any]:
    return readings.readings_page(services, actor, ReadingsFilter(period=PERIOD, **filters))


def scale_row(services: Services, actor: Actor, meter_number: str, zone: str = "Круглосуточный",
              quantity: str = "А+") -> dict[str, Any]:
    [block] = page(services, actor, contract_number=C5).items
    for eo in block.energy_objects:
        for point in eo.metering_points:
            for meter in point.meters:
                if meter.number == meter_number:
                    return next(s for s in meter.scales if (s.zone, s.quantity) == (zone, quantity))
    raise AssertionError(meter_number)


def fields(error: LkkError) -> list[str]:
    """The fields of a refusal that lists its errors, in order (RDG-12: all at once)."""
    return [entry["field"] for entry in error.details["errors"]]


def refused_submission(services: Services, actor: Actor, *inputs: ReadingInput, code: str = "validation_failed",
                       **expected: Any) -> LkkError:
    """Submit, which must be refused whole (code, no top-level field unless given, nothing written)."""
    return refused(services, lambda: readings.submit_readings(services, actor, submit(*inputs)), code=code, **expected)


class TestReadingsPage:
    def test_rdg01_only_contracts_where_the_role_may_submit_sorted_by_number(
        self, services: Services, admin: Actor
    ) -> None:
        assert [c.contract_number for c in page(services, admin).contracts] == [C5]

    def test_rdg01_the_status_filter_keeps_energy_objects_awaiting_readings(
        self, services: Services, admin: Actor
    ) -> None:
        [block] = page(services, admin, status=AWAITING).items
        assert [eo.code for eo in block.energy_objects] == [EO1, EO3]
        [block] = page(services, admin).items
        assert [eo.code for eo in block.energy_objects] == [EO1, EO2, EO3]

    def test_rdg01_the_page_opens_on_the_month_of_the_suppliers_calendar(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        clock.set(datetime(2023, 2, 28, 22, 30, tzinfo=UTC))  # 01:30 on 1 March in Moscow
        shown = readings.readings_page(services, admin, ReadingsFilter())
        assert shown.period.isoformat() == "2023-03-01"  # the UTC calendar would still say February

    def test_rdg01_the_energy_object_filter(self, services: Services, admin: Actor) -> None:
        [block] = page(services, admin, energy_object=EO3).items
        assert [eo.code for eo in block.energy_objects] == [EO3]

    def test_rdg01_rol15_a_power_engineer_sees_only_the_granted_energy_object(
        self, services: Services, bob: Actor
    ) -> None:
        [block] = page(services, bob).items
        assert [eo.code for eo in block.energy_objects] == [EO1]

    def test_rdg19_an_accountant_sees_no_contract_on_the_readings_page(self, services: Services, carol: Actor) -> None:
        assert page(services, carol) == readings.ReadingsPage(period=PERIOD, contracts=(), items=())

    def test_rdg02_fig12_previous_coefficient_losses_and_interval(self, services: Services, admin: Actor) -> None:
        row = scale_row(services, admin, FIG12)
        assert row.previous == Decimal("12441.00") and row.previous_period == PREVIOUS_PERIOD
        assert row.interval_consumption == Decimal("137130.48")
        assert row.current is None and row.consumption is None
        [block] = page(services, admin).items
        point = block.energy_objects[0].metering_points[0]
        assert (point.coefficient, point.losses_percent) == (Decimal(12000), Decimal(5))
        assert block.window.is_open is True


class TestSubmitReadings:
    def test_rdg02_rdg05_rdg18_fig12_numbers_with_a_comma(self, services: Services, bob: Actor) -> None:
        saved = readings.submit_readings(services, bob, submit(reading(FIG12, "12442,00")))

        assert saved.message == "Показания сохранены"
        assert saved.energy_objects == (EO1,)
        row = scale_row(services, bob, FIG12)
        assert str(row.current) == "12442.00"
        assert row.consumption == Decimal(12600) and str(row.consumption) == "12600"
        assert str(row.delta) == "-124530.48"

    def test_rdg02_the_decimal_is_stored_exactly_in_the_event(self, services: Services, bob: Actor) -> None:
        readings.submit_readings(services, bob, submit(reading(FIG12, "12442.10")))
        submission = services.get(ReadingSubmission, submission_id(C5, PERIOD))
        [value] = submission.values.values()
        assert value.value == Decimal("12442.10") and isinstance(value.value, Decimal)
        assert str(value.value) == "12442.10"

    def test_rdg02_a_value_below_the_previous_is_refused(self, services: Services, bob: Actor) -> None:
        below = "Текущие показания меньше предыдущих"
        error = refused_submission(services, bob, reading(FIG12, "12440"), message=below)
        assert error.details["errors"] == [{"field": "readings[0].value", "message": below, "previous": "12441.00"}]

    def test_rdg02_a_rolled_over_meter_may_go_below_the_previous(self, services: Services, admin: Actor) -> None:
        readings.submit_readings(services, admin, submit(reading(REACTIVE, "11"), reading(REACTIVE, "5", quantity=R_PLUS)))
        row = scale_row(services, admin, REACTIVE, quantity="R+")
        assert row.consumption == Decimal(15) * 12000 * Decimal("1.05")  # 999990 → 1000000 → 5

    def test_rdg03_a_meter_not_awaiting_readings_is_a_conflict(self, services: Services, admin: Actor) -> None:
        error = refused_submission(services, admin, reading(FIG12, "12442"), reading(CLOSED_METER, "1"),
                                   code="conflict", message="Передача показаний недоступна: статус «Принято»", status=409)
        assert error.details["errors"] == [{"field": "readings[1]", "energy_object": EO1, "meter_number": CLOSED_METER,
                                            "status": "Принято"}]

    def test_rdg03_an_energy_object_not_awaiting_readings_is_a_conflict(
        self, services: Services, admin: Actor
    ) -> None:
        error = refused_submission(services, admin, reading("60600001", "1", energy_object=EO2), code="conflict",
                                   message="Передача показаний недоступна: статус «Принято»")
        assert error.details["errors"] == [{"field": "readings[0]", "energy_object": EO2, "meter_number": "60600001",
                                            "status": "Принято"}]

    def test_rdg04_as33_the_window_closes_at_midnight_of_the_22nd(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        clock.set(datetime(2023, 3, 21, 23, 59, tzinfo=MOSCOW))
        readings.submit_readings(services, admin, submit(reading(FIG12, "12442")))
        clock.set(datetime(2023, 3, 22, 0, 0, tzinfo=MOSCOW))
        refused_submission(services, admin, reading(FIG12, "12443"), code="window_closed",
                           message="Период передачи показаний завершён", contract_number=C5,
                           period=PERIOD.isoformat())

    def test_rdg04_before_the_window_opens_is_refused(self, services: Services, admin: Actor, clock: FixedClock) -> None:
        clock.set(datetime(2023, 1, 31, 23, 59, tzinfo=MOSCOW))
        refused_submission(services, admin, reading(FIG12, "12442"), code="window_closed",
                           message="Период передачи показаний завершён", contract_number=C5,
                           period=PERIOD.isoformat())

    @pytest.mark.parametrize("typed", ["12,44,1", "12442.", "1 2442", "-12442", "abc", "12442.123", "1234567"])
    def test_rdg05_malformed_or_too_long_values_are_refused(self, services: Services, admin: Actor, typed: str) -> None:
        error = refused_submission(services, admin, reading(FIG12, typed))
        assert fields(error) == ["readings[0].value"]

    def test_rdg05_a_point_is_accepted_too(self, services: Services, admin: Actor) -> None:
        readings.submit_readings(services, admin, submit(reading(FIG12, "12442.5")))
        assert scale_row(services, admin, FIG12).current == Decimal("12442.5")

    def test_rdg06_as31_a_missing_tariff_zone_refuses_the_whole_request(self, services: Services, admin: Actor) -> None:
        message = f"Передайте показания по всем тарифным зонам и видам энергии прибора учёта {TWO_ZONES}"
        error = refused_submission(services, admin, reading(FIG12, "12442"), reading(TWO_ZONES, "110", "День"),
                                   message=message)
        assert error.details["errors"] == [{"field": "readings", "message": message, "energy_object": EO1,
                                            "meter_number": TWO_ZONES, "zone": "Ночь", "quantity": "А+"}]
        readings.submit_readings(services, admin, submit(reading(TWO_ZONES, "110", "День"), reading(TWO_ZONES, "60", "Ночь")))

    def test_rdg06_as32_missing_reactive_energy_is_refused(self, services: Services, admin: Actor) -> None:
        message = f"Передайте показания по всем тарифным зонам и видам энергии прибора учёта {REACTIVE}"
        error = refused_submission(services, admin, reading(REACTIVE, "11"), reading(REACTIVE, None, quantity=R_PLUS),
                                   message=message)
        assert fields(error) == ["readings[1].value"]
        assert (error.details["errors"][0]["quantity"], error.details["errors"][0]["message"]) == ("R+", message)

    def test_rdg06_every_bad_field_is_reported_at_once(self, services: Services, admin: Actor) -> None:
        error = refused_submission(services, admin,
            reading(FIG12, "12,44,1"), reading(TWO_ZONES, "110", "День"), reading(TWO_ZONES, "", "Ночь"),
            reading(OTHER_EO_METER, "400", energy_object=EO3),
        )
        assert fields(error) == ["readings[0].value", "readings[2].value", "readings[3].value"]

    def test_rdg07_zero_consumption_is_accepted_with_a_warning(self, services: Services, admin: Actor) -> None:
        saved = readings.submit_readings(services, admin, submit(reading(FIG12, "12441")))
        [warning] = saved.warnings
        assert warning["meter_number"] == FIG12 and warning["message"] == "Расход по ПУ равен 0"

    def test_rdg07_the_energy_object_gets_its_tick(self, services: Services, admin: Actor) -> None:
        readings.submit_readings(services, admin, submit(reading(FIG12, "12442")))
        [block] = page(services, admin).items
        assert [eo.submitted for eo in block.energy_objects] == [True, False, False]

    def test_rdg08_only_meters_with_values_are_sent(self, services: Services, admin: Actor) -> None:
        readings.submit_readings(services, admin, submit(
            reading(FIG12, "12442"), reading(TWO_ZONES, None, "День"), reading(TWO_ZONES, "", "Ночь")))
        submission = services.get(ReadingSubmission, submission_id(C5, PERIOD))
        assert [key[0] for key in submission.values] == [FIG12]

    def test_rdg08_a_request_without_any_value_is_refused(self, services: Services, admin: Actor) -> None:
        for inputs in [(reading(FIG12, None),), ()]:
            error = refused_submission(services, admin, *inputs, message="Заполните поле")
            assert error.details["errors"] == [{"field": "readings", "message": "Заполните поле"}]

    def test_rdg09_a_later_submission_replaces_the_value_and_shows_until_the_period_closes(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        readings.submit_readings(services, admin, submit(reading(FIG12, "12442")))
        clock.advance(days=1)
        readings.submit_readings(services, admin, submit(reading(FIG12, "12443")))
        assert scale_row(services, admin, FIG12).current == Decimal(12443)

        readings.accept_period(services, STAFF, C5, PERIOD)

        assert scale_row(services, admin, FIG12).current is None
        refused_submission(services, admin, reading(FIG12, "12444"), code="window_closed",
                           message="Период передачи показаний завершён")

    def test_rdg19_as39_an_accountant_cannot_submit(self, services: Services, carol: Actor) -> None:
        refused_submission(services, carol, reading(FIG12, "12442"), code="forbidden", status=403,
                           message="Недостаточно прав для выполнения операции", contract_number=C5,
                           role=str(Role.ACCOUNTANT), capability="submit_readings")

    def test_rdg19_rol15_a_power_engineer_submits_only_for_the_granted_energy_object(
        self, services: Services, bob: Actor
    ) -> None:
        refused_submission(services, bob, reading(OTHER_EO_METER, "600", energy_object=EO3), code="forbidden",
                           message="Недостаточно прав для выполнения операции", contract_number=C5, energy_object=EO3)

    def test_rdg19_acc06_submission_needs_a_confirmed_email(self, services: Services, admin: Actor) -> None:
        accounts.change_email(services, admin, ChangeEmail(email="client5.new@mail.ru"))
        refused_submission(services, admin, reading(FIG12, "12442"), code="precondition_failed", field="email",
                           message="Подтвердите адрес электронной почты", status=412)

    def test_rdg19_a_contract_not_held_is_not_found(self, services: Services, admin: Actor) -> None:
        refused(services, lambda: readings.submit_readings(
            services, admin, SubmitReadings(contract_number=C1, period=PERIOD, readings=[])),
                code="not_found", message="Договор не найден", status=404, contract_number=C1)


    @pytest.mark.parametrize("typed", ["1000000000005", f" {C5}0", "1000000000000A"])
    def test_con02_billings_facts_check_the_number_typed_on_the_command_line(
        self, services: Services, admin: Actor, typed: str
    ) -> None:
        # ``accept_period`` takes raw text (``lkk billing accept-period``): the one use case of readings that checks it.
        refused(services, lambda: readings.accept_period(services, STAFF, typed, PERIOD), code="validation_failed",
                field="contract_number", message="Номер договора должен состоять из 14 цифр")
        assert readings.accept_period(services, STAFF, f" {C5} ", PERIOD, close=False) == services.app.head()


class TestBillingFeed:
    def test_submitted_readings_reach_billing_once_each(self, services: Services, admin: Actor) -> None:
        saved = readings.submit_readings(services, admin, submit(reading(FIG12, "12442,00")))
        feed = BillingFeed.for_services(services)
        assert feed.deliver_pending() == 1
        assert feed.deliver_pending() == 0
        billing = services.billing
        assert isinstance(billing, Catalogue)
        [(number, period, [sent])] = billing.received.values()
        assert (number, period) == (C5, PERIOD)
        assert (sent.energy_object, sent.meter_number, sent.value) == (EO1, FIG12, Decimal("12442.00"))
        assert next(iter(billing.received))[0] == saved.submission_id

