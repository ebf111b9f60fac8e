"""Use cases of meter readings (DOMAIN.md §4): the page «Показания», on-screen submission, interval acts, history."""

from lkk_core.readings.history import readings_history, tariff_zone
from lkk_core.readings.interval import (
    ActRecorded,
    IntervalActRecord,
    IntervalTarget,
    interval_act,
    interval_acts,
    interval_target,
    upload_interval_profile,
)
from lkk_core.readings.page import readings_page
from lkk_core.readings.submission import ReadingsSaved, accept_period, submit_readings

__all__ = [
    "ActRecorded",
    "IntervalActRecord",
    "IntervalTarget",
    "ReadingsSaved",
    "accept_period",
    "interval_act",
    "interval_acts",
    "interval_target",
    "readings_history",
    "readings_page",
    "submit_readings",
    "tariff_zone",
    "upload_interval_profile",
]
