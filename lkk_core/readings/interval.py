"""Interval readings by file: the meter chosen, the upload and its «Первичный акт» (RDG-13 … RDG-17, RDG-19)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lkk_core.readings.interval_act import PENDING, IntervalAct, interval_act_id
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.kernel.billing import Contract, EnergyObject, Meter, MeteringPoint, Quantity
from lkk_core.readings.commands import UploadIntervalProfile
from lkk_core.kernel.access import Access, Standing
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.errors import NotFound, ValidationFailed
from lkk_core.kernel.paging import ALL, Keyset, Paging, fetch_limit
from lkk_core.kernel.permissions import Capability, require
from lkk_core.readings.submission import SAVED
from lkk_core.kernel.services import Actor, Services

# NOTE: proposals, DOMAIN.md §13.14 (RDG-13, RDG-14).
NOT_INTERVAL_CATEGORY = "Интервальные показания передаются только для потребителей III–VI ценовых категорий"
ONLY_A_PLUS = "Интервальный расход заполняется только для строк «А+»"
# NOTE: proposals (not in the manual).
UNKNOWN_ENERGY_OBJECT = "Энергообъект не найден в договоре"
UNKNOWN_METER = "Прибор учёта не найден на энергообъекте"
# The grid's rules and their messages: rules.py (judged by IntervalAct.upload).
ACT_NOT_FOUND = "Первичный акт не найден"


@dataclass(frozen=True)
class IntervalTarget:
    """The meter an interval profile is for, with where it sits; ``label`` as the form shows it (Fig. 14)."""

    contract: Contract
    energy_object: EnergyObject
    point: MeteringPoint
    meter: Meter
    label: str  # «ПУ 01284918 • РТП 100. яч.2»


@dataclass(frozen=True)
class ActRecorded:
    """A successful upload: a «Первичный акт» «В ожидании» with «Введённый расход» (RDG-17)."""

    act_id: UUID
    number: int
    contract_number: str
    energy_object: str
    meter_number: str
    period: date
    kind: str
    created_at: datetime
    total: Decimal
    position: int
    status: str = PENDING
    message: str = SAVED


@dataclass(frozen=True)
class IntervalActRecord:
    """One «Первичный акт» as uploaded, «без КТ и без потерь», for reading or download (RDG-17)."""

    contract_number: str
    energy_object: str
    meter_number: str
    label: str
    period: date
    number: int
    kind: str
    created_at: datetime
    total: Decimal
    status: str
    values: tuple[tuple[Decimal, ...], ...]
    file_name: str | None


@dataclass(frozen=True)
class IntervalActRow:
    """One «Первичный акт» of a meter and month; ``current`` is the one that counts (RDG-17)."""

    act_id: UUID
    number: int
    created_at: datetime
    status: str
    total: Decimal  # «Введённый расход», «без КТ и без потерь»
    kind: str
    file_name: str | None
    current: bool


@dataclass(frozen=True)
class IntervalActs:
    """The interval form of a meter: «Вид показаний» choices and the month's acts, latest first (RDG-15, RDG-17)."""

    contract_number: str
    meter_number: str
    period: date
    label: str  # «ПУ 01284918 • РТП 100. яч.2»
    kinds: tuple[str, ...]
    acts: tuple[IntervalActRow, ...]
    next: str | None = None  # the cursor of the next page of acts, None on the last


def interval_target(
    services: Services, actor: Actor, contract_number: ContractNumber, energy_object: str, meter_number: str
) -> IntervalTarget:
    """Return the meter for an interval upload or template, or refuse (RDG-13, RDG-14, RDG-19, ROL-15).

    ``contract_number`` arrives valid (CON-02): from the HTTP layer's query or form model.
    """
    return _target(services, actor, contract_number, energy_object, meter_number)


