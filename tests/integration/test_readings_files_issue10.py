"""Issue 10, «The file uploads»: formulas of a book that recalculates on load, a grid on another sheet,
limit messages in Russian with the limit in human units, readings at the meter's scale in the exports."""

from __future__ import annotations

import calendar
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
import xlsxwriter
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from xlsxwriter.worksheet import Worksheet

from adapters.billing.readings_files import (
    HEADERS,
    HOURS,
    FileRefused,
    IntegralRow,
    IntervalProfile,
    Limits,
    integral_template,
    parse_integral,
    parse_interval,
    primary_act_xlsx,
)
from adapters.billing.readings_files.problems import (
    FILE_HAS_PROBLEMS,
    GRID_ON_OTHER_SHEET,
    RECALCULATED_FORMULA,
    UNCACHED_FORMULA,
    MiB,
    human_bytes,
    limit_message,
)
from lkk_core.kernel.billing import Quantity
from lkk_core.kernel.errors import LkkError, ValidationFailed
from lkk_core.readings import at_scale

YEAR, MONTH = 2021, 2  # February: 28 days, so an empty sheet used to give 1 + 24 + 28 = 53 errors
DAYS = calendar.monthrange(YEAR, MONTH)[1]
EO, METER = "780100000027780001", "01284918"
ZONES = ("День", "Ночь", "Пик", "Полупик", "Круглосуточный")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def xlsxwriter_book(*sheets: tuple[str, Callable[[Worksheet], None]]) -> bytes:
    """Return a workbook as XlsxWriter writes it (``<calcPr fullCalcOnLoad="1"/>``): one sheet per (name, fill)."""
    out = BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, fill in sheets:
        fill(workbook.add_worksheet(name))
    workbook.close()
    return out.getvalue()


def integral_sheet(current: dict[int, Any], formulas: dict[int, int | None] | None = None,
                   ) -> Callable[[Worksheet], None]:
    """Fill the integral layout: rows 2… one per zone, «Текущие показания» from ``current``; a row in
    ``formulas`` gets ``=H<row>+1`` in column I, cached as the value given (XlsxWriter's 0 for None)."""
    def fill(sheet: Worksheet) -> None:
        sheet.write_row(0, 0, HEADERS)
        for index, zone in enumerate(ZONES):
            row = index + 2
            sheet.write_row(row - 1, 0, [EO, "ЭО", "Ожидание", METER, "ИК", "А+", zone])
            sheet.write_number(row - 1, 7, 100)
            if formulas and row in formulas:
                cached = formulas[row]
                sheet.write_formula(row - 1, 8, f"=H{row}+1", None, 0 if cached is None else cached)
            elif row in current:
                sheet.write(row - 1, 8, current[row])
    return fill


def february_grid() -> Iterator[tuple[int, int, str | float]]:
    """Yield (row, column, value), 0-based, of the interval layout of February 2021 with 1.5 everywhere."""
    yield 0, 0, "Время"
    for day in range(1, DAYS + 1):
        yield 0, day, f"{date(YEAR, MONTH, day):%d.%m.%Y}"
    for hour, label in enumerate(HOURS):
        yield hour + 1, 0, label
        for day in range(1, DAYS + 1):
            yield hour + 1, day, 1.5


def interval_sheet(formulas: frozenset[tuple[int, int]] = frozenset()) -> Callable[[Worksheet], None]:
    """Fill ``february_grid``; cells in ``formulas`` (row, column, 1-based) get a formula XlsxWriter caches as 0."""
    def fill(sheet: Worksheet) -> None:
        for row, column, value in february_grid():
            if (row + 1, column + 1) in formulas:
                sheet.write_formula(row, column, "=1+0.5")
            else:
                sheet.write(row, column, value)
    return fill


def noise(text: str | None) -> Callable[[Worksheet], None]:
    def fill(sheet: Worksheet) -> None:
        if text is not None:
            sheet.write_string(0, 0, text)
    return fill


