"""«Передать показания»: every rule of an on-screen submission, all-or-nothing (RDG-02 … RDG-09, RDG-19)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.kernel.billing import AWAITING_READINGS, AcceptedReading, ScaleReading
from lkk_core.readings.commands import SubmitReadings
from lkk_core.kernel.access import Standing, valid_contract_number
from lkk_core.kernel.errors import Conflict, ValidationFailed
from lkk_core.kernel.permissions import Capability
from lkk_core.readings._common import Place, ScaleKey, consumption, facts, places, scales_left_out
from lkk_core.kernel.services import Actor, Services, StaffActor

SAVED = "Показания сохранены"  # §13.5 (RDG-07)
FILL_IN = "Заполните поле"  # §13.5 (RDG-07, RDG-08)
ALL_SCALES = "Передайте показания по всем тарифным зонам и видам энергии прибора учёта {meter}"  # NOTE: proposal, §13.14 (RDG-06)
NOT_AWAITING = "Передача показаний недоступна: статус «{status}»"  # NOTE: proposal, §13.14 (RDG-03)
BAD_NUMBER = "Введите число: цифры и «.» или «,» перед дробной частью"  # NOTE: proposal (RDG-05)
TOO_MANY_DIGITS = "Показания не помещаются в разрядность прибора учёта: {digits} + {fraction} знаков"  # NOTE: proposal (RDG-05)
BELOW_PREVIOUS = "Текущие показания меньше предыдущих"  # NOTE: proposal (RDG-02)
UNKNOWN_SCALE = "Шкала прибора учёта не найдена в договоре"  # NOTE: proposal (RDG-11)
DUPLICATE = "Показания шкалы указаны дважды"  # NOTE: proposal
PORTAL_SOURCE = "передано через ЛКК"  # §13.7, Fig. 23 (HIS-07)
ZERO = "Расход по ПУ равен 0"  # NOTE: proposal (RDG-07: accepted with a warning)

_NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$")


@dataclass(frozen=True)
class ReadingsSaved:
    """A successful submission: «Показания сохранены», and warnings such as a zero consumption (RDG-07)."""

    submission_id: UUID
    contract_number: str
    period: date
    energy_objects: tuple[str, ...]  # those that get the tick
    warnings: tuple[dict[str, Any], ...]
    position: int
    message: str = SAVED


def submit_readings(services: Services, actor: Actor, cmd: SubmitReadings) -> ReadingsSaved:
    """Submit readings of a contract for a month; nothing is saved when any rule fails (RDG-02 … RDG-09)."""
    number = valid_contract_number(cmd.contract_number)
    contract = services.authorize(  # ACC-06, RDG-19, ROL-15: every energy object of the request must be granted
        actor, Capability.SUBMIT_READINGS, number, energy_objects=[r.energy_object for r in cmd.readings],
        standing=Standing.CONFIRMED_EMAIL,
    ).contract
    period, now = cmd.period.replace(day=1), services.clock.now()
    window = services.require_billing().reading_window(number, period)

    def attempt() -> ReadingsSaved:
        submission = services.find(ReadingSubmission, submission_id(number, period))
        if submission is None:
            submission = ReadingSubmission.open(number, period, now=now)
        submission.check_open(window, now=now)  # RDG-04, before the values are judged
        readings, warnings = _judge(cmd, places(contract), facts(services, number, period))
        submission.submit(readings, by=actor.account_id, window=window, now=now)
        position = services.save(submission)
        return ReadingsSaved(
            submission_id=submission.id, contract_number=number, period=period,
            energy_objects=tuple(sorted({r["energy_object"] for r in readings})), warnings=tuple(warnings),
            position=position,
        )

    return services.write(attempt)


def _judge(
    cmd: SubmitReadings, known: dict[tuple[str, str, str, str], Place], billing_facts: dict[ScaleKey, ScaleReading]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the readings to record and the warnings, or raise with every problem at once."""
    errors: list[dict[str, Any]] = []
    unavailable: list[dict[str, Any]] = []
    values: dict[tuple[str, str, str, str], tuple[int, Decimal]] = {}
    given: dict[tuple[str, str, str, str], int] = {}
    for index, reading in enumerate(cmd.readings):
        key = (reading.energy_object, reading.meter_number, reading.zone, reading.quantity)
        field = f"readings[{index}]"
        place = known.get(key)
        if place is None:
            errors.append({"field": field, "message": UNKNOWN_SCALE})
            continue
        if key in given:
            errors.append({"field": field, "message": DUPLICATE})
            continue
        given[key] = index
        if not reading.value:
            continue  # RDG-08: an empty input is skipped, unless its meter has other values (RDG-06)
        status = place.meter.status if place.meter.status != AWAITING_READINGS else place.energy_object.status
        if status != AWAITING_READINGS:  # RDG-03
            unavailable.append({"field": field, "energy_object": key[0], "meter_number": key[1], "status": status})
            continue
        value = _parse(reading.value, place, f"{field}.value", errors)
        if value is not None:
            values[key] = (index, value)
    if unavailable:
        raise Conflict(NOT_AWAITING.format(status=unavailable[0]["status"]), errors=unavailable)
    if not values and not errors:
        raise ValidationFailed(FILL_IN, errors=[{"field": "readings", "message": FILL_IN}])  # RDG-08
    errors.extend(_missing_scales(known, given, values, cmd))
    readings, warnings = [], []
    for key, (index, value) in values.items():
        place, fact = known[key], billing_facts.get(key[1:])
        if fact is not None and fact.previous is not None and value < fact.previous and not fact.rolled_over:
            errors.append({"field": f"readings[{index}].value", "message": BELOW_PREVIOUS,
                           "previous": str(fact.previous)})  # RDG-02
            continue
        used = consumption(value, place, fact)
        if used == 0:
            warnings.append({"field": f"readings[{index}].value", "meter_number": key[1], "zone": key[2],
                             "quantity": key[3], "message": ZERO})  # RDG-07
        # «Расход» as computed now, kept in the log so the history needs no billing facts of the past (HIS-07).
        readings.append({"energy_object": key[0], "meter_number": key[1], "zone": key[2], "quantity": key[3],
                         "value": value, "consumption": None if used is None else str(used)})
    if errors:
        errors.sort(key=lambda error: error["field"])
        raise ValidationFailed(errors[0]["message"], errors=errors)
    return readings, warnings


