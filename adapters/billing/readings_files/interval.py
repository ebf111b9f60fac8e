"""Interval readings by file: the template, the upload and the primary act (RDG-13 … RDG-17).

One metering point, one month. A1 «Время»; A2 … A25 the hours «00-01» …
«23-24»; B1 onwards the dates of the month (``dd.mm.yyyy``, 28–31
columns); each other cell the consumption of that hour on that date.

The upload takes dates as date cells or ``dd.mm.yyyy`` text, and values as
numbers or text with "." or "," (RDG-05). Date columns are matched by
their date, so their order does not matter; every day of the month must be
there exactly once. Rows and columns that are wholly empty after the grid
are ignored; anything else out of place is refused with its cell address
(RDG-16): a blank value, a 25th hour row, a missing hour or day, a date of
another month, a date given twice. The hours are 24 in every day: the
supplier's zone has no daylight-saving shifts (DOMAIN.md §0.3).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from adapters.billing.readings_files._cells import FAST_LIMIT, SHOWN_DIGITS, is_blank, put_number, put_text, reading
from adapters.billing.readings_files._workbook import Cell, Sheet, column_letter, read_first_sheet
from adapters.billing.xlsx_bytes import save
from adapters.billing.readings_files.problems import (
    FILL_IN,
    GRID_ON_OTHER_SHEET,
    WRONG_HEADER,
    CellProblem,
    Limits,
    refuse,
)

TEMPLATE_FILENAME = "Интервальные показания.xlsx"
TIME_HEADER = "Время"
HOURS = tuple(f"{hour:02d}-{hour + 1:02d}" for hour in range(24))
ACT_TITLE = "Первичный акт"
ACT_STATUS = "В ожидании"  # NOTE: §5.3's text; Fig. 14 shows «Ожидание» (DOMAIN.md RDG-17)
ACT_NOTE = "без КТ и без потерь"
# NOTE: proposals (not in the manual).
NOT_A_DATE = "Ожидается дата в виде дд.мм.гггг"
OTHER_MONTH = "Дата не относится к отчётному месяцу {month:02d}.{year}"
DUPLICATE_DATE = "Дата {day} уже указана в ячейке {cell}"
MISSING_DATE = "Нет столбца за {day}"
EXTRA_HOUR = "Лишняя строка: в сутках 24 часовых интервала, последний «23-24»"
MISSING_HOUR = "Нет строки «{hour}»"
_DATE_TEXT = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")
_DASHES = str.maketrans({"–": "-", "—": "-"})


@dataclass(frozen=True)
class IntervalProfile:
    """The hourly consumption of one metering point for one month, as uploaded.

    Attributes:
        values: 24 rows (hours 00-01 … 23-24) of one Decimal per day of the month.
        total: «Введённый расход», the sum of all values (RDG-17).
    """

    year: int
    month: int
    values: tuple[tuple[Decimal, ...], ...]
    total: Decimal

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]


def interval_template(*, year: int, month: int, metering_point: str, generated_at: datetime) -> bytes:
    """Return «Шаблон интервальных показаний» for one metering point and month (.xlsx bytes).

    The download is to be named ``TEMPLATE_FILENAME`` («Интервальные показания.xlsx»).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{month:02d}.{year}"
    _grid(sheet, 1, year, month, None)
    return save(workbook, title=f"Интервальные показания, {metering_point}, {month:02d}.{year}",
                generated_at=generated_at)


def parse_interval(
    data: bytes, filename: str, *, year: int, month: int, limits: Limits | None = None,
) -> IntervalProfile:
    """Return the hourly profile of an interval upload (.xlsx or .xls) for ``year``-``month``.

    Raises:
        FileRefused: The file is not a readable workbook or exceeds ``limits``.
        ValidationFailed: Any cell is wrong; ``details['errors']`` lists every one.
    """
    sheet = read_first_sheet(data, limits or Limits(), filename)
    return _IntervalSheet(sheet, filename, year, month).profile()


