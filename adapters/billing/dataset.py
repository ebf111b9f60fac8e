"""The reference ``Billing`` port over a dataset file (ARCHITECTURE.md §8; docs/how-to/billing-dataset.md).

The file is JSON Lines: a header object on line 1 (``format``, ``version``,
optional ``reading_windows``), then one contract per line. A single JSON
document (the header's keys plus ``contracts``) is read too, for small
hand-written files. ``records.Dataset`` is the schema of both, and
``dataset.schema.json`` its JSON Schema.

Opening validates every line (``loader``) and keeps only an index: contract
number → ordinal → (offset, length) of its line. A lookup reads that one line
with ``os.pread`` and has pydantic build the frozen dataclasses straight from
its JSON, so memory stays small and a lookup costs the same at 1,000
contracts as at 100,000; a lookup reads only the contract of its line
(``records.LineContract``). Lines that path cannot take (a JSON number with
a fraction, a Latin "A+") are parsed in Python first (``loader.exact_line``).
The file is read once: replace it (``write_dataset`` renames a new file over
the old one) and restart to see a change.

Windows (RDG-04): the contract's own ``reading_windows``, else the header's,
else [1st of M 00:00, 22nd of M+1 00:00) in ``LKK_TIMEZONE``.
"""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.billing.loader import LENGTH_BITS, MAX_LINE, DatasetMissing, exact_line, load
from adapters.billing.records import (
    FORMAT,
    LATIN_QUANTITIES,
    LINE,
    LINE_CONTRACT,
    VERSION,
    ContractLine,
    Dataset,
    contract_json,
    scale_reading_record,
)
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.billing import (
    AcceptedReading,
    Contract,
    ReadingWindow,
    ScaleReading,
    SubmittedProfile,
    SubmittedReading,
)

DEFAULT_TIMEZONE = "Europe/Moscow"
SCHEMA_ID = "https://lkk.example/schemas/billing-dataset-v1.json"
SCHEMA_PATH = Path(__file__).with_name("dataset.schema.json")  # dataset_schema_text(), kept current by a test
# «Вид показаний» of an hourly profile (RDG-15): metered, or computed when a meter failed.
INTERVAL_READING_KINDS = ("Фактические", "Расчётные")  # NOTE: proposal; the manual gives no values
# «Источник показаний» of billing's own accepted readings (HIS-07): the dataset does not say how
# billing came by a reading, only that it settled the month with it.
DATASET_SOURCE = "данные биллинга"  # NOTE: proposal


def default_window(period: date, timezone: ZoneInfo) -> ReadingWindow:
    """Return RDG-04's window for the month of ``period``: [1st 00:00, 22nd of the next month 00:00)."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)  # noqa: PLR2004
    return ReadingWindow(period.replace(day=1), datetime(period.year, period.month, 1, tzinfo=timezone),
                         datetime(year, month, 22, tzinfo=timezone))


class DatasetBilling:
    """The billing port over a validated dataset file; lookups are O(1) and thread-safe."""

    def __init__(self, path: Path | str, *, timezone: ZoneInfo | str = DEFAULT_TIMEZONE,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.path = Path(path)
        self.timezone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            msg = f"{self.path}: no billing dataset there"
            raise DatasetMissing(msg) from None
        self._closer = weakref.finalize(self, os.close, fd)
        try:
            with os.fdopen(os.dup(fd), "rb") as source:  # the index and the lookups read the same file
                loaded = load(self.path, source, progress)
        except BaseException:
            self._closer()
            raise
        self.counts = loaded.counts
        self._index, self._spans, self._rows, self._exact = loaded.index, loaded.spans, loaded.rows, loaded.exact
        self._windows, self._own_windows = loaded.windows, loaded.own_windows
        self._fd = fd
        self.received: dict[tuple[UUID, int], tuple[str, date, tuple[SubmittedReading, ...]]] = {}
        self.profiles: dict[UUID, tuple[int, str, date, SubmittedProfile]] = {}
        if self._rows is not None:  # a document is held in memory: no more reads
            self.close()

    def __len__(self) -> int:
        return len(self._index)

    def __enter__(self) -> DatasetBilling:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; later lookups raise ``OSError`` (EBADF), never read another file."""
        if self._fd >= 0:
            self._fd = -1
            self._closer()

    def numbers(self) -> Iterable[str]:
        """Return the contract numbers, in file order."""
        return self._index.keys()

    def find_contract(self, number: str) -> Contract | None:
        """Return the contract with that number, or None if the dataset has none."""
        ordinal = self._index.get(number)
        return None if ordinal is None else self._contract(ordinal)

    def reading_window(self, number: str, period: date) -> ReadingWindow | None:
        """Return the window of the month of ``period``: the contract's, the dataset's, else RDG-04's rule."""
        if number not in self._index:
            return None
        month = period.replace(day=1)
        own = self._own_windows.get(number)
        if own and month in own:
            return own[month]
        return self._windows.get(month) or default_window(month, self.timezone)

    def meter_readings(self, number: str, period: date) -> tuple[ScaleReading, ...]:
        """Return billing's facts per meter scale for the month ``period`` (the contract's ``meter_readings``)."""
        ordinal = self._index.get(number)
        if ordinal is None:
            return ()
        month = period.replace(day=1)
        return tuple(r.reading() for r in self._read_line(ordinal).meter_readings if r.period == month)

    def accepted_readings(self, number: str, period: date) -> tuple[AcceptedReading, ...]:
        """Return billing's accepted readings of the month ``period``, derived from nothing but the dataset.

        A later month's facts name the reading billing settled the month with
        (``previous`` of ``previous_period``): each one whose ``previous_period``
        is ``period`` is an accepted reading, labelled ``DATASET_SOURCE``. Its
        «Расход» is not in the dataset, so None.
        """
        ordinal = self._index.get(number)
        if ordinal is None:
            return ()
        month = period.replace(day=1)
        line = self._read_line(ordinal)
        energy_objects = {meter.number: eo.code for eo in line.energy_objects
                          for point in eo.metering_points for meter in point.meters}
        found = {}
        for fact in (r.reading() for r in line.meter_readings if r.previous_period == month):
            if fact.previous is not None and fact.meter_number in energy_objects:
                found[fact.key] = AcceptedReading(energy_objects[fact.meter_number], fact.meter_number, fact.zone,
                                                  str(fact.quantity), fact.previous, None, DATASET_SOURCE)
        return tuple(found[key] for key in sorted(found))

    def receive_readings(
        self, number: str, period: date, readings: tuple[SubmittedReading, ...], *, submission_id: UUID, version: int
    ) -> None:
        """Keep submitted readings in memory, once per (submission, version): the reference billing's inbox."""
        self.received[(submission_id, version)] = (number, period, readings)

    def interval_reading_kinds(self, number: str) -> tuple[str, ...]:
        """Return the choices of «Вид показаний» (the same for every contract of the dataset)."""
        return INTERVAL_READING_KINDS if number in self._index else ()

    def receive_interval_profile(
        self, number: str, period: date, profile: SubmittedProfile, *, act_id: UUID, version: int
    ) -> None:
        """Keep the latest act per meter and month in memory; a repeated (act, version) changes nothing."""
        kept = self.profiles.get(act_id)
        if kept is None or kept[0] < version:
            self.profiles[act_id] = (version, number, period, profile)

    def _read_line(self, ordinal: int) -> ContractLine:
        if self._rows is not None:  # validated at load, its Latin "A+" made Cyrillic there
            return LINE.validate_python(self._rows[ordinal])
        span = self._spans[ordinal]
        line = os.pread(self._fd, span & MAX_LINE, span >> LENGTH_BITS)
        return exact_line(line) if ordinal in self._exact else LINE.validate_json(line)

    def _contract(self, ordinal: int) -> Contract:
        if self._rows is not None or ordinal in self._exact:
            return self._read_line(ordinal).contract()
        span = self._spans[ordinal]
        return LINE_CONTRACT.validate_json(os.pread(self._fd, span & MAX_LINE, span >> LENGTH_BITS)).contract()


