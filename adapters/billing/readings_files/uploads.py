"""The readings files as use cases: templates for the actor, uploads through the services (RDG-10 … RDG-17).

The pure file code (``integral``, ``interval``) knows cells, not rules; the
services (``lkk_core.readings``) know rules, not cells. This module joins
them: a template holds exactly what the actor may submit (the readings
page's rows), and every error the services raise about ``readings[i]`` is
named back at the sheet, row and column of that row (RDG-12), so the user
fixes the file rather than guessing. Nothing is written when anything fails:
the services are all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from adapters.billing.readings_files._cells import is_blank
from adapters.billing.readings_files._collector import collector_paused
from adapters.billing.readings_files._workbook import Sheet, column_letter, read_first_sheet
from adapters.billing.readings_files.integral import (
    CURRENT,
    EO_CODE,
    LATIN_TO_CYRILLIC,
    METER,
    QUANTITY,
    ZONE,
    IntegralRow,
    IntegralValue,
    _IntegralSheet,  # NOTE: parse_integral without its read, so the sheet is read once and its rows kept
    integral_template,
)
from adapters.billing.readings_files.interval import IntervalProfile, interval_template, parse_interval, primary_act_xlsx
from adapters.billing.readings_files.problems import FILE_HAS_PROBLEMS, CellProblem, Limits
from lkk_core import readings
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.billing import Contract
from lkk_core.kernel.commands import ContractNumber
from lkk_core.readings import AWAITING, MAX_READINGS, ReadingsFilter, SubmitReadings
from lkk_core.kernel.errors import Conflict, ValidationFailed
from lkk_core.kernel.permissions import Capability
from lkk_core.readings import Place, PlaceKey, places, scales_left_out
from lkk_core.readings import ActRecorded
from lkk_core.readings import ALL_SCALES, UNKNOWN_SCALE, ReadingsSaved
from lkk_core.kernel.services import Actor, Services

INTEGRAL_TEMPLATE_FILENAME = "Шаблон интегральных показаний.xlsx"  # NOTE: proposal, after the button's label
# NOTE: proposals (not in the manual).
MISSING_ROW = "{message}: в файле нет строки шкалы «{zone}» «{quantity}»"
TOO_MANY_ROWS = "В файле больше {maximum} заполненных строк: разделите его на несколько файлов"

# The variables of ``limits_from_env`` and the ``Limits`` field each one sets.
LIMIT_VARIABLES = {
    "LKK_UPLOAD_MAX_BYTES": "max_bytes",
    "LKK_UPLOAD_MAX_UNCOMPRESSED_BYTES": "max_uncompressed_bytes",
    "LKK_UPLOAD_MAX_COMPRESSION_RATIO": "max_compression_ratio",
    "LKK_UPLOAD_MAX_CELLS": "max_cells",
    "LKK_UPLOAD_MAX_ZIP_ENTRIES": "max_zip_entries",
}

def limits_from_env(env: Mapping[str, str]) -> Limits:
    """Return the upload limits of the variables in ``LIMIT_VARIABLES``; a bad value stops the start with its name.

    Raises:
        ConfigurationError: A variable is set but is not a positive integer.
    """
    chosen: dict[str, int] = {}
    for variable, name in LIMIT_VARIABLES.items():
        text = (env.get(variable) or "").strip()
        if not text:
            continue
        if not text.isascii() or not text.isdigit() or int(text) <= 0:
            msg = f"{variable}: {text!r} is not a positive integer"
            raise ConfigurationError(msg)
        chosen[name] = int(text)
    return Limits(**chosen)


# -- integral readings ------------------------------------------------------------------


def integral_template_for(services: Services, actor: Actor, contract_number: ContractNumber, period: date) -> bytes:
    """Return «Шаблон интегральных показаний»: the rows of the readings page the actor may submit (RDG-11).

    Only granted energy objects (ROL-15), only meters whose energy object and
    meter are in «Ожидание» (RDG-03), with billing's previous readings.
    ``contract_number`` arrives valid (CON-02), from the HTTP query model.

    Raises:
        NotFound, Forbidden: As a submission for the contract would (RDG-19; an Accountant is forbidden).
    """
    number = contract_number
    access = services.authorize(actor, Capability.SUBMIT_READINGS, number)
    period = period.replace(day=1)
    block = readings.contract_block(services, access, ReadingsFilter(contract_number=number, status=AWAITING,
                                                                     period=period))
    rows = [
        IntegralRow(eo_code=eo.code, eo_name=eo.name, eo_status=eo.status, meter_number=meter.number,
                    complex_name=point.name, quantity=scale.quantity, zone=scale.zone,
                    previous=None if scale.previous is None else readings.at_scale(scale.previous, meter.fraction_digits))
        for eo in block.energy_objects
        for point in eo.metering_points
        for meter in point.meters if meter.may_submit
        for scale in meter.scales
    ]
    return integral_template(rows, contract_number=number, period=period,
                             generated_at=services.clock.now())


def submit_integral_file(
    services: Services, actor: Actor, *, contract_number: ContractNumber, period: date, data: bytes, filename: str,
    limits: Limits,
) -> ReadingsSaved:
    """Submit the filled «Текущие показания» of an integral file; every error names its cell (RDG-10 … RDG-12).

    The actor's right is checked before the file is read. Errors of the
    file itself (bad numbers, headers) and errors of the rules (a missing
    tariff zone, an unknown row, a status other than «Ожидание») are
    reported together where both exist (AS-35). ``contract_number`` arrives
    valid (CON-02), from the HTTP form model.

    Raises:
        FileRefused: Not a workbook, or over ``limits``.
        ValidationFailed: ``details['errors']`` lists ``{sheet, row, column, cell, message}`` per problem.
        Conflict: A row's meter or energy object is not in «Ожидание» (RDG-03), with the cells.
    """
    with collector_paused():
        return _submit_integral_file(services, actor, contract_number=contract_number, period=period, data=data,
                                     filename=filename, limits=limits)


def _submit_integral_file(
    services: Services, actor: Actor, *, contract_number: ContractNumber, period: date, data: bytes, filename: str,
    limits: Limits,
) -> ReadingsSaved:
    """``submit_integral_file`` with the collector held off by the caller."""
    number = contract_number
    contract = services.authorize(actor, Capability.SUBMIT_READINGS, number).contract
    sheet = read_first_sheet(data, limits, filename)
    try:
        values = _IntegralSheet(sheet, filename).values()
    except ValidationFailed as ex:
        if not ex.details.get("errors"):
            raise
        rows = _FileRows(sheet, contract)  # only on the error paths: indexing 5,000 rows costs a fifth of an upload
        # RDG-12: all problems at once, so add what the rules would say about the rows that did parse;
        # unless a header is wrong: then the columns, and so the rows' keys, cannot be trusted.
        errors = ex.details["errors"]
        reported = {error.get("row") for error in errors}
        trusted = 1 not in reported
        judged = rows.unknown_rows(reported) + rows.missing_scales(reported) if trusted else []
        problems = [*errors, *judged]
        raise _refused(problems, filename, ex.details.get("unlisted", 0)) from None
    cmd = _command(number, period, values, sheet, filename)
    try:
        return readings.submit_readings(services, actor, cmd)
    except Conflict as ex:
        rows = _FileRows(sheet, contract)
        raise Conflict(ex.message, filename=filename,
                       errors=[rows.locate(e, values, ex.message) for e in ex.details.get("errors", [])]) from None
    except ValidationFailed as ex:
        rows = _FileRows(sheet, contract)
        errors = ex.details.get("errors") or [{"message": ex.message}]
        raise _refused([rows.locate(e, values, ex.message) for e in errors], filename) from None


def _command(number: str, period: date, values: list[IntegralValue], sheet: Sheet, filename: str) -> SubmitReadings:
    if len(values) > MAX_READINGS:
        message = TOO_MANY_ROWS.format(maximum=MAX_READINGS)
        raise ValidationFailed(message, filename=filename, errors=[])
    # The rows as the parser proved them (stripped keys, the cell's exact Decimal): validated once, not again
    # field by field (``SubmitReadings.of_file``); the value goes in as it is, never as text again.
    rows = [(value.eo_code, value.meter_number, value.zone, value.quantity.value, value.value) for value in values]
    try:
        return SubmitReadings.of_file(number, period, rows)
    except ValidationError as ex:
        # A key no contract could have (an EO code of letters, 41 characters): the row is unknown (RDG-11).
        problems = []
        for error in ex.errors():
            if len(error["loc"]) < 3 or error["loc"][0] != "readings":
                raise
            index, bad = int(error["loc"][1]), str(error["loc"][2])
            column = {"energy_object": EO_CODE, "meter_number": METER, "zone": ZONE}.get(bad, CURRENT)
            problems.append(_problem(sheet, values[index].row, column, UNKNOWN_SCALE))
        raise _refused(problems, filename) from None


def _problem(sheet: Sheet, row: int, column: int, message: str, **extra: Any) -> dict[str, Any]:
    cell = CellProblem(sheet.name, row, column, f"{column_letter(column)}{row}", message)
    return {**cell.as_detail(), **extra}


def _refused(problems: list[dict[str, Any]], filename: str, unlisted: int = 0) -> ValidationFailed:
    """One ValidationFailed with every problem in sheet order; those without a cell last."""
    unique = list({(p.get("cell"), p["message"]): p for p in problems}.values())
    unique.sort(key=lambda p: (p.get("row") is None, p.get("row") or 0, p.get("column") or 0))
    return ValidationFailed(FILE_HAS_PROBLEMS, filename=filename, errors=unique, unlisted=unlisted)


@dataclass
class _FileRows:
    """The file's rows by key, to name the cell of a service's error (and RDG-06 on the error path)."""

    sheet: Sheet
    contract: Contract
    by_key: dict[PlaceKey, tuple[int, bool]] = field(init=False)  # key → (first row, «Текущие показания» filled)
    places: dict[PlaceKey, Place] = field(init=False)

    filled_rows: list[tuple[int, PlaceKey]] = field(init=False)  # (row, key) of the rows with a current reading

    def __post_init__(self) -> None:
        self.by_key, self.filled_rows = {}, []
        for number, cells in enumerate(self.sheet.rows[1:], start=2):
            texts = [cells[c - 1] if c <= len(cells) else "" for c in (EO_CODE, METER, ZONE, QUANTITY, CURRENT)]
            if not all(isinstance(text, str) and text.strip() for text in texts[:4]):
                continue
            eo, meter, zone, quantity = (str(text).strip() for text in texts[:4])
            key = (eo, meter, zone, quantity.translate(LATIN_TO_CYRILLIC))
            self.by_key.setdefault(key, (number, not is_blank(texts[4])))
            if not is_blank(texts[4]):
                self.filled_rows.append((number, key))
        self.places = places(self.contract)

    def locate(self, error: dict[str, Any], values: list[IntegralValue], message: str) -> dict[str, Any]:
        """Return a service error (``field`` = ``readings[i]…``) as a problem at its sheet cell.

        ``message`` is the error's own when it has one (a Conflict's entries carry only the status).
        """
        where, message = error.get("field") or "", error.get("message") or message
        extra = {k: v for k, v in error.items() if k not in ("field", "message")}
        if where.startswith("readings[") and "]" in where:
            value = values[int(where[len("readings["):where.index("]")])]
            key = (value.eo_code, value.meter_number, value.zone, value.quantity.value)
            column = CURRENT if where.endswith(".value") or "status" in error else self._unknown_column(key)
            return _problem(self.sheet, value.row, column, message, **extra)
        key = (extra.get("energy_object"), extra.get("meter_number"), extra.get("zone"), extra.get("quantity"))
        if None not in key:
            return self._missing(key, message, extra)  # type: ignore[arg-type]
        return {"sheet": self.sheet.name, "row": None, "column": None, "cell": None, "message": message, **extra}

    def unknown_rows(self, reported: set[int | None]) -> list[dict[str, Any]]:
        """Return RDG-11's problems (a key the contract lacks) for filled rows not already reported."""
        return [_problem(self.sheet, row, self._unknown_column(key), UNKNOWN_SCALE)
                for row, key in self.filled_rows if row not in reported and key not in self.places]

    def missing_scales(self, reported: set[int | None]) -> list[dict[str, Any]]:
        """Return RDG-06's problems for the filled rows of a file that failed to parse.

        Only on the error path, so that one upload shows every problem (AS-35);
        a file that parses is judged by the service itself. A row the parser
        already reported (an uncached formula looks empty) is not reported again.
        """
        filled = [key for key, (_, has_value) in self.by_key.items() if has_value]
        return [
            self._missing(key, ALL_SCALES.format(meter=place.meter.number),
                          {"energy_object": key[0], "meter_number": key[1], "zone": key[2], "quantity": key[3]})
            for key, place in scales_left_out(self.places, filled)
            if self.by_key.get(key, (None,))[0] not in reported
        ]

    def _missing(self, key: PlaceKey, message: str, extra: dict[str, Any]) -> dict[str, Any]:
        found = self.by_key.get(key)
        if found is not None:  # the row is there, its «Текущие показания» empty
            return _problem(self.sheet, found[0], CURRENT, message, **extra)
        text = MISSING_ROW.format(message=message, zone=key[2], quantity=key[3])
        return {"sheet": self.sheet.name, "row": None, "column": None, "cell": None, "message": text, **extra}

    def _unknown_column(self, key: PlaceKey) -> int:
        """Return the first key column that matches nothing in the contract (RDG-11)."""
        eo, meter, _, quantity = key
        keys = self.places.keys()
        if not any(k[0] == eo for k in keys):
            return EO_CODE
        if not any(k[:2] == (eo, meter) for k in keys):
            return METER
        if not any(k[:2] == (eo, meter) and k[3] == quantity for k in keys):
            return QUANTITY
        return ZONE


