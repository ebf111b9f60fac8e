"""Find the extent of an .xls (BIFF8) workbook's cells without reading them.

calamine allocates a sheet as a dense rectangle, and BIFF8 allows 65,536 ×
256 cells: a 6 KB .xls with one cell at IV65536 makes it take 1 GB and two
seconds. So the cell records are walked first, as a stream of
``(type, length)`` headers, and the rectangle is checked against
``max_cells``. The OLE2 container is opened with xlrd's ``compdoc`` (pure
Python, bounds-checked); nothing else of xlrd is used.

The same walk finds the first sheet's FORMULA records flagged «calculate
on open» or «recalculate always»: their stored result is a placeholder for
the reader to replace (the .xls form of ``fullCalcOnLoad``), which xlrd
would return as the value.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from io import StringIO
from typing import Any

import xlrd
from xlrd.compdoc import CompDoc, CompDocError

from adapters.billing.readings_files.problems import FileRefused, Limits

# BIFF8 cell records starting with (row, column): FORMULA, RSTRING, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK.
_CELL = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# (row, first column, …, last column): MULRK, MULBLANK.
_MULTI = frozenset({0x00BD, 0x00BE})
_FORMULA, _BOUNDSHEET, _EOF = 0x0006, 0x0085, 0x000A
_RECALCULATE = 0x0003  # FORMULA option flags: recalculate always (0x1), calculate on open (0x2)
_WORKSHEET = 0  # BOUNDSHEET sheet type; xlrd lists worksheets only
_HEADER = struct.Struct("<HH")
_LAST = struct.Struct("<H")
_POSITION = struct.Struct("<I")


def check_xls_extent(data: bytes, limits: Limits) -> tuple[tuple[int, int], ...]:
    """Refuse an .xls whose cells span more than ``limits.max_cells`` (any sheet).

    Returns:
        The (row, column), 1-based, of the first worksheet's formulas whose stored result is a placeholder.
    """
    try:
        doc = CompDoc(data, logfile=StringIO())
        mem, base, length = doc.locate_named_stream("Workbook")
        if mem is None:
            mem, base, length = doc.locate_named_stream("Book")
    except (CompDocError, struct.error, IndexError, ValueError, KeyError, AssertionError) as ex:  # NOTE: compdoc asserts on some damage
        raise FileRefused.unreadable(str(ex)) from None
    if mem is None:
        raise FileRefused.unreadable("no Workbook stream")
    walk = _walk(mem, base, base + length)
    if walk.rows * walk.columns > limits.max_cells:
        raise FileRefused.limit("max_cells", walk.rows * walk.columns, limits.max_cells)
    return walk.first_sheet_placeholders(base)


@dataclass
class _Walk:
    """What one pass over the Workbook stream found."""

    rows: int = 0
    columns: int = 0
    first_sheet: int | None = None  # the first worksheet's BOF, relative to the stream (BOUNDSHEET)
    ends: list[int] = field(default_factory=list)  # where each EOF record starts
    flagged: list[tuple[int, int, int]] = field(default_factory=list)  # (where, row, column) of flagged formulas

    def first_sheet_placeholders(self, base: int) -> tuple[tuple[int, int], ...]:
        if self.first_sheet is None or not self.flagged:
            return ()
        start = base + self.first_sheet
        end = next((at for at in self.ends if at >= start), None)
        return tuple((row + 1, column + 1) for at, row, column in self.flagged
                     if at >= start and (end is None or at < end))


def _walk(mem: bytes, position: int, end: int) -> _Walk:
    unpack, last = _HEADER.unpack_from, _LAST.unpack_from
    end = min(end, len(mem))
    walk = _Walk()
    rows = columns = 0
    while position + 4 <= end:
        at = position
        kind, size = unpack(mem, position)
        body = position + 4
        position = body + size
        if position > end:
            break
        if kind in _CELL and size >= 4:
            row, column = unpack(mem, body)
            if kind == _FORMULA and size >= 16 and mem[body + 14] & _RECALCULATE:
                walk.flagged.append((at, row, column))
        elif kind in _MULTI and size >= 6:
            row = unpack(mem, body)[0]
            column = last(mem, position - 2)[0]
        else:
            if kind == _EOF:
                walk.ends.append(at)
            elif kind == _BOUNDSHEET and size >= 6 and walk.first_sheet is None and mem[body + 5] == _WORKSHEET:
                walk.first_sheet = _POSITION.unpack_from(mem, body)[0]
            continue
        rows, columns = max(rows, row + 1), max(columns, column + 1)
    walk.rows, walk.columns = rows, columns
    return walk


def read_xls_first_sheet(data: bytes, limits: Limits) -> tuple[str, list[list[Any]]]:
    """Return the first sheet's name and its cells, as calamine would give them (xlrd, pure Python).

    Empty cells are ``""``, numbers ``float``, dates ``date`` (or ``datetime``
    with a time of day), booleans ``bool``, error cells their text (``#DIV/0!``).
    A damaged file raises ``FileRefused``, never takes the process down.
    """
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=StringIO())
        sheet = book.sheet_by_index(0)
        if sheet.nrows * sheet.ncols > limits.max_cells:
            raise FileRefused.limit("max_cells", sheet.nrows * sheet.ncols, limits.max_cells)
        rows = [[_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows)]
        name = sheet.name
    except FileRefused:
        raise
    except Exception as ex:  # noqa: BLE001  (xlrd raises many kinds on damaged files; each is "unreadable")
        raise FileRefused.unreadable(str(ex)) from None
    width = max((len(row) for row in rows), default=0)
    return name, [row + [""] * (width - len(row)) for row in rows]


def other_xls_sheet_with(data: bytes, limits: Limits, grid: Callable[[list[Any]], bool]) -> str | None:
    """Return the name of the first sheet after the first whose row 1 ``grid`` recognises, or None.

    ``check_xls_extent`` has bounded every sheet's cells already; damage reads as no grid.
    """
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=StringIO())
        for index in range(1, book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows * sheet.ncols > limits.max_cells:
                continue
            if sheet.nrows and grid([_value(cell, book.datemode) for cell in sheet.row(0)]):
                return sheet.name
            book.unload_sheet(index)
    except Exception:  # noqa: BLE001  (as in read_xls_first_sheet: a damaged later sheet is simply no grid)
        return None
    return None


def _value(cell: Any, datemode: int) -> Any:
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate.xldate_as_datetime(value, datemode)
        return moment.date() if moment.time() == time(0) else moment
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return value  # text as str, numbers as float
