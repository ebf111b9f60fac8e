"""Meter readings (DOMAIN.md §4): the page «Показания», on-screen submission, interval acts, history.

The public face of the context: other contexts, adapters and embedding portals import from here only.
"""

from lkk_core.readings._common import at_scale, Place, places, scales_left_out
from lkk_core.readings.billing_deliveries import SubmittedReadings, UploadedProfiles
from lkk_core.readings.commands import (
    AWAITING,
    Key,
    MAX_READINGS,
    NotANumber,
    ReadingInput,
    ReadingsFilter,
    ReadingsHistoryFilter,
    SubmitReadings,
    UploadIntervalProfile,
)
from lkk_core.readings.history import (
    HistoryContract,
    HistoryEnergyObject,
    HistoryMeter,
    HistoryRow,
    readings_history,
    ReadingsHistory,
    tariff_zone,
)
from lkk_core.readings.history_view import ReadingsHistoryProjection, ReadingsHistoryView
from lkk_core.readings.interval import (
    ACT_NOT_FOUND,
    ActRecorded,
    interval_act,
    interval_acts,
    interval_target,
    IntervalActRecord,
    IntervalActRow,
    IntervalActs,
    IntervalTarget,
    upload_interval_file,
    upload_interval_profile,
)
from lkk_core.readings.interval_act import IntervalAct
from lkk_core.readings.interval_acts_view import IntervalActsProjection, IntervalActsView
from lkk_core.readings.page import (
    contract_block,
    ContractBlock,
    ContractChoice,
    EnergyObjectRow,
    IntervalActShown,
    MeteringPointRow,
    MeterRow,
    readings_page,
    ReadingsPage,
    ScaleRow,
    WindowShown,
)
from lkk_core.readings.reading_submission import ReadingSubmission
from lkk_core.readings.readings_view import ReadingsProjection, ReadingsView
from lkk_core.readings.rules import ALL_SCALES, UNKNOWN_SCALE
from lkk_core.readings.submission import accept_period, ReadingsSaved, submit_readings
from lkk_core.readings.values import PlaceKey

__all__ = [
    "ACT_NOT_FOUND",
    "ALL_SCALES",
    "AWAITING",
    "MAX_READINGS",
    "ActRecorded",
    "ContractBlock",
    "ContractChoice",
    "EnergyObjectRow",
    "HistoryContract",
    "HistoryEnergyObject",
    "HistoryMeter",
    "HistoryRow",
    "IntervalAct",
    "IntervalActRecord",
    "IntervalActRow",
    "IntervalActShown",
    "IntervalActs",
    "IntervalActsProjection",
    "IntervalActsView",
    "IntervalTarget",
    "Key",
    "MeterRow",
    "MeteringPointRow",
    "NotANumber",
    "Place",
    "PlaceKey",
    "ReadingInput",
    "ReadingSubmission",
    "ReadingsFilter",
    "ReadingsHistory",
    "ReadingsHistoryFilter",
    "ReadingsHistoryProjection",
    "ReadingsHistoryView",
    "ReadingsPage",
    "ReadingsProjection",
    "ReadingsSaved",
    "ReadingsView",
    "ScaleRow",
    "SubmitReadings",
    "SubmittedReadings",
    "UNKNOWN_SCALE",
    "UploadIntervalProfile",
    "UploadedProfiles",
    "WindowShown",
    "accept_period",
    "at_scale",
    "contract_block",
    "interval_act",
    "interval_acts",
    "interval_target",
    "places",
    "readings_history",
    "readings_page",
    "scales_left_out",
    "submit_readings",
    "tariff_zone",
    "upload_interval_file",
    "upload_interval_profile",
]
