"""Integral readings by file: the template and the upload (RDG-10 … RDG-12).

One sheet, header in row 1 with the nine Russian titles of RDG-11, one row
per meter scale from row 2. Codes and meter numbers are text cells (format
``@``: leading zeros kept, an 18-digit code never shown as 1.2E+17); the
previous reading is a number. The user fills only «Текущие показания».

The upload reads the first sheet, columns by position with their titles
checked, rows by key (Код ЭО, Номер ПУ, Измеряемая величина, Шкала), never
by position: the caller checks each key against billing (RDG-11) and the
rules of the screen (RDG-03 … RDG-08). A row without a current reading is
skipped (RDG-08). Every bad cell of the file is reported at once (RDG-12).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from adapters.billing.readings_files._cells import is_blank, put_number, put_text, reading
from adapters.billing.readings_files._workbook import Cell, Sheet, column_letter, read_first_sheet
from adapters.billing.xlsx_bytes import save
from adapters.billing.readings_files.problems import (
    DUPLICATE_KEY,
    FILL_IN,
    NO_VALUES,
    NOT_TEXT,
    GRID_ON_OTHER_SHEET,
    WRONG_HEADER,
    CellProblem,
    Limits,
    refuse,
)
from lkk_core.kernel.billing import Quantity
from lkk_core.kernel.errors import ValidationFailed

HEADERS = (
    "Код ЭО", "Наименование ЭО", "Статус ЭО", "Номер ПУ", "Наименование ИК",
    "Измеряемая величина (А+/А-)", "Шкала", "Предыдущие показания", "Текущие показания",
)
EO_CODE, METER, QUANTITY, ZONE, CURRENT = 1, 4, 6, 7, 9  # 1-based columns
_WIDTHS = (22, 30, 14, 14, 26, 16, 16, 14, 14)
# NOTE: proposal (not in the manual).
WRONG_QUANTITY = "Ожидается одно из значений: " + ", ".join(q.value for q in Quantity)
LATIN_TO_CYRILLIC = str.maketrans({"A": "А"})  # a Latin A typed for the Cyrillic А
_QUANTITIES = {quantity.value: quantity for quantity in Quantity}


@dataclass(frozen=True)
class IntegralRow:
    """One meter scale as the template lists it (a row of the readings page, RDG-02)."""

    eo_code: str
    eo_name: str
    eo_status: str
    meter_number: str
    complex_name: str
    quantity: Quantity
    zone: str
    previous: Decimal | None


class IntegralValue(NamedTuple):
    """One filled «Текущие показания» of an upload, with its key and 1-based sheet row."""

    eo_code: str
    meter_number: str
    quantity: Quantity
    zone: str
    value: Decimal
    row: int


def integral_template(
    rows: Iterable[IntegralRow], *, contract_number: str, period: date, generated_at: datetime,
) -> bytes:
    """Return «Шаблон интегральных показаний» for one contract and period as .xlsx bytes.

    Args:
        rows: The meter scales of the contract, in the order of the readings page.
        contract_number: Written into the sheet name and the document title.
        period: The reporting month (any day of it).
        generated_at: A timezone-aware instant stamped into the file.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Показания {period:%m.%Y}"
    for column, title in enumerate(HEADERS, start=1):
        put_text(sheet, 1, column, title)
        header = sheet.cell(row=1, column=column)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[column_letter(column)].width = _WIDTHS[column - 1]
    for number, row in enumerate(rows, start=2):
        texts = (row.eo_code, row.eo_name, row.eo_status, row.meter_number, row.complex_name,
                 row.quantity.value, row.zone)
        for column, text in enumerate(texts, start=1):
            put_text(sheet, number, column, text)
        if row.previous is not None:
            put_number(sheet, number, 8, row.previous)  # at the meter's scale: 12441.00 for a 6+2 meter
    sheet.freeze_panes = "A2"
    title = f"Интегральные показания, договор № {contract_number}, {period:%m.%Y}"
    return save(workbook, title=title, generated_at=generated_at)


def parse_integral(data: bytes, filename: str, *, limits: Limits | None = None) -> list[IntegralValue]:
    """Return the filled current readings of an integral upload (.xlsx or .xls).

    Raises:
        FileRefused: The file is not a readable workbook or exceeds ``limits``.
        ValidationFailed: Any cell is wrong; ``details['errors']`` lists every one.
    """
    sheet = read_first_sheet(data, limits or Limits(), filename)
    return _IntegralSheet(sheet, filename).values()