def _parse(text: str, place: Place, field: str, errors: list[dict[str, Any]]) -> Decimal | None:
    """Return the typed value with "." or "," before the fraction, within the meter's capacity (RDG-05)."""
    match = _NUMBER.match(text)
    if match is None:
        errors.append({"field": field, "message": BAD_NUMBER, "value": text})
        return None
    whole, fraction = match.group(1), match.group(2) or ""
    digits, fraction_digits = place.meter.digits, place.meter.fraction_digits
    if len(whole.lstrip("0") or "0") > digits or len(fraction.rstrip("0")) > fraction_digits:
        errors.append({"field": field, "message": TOO_MANY_DIGITS.format(digits=digits, fraction=fraction_digits),
                       "digits": digits, "fraction_digits": fraction_digits})
        return None
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _missing_scales(
    known: dict[tuple[str, str, str, str], Place], given: dict[tuple[str, str, str, str], int],
    values: dict[tuple[str, str, str, str], tuple[int, Decimal]], cmd: SubmitReadings,
) -> list[dict[str, Any]]:
    """Return one error per scale left out of a meter that has values (RDG-06)."""
    errors = []
    for key, place in scales_left_out(known, values):
        index = given.get(key)
        if index is not None and cmd.readings[index].value:
            continue  # a value was typed but is wrong: already reported
        errors.append({
            "field": f"readings[{index}].value" if index is not None else "readings",
            "message": ALL_SCALES.format(meter=place.meter.number),
            "energy_object": key[0], "meter_number": key[1], "zone": key[2], "quantity": key[3],
        })
    return errors


def accept_period(services: Services, staff: StaffActor, number: str, period: date, *, close: bool = True) -> int:
    """Record billing's facts: the readings of the month it accepted and, if ``close``, the period closed.

    The accepted readings are the portal's latest value per scale (source
    «передано через ЛКК», §13.7) and billing's own readings of the month
    (``Billing.accepted_readings``); where both name a scale, billing's is
    the one accepted, with its source label as received (HIS-07). Accepting
    again replaces the period's readings.
    """
    number = valid_contract_number(number)
    services.contract(number)
    period, now = period.replace(day=1), services.clock.now()
    from_billing = services.require_billing().accepted_readings(number, period)

    def attempt() -> int:
        submission = services.find(ReadingSubmission, submission_id(number, period))
        if submission is None:
            submission = ReadingSubmission.open(number, period, now=now)
        submission.accept(_accepted(submission, from_billing), now=now)
        if close:
            submission.close_period(now=now)
        return services.save(submission)

    return services.write(attempt)


def _accepted(submission: ReadingSubmission, from_billing: tuple[AcceptedReading, ...]) -> list[dict[str, Any]]:
    """Return the readings accepted for the period: the portal's, with billing's over them, by scale."""
    accepted: dict[ScaleKey, dict[str, Any]] = {}
    for key, reading in submission.values.items():
        used = reading.get("consumption")  # absent from submissions recorded before it was logged
        accepted[key] = {
            "energy_object": reading["energy_object"], "meter_number": key[0], "zone": key[1], "quantity": key[2],
            "value": reading["value"], "consumption": None if used is None else Decimal(used), "source": PORTAL_SOURCE,
        }
    for fact in from_billing:
        accepted[fact.key] = {
            "energy_object": fact.energy_object, "meter_number": fact.meter_number, "zone": fact.zone,
            "quantity": fact.quantity, "value": fact.value, "consumption": fact.consumption, "source": fact.source,
        }
    return [accepted[key] for key in sorted(accepted)]
