"""Find the extent of an .xls (BIFF8) workbook's cells without reading them.

calamine allocates a sheet as a dense rectangle, and BIFF8 allows 65,536 ×
256 cells: a 6 KB .xls with one cell at IV65536 makes it take 1 GB and two
seconds. So the cell records are walked first, as a stream of
``(type, length)`` headers, and the rectangle is checked against
``max_cells``. The OLE2 container is opened with xlrd's ``compdoc`` (pure
Python, bounds-checked); nothing else of xlrd is used.
"""

from __future__ import annotations

import struct
from io import StringIO

from xlrd.compdoc import CompDoc, CompDocError

from adapters.billing.readings_files.problems import FileRefused, Limits

# BIFF8 cell records starting with (row, column): FORMULA, RSTRING, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK.
_CELL = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# (row, first column, …, last column): MULRK, MULBLANK.
_MULTI = frozenset({0x00BD, 0x00BE})
_HEADER = struct.Struct("<HH")
_LAST = struct.Struct("<H")


def check_xls_extent(data: bytes, limits: Limits) -> None:
    """Refuse an .xls whose cells span more than ``limits.max_cells`` (any sheet)."""
    try:
        doc = CompDoc(data, logfile=StringIO())
        mem, base, length = doc.locate_named_stream("Workbook")
        if mem is None:
            mem, base, length = doc.locate_named_stream("Book")
    except (CompDocError, struct.error, IndexError, ValueError, KeyError, AssertionError) as ex:  # NOTE: compdoc asserts on some damage
        raise FileRefused.unreadable(str(ex)) from None
    if mem is None:
        raise FileRefused.unreadable("no Workbook stream")
    rows, columns = _extent(mem, base, base + length)
    if rows * columns > limits.max_cells:
        raise FileRefused.limit("max_cells", rows * columns, limits.max_cells)


def _extent(mem: bytes, position: int, end: int) -> tuple[int, int]:
    unpack, last = _HEADER.unpack_from, _LAST.unpack_from
    end = min(end, len(mem))
    rows = columns = 0
    while position + 4 <= end:
        kind, size = unpack(mem, position)
        body = position + 4
        position = body + size
        if position > end:
            break
        if kind in _CELL and size >= 4:
            row, column = unpack(mem, body)
        elif kind in _MULTI and size >= 6:
            row = unpack(mem, body)[0]
            column = last(mem, position - 2)[0]
        else:
            continue
        rows, columns = max(rows, row + 1), max(columns, column + 1)
    return rows, columns
