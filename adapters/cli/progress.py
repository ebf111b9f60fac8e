"""Named progress for the long ``lkk`` commands: a bar on a terminal, plain lines otherwise.

Every long command (``demo seed``, ``billing generate``, ``billing check``,
``events export``, ``project rebuild``, ``project verify``) reports through
``progress(label)``: a callback ``(done, total)`` that the library's loops
already call. On a terminal it draws a tqdm bar named after the step; in a
pipe or a log (CI, systemd) it writes a plain line at most every few seconds
and one at the end if it wrote any, so a short run stays quiet, a long one's
log stays readable, and a script's standard output stays data.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

Progress = Callable[[int, int], None]
EVERY_SECONDS = 5.0


def progress(label: str, stream: TextIO | None = None, *, clock: Callable[[], float] = time.monotonic) -> Progress:
    """Return a ``(done, total)`` callback that shows the step ``label`` on ``stream`` (standard error)."""
    out = stream or sys.stderr
    return _Bar(label, out) if out.isatty() else _Lines(label, out, clock)


class _Bar:
    def __init__(self, label: str, out: TextIO) -> None:
        self._label, self._out = label, out
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = tqdm(total=total, desc=self._label, file=self._out, unit="", dynamic_ncols=True, leave=True)
        self._bar.total = max(total, done)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()


class _Lines:
    def __init__(self, label: str, out: TextIO, clock: Callable[[], float]) -> None:
        self._label, self._out, self._clock = label, out, clock
        self._last = clock()
        self._wrote = self._finished = False

    def __call__(self, done: int, total: int) -> None:
        finished = done >= total
        if finished and (self._finished or not self._wrote):
            self._finished = finished
            return
        if not finished and self._clock() - self._last < EVERY_SECONDS:
            return
        self._last, self._wrote, self._finished = self._clock(), True, finished
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        self._out.write(f"{self._label}: {percent}% ({done}/{total}){' done' if finished else ''}\n")
        self._out.flush()
