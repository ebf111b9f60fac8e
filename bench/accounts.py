"""Account benchmarks, each a ratio against a baseline measured in the same run.

1. ``save_personal_data`` through the services (session check, load, decide,
   seal, save, views caught up inline) against eventsourcing's bare
   ``repository.get`` + ``save`` of the same event with the default mapper.
2. Rebuilding every view from position 0 against a bare read + decode of the log.
3. One Argon2id hash with the production parameters.
4. With ``--breakdown``: microseconds per step of the inline use case and of
   the baseline, wall-clock and CPU.

Run: ``make bench`` (or ``python -m bench.accounts --accounts 500``). PostgreSQL
is measured when it answers at 127.0.0.1:5432 (database ``test``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.application import Application

from lkk_core import accounts
from lkk_core.accounts import acting_account
from lkk_core.accounts import Account
from lkk_core.kernel.app import new_key
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts import SavePersonalData
from lkk_core.kernel.security import Passwords
from lkk_core.kernel.services import Actor, Services

PG = {"POSTGRES_DBNAME": "test", "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
      "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": ""}


@contextmanager
def store(kind: str) -> Iterator[dict[str, str]]:
    """A fresh SQLite directory or PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"LKK_PII_KEK": new_key(), "LKK_SECRET_KEY": new_key(), "LKK_ARGON2_PROFILE": "fast"}
        if kind == "sqlite":
            yield {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": f"{folder}/lkk.db"}
            return
        import psycopg  # noqa: PLC0415

        schema = f"lkk_bench_{uuid.uuid4().hex[:8]}"
        connect = {"host": "127.0.0.1", "dbname": "test", "user": "postgres", "autocommit": True}
        with psycopg.connect(**connect) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            yield {**env, **PG, "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema}
        finally:
            with psycopg.connect(**connect) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def rate(count: int, action: Callable[[], None]) -> float:
    """Return operations per second of ``action`` repeated ``count`` times."""
    start = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - start)


ROUNDS = 5


def interleaved(n: int, ours: Callable[[], None], baseline: Callable[[], None]) -> tuple[float, float]:
    """Median rates over rounds that alternate the two, so disk and CPU noise hit both alike."""
    per_round = max(n // ROUNDS, 1)
    rates = [(rate(per_round, ours), rate(per_round, baseline)) for _ in range(ROUNDS)]
    return statistics.median(r[0] for r in rates), statistics.median(r[1] for r in rates)


def onboarded(services: Services, n: int) -> list[Actor]:
    from tests.support import Mailbox, registered  # noqa: PLC0415

    mailbox = Mailbox(services)
    return [registered(services, mailbox, f"user{i}@example.com") for i in range(n)]


CMD = SavePersonalData(last_name="Иванова", first_name="Анна", organisation="ООО «Пример»")


@contextmanager
def use_case(kind: str, projections: str) -> Iterator[tuple[Services, list[Actor], Application[uuid.UUID], list[uuid.UUID]]]:
    """Twenty onboarded accounts in lkk, and twenty plain accounts in a bare application beside them."""
    with store(kind) as env:
        services = bootstrap({**env, "LKK_PROJECTIONS": projections}, clock=FixedClock())
        actors = onboarded(services, 20)
        # Same cache as ours, so the ratio shows what lkk adds: the session check,
        # sealing personal fields, and views caught up inline. On SQLite its own
        # file beside ours: in ours, lkk's views would also fold the baseline's events.
        bare_env = {**env, "AGGREGATE_CACHE_MAXSIZE": "10000"}
        if "SQLITE_DBNAME" in env:
            bare_env["SQLITE_DBNAME"] = str(Path(env["SQLITE_DBNAME"]).with_name("bare.db"))
        bare = Application[uuid.UUID](env=bare_env)
        ids = []
        for actor in actors:
            account = Account.import_legacy(login=str(actor.account_id), email=None, password_hash="x",
                                            now=services.clock.now())
            bare.save(account)
            ids.append(account.id)
        try:
            yield services, actors, bare, ids
        finally:
            bare.close()
            services.views.close()
            services.app.close()


def bench_use_case(kind: str, n: int, projections: str = "inline") -> tuple[float, float]:
    """Personal data saved through the services vs bare get+save of the same event."""
    with use_case(kind, projections) as (services, actors, bare, ids):
        cycle, cycle_ids = iter(actors * (n + 1)), iter(ids * (n + 1))

        def bare_step() -> None:
            account = bare.repository.get(next(cycle_ids))
            account._personal_data_saved(at=services.clock.now(), **CMD.model_dump())  # noqa: SLF001
            bare.save(account)

        return interleaved(n, lambda: accounts.save_personal_data(services, next(cycle), CMD), bare_step)


class Laps:
    """Wall-clock and CPU time added up per named step."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self.start()

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        total = self.totals.setdefault(step, [0.0, 0.0])
        total[0] += wall - self._wall
        total[1] += cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def bench_breakdown(kind: str, n: int) -> dict[str, tuple[float, float]]:
    """Microseconds (wall, CPU) per command of each step, views inline; ``bare …`` are the baseline's.

    The steps are those of ``save_personal_data`` and ``Services.save``, timed
    one by one. CPU time leaves out waiting for the disk and the server, which
    on a busy machine moves the wall-clock ratios more than anything lkk does.
    """
    laps = Laps()
    with use_case(kind, "inline") as (services, actors, bare, ids):
        for i in range(n):
            laps.start()
            account = acting_account(services, actors[i % 20])
            laps.lap("load (session check)")
            account.save_personal_data(now=services.clock.now(), **CMD.model_dump())
            laps.lap("decide")
            recordings = services.app.save(account)
            laps.lap("save (seal + log)")
            for hook in services.after_save:
                hook(recordings)
            laps.lap("views")
            plain = bare.repository.get(ids[i % 20])
            laps.lap("bare get")
            plain._personal_data_saved(at=services.clock.now(), **CMD.model_dump())  # noqa: SLF001
            laps.lap("bare decide")
            bare.save(plain)
            laps.lap("bare save")
    return {step: (wall / n * 1e6, cpu / n * 1e6) for step, (wall, cpu) in laps.totals.items()}


def bench_rebuild(kind: str, n_accounts: int) -> tuple[float, float, int]:
    """Events per second: rebuilding every view vs reading and decoding the log."""
    with store(kind) as env:
        services = bootstrap({**env, "LKK_PROJECTIONS": "external"}, clock=FixedClock())
        onboarded(services, n_accounts)
        head = services.app.head()

        def read_and_decode() -> None:
            start = 0
            while batch := services.app.recorder.select_notifications(start=start, limit=1000,
                                                                      inclusive_of_start=False):
                for n in batch:
                    services.app.mapper.to_domain_event(n)
                start = batch[-1].id

        services.app.keys.preload()
        bases, rebuilds = [], []
        for _ in range(ROUNDS):
            bases.append(head / _seconds(read_and_decode))
            rebuilds.append(head / _seconds(services.views.rebuild))
        ours, baseline = statistics.median(rebuilds), statistics.median(bases)
        services.views.close()
        services.app.close()
    return ours, baseline, head


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_argon2(repeats: int = 10) -> float:
    """Median milliseconds of one Argon2id hash with the production parameters."""
    passwords = Passwords(**Passwords.PRODUCTION)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        passwords.hash("Secret#123")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def postgres_answers() -> bool:
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(host="127.0.0.1", dbname="test", user="postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--breakdown", action="store_true", help="also time each step of the inline use case")
    args = parser.parse_args()
    kinds = ["sqlite", *(["postgres"] if postgres_answers() else [])]
    print("baseline: bare get+save of the same event (use case); read+decode of the log (rebuild)")
    print(f"{'store':9} {'measure':42} {'ours':>10} {'baseline':>10} {'ratio':>6}")
    for kind in kinds:
        for mode, label in (("inline", "save_personal_data /s, views inline"),
                            ("external", "save_personal_data /s, views elsewhere")):
            ours, base = bench_use_case(kind, args.commands, mode)
            print(f"{kind:9} {label:42} {ours:10.0f} {base:10.0f} {ours / base:6.2f}")
        ours, base, head = bench_rebuild(kind, args.accounts)
        label = f"rebuild views ev/s ({head} ev, vs read+decode)"
        print(f"{kind:9} {label:42} {ours:10.0f} {base:10.0f} {ours / base:6.2f}")
    if args.breakdown:
        print("µs per command, views inline (wall / CPU):")
        for kind in kinds:
            steps = bench_breakdown(kind, args.commands)
            print(f"{kind:9} " + "  ".join(f"{step} {wall:.0f}/{cpu:.0f}" for step, (wall, cpu) in steps.items()))
    params = ", ".join(f"{k}={v}" for k, v in Passwords.PRODUCTION.items())
    print(f"argon2id ({params}): {bench_argon2():.1f} ms per hash")


if __name__ == "__main__":
    main()
