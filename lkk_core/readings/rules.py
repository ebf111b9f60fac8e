"""The rules of readings, pure: no I/O, the contract's places and billing's facts come as arguments.

``judge_submission`` holds RDG-02 … RDG-08 of an on-screen (or file) submission,
``judge_profile`` RDG-15 … RDG-16 of an interval grid, ``check_awaiting`` RDG-03, ``check_window`` RDG-04.
Each collects every problem before it refuses (RDG-12: all at once); the
aggregates call them (``ReadingSubmission.submit``, ``IntervalAct.upload``).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lkk_core.kernel.billing import AWAITING_READINGS, EnergyObject, Meter, ReadingWindow, ScaleReading
from lkk_core.kernel.errors import Conflict, ValidationFailed, WindowClosed
from lkk_core.readings._common import Place, consumption, scales_left_out
from lkk_core.readings.commands import HOURS_IN_DAY, NotANumber, ReadingInput
from lkk_core.readings.values import Grid, PlaceKey, ScaleKey, SubmittedValue

FILL_IN = "Заполните поле"  # §13.5 (RDG-07, RDG-08)
ALL_SCALES = "Передайте показания по всем тарифным зонам и видам энергии прибора учёта {meter}"  # NOTE: proposal, §13.14 (RDG-06)
NOT_AWAITING = "Передача показаний недоступна: статус «{status}»"  # NOTE: proposal, §13.14 (RDG-03)
BAD_NUMBER = "Введите число: цифры и «.» или «,» перед дробной частью"  # NOTE: proposal (RDG-05)
TOO_MANY_DIGITS = "Показания не помещаются в разрядность прибора учёта: {digits} + {fraction} знаков"  # NOTE: proposal (RDG-05)
BELOW_PREVIOUS = "Текущие показания меньше предыдущих"  # NOTE: proposal (RDG-02)
UNKNOWN_SCALE = "Шкала прибора учёта не найдена в договоре"  # NOTE: proposal (RDG-11)
DUPLICATE = "Показания шкалы указаны дважды"  # NOTE: proposal
ZERO = "Расход по ПУ равен 0"  # NOTE: proposal (RDG-07: accepted with a warning)
# NOTE: proposals (not in the manual).
UNKNOWN_KIND = "Выберите вид показаний из списка"
NEGATIVE = "Значение не может быть отрицательным"
WRONG_HOURS = "В сутках 24 часовых интервала: «00-01» … «23-24»"
WRONG_DAYS = "Нужно по одному значению за каждый день месяца: {days}"
# NOTE: proposal, DOMAIN.md §13.14 (RDG-04): integral readings and interval profiles alike.
WINDOW_CLOSED = "Период передачи показаний завершён"

@dataclass(frozen=True)
class Judged:
    """What a submission records, and its warnings (a zero consumption, RDG-07)."""

    values: tuple[SubmittedValue, ...]
    warnings: tuple[dict[str, Any], ...]


def status_of(meter: Meter, energy_object: EnergyObject) -> str:
    """Return the status that decides a submission: the meter's, unless it is «Ожидание», then the EO's (RDG-03)."""
    return meter.status if meter.status != AWAITING_READINGS else energy_object.status


def check_awaiting(meter: Meter, energy_object: EnergyObject) -> None:
    """Refuse with ``Conflict`` unless both the meter and its energy object are «Ожидание» (RDG-03)."""
    status = status_of(meter, energy_object)
    if status != AWAITING_READINGS:
        raise Conflict(NOT_AWAITING.format(status=status), energy_object=energy_object.code,
                       meter_number=meter.number, status=status)


def check_window(
    window: ReadingWindow | None, *, closed: bool, contract_number: str, period: date, now: datetime,
) -> None:
    """Refuse with ``WindowClosed`` outside billing's window or once billing closed the month (RDG-04)."""
    if closed or window is None or not window.is_open(now):
        raise WindowClosed(WINDOW_CLOSED, contract_number=contract_number, period=period.isoformat(),
                           **({"opens_at": window.opens_at.isoformat(),
                               "closes_at": window.closes_at.isoformat()} if window else {}))