def refused_cells(call: Callable[[], Any], filename: str = "x.xlsx") -> list[dict[str, Any]]:
    """Call, which must refuse the file by its cells (RDG-12): return its errors, each with sheet/row/column/cell."""
    with pytest.raises(ValidationFailed) as caught:
        call()
    error: LkkError = caught.value
    assert (error.message, error.details["filename"]) == (FILE_HAS_PROBLEMS, filename), error
    assert all(set(e) >= {"sheet", "row", "column", "cell", "message"} for e in error.details["errors"]), error
    return error.details["errors"]


def cells(errors: list[dict[str, Any]]) -> dict[str, str]:
    return {e["cell"]: e["message"] for e in errors}


def rewritten(xlsx: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the book with one zip entry changed (the check that it changed is the caller's)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, change(data) if entry.filename == name else data)
    return out.getvalue()


def xlsx_computed(xlsx: bytes) -> bytes:
    """The same book without ``fullCalcOnLoad``, as a spreadsheet program saves its computed values."""
    return rewritten(xlsx, "xl/workbook.xml", lambda xml: xml.replace(b' fullCalcOnLoad="1"', b""))


# -- formulas of a book that recalculates on load ---------------------------------------------


class TestRecalculatedOnLoad:
    """«A workbook that asks the reader to recalculate on load carries placeholder cached values, often 0»."""

    @SETTINGS
    @given(formulas=st.dictionaries(st.integers(2, 6), st.sampled_from([None, 0, 101, 12442])),
           typed=st.sets(st.integers(2, 6), min_size=1))
    def test_issue10_each_formula_cell_is_refused_by_cell_whatever_its_cached_value(
        self, formulas: dict[int, int | None], typed: set[int],
    ) -> None:
        data = xlsxwriter_book(("Показания", integral_sheet(dict.fromkeys(typed, 101.25), formulas)))

        if formulas:
            errors = refused_cells(lambda: parse_integral(data, "x.xlsx"))
            assert cells(errors) == {f"I{row}": RECALCULATED_FORMULA for row in formulas}
            assert {e["sheet"] for e in errors} == {"Показания"}
        else:
            assert [v.row for v in parse_integral(data, "x.xlsx")] == sorted(typed)

    def test_issue10_the_same_formula_saved_with_its_value_computed_counts_as_that_value(self) -> None:
        data = xlsx_computed(xlsxwriter_book(("Показания", integral_sheet({}, {2: 101}))))

        [value] = parse_integral(data, "x.xlsx")
        assert (value.row, value.value) == (2, Decimal(101))

    @SETTINGS
    @given(formulas=st.frozensets(st.tuples(st.integers(2, 25), st.integers(2, DAYS + 1)), min_size=1, max_size=6))
    def test_issue10_an_interval_grid_never_counts_a_placeholder_in_the_acts_total(
        self, formulas: frozenset[tuple[int, int]],
    ) -> None:
        data = xlsxwriter_book(("02.2021", interval_sheet(formulas)))

        errors = refused_cells(lambda: parse_interval(data, "x.xlsx", year=YEAR, month=MONTH))
        assert {(e["row"], e["column"]) for e in errors} == set(formulas)
        assert {e["message"] for e in errors} == {RECALCULATED_FORMULA}

    @pytest.mark.parametrize("flags", [0x0002, 0x0001])  # «calculate on open», «recalculate always»
    def test_issue10_an_xls_formula_flagged_to_be_calculated_on_open_is_refused_by_cell(self, flags: int) -> None:
        """The .xls form of fullCalcOnLoad: a FORMULA record's option flags (xlwt writes none, so they are set
        here on its record); its stored result (xlwt's: an empty string) is a placeholder."""
        workbook = xlwt.Workbook(encoding="utf-8")
        sheet = workbook.add_sheet("Показания")
        for column, title in enumerate(HEADERS):
            sheet.write(0, column, title)
        for row, zone in ((1, "День"), (2, "Ночь")):
            for column, text in enumerate([EO, "ЭО", "Ожидание", METER, "ИК", "А+", zone]):
                sheet.write(row, column, text)
            sheet.write(row, 7, 100)
        sheet.write(1, 8, xlwt.Formula("H2+1"))
        sheet.write(2, 8, 101.5)
        out = BytesIO()
        workbook.save(out)
        unflagged = out.getvalue()
        # FORMULA (0x0006) at row 1, column 8: row, column, XF, the 8-byte result, then the 2-byte option flags.
        record = re.compile(rb"(\x06\x00..\x01\x00\x08\x00..\x03\x00\x00\x00\x00\x00\xff\xff)\x00\x00", re.DOTALL)
        flagged = record.sub(lambda m: m[1] + bytes([flags, 0]), unflagged, count=1)
        assert flagged != unflagged

        assert cells(refused_cells(lambda: parse_integral(flagged, "x.xls"), "x.xls")) == {"I2": RECALCULATED_FORMULA}
        assert [v.row for v in parse_integral(unflagged, "x.xls")] == [3]  # unflagged: its empty result, skipped

    def test_issue10_a_formula_without_any_cached_value_keeps_its_own_message(self) -> None:
        data = rewritten(xlsxwriter_book(("Показания", integral_sheet({}, {2: 0}))), "xl/worksheets/sheet1.xml",
                         lambda xml: re.sub(rb"(<c r=\"I2\"[^>]*><f>[^<]*</f>)<v>0</v>", rb"\1", xml))

        assert cells(refused_cells(lambda: parse_integral(data, "x.xlsx"))) == {"I2": UNCACHED_FORMULA}


# -- a grid on another sheet ------------------------------------------------------------------


class TestGridOnAnotherSheet:
    """«A grid that sits on another sheet than the first gets one error saying where it was found»."""

    @SETTINGS
    @given(before=st.lists(st.one_of(st.none(), st.sampled_from(["Инструкция", "Код", "Время по Москве"])),
                           min_size=1, max_size=4),
           after=st.integers(0, 2))
    def test_issue10_an_integral_table_on_sheet_n_is_one_error_naming_that_sheet(
        self, before: list[str | None], after: int,
    ) -> None:
        sheets = [(f"Лист{i + 1}", noise(text)) for i, text in enumerate(before)]
        sheets.append(("Показания", integral_sheet({2: 101.5})))
        sheets += [(f"Ещё{i}", integral_sheet({3: 1})) for i in range(after)]  # only the first found is named
        data = xlsxwriter_book(*sheets)

        errors = refused_cells(lambda: parse_integral(data, "x.xlsx"))
        assert errors == [{"sheet": "Показания", "row": 1, "column": 1, "cell": "A1",
                           "message": GRID_ON_OTHER_SHEET.format(found="Показания")}]

    @pytest.mark.parametrize("kind", ["xlsx", "xls"])
    def test_issue10_an_interval_grid_on_the_second_sheet_is_one_error_not_53(self, kind: str) -> None:
        data = xlsxwriter_book(("Лист1", noise(None)), ("02.2021", interval_sheet())) if kind == "xlsx" \
            else _xls_book([("Лист1", None), ("02.2021", "Время")])

        errors = refused_cells(lambda: parse_interval(data, f"x.{kind}", year=YEAR, month=MONTH), f"x.{kind}")

        assert errors == [{"sheet": "02.2021", "row": 1, "column": 1, "cell": "A1",
                           "message": "Таблица показаний найдена на листе «02.2021», а должна быть на первом листе: "
                                      "переместите этот лист в начало книги"}]

    def test_issue10_an_integral_table_on_the_second_sheet_of_an_xls(self) -> None:
        errors = refused_cells(lambda: parse_integral(_xls_book([("Пусто", None), ("Показания", HEADERS)]),
                                                      "x.xls"), "x.xls")
        assert [(e["sheet"], e["cell"]) for e in errors] == [("Показания", "A1")]

    def test_issue10_without_a_grid_anywhere_the_first_sheet_is_reported_as_before(self) -> None:
        data = xlsxwriter_book(("Лист1", noise(None)), ("Лист2", noise("Примечания")))

        errors = refused_cells(lambda: parse_interval(data, "x.xlsx", year=YEAR, month=MONTH))
        assert len(errors) == 1 + 24 + DAYS and {e["sheet"] for e in errors} == {"Лист1"}

    def test_issue10_a_later_sheet_over_max_cells_is_passed_over_never_allocated(self) -> None:
        def far(sheet: Worksheet) -> None:
            sheet.write_string(0, 0, "Время")
            sheet.write_number(1048575, 16383, 1)

        data = xlsxwriter_book(("Лист1", noise(None)), ("Огромный", far), ("02.2021", interval_sheet()))

        errors = refused_cells(lambda: parse_interval(data, "x.xlsx", year=YEAR, month=MONTH))
        assert [(e["sheet"], e["cell"]) for e in errors] == [("02.2021", "A1")]


def _xls_book(sheets: list[tuple[str, Any]]) -> bytes:
    """An .xls (xlwt): per sheet, nothing, «Время» with the February grid, or a header row (a tuple)."""
    workbook = xlwt.Workbook(encoding="utf-8")
    for name, content in sheets:
        sheet = workbook.add_sheet(name)
        if content == "Время":
            for row, column, value in february_grid():
                sheet.write(row, column, value)
        elif isinstance(content, tuple):
            for column, title in enumerate(content):
                sheet.write(0, column, title)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- limit messages -----------------------------------------------------------------------------


def file_refused(call: Callable[[], Any]) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        call()
    return caught.value


def small_book() -> bytes:
    return xlsxwriter_book(("Показания", integral_sheet({2: 101.5})))


class TestLimitMessages:
    """«Limit errors are Russian sentences with the limit in human units (МБ); whole-file errors name the file»."""

    @pytest.mark.parametrize(("limits", "name", "message"), [
        (Limits(max_bytes=10 * MiB, max_uncompressed_bytes=10 * MiB), "max_bytes",
         "Файл «показания.xlsx» больше 10 МБ — загрузите файл не больше 10 МБ"),
        (Limits(max_uncompressed_bytes=5 * 1024), "max_uncompressed_bytes",
         ("Файл «показания.xlsx» после распаковки больше 5 КБ (книга .xlsx — это сжатый архив) — удалите лишние "
          "листы, рисунки и данные или разделите её на несколько файлов")),
        (Limits(max_compression_ratio=2, ratio_floor_bytes=100), "max_compression_ratio",
         ("Файл «показания.xlsx» содержит часть, сжатую больше чем в 2 раза, — книги Excel так не сжимаются: "
          "сохраните книгу заново и загрузите её")),
        (Limits(max_cells=21), "max_cells",
         ("Таблица файла «показания.xlsx» занимает больше 21 ячейки (от A1 до последней заполненной) — удалите "
          "лишние строки и столбцы и загрузите файл снова")),
        (Limits(max_zip_entries=5), "max_zip_entries",
         ("Файл «показания.xlsx» состоит больше чем из 5 частей (книга .xlsx — это архив) — сохраните книгу заново "
          "без лишних листов и рисунков и загрузите её")),
    ])
    def test_issue10_every_limit_is_a_russian_sentence_naming_the_file(
        self, limits: Limits, name: str, message: str,
    ) -> None:
        data = small_book() if name != "max_bytes" else small_book() + b"\0" * (10 * MiB)

        error = file_refused(lambda: parse_integral(data, "показания.xlsx", limits=limits))

        assert (error.message, error.details["limit"], error.details["filename"]) == (message, name, "показания.xlsx")
        assert error.details["maximum"] == getattr(limits, name) < error.details["value"]

    @pytest.mark.parametrize(("data", "message"), [
        (b"plain text", "Файл «C.xlsx» не является книгой Excel: загрузите файл .xls или .xlsx"),
        (b"PK\x03\x04" + b"\0" * 100, "Файл «C.xlsx» повреждён и не может быть прочитан"),
    ])
    def test_issue10_whole_file_errors_name_the_file_without_the_clients_path(self, data: bytes, message: str) -> None:
        error = file_refused(lambda: parse_interval(data, "C:\\fakepath\\C.xlsx", year=YEAR, month=MONTH))
        assert error.message == message

    @pytest.mark.parametrize(("size", "shown"), [
        (10 * MiB, "10 МБ"), (5_000_000, "4,7 МБ"), (MiB, "1 МБ"), (2048 * MiB, "2 048 МБ"), (512 * 1024, "512 КБ"),
        (1000, "1 000 байт"), (1, "1 байт"), (3, "3 байта"), (11, "11 байт"), (22, "22 байта"),
    ])
    def test_issue10_bytes_are_shown_in_mb_of_1048576_bytes(self, size: int, shown: str) -> None:
        assert human_bytes(size) == shown

    @given(size=st.integers(1, 2**50))
    def test_issue10_the_shown_limit_is_never_above_the_configured_one(self, size: int) -> None:
        """Rounded down: a file of the shown size always passes, and a refused file is over the shown size."""
        number, unit = human_bytes(size).rsplit(" ", 1)
        factor = {"МБ": MiB, "КБ": 1024}.get(unit, 1)
        value = Decimal(number.replace(" ", "").replace(",", "."))
        assert value * factor <= size < (value + Decimal("0.1")) * factor or factor == 1 and value == size

    def test_issue10_the_message_without_a_file_name_says_file(self) -> None:
        assert limit_message("max_bytes", 10 * MiB) == "Файл больше 10 МБ — загрузите файл не больше 10 МБ"


# -- a 6+2 meter's two decimals in every export -----------------------------------------------------


T0 = datetime(2026, 11, 2, 9, 0, 7, tzinfo=UTC)


class TestMeterScale:
    """«A 6+2 meter's values keep their two decimals in every export»."""

    @given(value=st.decimals(min_value=0, max_value=Decimal("999999.99"), places=2),
           fraction_digits=st.integers(0, 6))
    def test_issue10_at_scale_writes_the_meters_digits_and_never_drops_one(
        self, value: Decimal, fraction_digits: int,
    ) -> None:
        short = value.normalize()
        scaled = at_scale(short, fraction_digits)

        assert scaled == value
        fits = -min(short.as_tuple().exponent, 0) <= fraction_digits  # type: ignore[operator]
        assert scaled.as_tuple().exponent == (-fraction_digits if fits else short.as_tuple().exponent)

    def test_issue10_the_templates_previous_reading_shows_two_decimals(self) -> None:
        row = IntegralRow(EO, "ЭО", "Ожидание", METER, "ИК", Quantity.ACTIVE_IMPORT, "День",
                          at_scale(Decimal(12441), 2))
        sheet = load_workbook(BytesIO(integral_template([row], contract_number="78010000002778",
                                                        period=date(2022, 10, 1), generated_at=T0))).active

        assert (sheet["H2"].value, sheet["H2"].number_format) == (12441, "0.00")

    def test_issue10_the_primary_act_keeps_the_values_as_uploaded(self) -> None:
        values = tuple(tuple(Decimal("1.50") for _ in range(DAYS)) for _ in HOURS)
        profile = IntervalProfile(YEAR, MONTH, values, Decimal("1008.00"))
        sheet = load_workbook(BytesIO(primary_act_xlsx(profile, meter="ПУ 01284918", created_at=T0,
                                                       generated_at=T0))).active

        assert (sheet["B9"].value, sheet["B9"].number_format) == (1.5, "0.00")
        assert (sheet["B6"].value, sheet["B6"].number_format) == (1008, "0.00")