# -- interval readings ------------------------------------------------------------------


def interval_template_for(
    services: Services, actor: Actor, *, contract_number: ContractNumber, energy_object: str, meter_number: str,
    period: date,
) -> bytes:
    """Return «Интервальные показания.xlsx» for a meter and month, after the checks of an upload (RDG-13 … RDG-16)."""
    target = readings.interval_target(services, actor, contract_number, energy_object, meter_number)
    return interval_template(year=period.year, month=period.month, metering_point=target.label,
                             generated_at=services.clock.now())


def submit_interval_file(
    services: Services, actor: Actor, *, contract_number: ContractNumber, energy_object: str, meter_number: str,
    period: date, kind: str, data: bytes, filename: str, limits: Limits,
) -> ActRecorded:
    """Record an interval file as a «Первичный акт» (RDG-13 … RDG-17).

    The meter is checked first, so that a category I–II contract or a
    non-«А+» meter is refused before the file is read (AS-37).
    """
    def read() -> tuple[tuple[Decimal, ...], ...]:
        return parse_interval(data, filename, year=period.year, month=period.month, limits=limits).values

    with collector_paused():
        return readings.upload_interval_file(
            services, actor, contract_number=contract_number, energy_object=energy_object, meter_number=meter_number,
            period=period, kind=kind, file_name=filename[:255] or None, read=read)


def interval_act_xlsx(services: Services, actor: Actor, act_id: UUID, number: int) -> tuple[str, bytes]:
    """Return the file name and bytes of one «Первичный акт», its time in ``LKK_TIMEZONE`` (RDG-17)."""
    record = readings.interval_act(services, actor, act_id, number)
    profile = IntervalProfile(record.period.year, record.period.month, record.values, record.total)
    created = record.created_at.astimezone(services.settings.timezone)
    data = primary_act_xlsx(profile, meter=record.label, created_at=created, generated_at=services.clock.now())
    # NOTE: ":" is not allowed in Windows file names, hence the dots in the time.
    return f"Первичный акт {record.meter_number} {created:%d.%m.%Y %H.%M.%S}.xlsx", data
