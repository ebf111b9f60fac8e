"""One pass over a billing dataset file: validate everything, name each bad field, build the index.

Errors::

    ConfigurationError (lkk_core.kernel.app)
     └── DatasetError
          ├── DatasetMissing   no file where the settings point
          └── DatasetInvalid   the file breaks its format; .problems lists each bad field

A field is named as a path from the top of the dataset, the same for JSON
Lines and for a JSON document: ``contracts[3].energy_objects[0].code``
(``contracts[3]`` is the fourth contract; a JSON Lines file also says which
line it is on).
"""

from __future__ import annotations

import json
import os
from array import array
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from collections.abc import Callable
from typing import Any, BinaryIO

from pydantic import ValidationError

from adapters.billing.records import (
    LATIN_QUANTITIES,
    LINE,
    ContractLine,
    Header,
    MonthWindow,
    explain,
    latin_to_cyrillic,
)
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.billing import ReadingWindow
from lkk_core.kernel.billing_constraints import INEXACT

MAX_PROBLEMS = 100  # kept in full; the rest are only counted
LENGTH_BITS = 24  # a span packs a line's length in 24 bits and its offset in 40: 16 MiB lines, 1 TiB files
MAX_LINE = (1 << LENGTH_BITS) - 1
PROGRESS_LINES = 4096  # how often a progress callback hears of a JSON Lines file being read
HEADER = '{"format":"lkk-billing-dataset","version":1}'


class DatasetError(ConfigurationError):
    """The billing dataset cannot be used."""


class DatasetMissing(DatasetError):  # noqa: N818  (a fact about the deployment)
    """No dataset file where the settings point."""


@dataclass(frozen=True)
class Problem:
    """One rule a dataset breaks: the field, as a path from the top, and what is wrong."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" + (f" (line {self.line})" if self.line else "")


class DatasetInvalid(DatasetError):  # noqa: N818
    """The dataset breaks its format; ``problems`` names each bad field (the first 100 of ``total``)."""

    def __init__(self, path: Path, problems: list[Problem], total: int) -> None:
        self.path, self.problems, self.total = path, problems, total
        more = f" (and {total - 1} more problems)" if total > 1 else ""
        super().__init__(f"{path}: {problems[0]}{more}")

    @property
    def field(self) -> str:
        """Return the path of the first bad field, e.g. ``contracts[3].energy_objects[0].code``."""
        return self.problems[0].field


@dataclass
class Counts:
    """What a dataset holds, for ``lkk billing check``."""

    contracts: int = 0
    energy_objects: int = 0
    metering_points: int = 0
    meters: int = 0
    scales: int = 0
    emails: int = 0

    def add(self, record: ContractLine) -> None:
        """Count one valid contract."""
        self.contracts += 1
        self.emails += len(record.emails)
        for eo in record.energy_objects:
            self.energy_objects += 1
            for point in eo.metering_points:
                self.metering_points += 1
                self.meters += len(point.meters)
                self.scales += sum(len(m.scales) for m in point.meters)


def exact_line(line: bytes) -> ContractLine:
    """Validate a line from ``json.loads(…, parse_float=Decimal)``, its numbers exact and its Latin "A+" Cyrillic."""
    return LINE.validate_python(latin_to_cyrillic(json.loads(line, parse_float=Decimal)))


def needs_exact_path(error: ValidationError) -> bool:
    """Tell whether a line refused by ``LINE.validate_json`` may pass ``exact_line``: a float or a Latin "A+" in it."""
    return any(detail["type"] == INEXACT or (detail["type"] == "enum" and detail["input"] in LATIN_QUANTITIES)
               for detail in error.errors(include_url=False))


@dataclass
class Loaded:
    """A valid dataset's index: where each contract is, and the explicit windows."""

    path: Path
    counts: Counts = field(default_factory=Counts)
    index: dict[str, int] = field(default_factory=dict)  # contract number → ordinal
    spans: array[int] = field(default_factory=lambda: array("Q"))  # ordinal → offset << 24 | length of its line
    rows: list[Any] | None = None  # a JSON document's contracts, parsed; None for JSON Lines
    exact: set[int] = field(default_factory=set)  # ordinals whose lines need ``exact_line``
    windows: dict[date, ReadingWindow] = field(default_factory=dict)
    own_windows: dict[str, dict[date, ReadingWindow]] = field(default_factory=dict)


