"""«Скачать»: the contract detail as an .xlsx file (CON-10), read back with openpyxl."""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from adapters.billing.contract_xlsx import contract_workbook, contract_xlsx_filename
from lkk_core.kernel.billing import (
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    Scale,
)

GENERATED_AT = datetime(2026, 11, 2, 9, 0, 7, tzinfo=UTC)
SECTIONS = ("Информация о договоре", "Реквизиты сторон", "Контактные данные", "Банковские реквизиты", "Приборы учёта")
PARGOLOVO = "г. Санкт-Петербург, п. Парголово, Комендантский пр., д.140 лит.А,Б,В,Д,Е,Ж,З,К,И"

# Fig. 12 (§5.1): «РП-10 кВ яч.2 ✓ Расчётный коэф. 12000 Потери 5%»; meter 01202434 (Fig. 23); 6+2 digits (§8.4.1).
FIG_12_METER = Meter(
    number="01202434", model="Меркурий 230 ART-03", status="Ожидание", digits=6, fraction_digits=2,
    scales=(Scale("Круглосуточный", Quantity.ACTIVE_IMPORT), Scale("Круглосуточный", Quantity.REACTIVE_IMPORT)),
    verified_on=date(2023, 12, 1), next_verification_on=date(2039, 12, 1),
)
FIG_12_POINT = MeteringPoint(
    number="1", name="РП-10 кВ яч.2", coefficient=Decimal(12000), losses_percent=Decimal(5), meters=(FIG_12_METER,),
)
FIG_12_OBJECT = EnergyObject(
    code="780100000027780001", name="Завод", address=PARGOLOVO, status="Ожидание", metering_points=(FIG_12_POINT,),
)
LEADING_ZERO_OBJECT = EnergyObject(
    code="012345678901234567", name="Склад", address="г. Санкт-Петербург, ул. Складская, д.1", status="Принято",
    metering_points=(MeteringPoint(
        number="2", name="ТП-5 ввод 1", coefficient=Decimal("0.35"), losses_percent=Decimal("1.25"),
        meters=(Meter(number="0045", model="СЭТ-4ТМ", status="Принято", digits=5, fraction_digits=1,
                      scales=(Scale("День", Quantity.ACTIVE_IMPORT), Scale("Ночь", Quantity.ACTIVE_IMPORT))),),
    ),),
)
CONTRACT = Contract(
    number="01234567890123",
    name="ООО «Ниссан Мэнуфэкчуринг Рус»",
    signed_on=date(2019, 7, 1),
    price_category=PriceCategory.III,
    customer=Party(
        name="ООО «Ниссан Мэнуфэкчуринг Рус»", inn="7801426690", kpp="780101001", ogrn="1077847140566",
        legal_address=PARGOLOVO, postal_address="194362, г. Санкт-Петербург, а/я 1",
    ),
    supplier=Party(name="АО «Энергосбыт»", inn="7707049388", kpp="770701001"),
    bank=BankDetails(
        bank_name="ПАО Сбербанк", bik="044525225",
        correspondent_account="30101810400000000225", settlement_account="40702810000000000001",
    ),
    emails=("energy@nissan.example", "buh@nissan.example"),
    contacts=(
        Contact(kind="branch", name="Северное отделение", phone="+7 812 000-00-00", address="пр. Энгельса, д.1"),
        Contact(kind="curator", name="Иванова Анна Сергеевна", phone="+7 812 111-11-11", email="ivanova@sbyt.example"),
    ),
    energy_objects=(FIG_12_OBJECT, LEADING_ZERO_OBJECT),
)
BARE_CONTRACT = replace(CONTRACT, bank=None, emails=(), contacts=(), energy_objects=())


def exported(contract: Contract = CONTRACT, *, role: str = "Бухгалтер", at: datetime = GENERATED_AT) -> Worksheet:
    workbook = load_workbook(BytesIO(contract_workbook(contract, role=role, generated_at=at)))
    [sheet] = workbook.worksheets
    return sheet


