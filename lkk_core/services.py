"""What every use case needs: the log, the clock, secrets, and the hooks after a write."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Recording
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from lkk_core.app import LkkApplication
from lkk_core.errors import Conflict, NotFound
from lkk_core.ports import Billing, Clock
from lkk_core.security import Passwords, ServerSecret

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

DEFAULT_PORTAL_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEZONE = "Europe/Moscow"
RACE_RETRIES = 12  # ARCHITECTURE.md §2: bounded retries, then Conflict
BACKOFF_SECONDS = 0.002  # the first retry waits up to 2 ms, doubling each time (8 s in all at worst)


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an account acting through one of its sessions."""

    account_id: UUID
    session_id: UUID


@dataclass(frozen=True)
class StaffActor:
    """Supplier staff acting from the administrative module (DOMAIN.md §0.2)."""

    staff_id: str


@dataclass(frozen=True)
class Settings:
    """Tunable rules the manual leaves open (DOMAIN.md ACC-03 decisions)."""

    code_ttl: timedelta = timedelta(minutes=15)
    code_attempts: int = 5
    portal_url: str = DEFAULT_PORTAL_URL  # «Ссылка на ЛКК» in letters, and the base of their links
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))  # the supplier's calendar


@dataclass
class Services:
    """The composition root's product: what services and queries are given."""

    app: LkkApplication
    clock: Clock
    secret: ServerSecret
    passwords: Passwords
    settings: Settings = field(default_factory=Settings)
    billing: Billing | None = None  # set by the composition root from an adapter
    # Called with the recordings of every write: the embedded mode catches views
    # up and nudges the outbox here; a scaled-out deployment does nothing.
    after_save: list[Callable[[list[Recording]], None]] = field(default_factory=list)
    views: Any = None  # lkk_core.projections.Views, set by bootstrap

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        """Load an aggregate or raise ``NotFound``."""
        try:
            aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFound(id=str(aggregate_id))
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Load an aggregate, or None when it does not exist."""
        try:
            return self.get(cls, aggregate_id)
        except NotFound:
            return None

    def save(self, *aggregates: Aggregate) -> int:
        """Save in one transaction and return the log position of the last event."""
        recordings = self.app.save(*aggregates)
        if not recordings:
            return self.app.head()
        for hook in self.after_save:
            hook(recordings)
        return recordings[-1].notification.id

    def retrying(self, attempt: Callable[[], T]) -> T:
        """Run load-decide-save again when a concurrent writer won; then give up with Conflict."""
        for attempt_number in range(RACE_RETRIES):
            try:
                return attempt()
            except IntegrityError:
                # Random, growing waits spread the racers out: without them the same ones
                # collide again at once, and with many writers on one aggregate (binders
                # of one contract) some lose every round (CON-07).
                time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt_number))  # noqa: S311
                continue
        raise Conflict("Операция не выполнена из-за одновременного изменения, повторите её")
