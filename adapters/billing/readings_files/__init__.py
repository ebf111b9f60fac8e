"""Meter readings as spreadsheets: integral and interval templates and uploads (§5.2, §5.3).

Pure adapter code over plain data: templates are written with openpyxl,
uploads (.xlsx and .xls, told apart by content) read with python-calamine
after size, zip-bomb and extent checks (see ``_workbook``). Every bad cell
becomes a ``CellProblem``; a file's problems are raised together as one
``ValidationFailed`` with ``details['errors']``. Limits are ``Limits``; a
refused file is a ``FileRefused`` (a ``ValidationFailed``) naming the limit.
"""

from adapters.billing.readings_files.integral import (
    HEADERS,
    IntegralRow,
    IntegralValue,
    integral_template,
    parse_integral,
)
from adapters.billing.readings_files.interval import (
    HOURS,
    TEMPLATE_FILENAME,
    IntervalProfile,
    interval_template,
    parse_interval,
    primary_act_xlsx,
)
from adapters.billing.readings_files.problems import CellProblem, FileRefused, Limits

__all__ = [
    "HEADERS",
    "HOURS",
    "TEMPLATE_FILENAME",
    "CellProblem",
    "FileRefused",
    "IntegralRow",
    "IntegralValue",
    "IntervalProfile",
    "Limits",
    "integral_template",
    "interval_template",
    "parse_integral",
    "parse_interval",
    "primary_act_xlsx",
]
