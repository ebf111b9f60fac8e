"""Limits for uploaded files, cell problems and the errors that carry them.

Every message shown to the user is Russian. «Заполните поле» is the
manual's (§5.2, DOMAIN.md §13.5); every other text here is a proposal
(NOTE: proposal) for the product owner, in the spirit of DOMAIN.md §13.14.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from lkk_core.kernel.errors import ValidationFailed

MiB = 1024 * 1024

# NOTE: the manual's own string (RDG-07, RDG-12).
FILL_IN = "Заполните поле"
# NOTE: proposals (not in the manual), for the product owner to replace.
NOT_A_NUMBER = "Введите число: цифры и одна точка или запятая, без пробелов и разделителей разрядов"
NEGATIVE = "Показания не могут быть отрицательными"
UNCACHED_FORMULA = "В ячейке формула без вычисленного значения: введите число"
# A workbook saved with fullCalcOnLoad (XlsxWriter): its cached values are placeholders, often 0.
RECALCULATED_FORMULA = ("В ячейке формула, а книга сохранена без вычисленных значений (они пересчитываются "
                        "только при открытии): введите число или сохраните книгу в Excel")
GRID_ON_OTHER_SHEET = ("Таблица показаний найдена на листе «{found}», а должна быть на первом листе: "
                       "переместите этот лист в начало книги")
WRONG_HEADER = "Ожидается заголовок «{expected}»"
NOT_TEXT = "Ожидается текст"
DUPLICATE_KEY = "Строка повторяет строку {row}: тот же ЭО, ПУ, величина и шкала"
NO_VALUES = "В файле не заполнено ни одного значения «Текущие показания»"
FILE_HAS_PROBLEMS = "Файл содержит ошибки: исправьте их и загрузите файл снова"


@dataclass(frozen=True)
class Limits:
    """Bounds on an uploaded workbook, checked before the file is parsed.

    Attributes:
        max_bytes: Size of the uploaded file.
        max_uncompressed_bytes: Sum of the declared sizes of an .xlsx's zip entries,
            and the most bytes ever inflated from the sheet XML.
        max_compression_ratio: Uncompressed/compressed size of one zip entry.
        ratio_floor_bytes: Entries smaller than this are not ratio-checked
            (a tiny XML part compresses 100× without harm).
        max_zip_entries: Entries in an .xlsx archive.
        max_cells: Cells of the sheet's used rectangle (calamine allocates it densely).
    """

    max_bytes: int = 10 * MiB
    max_uncompressed_bytes: int = 100 * MiB
    max_compression_ratio: int = 100
    ratio_floor_bytes: int = 1 * MiB
    max_zip_entries: int = 1_000
    max_cells: int = 1_000_000


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: where it is (sheet, 1-based row and column, «B7») and why."""

    sheet: str
    row: int
    column: int
    cell: str
    message: str

    def as_detail(self) -> dict[str, Any]:
        return asdict(self)


class FileRefused(ValidationFailed):
    """The upload is not a workbook we can read, or exceeds a configured limit.

    Raised where the bytes are checked, which do not know the file's name;
    ``read_first_sheet`` re-raises it ``named`` after the upload, so that every
    whole-file message names the file (details carry ``filename`` too).
    """

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self._remake: Callable[[str], FileRefused] | None = None

    def named(self, filename: str) -> FileRefused:
        """Return the same refusal with its message naming ``filename`` (unchanged when it was built without one)."""
        return self if self._remake is None else self._remake(filename)

    @classmethod
    def limit(cls, name: str, value: int, maximum: int, filename: str = "") -> FileRefused:
        """Over ``Limits.<name>``: a Russian sentence with the limit in human units (МБ, cells, entries)."""
        refused = cls(limit_message(name, maximum, filename), limit=name, value=value, maximum=maximum,
                      **_file(filename))
        refused._remake = functools.partial(cls.limit, name, value, maximum)
        return refused

    @classmethod
    def not_a_workbook(cls, filename: str = "") -> FileRefused:
        # NOTE: proposal.
        refused = cls(f"{_subject(filename)} не является книгой Excel: загрузите файл .xls или .xlsx",
                      reason="not_a_workbook", **_file(filename))
        refused._remake = cls.not_a_workbook
        return refused

    @classmethod
    def encrypted(cls, filename: str = "") -> FileRefused:
        # NOTE: proposal.
        refused = cls(f"{_subject(filename)} защищён паролем: снимите защиту и загрузите файл снова",
                      reason="encrypted", **_file(filename))
        refused._remake = cls.encrypted
        return refused

    @classmethod
    def unreadable(cls, cause: str, filename: str = "") -> FileRefused:
        # NOTE: proposal.
        refused = cls(f"{_subject(filename)} повреждён и не может быть прочитан", reason="unreadable",
                      cause=cause[:200], **_file(filename))
        refused._remake = functools.partial(cls.unreadable, cause)
        return refused