def upload_interval_profile(services: Services, actor: Actor, cmd: UploadIntervalProfile) -> ActRecorded:
    """Record a meter's hourly profile for a month as a new «Первичный акт»; all problems at once (RDG-13 … RDG-17)."""
    target = _target(services, actor, cmd.contract_number, cmd.energy_object, cmd.meter_number,
                     standing=Standing.CONFIRMED_EMAIL)  # ACC-06
    return _record(services, actor, cmd, target)


def upload_interval_file(  # noqa: PLR0913  (the form's fields)
    services: Services, actor: Actor, *, contract_number: str, energy_object: str, meter_number: str, period: date,
    kind: str, file_name: str | None, read: Callable[[], Sequence[Sequence[Decimal]]],
) -> ActRecorded:
    """Record an interval file as a new «Первичный акт»: the meter checked once, before ``read`` parses the file.

    As ``upload_interval_profile``, in the order an upload refuses: the meter
    and the actor's right to it first, so that a category I–II contract or a
    non-«А+» meter is refused before the file is read (AS-37); then the file
    (``read`` returns its grid, 24 hours × the days of the month, or raises);
    then a confirmed e-mail (ACC-06), as the write itself would check it.
    """
    target = _target(services, actor, contract_number, energy_object, meter_number)
    cmd = UploadIntervalProfile.of_file(read(), contract_number=contract_number, energy_object=energy_object,
                                        meter_number=meter_number, period=period, kind=kind, file_name=file_name)
    services.check_session(actor, Standing.CONFIRMED_EMAIL)  # ACC-06
    return _record(services, actor, cmd, target)


def _record(services: Services, actor: Actor, cmd: UploadIntervalProfile, target: IntervalTarget) -> ActRecorded:
    number, meter, eo = target.contract.number, target.meter, target.energy_object
    billing = services.require_billing()
    period, now = cmd.period.replace(day=1), services.clock.now()
    window = billing.reading_window(number, period)
    kinds = billing.interval_reading_kinds(number)
    act_id = interval_act_id(number, meter.number, period)

    def attempt() -> ActRecorded:
        acts = services.find(IntervalAct, act_id) or IntervalAct.open(number, meter.number, period, now=now)
        readings = services.peek(ReadingSubmission, submission_id(number, period))
        closed = readings is not None and readings.is_closed  # billing closed the month: no more profiles
        act = acts.upload(
            energy_object=eo, metering_point=target.point.number, meter=meter, kind=cmd.kind, kinds=kinds,
            values=cmd.values, file_name=cmd.file_name, by=actor.account_id, window=window, period_closed=closed,
            now=now,
        )
        position = services.save(acts)
        return ActRecorded(
            act_id=act_id, number=act.number, contract_number=number, energy_object=eo.code,
            meter_number=meter.number, period=period, kind=cmd.kind, created_at=now, total=act.total,
            position=position,
        )

    return services.write(attempt)


def interval_acts(
    services: Services, actor: Actor, contract_number: ContractNumber, meter_number: str, period: date,
    paging: Paging = ALL,
) -> IntervalActs:
    """Return the meter's acts for the month, latest first, and the choices of «Вид показаний» (RDG-15, RDG-17).

    A page holds ``paging.limit`` acts, by act number, latest first.
    """
    number = contract_number
    access = services.authorize(actor, Capability.SUBMIT_READINGS, number)
    contract, holding = access.contract, access.holding
    located = [eo for eo in contract.energy_objects for point in eo.metering_points for meter in point.meters
               if meter.number == meter_number.strip()]
    if not located:
        raise ValidationFailed(UNKNOWN_METER, field="meter_number")
    eo = next((eo for eo in located if holding.covers(eo.code)), located[0])
    target = _locate(access, number, eo.code, meter_number)
    period = period.replace(day=1)
    found = services.peek(IntervalAct, interval_act_id(number, target.meter.number, period))
    # One list per meter and month: its cursor names them, so it cannot page another one's acts.
    keys = Keyset(services.secret, f"interval-acts:{number}:{target.meter.number}:{period.isoformat()}", 1)
    after = keys.after(paging)
    acts = [] if found is None else [
        IntervalActRow(act_id=found.id, number=act.number, created_at=act.created_at, status=act.status,
                       total=act.total, kind=act.kind, file_name=act.file_name,
                       current=act is found.current)
        for act in reversed(found.acts) if after is None or act.number < int(after[0])
    ]
    page = keys.page(acts[:fetch_limit(paging)], paging, lambda act: (act.number,))
    return IntervalActs(
        contract_number=number, meter_number=target.meter.number, period=period, label=target.label,
        kinds=tuple(services.require_billing().interval_reading_kinds(number)), acts=page.items, next=page.next,
    )


