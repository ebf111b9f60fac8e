"""The collector is held off for one upload only (adapters/billing/readings_files/_collector.py)."""

from __future__ import annotations

import gc
import threading

from adapters.billing.readings_files._collector import collector_paused


def test_the_collector_is_off_inside_an_upload_and_on_again_after_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_last_of_overlapping_uploads_ends() -> None:
    inside, leave = threading.Event(), threading.Event()

    def upload() -> None:
        with collector_paused():
            inside.set()
            leave.wait(5)

    other = threading.Thread(target=upload)
    other.start()
    inside.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other upload still runs
    leave.set()
    other.join(5)
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_upload_that_failed() -> None:
    try:
        with collector_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