def is_integral_header(cells: list[Cell]) -> bool:
    """Tell whether a row is the template's header row: most of the nine titles in their columns.

    Most, not all: a title the user edited on that sheet is then reported
    once the sheet is moved first, instead of hiding where the table is.
    """
    return sum(_is_title(cells, column, title) for column, title in enumerate(HEADERS, start=1)) > len(HEADERS) // 2


def _is_title(cells: list[Cell], column: int, expected: str) -> bool:
    got = cells[column - 1] if column <= len(cells) else ""
    return isinstance(got, str) and " ".join(got.split()) == expected


class _IntegralSheet:
    def __init__(self, sheet: Sheet, filename: str) -> None:
        self._sheet, self._filename = sheet, filename
        self._problems: list[CellProblem] = []
        untrusted = sheet.untrusted_formulas()
        self._uncached = set(untrusted)  # NOTE: a formula's cell is named once, and never read as a value
        for (row, column), reason in sorted(untrusted.items()):
            self._problem(row, column, reason)

    def values(self) -> list[IntegralValue]:
        rows = self._sheet.rows
        if not self._headers_match(rows[0] if rows else []):
            elsewhere = self._sheet.other_sheet_with(is_integral_header)
            if elsewhere is not None:  # one error that says where the table is, not nine about row 1
                raise refuse([CellProblem(elsewhere, 1, 1, "A1", GRID_ON_OTHER_SHEET.format(found=elsewhere))],
                             self._filename)
            raise refuse(self._problems, self._filename)  # NOTE: the columns cannot be trusted
        found: list[IntegralValue] = []
        seen: dict[tuple[str, str, str, str], int] = {}
        for number, cells in enumerate(rows[1:], start=2):
            value = self._row(number, cells)
            if value is None:
                continue
            key = (value.eo_code, value.meter_number, value.quantity, value.zone)
            if key in seen:
                self._problem(number, EO_CODE, DUPLICATE_KEY.format(row=seen[key]))
            seen.setdefault(key, number)
            found.append(value)
        if self._problems:
            raise refuse(self._problems, self._filename)
        if not found:
            raise ValidationFailed(NO_VALUES, filename=self._filename, errors=[])
        return found

    def _headers_match(self, cells: list[Cell]) -> bool:
        match = True
        for column, expected in enumerate(HEADERS, start=1):
            if not _is_title(cells, column, expected):
                self._problem(1, column, WRONG_HEADER.format(expected=expected))
                match = False
        return match

    def _row(self, number: int, cells: list[Cell]) -> IntegralValue | None:
        current = cells[CURRENT - 1] if len(cells) >= CURRENT else ""
        if is_blank(current) and not (self._uncached and (number, CURRENT) in self._uncached):
            return None  # NOTE: RDG-08 — only meters with new values are sent
        eo_code = self._key(number, EO_CODE, cells[EO_CODE - 1])
        meter = self._key(number, METER, cells[METER - 1])
        quantity = self._quantity(number, self._key(number, QUANTITY, cells[QUANTITY - 1]))
        zone = self._key(number, ZONE, cells[ZONE - 1])
        value = None
        if not (self._uncached and (number, CURRENT) in self._uncached):
            try:
                value = reading(current)
            except ValueError as ex:
                self._problem(number, CURRENT, str(ex))
        if value is None or quantity is None or eo_code is None or meter is None or zone is None:
            return None
        return IntegralValue(eo_code, meter, quantity, zone, value, number)

    def _key(self, number: int, column: int, value: Cell) -> str | None:
        if type(value) is str and value.strip():
            return value.strip()
        if self._uncached and (number, column) in self._uncached:
            return None
        if is_blank(value):
            self._problem(number, column, FILL_IN)
            return None
        if not isinstance(value, str):
            self._problem(number, column, NOT_TEXT)
            return None
        return value.strip()

    def _quantity(self, number: int, text: str | None) -> Quantity | None:
        if text is None:
            return None
        quantity = _QUANTITIES.get(text.translate(LATIN_TO_CYRILLIC))
        if quantity is None:
            self._problem(number, QUANTITY, WRONG_QUANTITY)
        return quantity

    def _problem(self, row: int, column: int, message: str) -> None:
        cell = f"{column_letter(column)}{row}"
        self._problems.append(CellProblem(self._sheet.name, row, column, cell, message))
