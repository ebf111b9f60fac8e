"""Limits for uploaded files, cell problems and the errors that carry them.

Every message shown to the user is Russian. «Заполните поле» is the
manual's (§5.2, DOMAIN.md §13.5); every other text here is a proposal
(NOTE: proposal) for the product owner, in the spirit of DOMAIN.md §13.14.
"""

from __future__ import annotations

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
    """The upload is not a workbook we can read, or exceeds a configured limit."""

    @classmethod
    def limit(cls, name: str, value: int, maximum: int) -> FileRefused:
        # NOTE: proposal.
        return cls(f"Файл превышает допустимый предел ({name}: {value} > {maximum})",
                   limit=name, value=value, maximum=maximum)

    @classmethod
    def not_a_workbook(cls) -> FileRefused:
        # NOTE: proposal.
        return cls("Файл не является книгой Excel: загрузите файл .xls или .xlsx", reason="not_a_workbook")

    @classmethod
    def encrypted(cls) -> FileRefused:
        # NOTE: proposal.
        return cls("Файл защищён паролем: снимите защиту и загрузите файл снова", reason="encrypted")

    @classmethod
    def unreadable(cls, cause: str) -> FileRefused:
        # NOTE: proposal.
        return cls("Файл повреждён и не может быть прочитан", reason="unreadable", cause=cause[:200])


MAX_LISTED_PROBLEMS = 1_000  # NOTE: a hostile file could yield a million; the rest are counted


def refuse(problems: list[CellProblem], filename: str) -> ValidationFailed:
    """Return one ValidationFailed listing every cell problem of the file, in sheet order.

    At most ``MAX_LISTED_PROBLEMS`` are listed; ``details['unlisted']`` counts the rest.
    """
    ordered = sorted(problems, key=lambda p: (p.row, p.column))
    listed = [p.as_detail() for p in ordered[:MAX_LISTED_PROBLEMS]]
    return ValidationFailed(FILE_HAS_PROBLEMS, filename=filename, errors=listed,
                            unlisted=len(ordered) - len(listed))
