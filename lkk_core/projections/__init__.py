"""Read models: each projection folds events into one view people read."""

from lkk_core.projections.base import SqlProjection, SqlView, concrete_view
from lkk_core.projections.catch_up import Views
from lkk_core.projections.contracts import ContractsProjection, ContractsView
from lkk_core.projections.interval_acts import IntervalActsProjection, IntervalActsView
from lkk_core.projections.profile import ProfileProjection, ProfileView
from lkk_core.projections.readings import ReadingsProjection, ReadingsView
from lkk_core.projections.readings_history import ReadingsHistoryProjection, ReadingsHistoryView
from lkk_core.projections.sessions import SessionsProjection, SessionsView

ALL_PROJECTIONS: tuple[type[SqlProjection], ...] = (
    ProfileProjection, SessionsProjection, ContractsProjection, ReadingsProjection, IntervalActsProjection,
    ReadingsHistoryProjection,
)

__all__ = [
    "ALL_PROJECTIONS",
    "ContractsProjection",
    "ContractsView",
    "IntervalActsProjection",
    "IntervalActsView",
    "ProfileProjection",
    "ProfileView",
    "ReadingsHistoryProjection",
    "ReadingsHistoryView",
    "ReadingsProjection",
    "ReadingsView",
    "SessionsProjection",
    "SessionsView",
    "SqlProjection",
    "SqlView",
    "Views",
    "concrete_view",
]