def sections(sheet: Worksheet) -> dict[str, list[tuple[Any, ...]]]:
    """Map each section title to its rows (values, trailing blanks trimmed), up to the next blank row."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    current: list[tuple[Any, ...]] | None = None
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values and values[0] in SECTIONS:
            current = found.setdefault(values[0], [])
        elif not values:
            current = None
        elif current is not None:
            current.append(tuple(values))
    return found


def by_label(rows: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in rows if row[0] is not None}


def meter_table(sheet: Worksheet) -> list[dict[str, Any]]:
    header, *rows = sections(sheet)["Приборы учёта"]
    return [dict(zip(header, row + (None,) * (len(header) - len(row)), strict=True)) for row in rows]


def cell_of(sheet: Worksheet, value: object) -> Any:
    return next(cell for row in sheet.iter_rows() for cell in row if cell.value == value)


class TestSections:
    def test_the_sheet_is_named_after_the_contract_and_has_the_screen_sections_in_order(self) -> None:
        sheet = exported()

        assert sheet.title == "Договор 01234567890123"
        assert sheet["A1"].value == "Договор № 01234567890123"
        assert list(sections(sheet)) == list(SECTIONS)
        assert all(cell_of(sheet, title).font.bold for title in SECTIONS)

    def test_contract_information_shows_number_name_date_category_and_role(self) -> None:
        info = by_label(sections(exported(role="Руководитель"))["Информация о договоре"])

        assert info == {
            "Номер договора": ("01234567890123",),
            "Наименование": ("ООО «Ниссан Мэнуфэкчуринг Рус»",),
            "Дата заключения": (datetime(2019, 7, 1),),
            "Ценовая категория": ("III",),
            "Ваша роль": ("Руководитель",),
        }

    def test_parties_show_customer_and_supplier_side_by_side(self) -> None:
        header, *rows = sections(exported())["Реквизиты сторон"]

        assert header == (None, "Потребитель", "Поставщик")
        parties = by_label(rows)
        assert parties["Наименование"] == ("ООО «Ниссан Мэнуфэкчуринг Рус»", "АО «Энергосбыт»")
        assert parties["ИНН"] == ("7801426690", "7707049388")
        assert parties["КПП"] == ("780101001", "770701001")
        assert parties["ОГРН"] == ("1077847140566",)
        assert parties["Юридический адрес"] == (PARGOLOVO,)
        assert parties["Почтовый адрес"] == ("194362, г. Санкт-Петербург, а/я 1",)

    def test_every_contract_email_gets_its_own_row(self) -> None:
        rows = sections(exported())["Реквизиты сторон"]

        assert rows[-2:] == [("Электронная почта", "energy@nissan.example"), (None, "buh@nissan.example")]

    def test_contacts_show_the_curator_first_then_the_branch(self) -> None:
        header, *rows = sections(exported())["Контактные данные"]

        assert header == (None, "Куратор договора", "Отделение")
        assert by_label(rows) == {
            "ФИО / наименование": ("Иванова Анна Сергеевна", "Северное отделение"),
            "Телефон": ("+7 812 111-11-11", "+7 812 000-00-00"),
            "Электронная почта": ("ivanova@sbyt.example",),
            "Адрес": (None, "пр. Энгельса, д.1"),
        }

    def test_bank_details_keep_their_leading_zeros(self) -> None:
        bank = by_label(sections(exported())["Банковские реквизиты"])

        assert bank == {
            "Банк": ("ПАО Сбербанк",),
            "БИК": ("044525225",),
            "Корр. счёт": ("30101810400000000225",),
            "Расчётный счёт": ("40702810000000000001",),
        }

    def test_labels_are_bold(self) -> None:
        sheet = exported()

        assert all(cell_of(sheet, label).font.bold for label in ("Номер договора", "БИК", "Потребитель", "ПУ №"))


class TestMeterTable:
    def test_fig_12_metering_point_is_one_row_per_meter(self) -> None:
        fig_12, leading_zero = meter_table(exported())

        assert fig_12 == {
            "ЭО №": "780100000027780001",
            "Адрес энергообъекта": PARGOLOVO,
            "Статус энергообъекта": "Ожидание",
            "№ точки учёта": "1",
            "Точка учёта": "РП-10 кВ яч.2",
            "Расчётный коэф.": 12000,
            "Потери, %": 5,
            "ПУ №": "01202434",
            "Модель ПУ": "Меркурий 230 ART-03",
            "Статус ПУ": "Ожидание",
            "Разрядность": "6+2",
            "Шкалы": "Круглосуточный А+; Круглосуточный R+",
            "Дата поверки": datetime(2023, 12, 1),
            "Дата следующей поверки": datetime(2039, 12, 1),
        }
        assert (leading_zero["ЭО №"], leading_zero["ПУ №"], leading_zero["Разрядность"]) == (
            "012345678901234567", "0045", "5+1",
        )

    def test_coefficient_and_losses_are_numbers_equal_to_the_decimals(self) -> None:
        fig_12, leading_zero = meter_table(exported())

        assert (type(fig_12["Расчётный коэф."]), type(fig_12["Потери, %"])) == (int, int)
        assert Decimal(repr(leading_zero["Расчётный коэф."])) == Decimal("0.35")
        assert Decimal(repr(leading_zero["Потери, %"])) == Decimal("1.25")

    def test_codes_are_text_cells_with_the_text_format(self) -> None:
        sheet = exported()

        for code in ("01234567890123", "780100000027780001", "012345678901234567", "01202434", "044525225"):
            cell = cell_of(sheet, code)
            assert (cell.data_type, cell.number_format) == ("s", "@"), code

    def test_dates_are_date_cells_shown_day_month_year(self) -> None:
        sheet = exported()

        for value in (datetime(2019, 7, 1), datetime(2023, 12, 1), datetime(2039, 12, 1)):
            cell = cell_of(sheet, value)
            assert cell.is_date
            assert cell.number_format == "dd.mm.yyyy"

    def test_the_meter_table_is_an_excel_table_whose_header_repeats_on_print(self) -> None:
        sheet = exported()
        header = cell_of(sheet, "ЭО №")

        assert sheet.tables["Meters"].ref == f"A{header.row}:N{header.row + 2}"
        assert sheet.print_title_rows == f"${header.row}:${header.row}"
        assert all(cell.font.bold for cell in sheet[header.row])

    def test_an_object_without_points_and_a_point_without_meters_still_get_rows(self) -> None:
        bare_object = replace(LEADING_ZERO_OBJECT, code="780100000000000009", metering_points=())
        bare_point = replace(FIG_12_OBJECT, metering_points=(replace(FIG_12_POINT, meters=()),))

        rows = meter_table(exported(replace(CONTRACT, energy_objects=(bare_object, bare_point))))

        assert [(r["ЭО №"], r["Точка учёта"], r["Расчётный коэф."], r["ПУ №"]) for r in rows] == [
            ("780100000000000009", None, None, None),
            ("780100000027780001", "РП-10 кВ яч.2", 12000, None),
        ]

    def test_columns_are_wide_enough_but_bounded(self) -> None:
        sheet = exported()
        widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMN"}

        assert all(10 <= width <= 50 for width in widths.values()), widths
        assert widths["B"] == 50  # the long address wraps instead
        assert cell_of(sheet, PARGOLOVO).alignment.wrap_text
        assert widths["A"] >= len("780100000027780001")


class TestEmptySections:
    def test_a_contract_without_bank_contacts_emails_or_objects_still_exports(self) -> None:
        sheet = exported(BARE_CONTRACT)

        found = sections(sheet)
        assert list(found) == list(SECTIONS)
        assert found["Банковские реквизиты"] == [("Нет данных",)]
        assert found["Контактные данные"] == [("Нет данных",)]
        assert found["Приборы учёта"] == [("Нет данных",)]
        assert found["Реквизиты сторон"][-1] == ("Электронная почта",)
        assert not sheet.tables


class TestText:
    def test_text_that_looks_like_a_formula_stays_text(self) -> None:
        hostile = replace(CONTRACT, name='=HYPERLINK("http://evil.example","x")')

        cell = cell_of(exported(hostile), hostile.name)

        assert cell.data_type == "s"

    def test_control_characters_that_xlsx_cannot_hold_are_dropped(self) -> None:
        messy = replace(CONTRACT, name="ООО\x0b «Ромашка»\x00")

        info = by_label(sections(exported(messy))["Информация о договоре"])

        assert info["Наименование"] == ("ООО «Ромашка»",)

    def test_the_sheet_title_keeps_to_excel_limits(self) -> None:
        odd = replace(CONTRACT, number="12/34:56*78?[90]\\1234567890123456")

        title = exported(odd).title

        assert len(title) <= 31
        assert not set(title) & set("[]:*?/\\")
        assert title.startswith("Договор 12345678")

    def test_the_file_name_is_ascii_for_content_disposition(self) -> None:
        assert contract_xlsx_filename(CONTRACT) == "dogovor_01234567890123.xlsx"
        assert contract_xlsx_filename(replace(CONTRACT, number="№ 12/34")) == "dogovor_12_34.xlsx"
        assert contract_xlsx_filename(replace(CONTRACT, number="№")) == "dogovor.xlsx"


class TestDeterminism:
    def test_the_same_inputs_give_the_same_bytes(self) -> None:
        first = contract_workbook(CONTRACT, role="Бухгалтер", generated_at=GENERATED_AT)
        second = contract_workbook(CONTRACT, role="Бухгалтер", generated_at=GENERATED_AT)

        assert first == second

    def test_another_instant_gives_other_bytes(self) -> None:
        later = GENERATED_AT + timedelta(minutes=1)

        assert contract_workbook(CONTRACT, role="Бухгалтер", generated_at=GENERATED_AT) != contract_workbook(
            CONTRACT, role="Бухгалтер", generated_at=later,
        )

    def test_the_file_carries_generated_at_and_never_the_wall_clock(self) -> None:
        long_ago = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)

        data = contract_workbook(CONTRACT, role="Бухгалтер", generated_at=long_ago)

        properties = load_workbook(BytesIO(data)).properties
        assert (properties.created, properties.modified) == (datetime(2001, 2, 3, 4, 5, 6),) * 2
        today = datetime.now(UTC).date().isoformat()
        with ZipFile(BytesIO(data)) as archive:
            assert {entry.date_time for entry in archive.infolist()} == {(2001, 2, 3, 4, 5, 6)}
            assert not [name for name in archive.namelist() if today.encode() in archive.read(name)]

    def test_an_instant_in_another_zone_is_stamped_in_utc(self) -> None:
        moscow = GENERATED_AT.astimezone(timezone(timedelta(hours=3)))

        assert contract_workbook(CONTRACT, role="Бухгалтер", generated_at=moscow) == contract_workbook(
            CONTRACT, role="Бухгалтер", generated_at=GENERATED_AT,
        )

    def test_a_naive_instant_is_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            contract_workbook(CONTRACT, role="Бухгалтер", generated_at=datetime(2026, 11, 2, 9, 0))  # noqa: DTZ001


significant_decimals = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(min_value=0, max_value=10**15 - 1),
    st.integers(min_value=0, max_value=12),
)


@settings(max_examples=40, deadline=None)
@given(coefficient=significant_decimals, losses=significant_decimals)
def test_decimals_of_up_to_15_significant_digits_come_back_as_the_same_number(
    coefficient: Decimal, losses: Decimal,
) -> None:
    point = replace(FIG_12_POINT, coefficient=coefficient, losses_percent=losses)
    contract = replace(CONTRACT, energy_objects=(replace(FIG_12_OBJECT, metering_points=(point,)),))

    [row] = meter_table(exported(contract))

    assert Decimal(repr(row["Расчётный коэф."])) == coefficient
    assert Decimal(repr(row["Потери, %"])) == losses


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice/libreoffice) is not installed on this machine")
def test_libreoffice_reads_the_values_back(tmp_path: Path) -> None:
    assert SOFFICE is not None
    source = tmp_path / "dogovor.xlsx"
    source.write_bytes(contract_workbook(CONTRACT, role="Бухгалтер", generated_at=GENERATED_AT))

    subprocess.run(  # noqa: S603  (a fixed program and arguments)
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )

    with (tmp_path / "dogovor.csv").open(encoding="utf-8", newline="") as exported_csv:
        cells = {value.replace(",", ".") for row in csv.reader(exported_csv) for value in row}
    expected = {
        "01234567890123", "780100000027780001", "012345678901234567", "01202434", "0045", "044525225",
        "30101810400000000225", "12000", "5", "0.35", "1.25", "6+2", "01.07.2019", "01.12.2023", "РП-10 кВ яч.2",
    }
    assert expected <= cells, expected - cells
