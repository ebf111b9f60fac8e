"""The demo seed at scale: ``lkk demo seed --contracts 100000`` and ``lkk billing check``, timed.

Run as a user runs it, each command in its own process on a fresh directory
(SQLite under ``var/``, secrets generated as for ``make run``). Prints the wall
time and the peak resident memory of each command. It was a test
(``tests/integration/test_cli.py``, 55 s, 43 % of the suite); the test now
seeds 2,000 contracts, which proves the same path, and the full size lives here.

Run: ``python -m bench.seed [--contracts 100000]`` (also ``make bench``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``lkk <args>`` in ``cwd``; return the result, its wall seconds and its peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LKK_ARGON2_PROFILE": "fast"}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "adapters.cli.main", *args],
                                   cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        # wait4 reaps this one child with its own peak RSS (RUSAGE_CHILDREN is the maximum over all of them).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())
    return result, seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lkk-bench-seed-") as workdir:
        cwd = Path(workdir)
        seeded, seed_s, seed_mib = run(cwd, "demo", "seed", "--contracts", str(args.contracts))
        if seeded.returncode != 0 or f"{args.contracts} generated contracts" not in seeded.stdout:
            sys.exit(f"demo seed failed ({seeded.returncode}):\n{seeded.stdout}\n{seeded.stderr}")
        checked, check_s, check_mib = run(cwd, "billing", "check")
        if checked.returncode != 0:
            sys.exit(f"billing check failed ({checked.returncode}):\n{checked.stdout}\n{checked.stderr}")
    print(f"demo seed --contracts {args.contracts}: {seed_s:6.1f} s, peak RSS {seed_mib:6.0f} MiB")
    print(f"billing check: {check_s:6.1f} s, peak RSS {check_mib:6.0f} MiB")


if __name__ == "__main__":
    main()
