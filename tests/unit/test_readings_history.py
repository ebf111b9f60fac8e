"""«История» → «Показания» (DOMAIN.md §7.3, HIS-07, AS-44, AS-39): accepted readings, filters, export."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from openpyxl import load_workbook

from adapters.billing.readings_files.history_xlsx import (
    HISTORY_HEADERS,
    month_name,
    readings_history_rows,
    readings_history_xlsx,
)
from lkk_core import readings
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.kernel.billing import AcceptedReading, Contract, ScaleReading
from lkk_core.kernel.billing_feed import BillingFeed
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingsHistoryFilter
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.readings import ReadingsView
from tests.contracts_support import MOSCOW, C1, Catalogue
from tests.readings_support import (
    A_PLUS,
    C5,
    EO1,
    EO3,
    FIG12,
    OTHER_EO_METER,
    ROUND,
    TWO_ZONES,
    administrator,
    holder,
    meter,
    reading,
    readings_contract,
    submit,
)
from tests.support import Mailbox, refused

STAFF = StaffActor("billing")
NOVEMBER, DECEMBER = date(2022, 11, 1), date(2022, 12, 1)
IN_DECEMBER = datetime(2022, 12, 20, 12, 0, tzinfo=MOSCOW)  # inside December's window
# Fig. 23's meter 20300109 (AS-44), round the clock on a point with coefficient 1 and no losses; it
# wrapped past 999999.99, so «Расход» of 450 is 10**6 − 819776.44 + 450 = 180673.56 exactly (RDG-02).
WRAPPED_PREVIOUS = Decimal("819776.44")


def history_contract() -> Contract:
    """The readings contract with meter 20300109 measuring «Круглосуточный» «А+» on EO3 (AS-44)."""
    base = readings_contract()
    eo1, eo2, eo3 = base.energy_objects
    [point1] = eo1.metering_points
    point1 = replace(point1, meters=tuple(m for m in point1.meters if m.number != TWO_ZONES))
    [point3] = eo3.metering_points
    point3 = replace(point3, meters=(*point3.meters, meter(TWO_ZONES, (ROUND, A_PLUS))))
    return replace(base, energy_objects=(replace(eo1, metering_points=(point1,)), eo2,
                                         replace(eo3, metering_points=(point3,))))


def install(services: Services) -> Catalogue:
    billing = services.billing
    assert isinstance(billing, Catalogue)
    billing.contracts[C5] = history_contract()
    for period in (NOVEMBER, DECEMBER):
        billing.readings[(C5, period)] = (
            ScaleReading(TWO_ZONES, ROUND, A_PLUS, WRAPPED_PREVIOUS, date(2022, 10, 1), rolled_over=True),
            ScaleReading(FIG12, ROUND, A_PLUS, Decimal("12441"), date(2022, 10, 1)),
            ScaleReading(OTHER_EO_METER, ROUND, A_PLUS, Decimal(500), date(2022, 10, 1)),
        )
    return billing


@pytest.fixture
def admin(services: Services, mailbox: Mailbox, clock: FixedClock) -> Actor:
    clock.set(IN_DECEMBER)
    actor = administrator(services, mailbox)
    install(services)
    return actor


@pytest.fixture
def bob(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    """«Энергетик» on EO3 only, where meter 20300109 is (ROL-15)."""
    return holder(services, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, (EO3,))


@pytest.fixture
def carol(services: Services, mailbox: Mailbox, admin: Actor) -> Actor:
    return holder(services, mailbox, admin, "carol@example.com", Role.ACCOUNTANT)


def history(services: Services, actor: Actor, **filters: Any) -> dict[str, Any]:
    filters.setdefault("period_from", NOVEMBER)
    filters.setdefault("period_to", DECEMBER)
    return readings.readings_history(services, actor, ReadingsHistoryFilter(**filters))


def shown(page: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each reading as (EO, meter, «Период», «Значение», «Тарифная зона», «Расход», «Источник показаний»)."""
    return [(r["energy_object"], r["meter_number"], month_name(r["period"]), r["value"], r["tariff_zone"],
             r["consumption"], r["source"]) for r in readings_history_rows(page)]


def submit_450(services: Services, actor: Actor, period: date = DECEMBER) -> None:
    readings.submit_readings(services, actor, submit(reading(TWO_ZONES, "450", energy_object=EO3), period=period))


