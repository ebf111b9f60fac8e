"""«Скачать» of «История» → «Показания»: exactly the rows shown, as an .xlsx file (HIS-07).

Pure code over the page that ``lkk_core.readings.readings_history`` returns.
Figures are number cells (a value beyond a double's 15 significant digits
is kept exact in a text cell); codes and meter numbers are text, so leading
zeros survive; the month is written the way Fig. 23 shows it, «Декабрь 2022».
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from adapters.billing.readings_files._cells import put_number, put_text
from adapters.billing.xlsx_bytes import save
from lkk_core.readings import ReadingsHistory

HISTORY_HEADERS = (
    "Договор", "Код ЭО", "Адрес ЭО", "Номер ПУ", "Период", "Значение", "Тарифная зона", "Расход",
    "Источник показаний",
)
SHEET_TITLE = "Показания"  # §7.3
MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)
_NUMBER_COLUMNS = (6, 8)  # «Значение», «Расход»
_WIDTHS = (18, 22, 40, 14, 16, 14, 16, 14, 24)


def month_name(period: date) -> str:
    """Return the month as Fig. 23 shows it: «Декабрь 2022» (nominative, capitalised)."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def readings_history_rows(page: ReadingsHistory) -> list[dict[str, Any]]:
    """Return the page's readings as flat rows, in the order shown (contract, EO, meter, newest month first)."""
    return [
        {
            "contract": contract.contract_number,
            "energy_object": eo.code,
            "address": eo.address,
            "meter_number": meter.number,
            "period": reading.period,
            "value": reading.value,
            "tariff_zone": reading.tariff_zone,
            "consumption": reading.consumption,
            "source": reading.source,
        }
        for contract in page.contracts
        for eo in contract.energy_objects
        for meter in eo.meters
        for reading in meter.readings
    ]


def readings_history_xlsx(page: ReadingsHistory, *, generated_at: datetime) -> bytes:
    """Return the readings shown on the page as .xlsx bytes, the same for the same page and instant.

    Args:
        page: What ``readings_history`` returned (after the filters).
        generated_at: A timezone-aware instant stamped into the file instead of the wall clock.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for column, (title, width) in enumerate(zip(HISTORY_HEADERS, _WIDTHS, strict=True), start=1):
        put_text(sheet, 1, column, title)
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    for number, row in enumerate(readings_history_rows(page), start=2):
        texts = (row["contract"], row["energy_object"], row["address"] or "", row["meter_number"],
                 month_name(row["period"]), None, row["tariff_zone"], None, row["source"])
        for column, text in enumerate(texts, start=1):
            if text is not None:
                put_text(sheet, number, column, text)
        for column, value in zip(_NUMBER_COLUMNS, (row["value"], row["consumption"]), strict=True):
            if value is not None:
                put_number(sheet, number, column, value)  # «Значение» at the meter's scale: 12441.00
    sheet.freeze_panes = "A2"
    period = f"{month_name(page.period_from)} – {month_name(page.period_to)}"
    return save(workbook, title=f"История показаний, {period}", generated_at=generated_at)
