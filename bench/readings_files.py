"""Readings files benchmark: parsing uploads against a bare read with the same reader.

Measured, each in a fresh interpreter so that ru_maxrss is that work's own peak:

1. ``integral``: ``parse_integral`` of a 5,000-meter .xlsx (our template,
   filled) against a bare python-calamine read of the same file; the goal is
   a ratio ≤ 2×. The same for an .xls of 5,000 rows written by xlwt, against
   a bare xlrd read (.xls is parsed with xlrd: calamine aborts on damaged ones);
2. ``interval``: ``parse_interval`` of one month for 200 metering points
   (200 files of 24 × 31);
3. the other readers on the same files (openpyxl read-only, xlrd), the
   figures behind the choice of python-calamine.

Peak memory is given twice: tracemalloc's Python-heap peak (it cannot see
calamine's Rust allocations) and the child's ru_maxrss after one run, to be
read against the ``baseline`` row (the same child with every reader
imported and the file's bytes loaded, running nothing). Files are
generated once, in the parent process.

Run: ``python -m bench.readings_files [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

METERS = 5_000
POINTS = 200
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def integral_xlsx() -> bytes:
    """Return our 5,000-row integral template with every current reading filled."""
    from openpyxl import load_workbook  # noqa: PLC0415

    from adapters.billing.readings_files import IntegralRow, integral_template  # noqa: PLC0415
    from lkk_core.kernel.billing import Quantity  # noqa: PLC0415

    rows = [
        IntegralRow(f"78010000002778{i:04d}", f"ЭО {i}", "Ожидание", f"{i:08d}", "РП-10 кВ яч.2",
                    Quantity.ACTIVE_IMPORT, "День", Decimal(12441) + i)
        for i in range(METERS)
    ]
    data = integral_template(rows, contract_number="78010000002778", period=date(2026, 10, 1), generated_at=T0)
    workbook = load_workbook(BytesIO(data))
    sheet = workbook.active
    for row in range(2, METERS + 2):
        sheet.cell(row=row, column=9, value=12442.25 + row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def integral_xls() -> bytes:
    import xlwt  # noqa: PLC0415

    from adapters.billing.readings_files import HEADERS  # noqa: PLC0415

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Показания")
    for column, title in enumerate(HEADERS):
        sheet.write(0, column, title)
    for i in range(1, METERS + 1):
        values = (f"78010000002778{i:04d}", f"ЭО {i}", "Ожидание", f"{i:08d}", "РП", "А+", "День", 12441 + i, 12442.25 + i)
        for column, value in enumerate(values):
            sheet.write(i, column, value)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def interval_files() -> list[bytes]:
    from openpyxl import load_workbook  # noqa: PLC0415

    from adapters.billing.readings_files import interval_template  # noqa: PLC0415

    files = []
    for point in range(POINTS):
        workbook = load_workbook(BytesIO(interval_template(year=2021, month=1, metering_point=f"ИК {point}",
                                                           generated_at=T0)))
        sheet = workbook.active
        for row in range(2, 26):
            for column in range(2, 33):
                sheet.cell(row=row, column=column, value=round(point + row / 10 + column / 100, 3))
        out = BytesIO()
        workbook.save(out)
        files.append(out.getvalue())
    return files


def calamine_read(data: bytes) -> Any:
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def openpyxl_read(data: bytes) -> Any:
    from openpyxl import load_workbook  # noqa: PLC0415

    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def xlrd_read(data: bytes) -> Any:
    import xlrd  # noqa: PLC0415

    sheet = xlrd.open_workbook(file_contents=data).sheet_by_index(0)
    return [sheet.row_values(i) for i in range(sheet.nrows)]


def parse_integral(data: bytes) -> Any:
    from adapters.billing.readings_files import parse_integral as parse  # noqa: PLC0415

    return parse(data, "bench.xlsx")


def parse_intervals(files: list[bytes]) -> Any:
    from adapters.billing.readings_files import parse_interval  # noqa: PLC0415

    return [parse_interval(data, "bench.xlsx", year=2021, month=1) for data in files]


CASES: dict[str, tuple[str, Callable[[], Any], Callable[[Any], Any]]] = {
    "integral xlsx: parse_integral": ("integral_xlsx", integral_xlsx, parse_integral),
    "integral xlsx: bare calamine": ("integral_xlsx", integral_xlsx, calamine_read),
    "integral xlsx: bare openpyxl ro": ("integral_xlsx", integral_xlsx, openpyxl_read),
    "integral xls: parse_integral": ("integral_xls", integral_xls, parse_integral),
    "integral xls: bare calamine": ("integral_xls", integral_xls, calamine_read),
    "integral xls: bare xlrd": ("integral_xls", integral_xls, xlrd_read),
    "interval 200 files: parse_interval": ("interval", interval_files, parse_intervals),
    "interval 200 files: bare calamine": ("interval", interval_files, lambda fs: [calamine_read(f) for f in fs]),
    "baseline: imports + 5,000-row xls bytes": ("integral_xls", integral_xls, lambda _: None),
}


def child(case: str, repeat: int, source: Path) -> None:
    """Measure one case in this interpreter and print its figures as JSON."""
    _, _, run = CASES[case]
    import adapters.billing.readings_files  # noqa: F401, PLC0415 - imports are not the work measured
    import openpyxl  # noqa: F401, PLC0415
    import python_calamine  # noqa: F401, PLC0415
    import xlrd  # noqa: F401, PLC0415

    data = pickle.loads(source.read_bytes())  # noqa: S301 - our own file
    run(data)  # first run: its peak is the figure; later runs reuse freed memory
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(data)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    run(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = sum(map(len, data)) if isinstance(data, list) else len(data)
    print(json.dumps({"seconds": best, "py_peak": peak, "maxrss_kib": rss, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat, args.source)
        return
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        sources: dict[str, Path] = {}
        for kind, make, _ in CASES.values():
            if kind not in sources:
                sources[kind] = Path(scratch) / f"{kind}.pickle"
                sources[kind].write_bytes(pickle.dumps(make()))
        print(f"{'case':38} {'best ms':>9} {'py peak MB':>11} {'maxrss MB':>9} {'file KB':>9}")
        for case, (kind, _, _) in CASES.items():
            results[case] = _run_child(case, args.repeat, sources[kind])
    _report(results)


def _run_child(case: str, repeat: int, source: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.readings_files", "--child", case, "--repeat", str(repeat),
               "--source", str(source)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    result: dict[str, Any] = json.loads(out)
    print(f"{case:38} {result['seconds'] * 1000:9.1f} {result['py_peak'] / 1e6:11.2f} "
          f"{result['maxrss_kib'] / 1024:9.1f} {result['bytes'] / 1024:9.0f}", flush=True)
    return result


# The reader each format is parsed with: .xls goes through xlrd (calamine aborts on damaged .xls).
CHOSEN = {"integral xlsx": "calamine", "integral xls": "xlrd", "interval 200 files": "calamine"}


def _report(results: dict[str, dict[str, Any]]) -> None:
    for kind, reader in CHOSEN.items():
        parse = next(v for k, v in results.items() if k.startswith(kind) and "parse" in k)
        bare = results[f"{kind}: bare {reader}"]
        print(f"{kind}: parse / bare {reader} = {parse['seconds'] / bare['seconds']:.2f}x (goal ≤ 2x)")


if __name__ == "__main__":
    main()