FIG_23 = (EO3, TWO_ZONES, "Декабрь 2022", Decimal(450), "Круглосут А+", Decimal("180673.56"), "передано через ЛКК")


class TestHistory:
    def test_his07_as44_a_reading_submitted_and_accepted_shows_as_in_fig_23(
        self, services: Services, admin: Actor, bob: Actor
    ) -> None:
        submit_450(services, admin)
        assert shown(history(services, bob)) == []  # submitted, not yet accepted for settlement (§7)

        readings.accept_period(services, STAFF, C5, DECEMBER)

        page = history(services, bob)
        assert shown(page) == [FIG_23]
        [contract] = page.contracts
        assert (contract.contract_number, contract.name) == (C5, "Договор с показаниями")
        [eo] = contract.energy_objects
        assert (eo.code, eo.name, eo.address) == (EO3, "Гараж", "г. Санкт-Петербург, ул. Заводская, д. 3")
        assert [m.number for m in eo.meters] == [OTHER_EO_METER, TWO_ZONES]
        [row] = eo.meters[1].readings
        assert (row.period, row.zone, row.quantity) == (DECEMBER, ROUND, "А+")
        assert (page.period_from, page.period_to) == (NOVEMBER, DECEMBER)

    def test_his07_the_latest_submitted_value_is_the_one_accepted_and_the_feed_still_delivers(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        readings.submit_readings(services, admin, submit(reading(TWO_ZONES, "449", energy_object=EO3),
                                                         period=DECEMBER))
        clock.advance(hours=1)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER)
        assert shown(history(services, admin)) == [FIG_23]
        assert BillingFeed.for_services(services).deliver_pending() == 2  # noqa: PLR2004
        billing = services.billing
        assert isinstance(billing, Catalogue)
        assert sorted(r[2][0].value for r in billing.received.values()) == [Decimal(449), Decimal(450)]

    def test_his07_billing_readings_from_other_sources_are_listed_with_their_label(
        self, services: Services, admin: Actor
    ) -> None:
        billing = install(services)
        billing.accepted[(C5, NOVEMBER)] = (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal("12500.5"), Decimal("746300"), "контрольное снятие"),
        )
        readings.accept_period(services, STAFF, C5, NOVEMBER)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER)

        assert shown(history(services, admin)) == [
            (EO1, FIG12, "Ноябрь 2022", Decimal("12500.5"), "Круглосут А+", Decimal(746300), "контрольное снятие"),
            FIG_23,
        ]

    def test_his07_billing_is_authoritative_over_the_portal_value_of_a_scale(
        self, services: Services, admin: Actor
    ) -> None:
        billing = install(services)
        submit_450(services, admin)
        billing.accepted[(C5, DECEMBER)] = (
            AcceptedReading(EO3, TWO_ZONES, ROUND, "А+", Decimal(452), None, "расчётный способ"),
        )
        readings.accept_period(services, STAFF, C5, DECEMBER)
        assert shown(history(services, admin)) == [
            (EO3, TWO_ZONES, "Декабрь 2022", Decimal(452), "Круглосут А+", None, "расчётный способ"),
        ]

    def test_his07_accepting_a_period_again_replaces_its_rows(
        self, services: Services, admin: Actor
    ) -> None:
        billing = install(services)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER, close=False)
        billing.accepted[(C5, DECEMBER)] = (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal(12442), None, "контрольное снятие"),
        )
        readings.accept_period(services, STAFF, C5, DECEMBER)
        assert [(eo, meter_number, value) for eo, meter_number, _, value, *_ in shown(history(services, admin))] == [
            (EO1, FIG12, Decimal(12442)), (EO3, TWO_ZONES, Decimal(450)),
        ]
        submission = services.get(ReadingSubmission, submission_id(C5, DECEMBER))
        assert [r.source for r in submission.accepted] == ["контрольное снятие", "передано через ЛКК"]

    def test_his07_newest_month_first_for_each_meter(self, services: Services, admin: Actor, clock: FixedClock) -> None:
        billing = install(services)
        billing.accepted[(C5, NOVEMBER)] = (
            AcceptedReading(EO3, TWO_ZONES, ROUND, "А+", Decimal(100), Decimal(180323.56), "контрольное снятие"),
        )
        readings.accept_period(services, STAFF, C5, NOVEMBER)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER)
        assert [row[2] for row in shown(history(services, admin))] == ["Декабрь 2022", "Ноябрь 2022"]