def billing_from_env(env: Mapping[str, str], *, progress: Callable[[int, int], None] | None = None) -> DatasetBilling:
    """Open the dataset at ``LKK_BILLING_DATASET`` (default ``$LKK_VAR_DIR/billing.json``) in ``LKK_TIMEZONE``."""
    name = env.get("LKK_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        timezone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"LKK_TIMEZONE: {name!r} is not a time zone of the IANA database (e.g. Europe/Moscow)"
        raise ConfigurationError(msg) from None
    given = env.get("LKK_BILLING_DATASET")
    path = Path(given or Path(env.get("LKK_VAR_DIR") or "var") / "billing.json")
    if not path.is_file():
        where = (f"LKK_BILLING_DATASET={given}: no such file" if given
                 else f"LKK_BILLING_DATASET is not set and its default {path} does not exist")
        msg = f"{where}; write one with `lkk billing generate --contracts 100 --out {path}`"
        raise DatasetMissing(msg)
    return DatasetBilling(path, timezone=timezone, progress=progress)


def write_dataset(path: Path | str, contracts: Iterable[Contract], *,
                  reading_windows: Iterable[ReadingWindow] = (),
                  meter_readings: Callable[[Contract], Iterable[tuple[date, ScaleReading]]] | None = None,
                  progress: Callable[[int], None] | None = None) -> Path:
    """Write contracts as a JSON Lines dataset, streaming; the finished file replaces ``path`` atomically.

    ``meter_readings`` gives billing's facts of a contract's meter scales, each for its month;
    ``progress(contracts written)`` is called after each contract.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if windows := [_window(w) for w in reading_windows]:
        header["reading_windows"] = windows
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            for written, contract in enumerate(contracts, start=1):
                out.write(_line(contract, meter_readings) + b"\n")
                if progress is not None:
                    progress(written)
        os.chmod(temporary, 0o644)  # noqa: PTH101  (mkstemp makes it private; the server reads it)
        os.replace(temporary, path)  # noqa: PTH105
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def dataset_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a dataset document; a JSON Lines file puts ``contracts`` one per line."""
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID}
    schema.update(Dataset.model_json_schema(mode="validation"))
    quantity = schema["$defs"]["Quantity"]
    quantity["enum"] = [*quantity["enum"], *LATIN_QUANTITIES]  # a Latin "A+" is read as «А+»
    return schema


def dataset_schema_text() -> str:
    """Return the text ``dataset.schema.json`` must have: the schema, indented, in UTF-8."""
    return json.dumps(dataset_json_schema(), ensure_ascii=False, indent=2) + "\n"


def _line(contract: Contract,
          meter_readings: Callable[[Contract], Iterable[tuple[date, ScaleReading]]] | None) -> bytes:
    line = contract_json(contract)
    records = [scale_reading_record(p, r) for p, r in meter_readings(contract)] if meter_readings else []
    if not records:
        return line
    extra = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode()
    return line[:-1] + b',"meter_readings":' + extra + b"}"


def _window(window: ReadingWindow) -> dict[str, str]:
    return {"period": window.period.strftime("%Y-%m"), "opens_at": window.opens_at.isoformat(),
            "closes_at": window.closes_at.isoformat()}
