"""Contract benchmarks: binding and the contract screen at 1,000 and at 100,000 contracts.

For each dataset size the same work is measured in the same run:

1. bind+confirm per second: ``request_binding`` of a fresh contract, the link
   token derived as the outbox does, ``confirm_binding`` (binding + roles);
2. contract-detail queries per second (``contract_detail``: session check,
   roles aggregate, billing lookup, energy-object scope);
3. bare billing lookups per second (``DatasetBilling.find_contract``).

Before measuring, a twentieth of the dataset's contracts is bound (50 at 1,000,
5,000 at 100,000), so the log and the views grow with the data too. The ratio
"at 100,000 / at 1,000" is the figure: the goal is no worse than 1 / 1.5.

Run: ``python -m bench.contracts [--store sqlite|postgres|both] [--big 100000]``.
Datasets are generated once into ``var/bench/`` and reused.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from adapters.billing import DatasetBilling
from bench.accounts import postgres_answers, store
from bench.billing_data import dataset_path
from lkk_core import contracts
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.contracts import ConfirmBinding, RequestBinding
from lkk_core.kernel.services import Actor, Services

ACTORS = 20
MEASURED_BINDINGS = 300
MEASURED_QUERIES = 3000
LOOKUPS = 20000


def per_second(count: int, action: Callable[[int], None]) -> float:
    """Return operations per second of ``action(i)`` for i in range(count)."""
    start = time.perf_counter()
    for i in range(count):
        action(i)
    return count / (time.perf_counter() - start)


def bind(services: Services, actor: Actor, billing: DatasetBilling, number: str) -> None:
    """Bind a contract the way a person does, reading the link as the outbox writes it."""
    email = billing.find_contract(number).emails[0]  # type: ignore[union-attr]
    requested = contracts.request_binding(services, actor, RequestBinding(contract_number=number, email=email))
    binding = services.app.repository.get(requested.binding_id)
    token = services.secret.link_token(binding.id, binding.nonce)
    contracts.confirm_binding(services, ConfirmBinding(binding_id=binding.id, token=token))


def shuffled_numbers(billing: DatasetBilling) -> Iterator[str]:
    """Yield the dataset's numbers in a fixed random order, so both sizes draw alike."""
    numbers = [n for n in billing.numbers() if billing.find_contract(n).emails]  # type: ignore[union-attr]
    random.Random(7).shuffle(numbers)
    return iter(numbers)


def measure(kind: str, n: int, folder: Path) -> dict[str, float]:
    """Bind+confirm, detail queries and bare lookups per second over a dataset of ``n`` contracts."""
    from tests.support import Mailbox, registered  # noqa: PLC0415

    billing = DatasetBilling(dataset_path(n, folder))
    with store(kind) as env:
        services = bootstrap(env, clock=FixedClock(), billing=billing)
        mailbox = Mailbox(services)
        actors = [registered(services, mailbox, f"bench{i}@example.com") for i in range(ACTORS)]
        numbers = shuffled_numbers(billing)
        background = [next(numbers) for _ in range(n // 20)]
        start = time.perf_counter()
        for i, number in enumerate(background):
            bind(services, actors[i % ACTORS], billing, number)
        setup = time.perf_counter() - start

        fresh = [next(numbers) for _ in range(MEASURED_BINDINGS)]
        binds = per_second(len(fresh), lambda i: bind(services, actors[i % ACTORS], billing, fresh[i]))
        held = list(zip(fresh, [actors[i % ACTORS] for i in range(len(fresh))], strict=True))
        queries = per_second(MEASURED_QUERIES,
                             lambda i: contracts.contract_detail(services, held[i % len(held)][1],
                                                                 held[i % len(held)][0]))
        every = list(billing.numbers())
        lookups = per_second(LOOKUPS, lambda i: billing.find_contract(every[(i * 7919) % len(every)]))
        head = services.app.head()
        services.views.close()
        services.app.close()
    billing.close()
    return {"bind": binds, "detail": queries, "lookup": lookups, "setup_s": setup, "events": head}


def main() -> None:
    """Print the figures and the ratios for each store."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path("var/bench")
    folder.mkdir(parents=True, exist_ok=True)
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    if "postgres" in kinds and not postgres_answers():
        print("PostgreSQL does not answer at 127.0.0.1:5432: measuring SQLite only")
        kinds.remove("postgres")
    for kind in kinds:
        small, big = measure(kind, args.small, folder), measure(kind, args.big, folder)
        print(f"\n{kind}: {args.small:,} vs {args.big:,} contracts"
              f" ({small['events']:,} vs {big['events']:,} events in the log before the end)")
        for key, label in (("bind", "bind+confirm /s"), ("detail", "contract detail /s"),
                           ("lookup", "billing lookup /s")):
            ratio = big[key] / small[key]
            print(f"  {label:<22} {small[key]:>10,.0f} {big[key]:>10,.0f}   ratio {ratio:.2f}"
                  f" ({1 / ratio:.2f}× slower at {args.big // args.small}× the data)")
        print(f"  {'setup (background binds)':<22} {small['setup_s']:>9.1f}s {big['setup_s']:>9.1f}s")


if __name__ == "__main__":
    main()
