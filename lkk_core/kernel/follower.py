"""A follower of the log that carries recorded side effects out, at least once, in order.

The outbox (letters) and the billing feed (readings) are both this: a
command only records an event; a follower reads such events after its
tracked position, carries each out through a port, and only then records
its position past it. A crash between a command's commit and the effect
loses nothing; a crash between the effect and the tracking commit repeats
the effect once, with the same event id and version, so the receiving side
can recognise the copy.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.utils import get_topic

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.views import view_env

log = logging.getLogger(__name__)


class Handler(Protocol):
    """What a context plugs into a follower (a letter writer, a billing delivery): the event classes it takes."""

    events: tuple[type, ...]


H = TypeVar("H", bound=Handler)


class LogFollower(ABC, Generic[H]):
    """Base of the followers: ``name`` (its tracking store), the contexts' handlers, and ``carry_out``.

    ``topics`` (what the follower reads of the log) are exactly the handlers' event classes.
    """

    name: ClassVar[str]

    def __init__(self, app: LkkApplication, handlers: Sequence[H], env: Mapping[str, str] | None = None) -> None:
        self.app = app
        self._handlers: dict[type, H] = {cls: handler for handler in handlers for cls in handler.events}
        self.topics: tuple[str, ...] = tuple(get_topic(cls) for cls in self._handlers)
        environment = view_env(app, self.name, {**app.env, **(env or {})})
        self.tracking: Any = InfrastructureFactory.construct(environment).tracking_recorder()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    @abstractmethod
    def carry_out(self, event: Any) -> bool:
        """Carry out what one event asks for; return whether anything was done. Raising leaves it pending."""

    def handler(self, event: Any) -> H | None:
        """Return the handler a context registered for the event's class (the topics select only those)."""
        return self._handlers.get(type(event))

    def position(self) -> int:
        """Return the position of the last event carried out."""
        return self.tracking.max_tracking_id(self.app.name) or 0

    def deliver_pending(self) -> int:
        """Carry out every event after the tracked position, in order; return how many did something."""
        done = 0
        with self._lock:
            while batch := self.app.recorder.select_notifications(
                start=self.position(), limit=100, topics=self.topics, inclusive_of_start=False
            ):
                for notification in batch:
                    done += self.carry_out(self.app.mapper.to_domain_event(notification))
                    self.tracking.insert_tracking(Tracking(self.app.name, notification.id))
        return done

    def nudge(self, recordings: object = None) -> None:
        """Wake the background loop (after a write)."""
        self._wake.set()

    def run_forever(self, *, poll: float = 1.0, stop: threading.Event | None = None) -> None:
        """Carry out in a loop until stopped; a failing port is retried on the next round."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.deliver_pending()
            except Exception:  # the ports' errors vary by adapter; retry next round
                log.exception("%s: delivery failed; will retry", self.name)
            self._wake.wait(poll)
            self._wake.clear()
