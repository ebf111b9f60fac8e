"""The readings rules in the model, with no I/O: no bootstrap, no store (DOMAIN.md RDG-02 … RDG-08, RDG-15, RDG-16).

The contract's scales and billing's facts are built here from the billing
value types; ``ReadingSubmission`` and ``IntervalAct`` are plain objects.
Each refusal is checked completely: the code, every field named, and that
the aggregate recorded nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from lkk_core.kernel.billing import (
    AcceptedReading,
    EnergyObject,
    Meter,
    MeteringPoint,
    Quantity,
    ReadingWindow,
    Scale,
    ScaleReading,
)
from lkk_core.kernel.errors import Conflict, LkkError, ValidationFailed, WindowClosed
from lkk_core.readings import IntervalAct, ReadingInput, ReadingSubmission, places
from lkk_core.readings.commands import NotANumber
from lkk_core.readings.rules import (
    ALL_SCALES,
    BAD_NUMBER,
    BELOW_PREVIOUS,
    DUPLICATE,
    FILL_IN,
    NEGATIVE,
    TOO_MANY_DIGITS,
    UNKNOWN_KIND,
    UNKNOWN_SCALE,
    WRONG_DAYS,
    WRONG_HOURS,
    ZERO,
    fits,
    judge_profile,
    judge_submission,
)
from lkk_core.readings.values import AcceptedValue, SubmittedValue

EO, OTHER_EO = "100000000000050001", "100000000000050002"
ONE_ZONE, TWO_ZONES, RESTING = "01284918", "20300109", "30300001"
DAY, NIGHT, ALL_DAY = "День", "Ночь", "Круглосуточный"
A_PLUS = str(Quantity.ACTIVE_IMPORT)
PERIOD = date(2023, 2, 1)
NOW = datetime(2023, 2, 20, 9, tzinfo=UTC)
WINDOW = ReadingWindow(PERIOD, datetime(2023, 2, 15, tzinfo=UTC), datetime(2023, 2, 26, tzinfo=UTC))
AWAITING, RESTING_STATUS = "Ожидание", "Показания приняты"


def meter(number: str, *zones: str, status: str = AWAITING) -> Meter:
    return Meter(number, "Меркурий 230", status, 6, 2, tuple(Scale(zone, Quantity.ACTIVE_IMPORT) for zone in zones))


def energy_object(code: str, *meters: Meter, status: str = AWAITING) -> EnergyObject:
    point = MeteringPoint("1", "РТП 100. яч.2", Decimal(30), Decimal("0.5"), meters)
    return EnergyObject(code, "Цех № 1", "г. Москва", status, (point,))


class Contract:
    """The two attributes ``places`` reads (a billing ``Contract`` needs parties and more)."""

    def __init__(self, *energy_objects: EnergyObject) -> None:
        self.energy_objects = energy_objects


KNOWN = places(Contract(  # type: ignore[arg-type]
    energy_object(EO, meter(ONE_ZONE, ALL_DAY), meter(TWO_ZONES, DAY, NIGHT), meter(RESTING, ALL_DAY,
                                                                                      status=RESTING_STATUS)),
    energy_object(OTHER_EO, meter("40400001", ALL_DAY), status=RESTING_STATUS),
))
FACTS = {
    (ONE_ZONE, ALL_DAY, A_PLUS): ScaleReading(ONE_ZONE, ALL_DAY, Quantity.ACTIVE_IMPORT, previous=Decimal(12022)),
    (TWO_ZONES, DAY, A_PLUS): ScaleReading(TWO_ZONES, DAY, Quantity.ACTIVE_IMPORT, previous=Decimal(100)),
}


def given(meter_number: str, zone: str, value: str | Decimal | None, eo: str = EO) -> ReadingInput:
    return ReadingInput(energy_object=eo, meter_number=meter_number, zone=zone, quantity=A_PLUS, value=value)


def refusal(caught: pytest.ExceptionInfo[LkkError], error: type[LkkError], code: str) -> list[dict[str, Any]]:
    """Assert the refusal's class and code; return its per-field errors."""
    assert type(caught.value) is error and caught.value.code == code
    return caught.value.details["errors"]


def fields(errors: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in errors]


def fresh_submission() -> ReadingSubmission:
    submission = ReadingSubmission.open("10000000000005", PERIOD, now=NOW)
    submission.collect_events()
    return submission


def submit(submission: ReadingSubmission, *inputs: ReadingInput, window: ReadingWindow | None = WINDOW) -> Any:
    return submission.submit(inputs, known=KNOWN, facts=FACTS, by=uuid4(), window=window, now=NOW)


