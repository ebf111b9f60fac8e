"""«Скачать»: the contract detail screen saved as an .xlsx file (CON-10).

One sheet, in the screen's order and with its Russian labels (§4.4,
CON-09): «Информация о договоре», «Реквизиты сторон», «Контактные данные»,
«Банковские реквизиты», then «Приборы учёта» as a table, one row per meter.

Values are typed cells. Dates are real dates shown as ``dd.mm.yyyy``.
Coefficients and losses are numbers. Codes, contract numbers, INN, BIK and
accounts are text cells with the text format ``@``, so a spreadsheet keeps
leading zeros and never shows an 18-digit code as 1.2E+17. Text from billing
is never read as a formula: a value starting with ``=`` stays text.

Numbers: an .xlsx number is an IEEE double, and openpyxl 3.1 writes every
number, ``Decimal`` included, as ``"%.16g" % value``, i.e. through ``float``.
So a ``Decimal`` with at most 15 significant digits comes back as the same
double (integral values such as 12000 and 5 come back as ints, 0.35 as the
float 0.35, and ``Decimal(repr(value))`` restores the original). The XML text
may carry a 16th digit (9.2 is stored as ``9.199999999999999``, the same
double); Excel and LibreOffice show 15 digits, so they show 9.2. More than 15
significant digits cannot survive any spreadsheet and are rounded.

The output is deterministic: the document properties and every zip entry
carry ``generated_at``, never the wall clock (``Workbook.save`` would stamp
both with the current time; ``adapters.billing.xlsx_bytes.save`` writes it
with ``ExcelWriter`` and repacks the archive with fixed timestamps).

The meter table is an Excel table (filter buttons; Excel shows its headers in
place of the column letters while scrolling through it) and its header row is
repeated on every printed page. Its header row is deliberately not frozen:
the contract sections above it take some 35 rows, and freezing them would
leave no room on a laptop screen to scroll the meters into view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from adapters.billing.xlsx_bytes import save
from lkk_core.kernel.billing import Contact, Contract, Party

Value = str | int | float | date | None

DATE_FORMAT = "dd.mm.yyyy"
TEXT_FORMAT = "@"
NO_DATA = "Нет данных"
CONTACT_TITLES = {"curator": "Куратор договора", "branch": "Отделение"}
METER_HEADERS = (
    "ЭО №", "Адрес энергообъекта", "Статус энергообъекта", "№ точки учёта", "Точка учёта",
    "Расчётный коэф.", "Потери, %", "ПУ №", "Модель ПУ", "Статус ПУ", "Разрядность", "Шкалы",
    "Дата поверки", "Дата следующей поверки",
)
_BOLD = Font(bold=True)
_HEADING = Font(bold=True, size=12)
_TITLE = Font(bold=True, size=14)
_MIN_WIDTH, _MAX_WIDTH = 10, 50
_SHEET_TITLE_LENGTH = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def contract_workbook(contract: Contract, *, role: str, generated_at: datetime) -> bytes:
    """Return the contract detail screen as the bytes of an .xlsx file.

    Args:
        contract: The contract as billing keeps it.
        role: The viewer's role on the contract as the manual names it («Бухгалтер»).
        generated_at: A timezone-aware instant; stamped into the file instead of the wall clock.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(contract.number)
    _ContractSheet(sheet).fill(contract, role)
    return save(workbook, title=f"Договор № {contract.number}", generated_at=generated_at)


def contract_xlsx_filename(contract: Contract) -> str:
    """Return an ASCII file name for Content-Disposition: ``dogovor_<number>.xlsx``."""
    safe = re.sub(r"[^0-9A-Za-z-]+", "_", contract.number).strip("_")
    return f"dogovor_{safe}.xlsx" if safe else "dogovor.xlsx"