def interval_act(services: Services, actor: Actor, act_id: UUID, number: int) -> IntervalActRecord:
    """Return one act with its exact values; NotFound when missing or the contract is not the actor's (RDG-17)."""
    services.check_session(actor)
    found = services.peek(IntervalAct, act_id)
    act = None if found is None else found.act(number)
    if found is None or act is None:
        raise NotFound(ACT_NOT_FOUND, act_id=str(act_id), number=number)
    contract = services.authorize(  # ROL-15: the act's energy object must be granted
        actor, Capability.SUBMIT_READINGS, found.contract_number, energy_objects=[act.energy_object],
    ).contract
    point = _point(contract, act.energy_object, found.meter_number)
    return IntervalActRecord(
        contract_number=found.contract_number, energy_object=act.energy_object, meter_number=found.meter_number,
        label=_label(found.meter_number, point.name if point else act.metering_point), period=found.period,
        number=act.number, kind=act.kind, created_at=act.created_at, total=act.total,
        status=act.status, values=act.values,
        file_name=act.file_name,
    )


# -- steps ------------------------------------------------------------------------------


def _target(  # noqa: PLR0913
    services: Services, actor: Actor, number: ContractNumber, energy_object: str, meter_number: str,
    *, standing: Standing = Standing.SESSION,
) -> IntervalTarget:
    # ``number`` arrives valid (CON-02): a command model's or the HTTP layer's ``ContractNumber``.
    access = services.authorize(actor, Capability.SUBMIT_READINGS, number, standing=standing)  # RDG-19
    return _locate(access, number, energy_object, meter_number)


def _locate(access: Access, number: ContractNumber, energy_object: str, meter_number: str) -> IntervalTarget:
    """Find the meter on the contract ``access`` handed over, or refuse (RDG-13, RDG-14, ROL-15): no I/O."""
    code = energy_object.strip()
    contract = access.contract
    if not contract.price_category.has_interval_readings:  # RDG-13
        raise ValidationFailed(NOT_INTERVAL_CATEGORY, field="contract_number",
                               price_category=str(contract.price_category))
    # ROL-15 on the holding just read: the same refusal as the access check's, without a second session and read.
    require(access.holding, Capability.SUBMIT_READINGS, contract_number=number, energy_object=code)
    eo = contract.energy_object(code)
    if eo is None:
        raise ValidationFailed(UNKNOWN_ENERGY_OBJECT, field="energy_object")
    point = _point(contract, code, meter_number.strip())
    if point is None:  # validation_failed, like an unknown scale of an on-screen submission
        raise ValidationFailed(UNKNOWN_METER, field="meter_number")
    meter = next(m for m in point.meters if m.number == meter_number.strip())
    if not any(scale.quantity == Quantity.ACTIVE_IMPORT for scale in meter.scales):  # RDG-14
        raise ValidationFailed(ONLY_A_PLUS, field="meter_number")
    return IntervalTarget(contract, eo, point, meter, _label(meter.number, point.name))


def _point(contract: Contract, energy_object: str, meter_number: str) -> MeteringPoint | None:
    eo = contract.energy_object(energy_object)
    points = () if eo is None else eo.metering_points
    return next((p for p in points if any(m.number == meter_number for m in p.meters)), None)


def _label(meter_number: str, point_name: str) -> str:
    return f"ПУ {meter_number} • {point_name}"  # Fig. 14
