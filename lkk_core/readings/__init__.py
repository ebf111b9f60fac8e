"""Use cases of meter readings (DOMAIN.md §4): the page «Показания» and on-screen submission."""

from lkk_core.readings.page import readings_page
from lkk_core.readings.submission import ReadingsSaved, accept_period, submit_readings

__all__ = ["ReadingsSaved", "accept_period", "readings_page", "submit_readings"]