class TestFilters:
    @pytest.fixture(autouse=True)
    def accepted(self, services: Services, admin: Actor) -> None:
        """November: billing's reading on EO1; December: the portal's 450 on EO3."""
        billing = install(services)
        billing.accepted[(C5, NOVEMBER)] = (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal(12500), None, "контрольное снятие"),
        )
        readings.accept_period(services, STAFF, C5, NOVEMBER)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER)

    def test_his07_contract_name_matches_a_part_in_any_case(self, services: Services, admin: Actor) -> None:
        assert len(shown(history(services, admin, contract_name="с ПОКАЗАНИЯМИ"))) == 2  # noqa: PLR2004
        assert history(services, admin, contract_name="аренда").contracts == ()

    def test_his07_address_keeps_the_energy_objects_whose_address_contains_it(
        self, services: Services, admin: Actor
    ) -> None:
        page = history(services, admin, address="заводская, Д. 3")
        assert [eo.code for c in page.contracts for eo in c.energy_objects] == [EO3]
        assert shown(page) == [FIG_23]
        assert history(services, admin, address="Невский").contracts == ()

    def test_his07_energy_object_contract_and_meter(self, services: Services, admin: Actor) -> None:
        assert [r[0] for r in shown(history(services, admin, energy_object=EO1))] == [EO1]
        assert shown(history(services, admin, contract_number=C5, meter_number=TWO_ZONES)) == [FIG_23]

    def test_his07_the_period_range_chooses_the_months(self, services: Services, admin: Actor) -> None:
        assert [r[2] for r in shown(history(services, admin, period_from=date(2022, 12, 15)))] == ["Декабрь 2022"]
        assert [r[2] for r in shown(history(services, admin, period_to=date(2022, 11, 30)))] == ["Ноябрь 2022"]
        page = history(services, admin, period_from=date(2022, 11, 30), period_to=date(2022, 12, 2))
        assert (page.period_from, page.period_to) == (NOVEMBER, DECEMBER)  # any day of the month

    def test_his07_by_default_the_twelve_months_up_to_this_month_in_moscow(
        self, services: Services, admin: Actor, clock: FixedClock
    ) -> None:
        clock.set(datetime(2023, 10, 31, 21, 30, tzinfo=UTC))  # already 1 November 2023 in Moscow
        page = readings.readings_history(services, admin, ReadingsHistoryFilter())
        assert (page.period_from, page.period_to) == (date(2022, 12, 1), date(2023, 11, 1))
        assert [r[2] for r in shown(page)] == ["Декабрь 2022"]

    def test_his07_a_reversed_or_too_long_period_is_refused(self, services: Services, admin: Actor) -> None:
        order, too_long = "Начало периода позже его окончания", "Период не может быть длиннее 36 месяцев"
        error = refused(services, lambda: history(services, admin, period_from=DECEMBER, period_to=NOVEMBER),
                        code="validation_failed", message=order, status=422)
        assert error.details["errors"] == [{"field": "period_from", "message": order}]
        error = refused(services, lambda: history(services, admin, period_from=date(2019, 12, 1), period_to=DECEMBER),
                        code="validation_failed", message=too_long)
        assert error.details["errors"] == [{"field": "period_from", "message": too_long, "months": 37}]
        assert history(services, admin, period_from=date(2020, 1, 1), period_to=DECEMBER).contracts  # 36 months


class TestPermissions:
    @pytest.fixture(autouse=True)
    def accepted(self, services: Services, admin: Actor) -> None:
        billing = install(services)
        submit_450(services, admin)
        billing.accepted[(C5, DECEMBER)] = (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal(12500), None, "контрольное снятие"),
        )
        readings.accept_period(services, STAFF, C5, DECEMBER)

    def test_his07_as39_an_accountant_is_forbidden_a_named_contract_and_sees_none_unnamed(
        self, services: Services, carol: Actor
    ) -> None:
        refused(services, lambda: history(services, carol, contract_number=C5), code="forbidden", status=403,
                message="Недостаточно прав для выполнения операции", contract_number=C5, role=str(Role.ACCOUNTANT))
        assert history(services, carol).contracts == ()

    def test_his07_rol15_a_scoped_power_engineer_sees_only_granted_energy_objects(
        self, services: Services, admin: Actor, bob: Actor
    ) -> None:
        assert [r[0] for r in shown(history(services, admin))] == [EO1, EO3]
        assert shown(history(services, bob)) == [FIG_23]
        assert history(services, bob, energy_object=EO1).contracts == ()

    def test_his07_a_contract_not_held_is_not_found(self, services: Services, admin: Actor) -> None:
        refused(services, lambda: history(services, admin, contract_number=C1), code="not_found", status=404,
                message="Договор не найден", contract_number=C1)


