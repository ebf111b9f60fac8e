"""Draw the integral and interval templates as a spreadsheet program shows them (docs/img/*.png).

There is no office program on the build machine, so the pictures are drawn
from the real template bytes: ``integral_template`` and ``interval_template``
are called, the .xlsx is loaded with openpyxl, and its first sheet is drawn
with Pillow the way a spreadsheet shows it — column letters and row numbers,
the column widths stored in the file, wrapped and bold headers, text left and
numbers right, the frozen first row, the sheet's tab. Numbers are shown with
a decimal comma, as a Russian-locale spreadsheet does. Only the grid is drawn
(no ribbon, no formula bar), so a picture never shows anything the file does
not hold.

Run from the repository root, with the dev extras installed (Pillow)::

    .venv/bin/python -m tools.render_templates [--out docs/img]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageDraw, ImageFont

from adapters.billing.readings_files import IntegralRow, interval_template
from adapters.billing.readings_files.integral import integral_template
from lkk_core.kernel.billing import Quantity

FONTS = Path("/usr/share/fonts/truetype/dejavu")
GENERATED_AT = datetime(2022, 11, 1, 9, 0, tzinfo=UTC)  # fixed: the same picture on every run
SIZE = 12  # px: DejaVu Sans at 12 px is about as wide as Calibri 11 pt
ROW_HEIGHT, HEADER_HEIGHT, ROW_LABEL_WIDTH, TAB_HEIGHT = 20, 20, 36, 24
GRID, FRAME, CHROME, CHROME_TEXT, FROZEN = "#d4d4d4", "#9e9e9e", "#efefef", "#444444", "#7a7a7a"
PAD = 4


@dataclass(frozen=True)
class Fonts:
    regular: ImageFont.FreeTypeFont
    bold: ImageFont.FreeTypeFont

    @classmethod
    def load(cls) -> Fonts:
        return cls(ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), SIZE),
                   ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), SIZE))


def column_pixels(width: float | None) -> int:
    """Return a column's width on screen from its width in characters (Excel's rule at 100 % zoom)."""
    return int((width or 8.43) * 7 + 5)


def shown(value: object) -> str:
    """Return a cell value as a Russian-locale spreadsheet shows it in the General format."""
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        text = format(Decimal(str(value)).normalize(), "f")
        return text.replace(".", ",")
    return "" if value is None else str(value)


def wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Split text into lines that fit ``width`` pixels, at spaces, as a wrapped cell does."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def render(sheet: Worksheet, *, columns: int, rows: int, note: str | None = None) -> Image.Image:
    """Draw columns 1…``columns`` and rows 1…``rows`` of ``sheet`` with the chrome of a spreadsheet."""
    fonts = Fonts.load()
    widths = [column_pixels(sheet.column_dimensions[get_column_letter(c)].width) for c in range(1, columns + 1)]
    heights = []
    for r in range(1, rows + 1):
        lines = 1
        for c in range(1, columns + 1):
            cell = sheet.cell(row=r, column=c)
            if cell.alignment.wrap_text and cell.value is not None:
                font = fonts.bold if cell.font.bold else fonts.regular
                lines = max(lines, len(wrapped(shown(cell.value), font, widths[c - 1] - 2 * PAD)))
        heights.append(max(ROW_HEIGHT, lines * (SIZE + 3) + 6))  # a wrapped row grows, as on opening the file
    left = [ROW_LABEL_WIDTH + sum(widths[:i]) for i in range(columns + 1)]
    top = [HEADER_HEIGHT + sum(heights[:i]) for i in range(rows + 1)]
    note_height = 0 if note is None else ROW_HEIGHT + 6
    image = Image.new("RGB", (left[-1] + 1, top[-1] + TAB_HEIGHT + note_height + 1), "white")
    draw = ImageDraw.Draw(image)
    # The chrome: the corner, column letters, row numbers.
    draw.rectangle((0, 0, left[-1], HEADER_HEIGHT - 1), fill=CHROME)
    draw.rectangle((0, 0, ROW_LABEL_WIDTH - 1, top[-1]), fill=CHROME)
    for c in range(columns):
        draw.line((left[c + 1], 0, left[c + 1], top[-1]), fill=GRID)
        draw.text(((left[c] + left[c + 1]) / 2, HEADER_HEIGHT / 2), get_column_letter(c + 1), font=fonts.regular,
                  fill=CHROME_TEXT, anchor="mm")
        draw.line((left[c + 1], 0, left[c + 1], HEADER_HEIGHT - 1), fill=FRAME)
    for r in range(rows):
        draw.line((0, top[r + 1], left[-1], top[r + 1]), fill=GRID)
        draw.text((ROW_LABEL_WIDTH / 2, (top[r] + top[r + 1]) / 2), str(r + 1), font=fonts.regular,
                  fill=CHROME_TEXT, anchor="mm")
        draw.line((0, top[r + 1], ROW_LABEL_WIDTH - 1, top[r + 1]), fill=FRAME)
    draw.line((ROW_LABEL_WIDTH - 1, 0, ROW_LABEL_WIDTH - 1, top[-1]), fill=FRAME)
    draw.line((0, HEADER_HEIGHT - 1, left[-1], HEADER_HEIGHT - 1), fill=FRAME)
    if sheet.freeze_panes:  # the frozen rows end in a darker line
        frozen_rows = sheet[sheet.freeze_panes].row - 1
        if frozen_rows:
            draw.line((0, top[frozen_rows], left[-1], top[frozen_rows]), fill=FROZEN, width=2)
    # The cells: text left and top or middle, numbers right; clipped at the cell's edge.
    for r in range(1, rows + 1):
        for c in range(1, columns + 1):
            cell = sheet.cell(row=r, column=c)
            if cell.value is None:
                continue
            font = fonts.bold if cell.font.bold else fonts.regular
            box = (left[c - 1] + 1, top[r - 1] + 1, left[c], top[r])
            text = shown(cell.value)
            if cell.alignment.wrap_text:
                lines = wrapped(text, font, box[2] - box[0] - 2 * PAD)
            else:
                lines = [text]
            piece = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), "white")
            pen = ImageDraw.Draw(piece)
            numeric = cell.data_type == "n"
            for i, line in enumerate(lines):
                y = 3 + i * (SIZE + 3) if cell.alignment.vertical == "top" else (piece.height - SIZE) / 2 - 1
                x = piece.width - PAD - font.getlength(line) if numeric else PAD
                pen.text((x, y), line, font=font, fill="black")
            image.paste(piece, box[:2])
    # The sheet's tab, and the note under it.
    y = top[-1] + 1
    draw.rectangle((0, y, left[-1], y + TAB_HEIGHT - 1), fill=CHROME)
    tab = sheet.title
    tab_width = int(fonts.bold.getlength(tab)) + 2 * 10
    draw.rectangle((ROW_LABEL_WIDTH + 8, y, ROW_LABEL_WIDTH + 8 + tab_width, y + TAB_HEIGHT - 4), fill="white",
                   outline=FRAME)
    draw.text((ROW_LABEL_WIDTH + 18, y + (TAB_HEIGHT - 4) / 2), tab, font=fonts.bold, fill="#217346", anchor="lm")
    if note is not None:
        draw.text((PAD, y + TAB_HEIGHT + note_height / 2), note, font=fonts.regular, fill=CHROME_TEXT, anchor="lm")
    return image


def integral_picture() -> Image.Image:
    """The integral template of a contract with four meters, as downloaded (RDG-11)."""
    eo, name = "780100000027780001", "ЭО Парголово"
    rows = [
        IntegralRow(eo, name, "Ожидание", "01284918", "РП-10 кВ яч.2", Quantity.ACTIVE_IMPORT, "Круглосуточный",
                    Decimal(12441)),
        IntegralRow(eo, name, "Ожидание", "20300109", "РП-10 кВ яч.4", Quantity.ACTIVE_IMPORT, "День",
                    Decimal("5210.25")),
        IntegralRow(eo, name, "Ожидание", "20300109", "РП-10 кВ яч.4", Quantity.ACTIVE_IMPORT, "Ночь",
                    Decimal("2105.5")),
        IntegralRow(eo, name, "Ожидание", "30300001", "ТП-5 ввод 1", Quantity.ACTIVE_IMPORT, "Круглосуточный",
                    Decimal(887)),
        IntegralRow(eo, name, "Ожидание", "30300001", "ТП-5 ввод 1", Quantity.REACTIVE_IMPORT, "Круглосуточный",
                    Decimal(301)),
        IntegralRow("780100000027780002", "ЭО Шушары", "Ожидание", "00457121", "КТП-12", Quantity.ACTIVE_IMPORT,
                    "Круглосуточный", None),
    ]
    data = integral_template(rows, contract_number="78010000002778", period=date(2022, 10, 1),
                             generated_at=GENERATED_AT)
    return render(load_workbook(BytesIO(data)).active, columns=9, rows=len(rows) + 1)


def interval_picture() -> Image.Image:
    """The interval template of one metering point for January 2021: A…H of A…AF, rows 1…25 (RDG-16)."""
    data = interval_template(year=2021, month=1, metering_point="РП-10 кВ яч.2", generated_at=GENERATED_AT)
    sheet = load_workbook(BytesIO(data)).active
    note = "Показаны столбцы A…H; даты продолжаются до последнего дня месяца: 31.01.2021 в столбце AF."
    return render(sheet, columns=8, rows=25, note=note)


def save_png(image: Image.Image, path: Path) -> int:
    """Save a small PNG (a 64-colour palette is plenty for a grid) and return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args()
    for name, picture in (("integral-template.png", integral_picture), ("interval-template.png", interval_picture)):
        size = save_png(picture(), args.out / name)
        print(f"{args.out / name}: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