# -- limit messages ------------------------------------------------------------------------
# NOTE: proposals. «МБ» is 1 048 576 bytes (MiB, as the limits are configured); a limit that is
# no whole number of МБ is shown rounded down (to 0,1 МБ, or in КБ below 1 МБ), so both halves
# of the sentence stay true: the file is over the shown figure, and a file of that size passes.
LIMIT_MESSAGES = {
    "max_bytes": "{subject} больше {limit} — загрузите файл не больше {limit}",
    "max_uncompressed_bytes": ("{subject} после распаковки больше {limit} (книга .xlsx — это сжатый архив) — "
                               "удалите лишние листы, рисунки и данные или разделите её на несколько файлов"),
    "max_compression_ratio": ("{subject} содержит часть, сжатую больше чем в {limit}, — книги Excel так не сжимаются: "
                              "сохраните книгу заново и загрузите её"),
    "max_cells": ("Таблица файла{of} занимает больше {limit} (от A1 до последней заполненной) — "
                  "удалите лишние строки и столбцы и загрузите файл снова"),
    "max_zip_entries": ("{subject} состоит больше чем из {limit} (книга .xlsx — это архив) — "
                        "сохраните книгу заново без лишних листов и рисунков и загрузите её"),
}
KiB = 1024
MAX_SHOWN_NAME = 100  # a longer file name is cut with «…»


def limit_message(name: str, maximum: int, filename: str = "") -> str:
    """Return the Russian sentence for a file over ``Limits.<name>`` = ``maximum``, naming the file when known."""
    units = {"max_bytes": human_bytes, "max_uncompressed_bytes": human_bytes,
             "max_compression_ratio": lambda n: f"{_count(n)} {_plural(n, 'раз', 'раза', 'раз')}",
             "max_cells": lambda n: f"{_count(n)} {_plural(n, 'ячейки', 'ячеек', 'ячеек')}",
             "max_zip_entries": lambda n: f"{_count(n)} {_plural(n, 'части', 'частей', 'частей')}"}
    shown = shown_name(filename)
    return LIMIT_MESSAGES[name].format(subject=_subject(filename), of=f" «{shown}»" if shown else "",
                                       limit=units[name](maximum))


def human_bytes(size: int) -> str:
    """Return a byte count as the user reads it: «10 МБ», «4,7 МБ», «500 КБ», «900 байт» (МБ = 1 048 576 bytes)."""
    if size >= MiB:
        return f"{_tenths(size * 10 // MiB)} МБ"
    if size >= KiB:
        return f"{_tenths(size * 10 // KiB)} КБ"
    return f"{_count(size)} {_plural(size, 'байт', 'байта', 'байт')}"


def shown_name(filename: str) -> str:
    """Return the file name to show: without a client's path («C:\\fakepath\\»), at most ``MAX_SHOWN_NAME`` long."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if len(name) <= MAX_SHOWN_NAME else name[:MAX_SHOWN_NAME - 1] + "…"


def _subject(filename: str) -> str:
    shown = shown_name(filename)
    return f"Файл «{shown}»" if shown else "Файл"


def _file(filename: str) -> dict[str, str]:
    return {"filename": filename} if filename else {}


def _tenths(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return _count(whole) + (f",{tenth}" if tenth else "")


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _plural(number: int, one: str, few: str, many: str) -> str:
    """Russian plural after a number: 1 байт, 2 байта, 5 байт (11–14 take the «many» form)."""
    if number % 10 == 1 and number % 100 != 11:
        return one
    return few if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14 else many


MAX_LISTED_PROBLEMS = 1_000  # NOTE: a hostile file could yield a million; the rest are counted


def refuse(problems: list[CellProblem], filename: str) -> ValidationFailed:
    """Return one ValidationFailed listing every cell problem of the file, in sheet order.

    At most ``MAX_LISTED_PROBLEMS`` are listed; ``details['unlisted']`` counts the rest.
    """
    ordered = sorted(problems, key=lambda p: (p.row, p.column))
    listed = [p.as_detail() for p in ordered[:MAX_LISTED_PROBLEMS]]
    return ValidationFailed(FILE_HAS_PROBLEMS, filename=filename, errors=listed,
                            unlisted=len(ordered) - len(listed))