def judge_submission(
    inputs: Sequence[ReadingInput], known: Mapping[PlaceKey, Place], facts: Mapping[ScaleKey, ScaleReading],
) -> Judged:
    """Return the values to record, or raise with every problem at once (RDG-02 … RDG-08).

    ``known`` are the contract's scales by (EO code, meter number, zone,
    quantity); ``facts`` billing's per (meter number, zone, quantity).
    Errors name ``readings[i]`` (the scale) or ``readings[i].value``.
    """
    errors: list[dict[str, Any]] = []
    unavailable: list[dict[str, Any]] = []
    values: dict[PlaceKey, tuple[int, Decimal]] = {}
    given: dict[PlaceKey, int] = {}
    for index, reading in enumerate(inputs):
        key = (reading.energy_object, reading.meter_number, reading.zone, reading.quantity)
        place = known.get(key)
        if place is None:  # RDG-11
            errors.append({"field": f"readings[{index}]", "message": UNKNOWN_SCALE})
            continue
        if key in given:
            errors.append({"field": f"readings[{index}]", "message": DUPLICATE})
            continue
        given[key] = index
        value = reading.value
        if value is None:
            continue  # RDG-08: an empty input is skipped, unless its meter has other values (RDG-06)
        status = status_of(place.meter, place.energy_object)
        if status != AWAITING_READINGS:  # RDG-03
            unavailable.append({"field": f"readings[{index}]", "energy_object": key[0], "meter_number": key[1],
                                "status": status})
            continue
        if type(value) is NotANumber:  # RDG-05: reported here, with every other problem
            errors.append({"field": f"readings[{index}].value", "message": BAD_NUMBER, "value": value.text})
        elif not fits(value, place.meter):  # RDG-05
            digits, fraction = place.meter.digits, place.meter.fraction_digits
            errors.append({"field": f"readings[{index}].value",
                           "message": TOO_MANY_DIGITS.format(digits=digits, fraction=fraction),
                           "digits": digits, "fraction_digits": fraction})
        else:
            values[key] = (index, value)
    if unavailable:
        raise Conflict(NOT_AWAITING.format(status=unavailable[0]["status"]), errors=unavailable)
    if not values and not errors:
        raise ValidationFailed(FILL_IN, errors=[{"field": "readings", "message": FILL_IN}])  # RDG-08
    errors.extend(_missing_scales(known, given, values, inputs))
    recorded, warnings = [], []
    for key, (index, value) in values.items():
        place, fact = known[key], facts.get(key[1:])
        if fact is not None and fact.previous is not None and value < fact.previous and not fact.rolled_over:
            errors.append({"field": f"readings[{index}].value", "message": BELOW_PREVIOUS,
                           "previous": str(fact.previous)})  # RDG-02
            continue
        used = consumption(value, place, fact)
        if used == 0:
            warnings.append({"field": f"readings[{index}].value", "meter_number": key[1], "zone": key[2],
                             "quantity": key[3], "message": ZERO})  # RDG-07
        # «Расход» as computed now, kept in the log so the history needs no billing facts of the past (HIS-07).
        recorded.append(SubmittedValue(key[0], key[1], key[2], key[3], value, used))
    if errors:
        errors.sort(key=lambda error: error["field"])
        raise ValidationFailed(errors[0]["message"], errors=errors)
    return Judged(tuple(recorded), tuple(warnings))


def fits(value: Decimal, meter: Meter) -> bool:
    """Tell whether a value ≥ 0 fits the meter's digit capacity: «digits» before the point, «fraction_digits»
    after it, leading zeros and trailing zeros of the fraction not counted (RDG-05)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity: never a reading
        return False
    fraction = -exponent if exponent < 0 else 0
    end = len(digits)
    while fraction and end and digits[end - 1] == 0:  # 12.50 needs one fraction digit
        end, fraction = end - 1, fraction - 1
    whole = len(digits) + exponent if digits != (0,) else 1
    return whole <= meter.digits and fraction <= meter.fraction_digits


def _missing_scales(
    known: Mapping[PlaceKey, Place], given: Mapping[PlaceKey, int], values: Mapping[PlaceKey, tuple[int, Decimal]],
    inputs: Sequence[ReadingInput],
) -> list[dict[str, Any]]:
    """Return one error per scale left out of a meter that has values (RDG-06)."""
    errors = []
    for key, place in scales_left_out(known, values):
        index = given.get(key)
        if index is not None and inputs[index].value is not None:
            continue  # a value was typed but is wrong: already reported
        errors.append({
            "field": f"readings[{index}].value" if index is not None else "readings",
            "message": ALL_SCALES.format(meter=place.meter.number),
            "energy_object": key[0], "meter_number": key[1], "zone": key[2], "quantity": key[3],
        })
    return errors


def judge_profile(kind: str, kinds: Sequence[str], values: Sequence[Sequence[Decimal]], period: date) -> Grid:
    """Return the grid, or raise with every problem: kind, shape 24 × days, values ≥ 0 (RDG-15, RDG-16)."""
    errors: list[dict[str, Any]] = []
    if kind not in kinds:
        errors.append({"field": "kind", "message": UNKNOWN_KIND, "choices": list(kinds)})
    days = calendar.monthrange(period.year, period.month)[1]
    if not values:
        errors.append({"field": "values", "message": FILL_IN})
    elif len(values) != HOURS_IN_DAY:
        errors.append({"field": "values", "message": WRONG_HOURS, "rows": len(values)})
    for hour, row in enumerate(values):
        if len(row) != days:
            errors.append({"field": f"values[{hour}]", "message": WRONG_DAYS.format(days=days),
                           "days": days, "given": len(row)})
        # NOTE: hourly values are consumption, not register readings: the meter's digit
        # capacity (RDG-05) bounds its register, not an hour's kWh, so only the sign is checked.
        errors.extend({"field": f"values[{hour}][{day}]", "message": NEGATIVE, "value": str(value)}
                      for day, value in enumerate(row) if value < 0)
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    return tuple(tuple(row) for row in values)
