"""Read a value out of a cell, and write typed cells (text kept as text, numbers exact).

Numbers: calamine returns every numeric cell as a ``float`` (an .xlsx or
.xls number is an IEEE double). A float becomes ``Decimal(repr(x))``: the
shortest decimal string that reads back as the same double, so a value
typed with at most 15 significant digits comes back exactly as typed
(12442.25, 0.1, 26940) and never as 0.1000000000000000055…. A double whose
shortest form has 16–17 digits (the result of a formula, 0.1 + 0.2) is
rounded to the 15 significant digits a spreadsheet shows (0.3). More than
15 significant digits cannot survive any spreadsheet number; they can only
be kept in a text cell ("12044795595.8641234"), which is read digit for
digit. Text numbers accept "." or "," (RDG-05); thousands separators,
spaces inside, signs other than a leading "-" and exponents are refused.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from adapters.billing.readings_files._workbook import Cell
from adapters.billing.readings_files.problems import NEGATIVE, NOT_A_NUMBER

TEXT_FORMAT = "@"
SHOWN_DIGITS = 15
FAST_LIMIT = 1e15  # below it, repr() never uses an exponent
_TEXT_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


def is_blank(value: Cell | None) -> bool:
    """Tell whether a cell is empty (calamine gives ``''``) or holds only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def reading(value: Cell) -> Decimal:
    """Return a non-blank cell as a reading ≥ 0, or raise ValueError with the Russian reason."""
    if type(value) is float and 0 <= value < FAST_LIMIT:  # NOTE: the common case first, cheaply
        if value.is_integer():
            return Decimal(int(value))
        shortest = repr(value)
        if len(shortest) <= SHOWN_DIGITS + 1:
            return Decimal(shortest)
    if isinstance(value, bool) or isinstance(value, date | datetime | time | timedelta):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(NOT_A_NUMBER)
        number = Decimal(int(value)) if value.is_integer() else _shown(value)
    else:
        text = value.strip()
        if not _TEXT_NUMBER.fullmatch(text):
            raise ValueError(NOT_A_NUMBER)
        number = Decimal(text.replace(",", "."))
    if number < 0:
        raise ValueError(NEGATIVE)
    return number + 0 if number == 0 else number  # NOTE: -0 from a text "-0" is just 0


def _shown(value: float) -> Decimal:
    # NOTE: a double computed by a formula (0.1 + 0.2) has a 17-digit repr; spreadsheets show 15.
    exact = Decimal(repr(value))
    if len(exact.as_tuple().digits) <= SHOWN_DIGITS:
        return exact
    return Context(prec=SHOWN_DIGITS).create_decimal(exact).normalize()


def number_cell(value: Decimal) -> int | float:
    """Return the cell value of a Decimal: an int when integral, else the nearest double."""
    if not value.is_finite():
        msg = f"not a finite number: {value}"
        raise ValueError(msg)
    return int(value) if value == value.to_integral_value() else float(value)


def put_number(sheet: Worksheet, row: int, column: int, value: Decimal) -> None:
    """Write a number cell showing the Decimal's own fraction digits (12441.00 as «12441,00», format ``0.00``).

    The value arrives at its meter's scale (``lkk_core.readings.at_scale``);
    a double has no trailing zeros, so the cell's number format keeps them.
    A value with more digits than a double keeps is written as text, exactly.
    """
    if len(value.normalize().as_tuple().digits) > SHOWN_DIGITS:
        put_text(sheet, row, column, str(value))  # NOTE: more digits than any spreadsheet number keeps
        return
    cell = sheet.cell(row=row, column=column, value=number_cell(value))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:
        cell.number_format = "0." + "0" * -exponent


def put_text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """Write a text cell that a spreadsheet keeps as text: leading zeros, no formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"  # NOTE: openpyxl would turn "=…" into a formula
    cell.number_format = TEXT_FORMAT