def primary_act_xlsx(
    profile: IntervalProfile, *, meter: str, created_at: datetime, generated_at: datetime,
) -> bytes:
    """Return «Первичный акт» of an accepted upload as .xlsx bytes, to download again (RDG-17).

    Args:
        profile: The accepted profile.
        meter: The meter as the form shows it («ПУ 01284918 • РТП 100. яч.2»).
        created_at: When the act was created, already in the supplier's time zone.
        generated_at: A timezone-aware instant stamped into the file.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ACT_TITLE
    put_text(sheet, 1, 1, ACT_TITLE)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    pairs = (
        ("Прибор учёта", meter), ("Дата и время", f"{created_at:%d.%m.%Y %H:%M:%S}"),
        ("Статус", ACT_STATUS), ("Значения", ACT_NOTE),
    )
    for row, (label, text) in enumerate(pairs, start=2):
        put_text(sheet, row, 1, label)
        put_text(sheet, row, 2, text)
    put_text(sheet, 6, 1, "Введённый расход")
    put_number(sheet, 6, 2, profile.total)
    _grid(sheet, 8, profile.year, profile.month, profile.values)
    return save(workbook, title=f"{ACT_TITLE} {meter} {created_at:%d.%m.%Y %H:%M:%S}", generated_at=generated_at)


def _grid(sheet: Worksheet, top: int, year: int, month: int, values: tuple[tuple[Decimal, ...], ...] | None) -> None:
    days = calendar.monthrange(year, month)[1]
    put_text(sheet, top, 1, TIME_HEADER)
    for day in range(1, days + 1):
        put_text(sheet, top, day + 1, f"{date(year, month, day):%d.%m.%Y}")
        sheet.column_dimensions[column_letter(day + 1)].width = 11
    for hour, label in enumerate(HOURS):
        put_text(sheet, top + 1 + hour, 1, label)
        if values is not None:
            for day, value in enumerate(values[hour], start=2):
                put_number(sheet, top + 1 + hour, day, value)  # as uploaded: 12.50 shows «12,50»


def is_interval_corner(cells: list[Cell]) -> bool:
    """Tell whether a row starts the template's grid: «Время» in A1."""
    return bool(cells) and isinstance(cells[0], str) and cells[0].strip() == TIME_HEADER