class _ContractSheet:
    """Write the screen's sections top to bottom, keeping the next free row."""

    def __init__(self, sheet: Worksheet) -> None:
        self._sheet = sheet
        self._row = 1
        self._headings: set[int] = set()

    def fill(self, contract: Contract, role: str) -> None:
        self._heading(f"Договор № {_text(contract.number)}", _TITLE)
        self._section("Информация о договоре")
        self._pairs([
            ("Номер договора", contract.number), ("Наименование", contract.name),
            ("Дата заключения", contract.signed_on), ("Ценовая категория", contract.price_category.value),
            ("Ваша роль", role),
        ])
        self._section("Реквизиты сторон")
        self._parties(contract.customer, contract.supplier, contract.emails)
        self._section("Контактные данные")
        self._contacts(contract.contacts)
        self._section("Банковские реквизиты")
        bank = contract.bank
        if bank is None:
            self._pairs([(NO_DATA,)])
        else:
            self._pairs([
                ("Банк", bank.bank_name), ("БИК", bank.bik),
                ("Корр. счёт", bank.correspondent_account), ("Расчётный счёт", bank.settlement_account),
            ])
        self._section("Приборы учёта")
        self._meters(contract)
        self._fit_columns()

    def _heading(self, title: str, font: Font) -> None:
        self._sheet.cell(row=self._row, column=1, value=title).font = font
        self._headings.add(self._row)
        self._row += 1

    def _section(self, title: str) -> None:
        self._row += 1  # a blank row above every section
        self._heading(title, _HEADING)

    def _pairs(self, rows: Iterable[Sequence[Value]], *, header: bool = False) -> None:
        for values in rows:
            for column, value in enumerate(values, start=1):
                cell = self._put(column, value)
                if column == 1 or header:
                    cell.font = _BOLD
            self._row += 1

    def _put(self, column: int, value: Value) -> Cell:
        cell = self._sheet.cell(row=self._row, column=column)
        if isinstance(value, str):
            cell.value = _text(value)
            cell.data_type = "s"  # NOTE: openpyxl would turn "=…" into a formula
            cell.number_format = TEXT_FORMAT
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = DATE_FORMAT
        else:
            cell.value = value
        cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > _MAX_WIDTH)
        return cell

    def _parties(self, customer: Party, supplier: Party, emails: Sequence[str]) -> None:
        self._pairs([(None, "Потребитель", "Поставщик")], header=True)
        self._pairs([
            ("Наименование", customer.name, supplier.name),
            ("ИНН", customer.inn, supplier.inn),
            ("КПП", customer.kpp, supplier.kpp),
            ("ОГРН", customer.ogrn, supplier.ogrn),
            ("Юридический адрес", customer.legal_address, supplier.legal_address),
            ("Почтовый адрес", customer.postal_address, supplier.postal_address),
        ])
        # NOTE: the e-mails are the contract's (CON-02), listed under the customer.
        labels = ["Электронная почта"] + [None] * (len(emails) - 1)
        self._pairs(zip(labels, emails or [None], strict=True))

    def _contacts(self, contacts: Sequence[Contact]) -> None:
        if not contacts:
            self._pairs([(NO_DATA,)])
            return
        kinds = list(CONTACT_TITLES)
        ranked = sorted(contacts, key=lambda c: kinds.index(c.kind) if c.kind in kinds else len(kinds))
        self._pairs([(None, *(CONTACT_TITLES.get(c.kind, c.kind) for c in ranked))], header=True)
        self._pairs([
            ("ФИО / наименование", *(c.name for c in ranked)),
            ("Телефон", *(c.phone for c in ranked)),
            ("Электронная почта", *(c.email for c in ranked)),
            ("Адрес", *(c.address for c in ranked)),
        ])

    def _meters(self, contract: Contract) -> None:
        rows = list(_meter_rows(contract))
        if not rows:
            self._pairs([(NO_DATA,)])
            return
        header_row = self._row
        self._pairs([METER_HEADERS], header=True)
        for column in range(1, len(METER_HEADERS) + 1):
            self._sheet.cell(row=header_row, column=column).alignment = Alignment(vertical="top", wrap_text=True)
        self._pairs(rows)
        last = get_column_letter(len(METER_HEADERS))
        table = Table(displayName="Meters", ref=f"A{header_row}:{last}{self._row - 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        self._sheet.add_table(table)
        self._sheet.print_title_rows = f"{header_row}:{header_row}"

    def _fit_columns(self) -> None:
        widths: dict[int, int] = {}
        for row in self._sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.row in self._headings:
                    continue
                length = 10 if isinstance(cell.value, date) else len(str(cell.value))
                widths[cell.column] = max(widths.get(cell.column, 0), length)
        for column, length in widths.items():
            width = min(max(length + 2, _MIN_WIDTH), _MAX_WIDTH)
            self._sheet.column_dimensions[get_column_letter(column)].width = width


def _meter_rows(contract: Contract) -> Iterable[tuple[Value, ...]]:
    """Yield one row per meter; an object or a point without meters still gets its row."""
    for eo in contract.energy_objects:
        eo_cells: tuple[Value, ...] = (eo.code, eo.address, eo.status)
        if not eo.metering_points:
            yield eo_cells + (None,) * (len(METER_HEADERS) - len(eo_cells))
        for point in eo.metering_points:
            point_cells = (
                *eo_cells, point.number, point.name, _number(point.coefficient), _number(point.losses_percent),
            )
            if not point.meters:
                yield point_cells + (None,) * (len(METER_HEADERS) - len(point_cells))
            for meter in point.meters:
                scales = "; ".join(f"{scale.zone} {scale.quantity.value}" for scale in meter.scales)
                yield (
                    *point_cells, meter.number, meter.model, meter.status,
                    f"{meter.digits}+{meter.fraction_digits}", scales or None,
                    meter.verified_on, meter.next_verification_on,
                )


def _number(value: Decimal) -> int | float:
    """Return the cell value of a Decimal: an int when integral, else the nearest double."""
    if not value.is_finite():
        msg = f"not a finite number: {value}"
        raise ValueError(msg)
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: str) -> str:
    """Drop the control characters that an .xlsx cannot hold (openpyxl refuses them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _sheet_title(number: str) -> str:
    """Return «Договор <номер>» within Excel's limits: 31 characters, none of []:*?/\\."""
    title = _SHEET_TITLE_FORBIDDEN.sub("", _text(f"Договор {number}"))
    return title[:_SHEET_TITLE_LENGTH].strip().strip("'") or "Договор"