def load(path: Path, source: BinaryIO, progress: Callable[[int, int], None] | None = None) -> Loaded:
    """Validate the file ``source`` (open at its start) and return its index, or raise ``DatasetInvalid``.

    ``progress(bytes read, file size)`` is called every few thousand lines of a JSON Lines file.
    """
    loader = _Loader(Loaded(path), progress, os.fstat(source.fileno()).st_size if progress else 0)
    loader.read(source)
    if loader.total:
        raise DatasetInvalid(path, loader.problems, loader.total)
    return loader.loaded


class _Loader:
    def __init__(self, loaded: Loaded, progress: Callable[[int, int], None] | None = None, size: int = 0) -> None:
        self.loaded = loaded
        self.progress, self.size = progress, size
        self.problems: list[Problem] = []
        self.total = 0
        self.codes: dict[int, int] = {}  # energy object code → ordinal << 16 | its position in the contract

    def read(self, source: BinaryIO) -> None:
        first = source.readline()
        top = _json(first)
        if isinstance(top, dict) and "contracts" not in top:
            self._header(top, 1)
            self._lines(source, len(first))
            return
        rest = source.read()
        if top is None:  # a document that spans lines, or not JSON at all
            top = _json(first + rest)
            if top is None:
                self._problem("(file)", "is neither JSON Lines with a header line nor a JSON document")
                return
        elif rest.strip():
            self._problem("(file)", "goes on after the JSON document of line 1")
            return
        self._document(top)

    def _lines(self, source: BinaryIO, offset: int) -> None:
        spans = self.loaded.spans
        for number, raw in enumerate(source, start=2):
            start, offset = offset, offset + len(raw)
            if raw.strip():
                spans.append(start << LENGTH_BITS | min(len(raw), MAX_LINE))
                if len(raw) >= MAX_LINE:
                    self._problem(f"contracts[{len(spans) - 1}]", "is longer than 16 MiB", number)
                    continue
                self._contract(len(spans) - 1, raw, number)
            if self.progress is not None and number % PROGRESS_LINES == 0:
                self.progress(offset, self.size)
        if self.progress is not None:
            self.progress(self.size, self.size)

    def _document(self, top: Any) -> None:
        if not isinstance(top, dict):
            self._problem("(file)", "must hold a JSON object")
            return
        contracts = top.pop("contracts", [])
        self._header(top, None)
        if not isinstance(contracts, list):
            self._problem("contracts", "must be a list")
            return
        self.loaded.rows = contracts
        for ordinal, item in enumerate(contracts):
            self._contract(ordinal, item, None)

    def _header(self, value: dict[str, Any], line: int | None) -> None:
        if "format" not in value and "number" in value:
            self._problem("format", f"is missing: a dataset starts with {HEADER}", line)
            return
        try:
            header = Header.model_validate(value)
        except ValidationError as ex:
            self._pydantic("", ex, line)
            return
        self.loaded.windows = windows(header.reading_windows)

    def _contract(self, ordinal: int, value: Any, line: int | None) -> None:
        where = f"contracts[{ordinal}]"
        try:
            record = self._record(ordinal, value)
        except ValidationError as ex:
            self._pydantic(where, ex, line)
            return
        first = self.loaded.index.setdefault(record.number, ordinal)
        if first != ordinal:
            self._problem(f"{where}.number", f"repeats contracts[{first}].number {record.number}", line)
        for position, eo in enumerate(record.energy_objects):
            key = ordinal << 16 | position
            seen = self.codes.setdefault(int(eo.code), key)
            if seen != key:
                self._problem(f"{where}.energy_objects[{position}].code",
                              f"repeats contracts[{seen >> 16}].energy_objects[{seen & 0xFFFF}].code {eo.code}", line)
        if record.reading_windows:
            self.loaded.own_windows[record.number] = windows(record.reading_windows)
        self.loaded.counts.add(record)

    def _record(self, ordinal: int, value: Any) -> ContractLine:
        if not isinstance(value, bytes):  # an item of a document, parsed exactly already
            return LINE.validate_python(latin_to_cyrillic(value))  # in place: lookups read it Cyrillic
        try:
            return LINE.validate_json(value)
        except ValidationError as ex:
            if not needs_exact_path(ex):
                raise
        self.loaded.exact.add(ordinal)
        return exact_line(value)

    def _pydantic(self, where: str, error: ValidationError, line: int | None) -> None:
        for detail in error.errors(include_url=False):
            path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in detail["loc"])
            self._problem(path.lstrip(".") or "(file)", explain(detail), line)

    def _problem(self, where: str, message: str, line: int | None = None) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, message, line))


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError:
        return None


def windows(given: tuple[MonthWindow, ...]) -> dict[date, ReadingWindow]:
    """Return explicit windows by month."""
    return {w.period: w.window() for w in given}
