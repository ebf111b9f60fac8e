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
  that value. (A BIFF8 .xls FORMULA record always carries its result.)

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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Literal
from xml.etree import ElementTree as ET

from python_calamine import CalamineError, CalamineWorkbook

from adapters.billing.readings_files._xls import check_xls_extent, read_xls_first_sheet
from adapters.billing.readings_files.problems import FileRefused, Limits

Cell = str | float | int | bool | date | datetime | time | timedelta
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
    """The first sheet of a workbook: its name and its cells from A1, rows of equal length."""

    name: str
    rows: list[list[Cell]]
    uncached_formulas: tuple[tuple[int, int], ...] = ()  # (row, column), 1-based


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


def read_first_sheet(data: bytes, limits: Limits) -> Sheet:
    """Check the file against ``limits`` and return its first sheet, never evaluating formulas."""
    kind = sniff(data, limits)
    uncached: tuple[tuple[int, int], ...] = ()
    if kind == "xlsx":
        uncached = _check_xlsx(data, limits)
    else:
        check_xls_extent(data, limits)
        name, rows = read_xls_first_sheet(data, limits)
        return Sheet(name, rows)
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
    return Sheet(name, rows, uncached)


def _check_xlsx(data: bytes, limits: Limits) -> tuple[tuple[int, int], ...]:
    try:
        return _check_archive(data, limits)
    except _BROKEN as ex:
        raise FileRefused.unreadable(f"{type(ex).__name__}: {ex}") from None


def _check_archive(data: bytes, limits: Limits) -> tuple[tuple[int, int], ...]:
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
        xml = _read_bounded(archive, _first_sheet_path(archive, names), limits)
    _check_extent(xml, limits)
    return _uncached_formulas(xml) if any(mark in xml for mark in _FORMULA_MARKS) else ()


def _read_bounded(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    # NOTE: the declared size may lie; never inflate more than the limit allows.
    with archive.open(name) as stream:
        xml = stream.read(limits.max_uncompressed_bytes + 1)
    if len(xml) > limits.max_uncompressed_bytes:
        raise FileRefused.limit("max_uncompressed_bytes", len(xml), limits.max_uncompressed_bytes)
    return xml


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    # NOTE: sizes checked above; expat (2.4+) refuses entity-expansion bombs, and ET fetches nothing.
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    first = workbook.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    if first is None:
        raise FileRefused.unreadable("no sheet")
    rel_id = first.get(f"{_NS_REL}id")
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = (rel.get("Target") or "").lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            if path in names:
                return path
    raise FileRefused.unreadable("first sheet not found")


def _check_extent(xml: bytes, limits: Limits) -> None:
    last_column = max((column_number(letters.decode()) for letters in set(_CELL_COLUMN.findall(xml))), default=0)
    last_row = max(map(int, set(_CELL_ROW.findall(xml))), default=0)
    if last_row * last_column > limits.max_cells:
        raise FileRefused.limit("max_cells", last_row * last_column, limits.max_cells)


def _uncached_formulas(xml: bytes) -> tuple[tuple[int, int], ...]:
    found = []
    for _, element in ET.iterparse(BytesIO(xml)):  # noqa: S314 - bounded size, as above
        if element.tag.endswith("}c") or element.tag == "c":
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            cached = children.get("v")
            if "f" in children and (cached is None or not (cached.text or "")):
                found.append(_parse_ref(element.get("r") or ""))
            element.clear()
    return tuple(ref for ref in found if ref is not None)


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
