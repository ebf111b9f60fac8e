"""Deterministic .xlsx bytes: the same workbook and instant give the same file, never the wall clock.

openpyxl stamps the document properties and every zip entry with the time
of writing; exports and templates are compared byte for byte in tests and
must not change between two downloads of the same thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can hold


def save(workbook: Workbook, *, title: str, generated_at: datetime) -> bytes:
    """Return the workbook's bytes stamped with ``generated_at`` (timezone-aware) in its properties and entries."""
    if generated_at.tzinfo is None:
        msg = "generated_at must be timezone-aware"
        raise ValueError(msg)
    stamp = generated_at.astimezone(UTC)
    properties = workbook.properties
    properties.created = properties.modified = stamp.replace(tzinfo=None)
    properties.creator = "lkk"
    properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    raw = BytesIO()
    with ZipFile(raw, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _restamped(raw.getvalue(), max(stamp, _ZIP_EPOCH))


def _restamped(xlsx: bytes, stamp: datetime) -> bytes:
    """Repack the archive so that every entry carries ``stamp`` instead of the wall clock."""
    # NOTE: a zip entry's time has a two-second resolution and no time zone: UTC, seconds rounded down.
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second // 2 * 2)
    out = BytesIO()
    with ZipFile(BytesIO(xlsx)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stamped = ZipInfo(entry.filename, date_time=date_time)
            stamped.compress_type = ZIP_DEFLATED
            stamped.external_attr = entry.external_attr
            target.writestr(stamped, source.read(entry))
    return out.getvalue()
