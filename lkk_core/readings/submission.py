"""«Передать показания»: every rule of an on-screen submission, all-or-nothing (RDG-02 … RDG-09, RDG-19)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from lkk_core.kernel.access import Standing, valid_contract_number
from lkk_core.kernel.permissions import Capability
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.readings._common import facts, places
from lkk_core.readings.commands import SubmitReadings
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id

SAVED = "Показания сохранены"  # §13.5 (RDG-07)
# The rules and their messages: rules.py (judged by ReadingSubmission.submit).


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
    number = cmd.contract_number  # CON-02: checked once, by the command model's ``ContractNumber``
    codes = dict.fromkeys(r.energy_object for r in cmd.readings)  # each once, in order (a file repeats them)
    contract = services.authorize(  # ACC-06, RDG-19, ROL-15: every energy object of the request must be granted
        actor, Capability.SUBMIT_READINGS, number, energy_objects=codes, standing=Standing.CONFIRMED_EMAIL,
    ).contract
    period, now = cmd.period.replace(day=1), services.clock.now()
    window = services.require_billing().reading_window(number, period)
    known, billing_facts = places(contract), facts(services, number, period)

    def attempt() -> ReadingsSaved:
        submission = services.find(ReadingSubmission, submission_id(number, period))
        if submission is None:
            submission = ReadingSubmission.open(number, period, now=now)
        judged = submission.submit(cmd.readings, known=known, facts=billing_facts, by=actor.account_id,
                                   window=window, now=now)
        position = services.save(submission)
        return ReadingsSaved(
            submission_id=submission.id, contract_number=number, period=period,
            energy_objects=tuple(sorted({r.energy_object for r in judged.values})), warnings=judged.warnings,
            position=position,
        )

    return services.write(attempt)


def accept_period(services: Services, staff: StaffActor, number: str, period: date, *, close: bool = True) -> int:
    """Record billing's facts: the readings of the month it accepted and, if ``close``, the period closed.

    The accepted readings are the portal's latest value per scale (source
    «передано через ЛКК», §13.7) and billing's own readings of the month
    (``Billing.accepted_readings``); where both name a scale, billing's is
    the one accepted, with its source label as received (HIS-07). Accepting
    again replaces the period's readings.

    ``number`` is checked here (CON-02): it arrives as raw text from the
    command line (``lkk billing accept-period``), not through a command model.
    """
    number = valid_contract_number(number)
    services.contract(number)
    period, now = period.replace(day=1), services.clock.now()
    from_billing = services.require_billing().accepted_readings(number, period)

    def attempt() -> int:
        submission = services.find(ReadingSubmission, submission_id(number, period))
        if submission is None:
            submission = ReadingSubmission.open(number, period, now=now)
        submission.accept(from_billing, now=now)
        if close:
            submission.close_period(now=now)
        return services.save(submission)

    return services.write(attempt)
