"""Generated billing datasets for benchmarks, cached by size and seed.

``dataset_path(1000, directory)`` and ``dataset_path(100_000, directory)``
return the same file on every call with the same directory; the first call
writes it (about 0.2 s per 1,000 contracts, 5 MB per 1,000). The file name
carries the generator's version, so a changed generator never serves a stale
file. Writing is atomic, so two benchmark processes racing on one name both
end up with a whole file.

Open it with ``adapters.billing.DatasetBilling(path)`` or point
``LKK_BILLING_DATASET`` at it.
"""

from __future__ import annotations

from pathlib import Path

from adapters.billing.generate import GENERATOR_VERSION, write_generated


def dataset_path(n: int, directory: Path, *, seed: int = 0) -> Path:
    """Return a dataset of ``n`` generated contracts in ``directory``, writing it on first use."""
    path = Path(directory) / f"billing-{n}-seed{seed}-g{GENERATOR_VERSION}.jsonl"
    if not path.is_file():
        write_generated(path, n, seed=seed)
    return path
