"""Generated billing datasets for benchmarks, cached by size and seed; and how fast they are written and read.

``dataset_path(1000, directory)`` and ``dataset_path(100_000, directory)``
return the same file on every call with the same directory; the first call
writes it (about 0.3 s per 1,000 contracts, 8 MB per 1,000). The file name
carries the generator's version, so a changed generator never serves a stale
file. Writing is atomic, so two benchmark processes racing on one name both
end up with a whole file.

Open it with ``adapters.billing.DatasetBilling(path)`` or point
``LKK_BILLING_DATASET`` at it.

Run ``python -m bench.billing_data [--contracts 20000] [--lookups 20000]`` to
measure, in one run, into a temporary directory and in CPU seconds: writing a
generated dataset (``lkk billing generate``), opening it (every line
validated into the domain's dataclasses, the index built) and lookups by
number (``find_contract``) and of meter readings (``meter_readings``). Each
is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from adapters.billing import DatasetBilling
from adapters.billing.generate import GENERATOR_VERSION, write_generated


def dataset_path(n: int, directory: Path, *, seed: int = 0) -> Path:
    """Return a dataset of ``n`` generated contracts in ``directory``, writing it on first use."""
    path = Path(directory) / f"billing-{n}-seed{seed}-g{GENERATOR_VERSION}.jsonl"
    if not path.is_file():
        write_generated(path, n, seed=seed)
    return path


def best(repeat: int, action: Callable[[], object]) -> float:
    """Return the fastest of ``repeat`` runs of ``action``: seconds of this process's CPU time.

    CPU time, not wall-clock: on a machine shared with other work the wall-clock
    figure says more about the neighbours than about the code.
    """
    times = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times)


def each(action: Callable[[str], object], numbers: list[str]) -> None:
    """Call ``action`` for each number, keeping nothing (thousands of live contracts would time the GC)."""
    for number in numbers:
        action(number)


def main() -> None:
    """Print the seconds to generate and to open a dataset, and lookups per second."""
    parser = argparse.ArgumentParser(prog="python -m bench.billing_data")
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "billing.jsonl"
        generate = best(args.repeat, lambda: write_generated(path, args.contracts))
        size = path.stat().st_size
        validate = best(args.repeat, lambda: DatasetBilling(path).close())
        with DatasetBilling(path) as billing:
            numbers = list(billing.numbers())
            rng = random.Random(7)
            drawn = [rng.choice(numbers) for _ in range(args.lookups)]
            find = best(args.repeat, lambda: each(billing.find_contract, drawn))
            readings = best(args.repeat, lambda: each(lambda n: billing.meter_readings(n, date(2023, 2, 1)), drawn))
    print(f"{args.contracts} contracts, {size / 1e6:.0f} MB")
    print(f"generate (write_generated): {generate:.2f} s")
    print(f"open (validate every line + index): {validate:.2f} s"
          f"  ({validate / args.contracts * 1e6:.0f} µs a contract)")
    print(f"find_contract: {args.lookups / find:,.0f} lookups/s")
    print(f"meter_readings: {args.lookups / readings:,.0f} lookups/s")


if __name__ == "__main__":
    main()