class TestSubmission:
    def test_rdg02_reading_below_previous_is_refused_naming_the_field(self) -> None:
        submission = fresh_submission()
        with pytest.raises(ValidationFailed) as caught:
            submit(submission, given(ONE_ZONE, ALL_DAY, "12021.99"))
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("readings[0].value", BELOW_PREVIOUS)]
        assert errors[0]["previous"] == "12022"
        assert submission.collect_events() == [] and submission.values == {}

    def test_rdg02_consumption_is_recorded_exactly_with_coefficient_and_losses(self) -> None:
        judged = judge_submission([given(ONE_ZONE, ALL_DAY, "12442")], KNOWN, FACTS)
        # (12442 − 12022) × 30 × (1 + 0.5 / 100) = 12663
        assert judged.values == (SubmittedValue(EO, ONE_ZONE, ALL_DAY, A_PLUS, Decimal(12442), Decimal(12663)),)

    def test_rdg02_a_rolled_over_meter_counts_through_its_capacity(self) -> None:
        facts = {(ONE_ZONE, ALL_DAY, A_PLUS): ScaleReading(ONE_ZONE, ALL_DAY, Quantity.ACTIVE_IMPORT,
                                                           previous=Decimal(999990), rolled_over=True)}
        [value] = judge_submission([given(ONE_ZONE, ALL_DAY, "5")], KNOWN, facts).values
        assert value.consumption == Decimal("452.25")  # (10**6 − 999990 + 5) × 30 × 1.005

    def test_rdg03_a_meter_not_awaiting_is_a_conflict_naming_the_row(self) -> None:
        submission = fresh_submission()
        with pytest.raises(Conflict) as caught:
            submit(submission, given(ONE_ZONE, ALL_DAY, "12442"), given(RESTING, ALL_DAY, "1"))
        errors = refusal(caught, Conflict, "conflict")
        assert [(e["field"], e["meter_number"], e["status"]) for e in errors] == [
            ("readings[1]", RESTING, RESTING_STATUS)]
        assert caught.value.message == f"Передача показаний недоступна: статус «{RESTING_STATUS}»"
        assert submission.collect_events() == []

    def test_rdg03_an_energy_object_not_awaiting_refuses_its_meters(self) -> None:
        with pytest.raises(Conflict) as caught:
            judge_submission([given("40400001", ALL_DAY, "1", eo=OTHER_EO)], KNOWN, FACTS)
        assert [(e["field"], e["energy_object"]) for e in refusal(caught, Conflict, "conflict")] == [
            ("readings[0]", OTHER_EO)]

    def test_rdg04_outside_the_window_is_refused_before_the_values_are_judged(self) -> None:
        submission = fresh_submission()
        with pytest.raises(WindowClosed) as caught:
            submit(submission, given(ONE_ZONE, ALL_DAY, "not a number"), window=None)
        assert caught.value.code == "window_closed" and caught.value.details["period"] == "2023-02-01"
        assert submission.collect_events() == []

    @pytest.mark.parametrize("typed", ["12442,5", "12442.5", " 12442,50 ", "012442.5"])
    def test_rdg05_a_point_or_a_comma_before_the_fraction_is_the_same_decimal(self, typed: str) -> None:
        [value] = judge_submission([given(ONE_ZONE, ALL_DAY, typed)], KNOWN, FACTS).values
        assert value.value == Decimal("12442.5") and type(value.value) is Decimal

    @pytest.mark.parametrize("typed", ["12,44,1", "12442.", "1 2442", "-12442", "abc", "1e3", "+5"])
    def test_rdg05_a_bad_number_is_refused_naming_the_field_and_the_text(self, typed: str) -> None:
        cmd_value = given(ONE_ZONE, ALL_DAY, typed).value
        assert cmd_value == NotANumber(typed.strip())  # parsed once, in the command model
        with pytest.raises(ValidationFailed) as caught:
            judge_submission([given(ONE_ZONE, ALL_DAY, typed)], KNOWN, FACTS)
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("readings[0].value", BAD_NUMBER)] and errors[0]["value"] == typed.strip()

    @pytest.mark.parametrize("typed", ["1234567", "12442.123", "0001234567"])
    def test_rdg05_a_value_over_the_digit_capacity_is_refused_naming_the_field(self, typed: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            judge_submission([given(ONE_ZONE, ALL_DAY, typed)], KNOWN, FACTS)
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("readings[0].value", TOO_MANY_DIGITS.format(digits=6, fraction=2))]
        assert (errors[0]["digits"], errors[0]["fraction_digits"]) == (6, 2)

    @pytest.mark.parametrize(("value", "fit"), [
        (Decimal("999999.99"), True), (Decimal("012442.50"), True), (Decimal("12442.500"), True),
        (Decimal("0.05"), True), (Decimal(0), True), (Decimal("1E+5"), True), (Decimal("1E+6"), False),
        (Decimal("0.001"), False), (Decimal("1000000"), False), (Decimal("NaN"), False),
    ])
    def test_rdg05_digit_capacity_counts_neither_leading_zeros_nor_trailing_fraction_zeros(
        self, value: Decimal, fit: bool,  # noqa: FBT001
    ) -> None:
        assert fits(value, meter(ONE_ZONE, ALL_DAY)) is fit

    def test_rdg06_scales_left_out_of_a_meter_with_values_are_refused(self) -> None:
        submission = fresh_submission()
        with pytest.raises(ValidationFailed) as caught:
            submit(submission, given(TWO_ZONES, DAY, "101"), given(TWO_ZONES, NIGHT, ""))
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("readings[1].value", ALL_SCALES.format(meter=TWO_ZONES))]
        assert (errors[0]["meter_number"], errors[0]["zone"]) == (TWO_ZONES, NIGHT)
        assert submission.collect_events() == []

    def test_rdg06_a_scale_not_even_listed_is_named_by_the_readings_field(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            judge_submission([given(TWO_ZONES, NIGHT, "7")], KNOWN, FACTS)
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("readings", ALL_SCALES.format(meter=TWO_ZONES))] and errors[0]["zone"] == DAY

    def test_rdg07_zero_consumption_is_accepted_with_a_warning(self) -> None:
        submission = fresh_submission()
        judged = submit(submission, given(ONE_ZONE, ALL_DAY, "12022"))
        assert [(w["field"], w["message"], w["meter_number"]) for w in judged.warnings] == [
            ("readings[0].value", ZERO, ONE_ZONE)]
        [event] = submission.collect_events()
        assert event.readings == (SubmittedValue(EO, ONE_ZONE, ALL_DAY, A_PLUS, Decimal(12022), Decimal(0)),)

    def test_rdg08_nothing_filled_is_refused_with_fill_in(self) -> None:
        submission = fresh_submission()
        with pytest.raises(ValidationFailed) as caught:
            submit(submission, given(ONE_ZONE, ALL_DAY, None), given(TWO_ZONES, DAY, "  "))
        assert fields(refusal(caught, ValidationFailed, "validation_failed")) == [("readings", FILL_IN)]
        assert submission.collect_events() == []

    def test_rdg08_empty_inputs_of_other_meters_are_skipped(self) -> None:
        judged = judge_submission([given(ONE_ZONE, ALL_DAY, "12442"), given(TWO_ZONES, DAY, ""),
                                   given(TWO_ZONES, NIGHT, None)], KNOWN, FACTS)
        assert [v.meter_number for v in judged.values] == [ONE_ZONE]

    def test_rdg11_an_unknown_scale_and_a_duplicate_are_refused_with_every_other_problem(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            judge_submission([given(ONE_ZONE, "Пик", "1"), given(ONE_ZONE, ALL_DAY, "1"),
                              given(ONE_ZONE, ALL_DAY, "2"), given(TWO_ZONES, DAY, "x,5")], KNOWN, FACTS)
        assert fields(refusal(caught, ValidationFailed, "validation_failed")) == [
            ("readings[0]", UNKNOWN_SCALE), ("readings[1].value", BELOW_PREVIOUS), ("readings[2]", DUPLICATE),
            ("readings[3].value", BAD_NUMBER)]

    def test_rdg09_a_later_submission_replaces_the_scale_and_the_event_holds_decimals(self) -> None:
        submission = fresh_submission()
        submit(submission, given(ONE_ZONE, ALL_DAY, "12442,10"))
        submit(submission, given(ONE_ZONE, ALL_DAY, Decimal("12443.5")))
        [value] = submission.values.values()
        assert value.value == Decimal("12443.5") and str(submission.values[(ONE_ZONE, ALL_DAY, A_PLUS)].value) == \
            "12443.5"
        first, _ = submission.collect_events()
        assert str(first.readings[0].value) == "12442.10"  # exact, as typed

    def test_his07_acceptance_takes_billings_reading_over_the_portals_per_scale(self) -> None:
        submission = fresh_submission()
        submit(submission, given(ONE_ZONE, ALL_DAY, "12442"), given(TWO_ZONES, DAY, "101"),
               given(TWO_ZONES, NIGHT, "7"))
        billing = AcceptedReading(EO, TWO_ZONES, DAY, A_PLUS, Decimal(102), None, "контрольное снятие")
        submission.accept([billing], now=NOW)
        assert submission.accepted == (
            AcceptedValue(EO, ONE_ZONE, ALL_DAY, A_PLUS, Decimal(12442), Decimal(12663), "передано через ЛКК"),
            AcceptedValue(EO, TWO_ZONES, DAY, A_PLUS, Decimal(102), None, "контрольное снятие"),
            AcceptedValue(EO, TWO_ZONES, NIGHT, A_PLUS, Decimal(7), None, "передано через ЛКК"),
        )


def grid(days: int = 28, value: Decimal = Decimal("1.5")) -> list[list[Decimal]]:
    return [[value] * days for _ in range(24)]


class TestIntervalProfile:
    def act(self) -> IntervalAct:
        acts = IntervalAct.open("10000000000005", ONE_ZONE, PERIOD, now=NOW)
        acts.collect_events()
        return acts

    def upload(self, acts: IntervalAct, values: list[list[Decimal]], *, kind: str = "Фактические",
               meter_status: str = AWAITING, window: ReadingWindow | None = WINDOW) -> Any:
        eo = energy_object(EO, meter(ONE_ZONE, ALL_DAY, status=meter_status))
        return acts.upload(energy_object=eo, metering_point="1", meter=eo.metering_points[0].meters[0], kind=kind,
                           kinds=("Фактические", "Расчётные"), values=values, file_name=None, by=uuid4(),
                           window=window, period_closed=False, now=NOW)

    def test_rdg16_a_whole_month_is_recorded_as_exact_decimals_with_its_total(self) -> None:
        acts = self.act()
        act = self.upload(acts, grid(value=Decimal("0.50")))
        assert (act.number, act.total, str(act.values[0][0])) == (1, Decimal("336.00"), "0.50")
        [event] = acts.collect_events()
        assert type(event.values[23][27]) is Decimal

    def test_rdg16_wrong_hours_days_and_negative_values_are_refused_together(self) -> None:
        acts = self.act()
        values = grid()[:23]
        values[2] = values[2][:27]
        values[5][3] = Decimal(-1)
        with pytest.raises(ValidationFailed) as caught:
            self.upload(acts, values)
        assert fields(refusal(caught, ValidationFailed, "validation_failed")) == [
            ("values", WRONG_HOURS), ("values[2]", WRONG_DAYS.format(days=28)), ("values[5][3]", NEGATIVE)]
        assert acts.collect_events() == [] and acts.acts == []

    def test_rdg15_a_kind_not_in_billings_list_is_refused_with_the_choices(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            judge_profile("Плановые", ("Фактические",), grid(), PERIOD)
        errors = refusal(caught, ValidationFailed, "validation_failed")
        assert fields(errors) == [("kind", UNKNOWN_KIND)] and errors[0]["choices"] == ["Фактические"]

    def test_rdg16_an_empty_grid_is_refused_with_fill_in(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            judge_profile("Фактические", ("Фактические",), [], PERIOD)
        assert fields(refusal(caught, ValidationFailed, "validation_failed")) == [("values", FILL_IN)]

    def test_rdg03_a_meter_not_awaiting_is_refused_before_the_window_and_the_grid(self) -> None:
        acts = self.act()
        with pytest.raises(Conflict) as caught:
            self.upload(acts, [], meter_status=RESTING_STATUS, window=None)
        assert caught.value.code == "conflict" and caught.value.details["status"] == RESTING_STATUS
        assert acts.collect_events() == []

    def test_rdg04_outside_the_window_is_refused_before_the_grid_is_judged(self) -> None:
        acts = self.act()
        with pytest.raises(WindowClosed) as caught:
            self.upload(acts, [], window=None)
        assert caught.value.code == "window_closed" and acts.collect_events() == []


class TestValueInTheCommandModel:
    """The typed text becomes a Decimal once, in ``ReadingInput`` (RDG-05); the rules get it typed."""

    def test_rdg05_the_text_is_parsed_once_into_the_exact_decimal(self) -> None:
        value = given(ONE_ZONE, ALL_DAY, " 012442,10 ").value
        assert type(value) is Decimal and str(value) == "12442.10"

    def test_rdg05_a_files_decimal_is_taken_as_it_is(self) -> None:
        exact = Decimal("12442.10")
        assert given(ONE_ZONE, ALL_DAY, exact).value is exact

    @pytest.mark.parametrize("value", [Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
    def test_rdg05_a_decimal_that_is_no_reading_is_kept_for_the_rules_to_refuse(self, value: Decimal) -> None:
        assert given(ONE_ZONE, ALL_DAY, value).value == NotANumber(str(value))

    @pytest.mark.parametrize(("value", "kind"), [
        (12442, "string_type"), ("1\x002", "value_error"), ("1" * 41, "string_too_long"),
    ])
    def test_a_value_that_is_not_text_or_holds_control_characters_is_refused_by_the_model(
        self, value: object, kind: str,
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            given(ONE_ZONE, ALL_DAY, value)  # type: ignore[arg-type]
        assert [(error["loc"], error["type"]) for error in caught.value.errors()] == [(("value",), kind)]

    def test_the_json_schema_stays_text(self) -> None:
        schema = ReadingInput.model_json_schema()["properties"]["value"]
        assert schema["anyOf"] == [{"maxLength": 40, "type": "string"}, {"type": "null"}]
