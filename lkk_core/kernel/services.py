"""What every use case needs: the log, the clock, secrets, the access check, and the one write path.

Every command goes through ``Services.write``: it runs the command's
load–decide–save attempt, and when a concurrent writer won the race (the
store refused the second write at the same version) runs it again after a
random, growing wait; after ``RACE_RETRIES`` attempts it answers
``Conflict``. ``save`` returns the log position of the last event written,
which the HTTP adapter waits for before it reads a view (read-your-writes).
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Recording
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from lkk_core.kernel.app import LkkApplication
from lkk_core.kernel.access import Access, Standing
from lkk_core.kernel.billing import Contract
from lkk_core.kernel.errors import Conflict, NotFound
from lkk_core.kernel.permissions import NOT_FOUND, Capability, Holding
from lkk_core.kernel.ports import Billing, Clock
from lkk_core.kernel.security import Passwords, ServerSecret

if TYPE_CHECKING:
    from lkk_core.kernel.access import AccessCheck
    from lkk_core.kernel.billing_feed import Delivery
    from lkk_core.kernel.outbox import LetterWriter
    from lkk_core.kernel.views import Views

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
    """Supplier staff acting from the administrative module (DOMAIN.md §0.2).

    ``staff_id`` is what staff commands record (``by_staff``, ``staff_id``):
    the adapters take it from ``lkk_core.staff`` (a specialist's token, or the
    console's ``--as``), never from what a client claims.
    """

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
    views: Views = None  # type: ignore[assignment]  # set by the composition root (bootstrap)
    access: AccessCheck = None  # type: ignore[assignment]  # set by the composition root (bootstrap)
    # What else an account's deletion takes with it, in the same atomic save (the
    # contracts context registers its release here, so accounts need not know it).
    on_account_deleted: list[Callable[[Services, UUID], list[Aggregate]]] = field(default_factory=list)
    # The contexts' letters (for the outbox) and deliveries to billing (for the billing feed).
    letters: list[LetterWriter] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

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

    def authorize(  # noqa: PLR0913  (the access check's inputs)
        self,
        actor: Actor,
        capability: Capability,
        number: str,
        *,
        energy_objects: Iterable[str] = (),
        standing: Standing = Standing.SESSION,
    ) -> Access:
        """Ask the one access check (``lkk_core.kernel.access``) whether the actor may do this on the contract."""
        return self.access.require(self, actor, capability, number, energy_objects=energy_objects, standing=standing)

    def check_session(self, actor: Actor, standing: Standing = Standing.SESSION) -> None:
        """Check only that the actor's session is live (and the account far enough), for contract-free actions."""
        self.access.session(self, actor, standing)

    def holding(self, account_id: UUID, number: str) -> Holding | None:
        """Return an account's holding on a contract, from the access check's one source."""
        return self.access.holding(self, account_id, number)

    def peek(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Load an aggregate for reading only: the cached instance itself, not a copy.

        eventsourcing deep-copies a cached aggregate on every ``get`` so that a
        command's half-done changes cannot leak into the cache; a query changes
        nothing, and the copy was most of its cost. Never call a command method
        on what this returns.
        """
        try:
            found = self.app.repository.get(aggregate_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def require_billing(self) -> Billing:
        """Return the billing port; a deployment without one cannot serve contracts."""
        if self.billing is None:
            msg = "no billing adapter is configured (LKK_BILLING_DATASET)"
            raise RuntimeError(msg)
        return self.billing

    def contract(self, number: str) -> Contract:
        """Return the contract billing knows by that number, or NotFound."""
        found = self.require_billing().find_contract(number)
        if found is None:
            raise NotFound(NOT_FOUND, field="contract_number")
        return found

    def save(self, *aggregates: Aggregate) -> int:
        """Save in one transaction and return the log position of the last event."""
        recordings = self.app.save(*aggregates)
        if not recordings:
            return self.app.head()
        self._cache_saved(aggregates)
        for hook in self.after_save:
            hook(recordings)
        return recordings[-1].notification.id

    def _cache_saved(self, aggregates: Iterable[Aggregate]) -> None:
        """Refresh the repository's cached copy of each saved aggregate, so the next load need not decode again.

        eventsourcing 9.5.6 caches only what it loaded: with fast-forwarding on
        (the default, ``AGGREGATE_CACHE_FASTFORWARD``), the next ``get`` reads
        and decodes the events just written (the 5,000 readings of an upload)
        to bring the cached copy forward. Once saved, the aggregate *is* the
        aggregate after its events, so a copy of it replaces the cached one (a
        copy: the caller may go on changing its own). Only aggregates already
        cached are refreshed: one just created stays out until it is loaded,
        as before, so the cache's memory is what loads make it (200 interval
        acts uploaded once would otherwise hold ≈ 20 MB).

        Safe under threads: the cache is only ever a prefix of the log, since
        ``get`` fast-forwards whatever it finds there (under its per-aggregate
        lock), so a concurrent writer's newer copy being replaced by this older
        one costs a decode, never a wrong state. With fast-forwarding off
        eventsourcing puts saved aggregates into the cache itself.
        """
        repository = self.app.repository
        cache = repository.cache
        if cache is None or not repository.fastforward:
            return
        for aggregate in aggregates:
            if aggregate is not None and aggregate.id in cache.cache:
                cache.put(aggregate.id, copy.deepcopy(aggregate))

    def write(self, attempt: Callable[[], T]) -> T:
        """Run a command's load-decide-save; again when a concurrent writer won; then give up with Conflict.

        ``attempt`` must load what it changes inside itself, so that each try
        decides on fresh state; it returns the command's result (with the
        position ``save`` gave it). Only a lost race is tried again: a domain
        error goes out as raised, also after a save in the same try (a wrong
        code's count is saved, then the code refused). Work that needs no state
        (Argon2 hashing) belongs before the attempt, not in it.
        """
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
