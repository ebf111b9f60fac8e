"""Open an uploaded .xlsx or .xls safely and return its first sheet as a grid.

Reader: python-calamine 0.9.1 reads both formats (Rust, one dependency)
and was measured against openpyxl (.xlsx) and xlrd (.xls) on the same
files (xlsx/xls written by XlsxWriter/xlwt, best of 3, this machine)::

    5,000-row integral .xlsx   calamine   49 ms   openpyxl read-only 277 ms (full load 482 ms)
    5,000-row integral .xls    calamine   11 ms   xlrd 2.0.2           60 ms
    31×24 interval .xlsx       calamine  0.4 ms   openpyxl read-only   6 ms

Python-side peaks (tracemalloc) are alike (3–4 MB for 5,000 rows; calamine
allocates its grid in Rust, which tracemalloc cannot see: ``bench/readings_files.py``
reports ru_maxrss per reader in a fresh process). So calamine is chosen
for both formats; openpyxl stays the writer (templates, primary act).

What calamine does not do, done here before it sees the file:

* **Type by content.** ``PK`` + ``xl/workbook.xml`` is .xlsx; the OLE2
  signature ``D0 CF 11 E0`` is .xls, unless it holds an
  ``EncryptedPackage`` stream (a password-protected .xlsx). The file name
  is never trusted.
* **Zip bombs.** The central directory's uncompressed sizes are summed and
  checked, with the compression ratio and the entry count, before any
  entry is inflated; the sheet XML itself is then inflated through a
  bounded reader.
* **Sparse giants.** calamine allocates the sheet as a dense rectangle, so
  one cell at XFD1048576 would cost gigabytes (a 6 KB .xls with one cell at
  IV65536 took 1 GB and 2 s): the cell references of the sheet XML, or the
  BIFF cell records of an .xls (``_xls``), are scanned and ``max_cells``
  checked on the rectangle.
* **Formulas.** calamine returns ``''`` for a formula with no cached value,
  like an empty cell. Formulas are never evaluated; when the sheet XML
  holds any ``<f>``, it is parsed and every formula cell without a cached
  ``<v>`` is reported by address. A formula with a cached value counts as
  that value, unless the book asks to be recalculated when opened
  (``<calcPr fullCalcOnLoad="1"/>`` in ``xl/workbook.xml``, read here: openpyxl
  and calamine expose no such flag): XlsxWriter writes it into every book and
  caches a placeholder, 0 unless told otherwise, so each such formula cell is
  reported by address too. (A BIFF8 .xls FORMULA record always carries a
  result; one flagged «calculate on open» is reported the same way, ``_xls``.)
* **Other sheets.** Only the first sheet is read. When it holds no grid, the
  parsers ask ``Sheet.other_sheet_with`` whether a later sheet starts with
  one, to say where it is instead of reporting the empty first sheet; each
  sheet looked at is checked against the same limits first.

Legacy .xls goes through xlrd instead (``_xls.read_xls_first_sheet``): a damaged
.xls (``tests/fixtures/readings/calamine_abort.xls``) makes calamine 0.9.1 abort
the whole process on a failed 1.5 TB allocation, which no ``except`` catches;
xlrd is pure Python, so a damaged file can only raise. It is slower (60 ms
instead of 11 for 5,000 rows), a price worth paying for an upload path.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Literal
from xml.etree import ElementTree as ET

from python_calamine import CalamineError, CalamineWorkbook

from adapters.billing.readings_files._xls import (
    check_xls_extent,
    other_xls_sheet_with,
    read_xls_first_sheet,
)
from adapters.billing.readings_files.problems import (
    RECALCULATED_FORMULA,
    UNCACHED_FORMULA,
    FileRefused,
    Limits,
)

Cell = str | float | int | bool | date | datetime | time | timedelta
_Formulas = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]  # (uncached, placeholders)
Kind = Literal["xlsx", "xls"]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# NOTE: plain substring tests are memchr-fast; a false hit (``<filterColumn``) only costs the slow, exact path.
# Every formula element starts ``<f`` or ``<prefix:f``: two scans of the sheet instead of six (6 ms on 5,000 rows).
_FORMULA_MARKS = (b"<f", b":f")
# NOTE: any ` r="B7"` counts (row elements carry digits only); over-matching only makes the check stricter.
# A cell's column letters, and its row digits: one group each, so that findall gives plain bytes, not a
# tuple per cell (45,000 tuples for a 5,000-row template, each tracked by the garbage collector).
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]{1,7}"')
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"')
# What a damaged archive raises while its parts are read (zlib.error: a corrupt deflate stream).
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ET.ParseError, RuntimeError,
           NotImplementedError, ValueError)
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Sheet:
    """The first sheet of a workbook: its name and its cells from A1, rows of equal length.

    The formula cells whose value cannot be trusted: ``uncached_formulas``
    have no cached value at all; ``placeholder_formulas`` have one, in a book
    that asks to be recalculated when opened (``fullCalcOnLoad``, as XlsxWriter
    writes every workbook: the cached value is the writer's guess, often 0).
    """

    name: str
    rows: list[list[Cell]]
    uncached_formulas: tuple[tuple[int, int], ...] = ()  # (row, column), 1-based
    placeholder_formulas: tuple[tuple[int, int], ...] = ()  # (row, column), 1-based
    book: _Book | None = field(default=None, compare=False, repr=False)

    def untrusted_formulas(self) -> dict[tuple[int, int], str]:
        """Return each formula cell whose value cannot be trusted, with the reason to show, by (row, column)."""
        return {**dict.fromkeys(self.placeholder_formulas, RECALCULATED_FORMULA),
                **dict.fromkeys(self.uncached_formulas, UNCACHED_FORMULA)}

    def other_sheet_with(self, grid: Callable[[list[Cell]], bool]) -> str | None:
        """Return the name of the first later sheet whose row 1 ``grid`` recognises, or None.

        For the error path (the first sheet holds no grid): each sheet looked
        at is checked against the same limits as the first before it is read.
        """
        return None if self.book is None else self.book.other_sheet_with(grid)


@dataclass(frozen=True)
class _Book:
    """The checked upload, to look at its other sheets later."""

    data: bytes
    kind: Kind
    limits: Limits
    sheets: tuple[tuple[str, str], ...] = ()  # .xlsx: (name, XML part) of every sheet, in the workbook's order

    def other_sheet_with(self, grid: Callable[[list[Cell]], bool]) -> str | None:
        if self.kind == "xls":
            return other_xls_sheet_with(self.data, self.limits, grid)
        try:
            with zipfile.ZipFile(BytesIO(self.data)) as archive:
                workbook = CalamineWorkbook.from_filelike(BytesIO(self.data))
                return next((name for name, path in self.sheets[1:]
                             if self._first_row_is(grid, archive, workbook, name, path)), None)
        except (CalamineError, *_BROKEN):
            return None

    def _first_row_is(self, grid: Callable[[list[Cell]], bool], archive: zipfile.ZipFile,
                      workbook: CalamineWorkbook, name: str, path: str) -> bool:
        """Tell whether one later sheet starts with the grid; one over a limit, or damaged, does not."""
        try:
            _check_extent(_read_bounded(archive, path, self.limits), self.limits)  # before calamine allocates it
            first = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=1)
        except (FileRefused, CalamineError, IndexError, *_BROKEN):
            return False
        return bool(first) and grid(first[0])


def sniff(data: bytes, limits: Limits) -> Kind:
    """Return the workbook format found by content, or refuse the file."""
    if len(data) > limits.max_bytes:
        raise FileRefused.limit("max_bytes", len(data), limits.max_bytes)
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise FileRefused.encrypted()
        return "xls"
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    raise FileRefused.not_a_workbook()


def read_first_sheet(data: bytes, limits: Limits, filename: str = "") -> Sheet:
    """Check the file against ``limits`` and return its first sheet, never evaluating formulas.

    Raises:
        FileRefused: Not a workbook, encrypted, damaged or over a limit; its message names ``filename``.
    """
    try:
        return _read_first_sheet(data, limits)
    except FileRefused as ex:
        raise ex.named(filename) from None


def _read_first_sheet(data: bytes, limits: Limits) -> Sheet:
    kind = sniff(data, limits)
    if kind == "xlsx":
        (uncached, placeholders), sheets = _check_xlsx(data, limits)
    else:
        placeholders = check_xls_extent(data, limits)
        name, rows = read_xls_first_sheet(data, limits)
        return Sheet(name, rows, (), placeholders, _Book(data, kind, limits))
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        height, width = sheet.total_height, sheet.total_width
        if height * width > limits.max_cells:
            raise FileRefused.limit("max_cells", height * width, limits.max_cells)
        rows = sheet.to_python(skip_empty_area=False)
        name = sheet.name
    except FileRefused:
        raise
    except (CalamineError, ValueError, OSError, IndexError) as ex:
        raise FileRefused.unreadable(str(ex)) from None
    return Sheet(name, rows, uncached, placeholders, _Book(data, kind, limits, sheets))


def _check_xlsx(data: bytes, limits: Limits) -> tuple[_Formulas, tuple[tuple[str, str], ...]]:
    try:
        return _check_archive(data, limits)
    except _BROKEN as ex:
        raise FileRefused.unreadable(f"{type(ex).__name__}: {ex}") from None


def _check_archive(data: bytes, limits: Limits) -> tuple[_Formulas, tuple[tuple[str, str], ...]]:
    """Return the first sheet's untrusted formula cells and (name, XML part) of every sheet in order, after
    every check."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        entries = archive.infolist()
        if len(entries) > limits.max_zip_entries:
            raise FileRefused.limit("max_zip_entries", len(entries), limits.max_zip_entries)
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise FileRefused.not_a_workbook()
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise FileRefused.encrypted()
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed_bytes:
            raise FileRefused.limit("max_uncompressed_bytes", total, limits.max_uncompressed_bytes)
        for entry in entries:
            if entry.file_size > limits.ratio_floor_bytes:
                ratio = entry.file_size // max(entry.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise FileRefused.limit("max_compression_ratio", ratio, limits.max_compression_ratio)
        workbook = ET.fromstring(_read_bounded(archive, "xl/workbook.xml", limits))  # noqa: S314 - see _sheets
        sheets = _sheets(archive, workbook, names, limits)
        xml = _read_bounded(archive, sheets[0][1], limits)
    _check_extent(xml, limits)
    if not any(mark in xml for mark in _FORMULA_MARKS):
        return ((), ()), sheets
    return _untrusted_formulas(xml, recalculated=_recalculates_on_load(workbook)), sheets


def _recalculates_on_load(workbook: ET.Element) -> bool:
    """Tell whether the workbook asks to be recalculated when opened: its cached values are then placeholders.

    ``<calcPr fullCalcOnLoad="1"/>`` in ``xl/workbook.xml``: XlsxWriter writes it
    into every workbook and caches 0 (or what the caller gave) for each formula;
    openpyxl exposes no such flag and calamine returns the placeholder.
    """
    calc = workbook.find(f"{_NS_MAIN}calcPr")
    return calc is not None and (calc.get("fullCalcOnLoad") or "").strip().lower() in {"1", "true"}


def _read_bounded(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    # NOTE: the declared size may lie; never inflate more than the limit allows.
    with archive.open(name) as stream:
        xml = stream.read(limits.max_uncompressed_bytes + 1)
    if len(xml) > limits.max_uncompressed_bytes:
        raise FileRefused.limit("max_uncompressed_bytes", len(xml), limits.max_uncompressed_bytes)
    return xml


def _sheets(archive: zipfile.ZipFile, workbook: ET.Element, names: set[str], limits: Limits,
            ) -> tuple[tuple[str, str], ...]:
    """Return (name, XML part) of every sheet, in the workbook's order; the first sheet's part must exist."""
    # NOTE: sizes checked above; expat (2.4+) refuses entity-expansion bombs, and ET fetches nothing.
    sheets = workbook.findall(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    rels = ET.fromstring(_read_bounded(archive, "xl/_rels/workbook.xml.rels", limits))  # noqa: S314
    if not sheets:
        raise FileRefused.unreadable("no sheet")
    targets = {}
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        target = (rel.get("Target") or "").lstrip("/")
        targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    found = tuple((sheet.get("name") or "", targets.get(sheet.get(f"{_NS_REL}id"), "")) for sheet in sheets)
    if found[0][1] not in names:
        raise FileRefused.unreadable("first sheet not found")
    return found


def _check_extent(xml: bytes, limits: Limits) -> None:
    last_column = max((column_number(letters.decode()) for letters in set(_CELL_COLUMN.findall(xml))), default=0)
    last_row = max(map(int, set(_CELL_ROW.findall(xml))), default=0)
    if last_row * last_column > limits.max_cells:
        raise FileRefused.limit("max_cells", last_row * last_column, limits.max_cells)


def _untrusted_formulas(xml: bytes, *, recalculated: bool) -> _Formulas:
    """Return the formula cells without a cached value, and (with ``recalculated``) those with a placeholder."""
    found, placeholders = [], []
    for _, element in ET.iterparse(BytesIO(xml)):  # noqa: S314 - bounded size, as above
        if element.tag.endswith("}c") or element.tag == "c":
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            cached = children.get("v")
            if "f" in children:
                if cached is None or not (cached.text or ""):
                    found.append(_parse_ref(element.get("r") or ""))
                elif recalculated:
                    placeholders.append(_parse_ref(element.get("r") or ""))
            element.clear()
    return tuple(ref for ref in found if ref is not None), tuple(ref for ref in placeholders if ref is not None)


def _parse_ref(ref: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", ref)
    return (int(match[2]), column_number(match[1])) if match else None


def column_number(letters: str) -> int:
    """Return the 1-based column number of Excel column letters: A → 1, AF → 32."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letter(number: int) -> str:
    """Return the Excel column letters of a 1-based column number: 1 → A, 32 → AF."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