class _IntervalSheet:
    def __init__(self, sheet: Sheet, filename: str, year: int, month: int) -> None:
        self._sheet, self._filename, self._year, self._month = sheet, filename, year, month
        self._problems: list[CellProblem] = []
        self._seen: set[CellProblem] = set()
        untrusted = sheet.untrusted_formulas()
        self._uncached = set(untrusted)  # NOTE: a formula's cell is named once, and never read as a value
        for (row, column), reason in sorted(untrusted.items()):
            self._problem(row, column, reason)
        rows = sheet.rows
        # NOTE: wholly empty trailing rows and columns are tolerated (RDG-16 decision).
        self._height = max([0, *(r for r, _ in self._uncached)])
        self._width = max([0, *(c for _, c in self._uncached)])
        for number, cells in enumerate(rows, start=1):
            used = next((c for c in range(len(cells), 0, -1) if not is_blank(cells[c - 1])), 0)
            if used:
                self._height = max(self._height, number)
                self._width = max(self._width, used)

    def profile(self) -> IntervalProfile:
        if not is_interval_corner(self._sheet.rows[0] if self._sheet.rows else []):
            elsewhere = self._sheet.other_sheet_with(is_interval_corner)
            if elsewhere is not None:  # one error that says where the grid is, not one per hour and day
                raise refuse([CellProblem(elsewhere, 1, 1, "A1", GRID_ON_OTHER_SHEET.format(found=elsewhere))],
                             self._filename)
        days = calendar.monthrange(self._year, self._month)[1]
        self._check_time_column()
        columns = self._date_columns(days)
        grid = [[Decimal(0)] * days for _ in HOURS]
        rows = self._sheet.rows
        for hour in range(min(len(HOURS), self._height - 1)):
            cells, line = rows[hour + 1], grid[hour]
            width = len(cells)
            for column, day in columns.items():
                raw = cells[column - 1] if column <= width else ""
                # NOTE: inlined fast path of reading() for the common cell, a plain double ≥ 0.
                if type(raw) is float and 0.0 <= raw < FAST_LIMIT and len(text := repr(raw)) <= SHOWN_DIGITS + 1:
                    line[day - 1] = Decimal(int(raw)) if raw.is_integer() else Decimal(text)
                elif (value := self._value(hour + 2, column, raw)) is not None:
                    line[day - 1] = value
        if self._problems:
            raise refuse(self._problems, self._filename)
        values = tuple(tuple(row) for row in grid)
        return IntervalProfile(self._year, self._month, values, sum((sum(row) for row in values), Decimal(0)))

    def _at(self, row: int, column: int) -> Cell:
        rows = self._sheet.rows
        if row <= len(rows) and column <= len(rows[row - 1]):
            return rows[row - 1][column - 1]
        return ""

    def _check_time_column(self) -> None:
        if not is_interval_corner([self._at(1, 1)]):
            self._problem(1, 1, WRONG_HEADER.format(expected=TIME_HEADER))
        for row in range(2, max(self._height, len(HOURS) + 1) + 1):
            label = self._at(row, 1)
            if row - 2 >= len(HOURS):
                self._problem(row, 1, EXTRA_HOUR)
            elif is_blank(label) and all(is_blank(self._at(row, c)) for c in range(2, self._width + 1)):
                self._problem(row, 1, MISSING_HOUR.format(hour=HOURS[row - 2]))
            elif not isinstance(label, str) or "".join(label.translate(_DASHES).split()) != HOURS[row - 2]:
                self._problem(row, 1, WRONG_HEADER.format(expected=HOURS[row - 2]))

    def _date_columns(self, days: int) -> dict[int, int]:
        columns: dict[int, int] = {}
        by_day: dict[int, int] = {}
        for column in range(2, self._width + 1):
            day = self._date(column)
            if day is None:
                continue
            if day.year != self._year or day.month != self._month:
                self._problem(1, column, OTHER_MONTH.format(month=self._month, year=self._year))
            elif day.day in by_day:
                first = f"{column_letter(by_day[day.day])}1"
                self._problem(1, column, DUPLICATE_DATE.format(day=f"{day:%d.%m.%Y}", cell=first))
            else:
                by_day[day.day] = column
                columns[column] = day.day
        for day in range(1, days + 1):
            if day not in by_day:
                # NOTE: named at the column the template puts that day in.
                self._problem(1, day + 1, MISSING_DATE.format(day=f"{date(self._year, self._month, day):%d.%m.%Y}"))
        return columns

    def _date(self, column: int) -> date | None:
        if (1, column) in self._uncached:
            return None
        value = self._at(1, column)
        if isinstance(value, datetime):
            if value.time() == datetime.min.time():
                return value.date()
        elif isinstance(value, date):
            return value
        elif is_blank(value):
            self._problem(1, column, FILL_IN)
            return None
        elif isinstance(value, str) and (match := _DATE_TEXT.fullmatch(value.strip())):
            try:
                return date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                pass
        self._problem(1, column, NOT_A_DATE)
        return None

    def _value(self, row: int, column: int, value: Cell) -> Decimal | None:
        if self._uncached and (row, column) in self._uncached:
            return None
        if is_blank(value):
            self._problem(row, column, FILL_IN)
            return None
        try:
            return reading(value)
        except ValueError as ex:
            self._problem(row, column, str(ex))
            return None

    def _problem(self, row: int, column: int, message: str) -> None:
        cell = f"{column_letter(column)}{row}"
        problem = CellProblem(self._sheet.name, row, column, cell, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self._problems.append(problem)
