"""``lkk sweep``: finish what a deadline or a crash left undone, and record it.

Run it periodically (cron, a systemd timer). Each step is idempotent, so a
sweep that dies half-way is simply run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from uuid import UUID

from eventsourcing.utils import get_topic

from lkk_core.accounts import Account
from lkk_core.contracts import ContractsView, expire_binding, release_contracts
from lkk_core.kernel.services import Services

PAGE = 1000


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    keys_shredded: int = 0
    bindings_expired: int = 0
    contracts_released: int = 0


def deleted_accounts(services: Services) -> set[UUID]:
    """Return the ids of every account the log says was deleted."""
    found: set[UUID] = set()
    start, topics = 0, (get_topic(Account.Deleted),)
    while batch := services.app.recorder.select_notifications(
        start=start, limit=PAGE, topics=topics, inclusive_of_start=False
    ):
        found.update(n.originator_id for n in batch)
        start = batch[-1].id
    return found


def shred_keys_of_deleted_accounts(services: Services, deleted: set[UUID]) -> int:
    """Destroy keys that outlived their account's deletion (a crash between save and shred, ACC-17)."""
    leftovers = services.app.keys.subjects_with_keys() & deleted
    for subject in leftovers:
        services.app.keys.shred(subject)
    return len(leftovers)


def expire_bindings(services: Services) -> int:
    """Record ``BindingExpired`` for every request past its 24 hours (CON-05)."""
    expired = 0
    while due := services.views.of(ContractsView).due_bindings(services.clock.now()):
        done = sum(expire_binding(services, binding_id) for binding_id in due)
        expired += done
        if not done:
            break  # the view lags behind the log; the next sweep finds the rest
    return expired


def release_contracts_of_deleted_accounts(services: Services, deleted: set[UUID]) -> int:
    """Take contracts from deleted accounts the view had not shown at deletion time (ACC-17)."""
    return sum(services.write(partial(_release, services, account_id)) for account_id in deleted)


def _release(services: Services, account_id: UUID) -> bool:
    """One try of releasing a deleted account's contracts (run by ``services.write``, which retries it)."""
    changed = release_contracts(services, account_id)
    if changed:
        services.save(*changed)
    return bool(changed)


def sweep(services: Services) -> SweepReport:
    """Run every sweeping step once."""
    deleted = deleted_accounts(services)  # one scan of the log serves both steps
    return SweepReport(
        bindings_expired=expire_bindings(services),
        contracts_released=release_contracts_of_deleted_accounts(services, deleted),
        keys_shredded=shred_keys_of_deleted_accounts(services, deleted),
    )
