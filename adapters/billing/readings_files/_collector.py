"""The garbage collector held off for the length of one upload.

An integral upload of 5,000 meters builds some 100,000 container objects
(cells, rows, commands, typed values, event state) that all live until the
upload ends: the collector, triggered every 700 allocations, scans them again
and again and frees nothing (≈ 30 ms of a 190 ms upload, bench/readings_uploads.py).
So it waits until the upload is over. Bounded: the scope is one upload, whose
size ``Limits`` caps; the process-wide switch is counted, so that with
uploads in several threads it comes back on when the last one ends; and a
collector someone else turned off stays off. Cycles made meanwhile are
collected by the next collection after the upload.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off inside the block (see the module's docstring)."""
    global _holders, _was_enabled  # noqa: PLW0603
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                # The young collection the upload put off, charged to it: what it made and still holds
                # (the cached submission) moves on to the older generations here, not in the next request.
                gc.collect(1)
                gc.enable()