class TestExport:
    def test_his07_the_export_has_exactly_the_rows_shown(self, services: Services, admin: Actor) -> None:
        billing = install(services)
        billing.accepted[(C5, NOVEMBER)] = (
            AcceptedReading(EO1, FIG12, ROUND, "А+", Decimal("012500.25"), None, "контрольное снятие"),
            AcceptedReading(EO1, FIG12, "Ночь", "R+", Decimal("1234567890.123456789"), Decimal("0.1"), "АИИС КУЭ"),
        )
        readings.accept_period(services, STAFF, C5, NOVEMBER)
        submit_450(services, admin)
        readings.accept_period(services, STAFF, C5, DECEMBER)
        page = history(services, admin, address="Заводская")
        at = datetime(2023, 1, 5, 9, 0, tzinfo=UTC)

        data = readings_history_xlsx(page, generated_at=at)

        assert data == readings_history_xlsx(page, generated_at=at)  # deterministic bytes
        sheet = load_workbook(BytesIO(data)).active
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert tuple(cells[0]) == HISTORY_HEADERS
        expected = [
            [C5, EO1, "г. Санкт-Петербург, ул. Заводская, д. 1", FIG12, "Ноябрь 2022", 12500.25, "Круглосут А+",
             None, "контрольное снятие"],
            [C5, EO1, "г. Санкт-Петербург, ул. Заводская, д. 1", FIG12, "Ноябрь 2022", "1234567890.123456789",
             "Ночь R+", 0.1, "АИИС КУЭ"],
            [C5, EO3, "г. Санкт-Петербург, ул. Заводская, д. 3", TWO_ZONES, "Декабрь 2022", 450, "Круглосут А+",
             180673.56, "передано через ЛКК"],
        ]
        assert cells[1:] == expected
        assert len(readings_history_rows(page)) == len(expected)
        assert sheet.cell(row=2, column=1).data_type == "s" and sheet.cell(row=2, column=6).data_type == "n"
        assert sheet.cell(row=4, column=6).value == 450 and isinstance(sheet.cell(row=4, column=6).value, int)

    def test_his07_month_names_are_nominative_and_capitalised(self) -> None:
        assert [month_name(date(2022, m, 1)) for m in (1, 5, 12)] == ["Январь 2022", "Май 2022", "Декабрь 2022"]


class TestOldEvents:
    def test_his07_a_readings_accepted_recorded_without_readings_still_replays(
        self, services: Services, admin: Actor
    ) -> None:
        """A record of release 1 (no ``readings``, no class version) upcasts to an acceptance without rows."""
        opened = ReadingSubmission.open(C5, NOVEMBER, now=IN_DECEMBER)
        services.save(opened)
        at = datetime(2022, 12, 21, 10, 0, tzinfo=UTC)
        state = {"timestamp": at, "originator_topic": "lkk:ReadingSubmission", "at": at}
        services.app.recorder.insert_events([StoredEvent(
            originator_id=opened.id, originator_version=2, topic="lkk:ReadingSubmission.ReadingsAccepted",
            state=services.app.mapper.transcoder.encode(state),
        )])
        services.views.catch_up()

        replayed = services.app.repository.get(opened.id)
        assert (replayed.version, replayed.accepted_at, replayed.accepted) == (2, at, ())
        [event] = [e for e in services.app.events.get(opened.id) if isinstance(e, ReadingSubmission.Accepted)]
        assert event.readings == ()
        assert shown(history(services, admin)) == []  # the energy objects are listed, with no readings
        assert services.views.of(ReadingsView).period(opened.id)["accepted_at"] is not None  # the old view still reads it

        readings.accept_period(services, STAFF, C5, NOVEMBER)  # a later acceptance carries its readings
        assert services.get(ReadingSubmission, opened.id).version == 4  # noqa: PLR2004
