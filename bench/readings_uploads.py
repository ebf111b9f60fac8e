"""Readings uploads through the services, each a ratio against a bare read of the same files.

Measured in the same run, in interleaved rounds (medians):

1. ``integral``: one upload of a 5,000-meter integral file through the
   services — ``integral_template_for`` gives the template, it is filled, and
   ``submit_integral_file`` parses, validates (every RDG-02 … RDG-08 rule)
   and saves the submission in the log on SQLite, the views caught up inline
   as in production — against a bare python-calamine read of the same file
   (the reader the upload uses for .xlsx). Goal: ≤ 2×.
2. ``interval``: one month for 200 metering points, 200 files, each through
   ``submit_interval_file`` (parse, validate, record a «Первичный акт»),
   against bare calamine reads of the same 200 files.

Peak memory of each, in a fresh interpreter per case after the same setup:
tracemalloc's peak of the Python heap (it cannot see calamine's Rust
allocations) and the growth of ru_maxrss over one run.

The contract (5,000 meters, one per metering point, on 50 energy objects,
price category III) is built from the billing value types in an in-memory
billing port below; nothing is imported from tests/.

Where the time goes: ``python -m bench.readings_uploads --profile integral``
(or ``interval``) runs one upload under cProfile after a warm-up and prints
the CPU time of the upload, the garbage collector's share of it, and the
functions by cumulative time.

Where the floor is (issue 9, CPU of one 5,000-row integral upload, ≈ 144 ms
against a bare read of ≈ 33 ms): the checks that must come before calamine
sees the bytes (zip listing, bounded inflation, the sheet's extent) ≈ 20, the
rules (RDG-02 … RDG-08) ≈ 25, the save (encoding 5,000 readings, the SQLite
insert) ≈ 15, the views written inline from the saved events ≈ 12, parsing
the rows ≈ 11, the command ≈ 9, billing's facts and the contract's places
≈ 11. The read and its checks alone are 1.6×; with the save and the views
≥ 2.4×, so 2× needs work off the request path (views by a follower) or out
of Python (the checks inside the reader). Per interval file (200 files,
≈ 2.8 ms each against ≈ 0.45 ms of bare read): its checks before the read
≈ 0.5, parsing ≈ 0.5, its own transaction (RDG-17: one act, one save) with
the views ≈ 0.5, the access and e-mail checks ≈ 0.25.

Run: ``python -m bench.readings_uploads [--rounds 5]`` (part of ``make bench``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pickle
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from adapters.billing.readings_files import Limits, interval_template
from adapters.billing.readings_files.uploads import integral_template_for, submit_integral_file, submit_interval_file
from lkk_core import accounts, contracts
from lkk_core.accounts import ClientDevice
from lkk_core.kernel.app import new_key
from lkk_core.kernel.billing import (
    AcceptedReading,
    BankDetails,
    Contact,
    Contract,
    EnergyObject,
    Meter,
    MeteringPoint,
    Party,
    PriceCategory,
    Quantity,
    ReadingWindow,
    Scale,
    ScaleReading,
    SubmittedProfile,
    SubmittedReading,
)
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts import EnterCode, Register, SavePersonalData, SavePhone
from lkk_core.contracts import ConfirmBinding, RequestBinding
from lkk_core.kernel.outbox import Outbox
from lkk_core.kernel.ports import OutgoingMail
from lkk_core.kernel.services import Actor, Services

NUMBER = "78010000009999"
EMAIL = "bench-readings@example.com"
METERS, PER_OBJECT, POINTS = 5_000, 100, 200
PERIOD = date(2026, 10, 1)
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # inside the window of October (RDG-04)
KIND = "Фактические"
DEVICE = ClientDevice("Mozilla/5.0 (X11; Linux x86_64) bench")


def eo_code(i: int) -> str:
    return f"{NUMBER}{i // PER_OBJECT + 1:04d}"


def meter_number(i: int) -> str:
    return f"{i + 1:08d}"


def big_contract() -> Contract:
    """A category III contract with ``METERS`` single-scale «А+» meters, one per metering point."""
    objects = []
    for start in range(0, METERS, PER_OBJECT):
        points = tuple(
            MeteringPoint(number=str(i + 1), name=f"РП-{i + 1} яч.2", coefficient=Decimal(1), losses_percent=Decimal(0),
                          meters=(Meter(meter_number(i), "Меркурий 230", "Ожидание", 6, 2,
                                        (Scale("Круглосуточный", Quantity.ACTIVE_IMPORT),)),))
            for i in range(start, start + PER_OBJECT)
        )
        objects.append(EnergyObject(eo_code(start), f"Объект {start // PER_OBJECT + 1}",
                                    f"г. Санкт-Петербург, ул. Заводская, д. {start // PER_OBJECT + 1}", "Ожидание",
                                    points))
    return Contract(
        number=NUMBER, name=f"Договор энергоснабжения № {NUMBER}", signed_on=date(2021, 3, 1),
        price_category=PriceCategory.III, customer=Party(name="ООО «Завод»", inn="7812014560"),
        supplier=Party(name="АО «Энергосбыт»", inn="7707049388", kpp="770701001"),
        bank=BankDetails("ПАО Сбербанк", "044525225", "30101810400000000225", "40702810900000012345"),
        emails=(EMAIL,), contacts=(Contact("curator", "Петров П. П.", "+78121234567", "curator@energo.example"),),
        energy_objects=tuple(objects),
    )


@dataclass
class MemoryBilling:
    """The billing port over one contract in memory; the feed's deliveries are counted, not kept."""

    contract: Contract = field(default_factory=big_contract)
    delivered: int = 0

    def find_contract(self, number: str) -> Contract | None:
        return self.contract if number == self.contract.number else None

    def reading_window(self, number: str, period: date) -> ReadingWindow | None:
        if number != self.contract.number:
            return None
        year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)  # noqa: PLR2004
        return ReadingWindow(period.replace(day=1), datetime(period.year, period.month, 1, tzinfo=MOSCOW),
                             datetime(year, month, 22, tzinfo=MOSCOW))

    def meter_readings(self, number: str, period: date) -> tuple[ScaleReading, ...]:
        if number != self.contract.number:
            return ()
        return tuple(ScaleReading(meter_number(i), "Круглосуточный", Quantity.ACTIVE_IMPORT, Decimal(1000 + i),
                                  date(2026, 9, 1)) for i in range(METERS))

    def receive_readings(self, number: str, period: date, readings: tuple[SubmittedReading, ...], *,
                         submission_id: UUID, version: int) -> None:
        self.delivered += 1

    def interval_reading_kinds(self, number: str) -> tuple[str, ...]:
        return (KIND, "Расчётные") if number == self.contract.number else ()

    def receive_interval_profile(self, number: str, period: date, profile: SubmittedProfile, *, act_id: UUID,
                                 version: int) -> None:
        self.delivered += 1

    def accepted_readings(self, number: str, period: date) -> tuple[AcceptedReading, ...]:
        return ()


@dataclass
class Letters:
    """A mailer that keeps the letters, to read the confirmation code back."""

    sent: list[OutgoingMail] = field(default_factory=list)

    def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)


def holder(services: Services, billing: MemoryBilling) -> Actor:
    """Register, confirm and onboard an account, and bind the contract: it becomes «Руководитель» (CON-08)."""
    letters = Letters()
    outbox = Outbox.for_services(services, letters)
    reg = accounts.register(services, Register(email=EMAIL, password="Secret#123", agreement_accepted=True), DEVICE)
    actor = Actor(reg.account_id, reg.session_id)
    outbox.deliver_pending()
    code = re.search(r"\b(\d{5})\b", letters.sent[-1].body).group(1)  # type: ignore[union-attr]
    accounts.confirm_email(services, actor, EnterCode(code=code))
    accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))
    accounts.save_phone(services, actor, SavePhone(phone="+7 812 123-12-31"))
    requested = contracts.request_binding(services, actor, RequestBinding(contract_number=NUMBER, email=EMAIL))
    binding = services.app.repository.get(requested.binding_id)
    token = services.secret.link_token(binding.id, binding.nonce)
    contracts.confirm_binding(services, ConfirmBinding(binding_id=binding.id, token=token))
    return actor


@contextmanager
def portal() -> Iterator[tuple[Services, Actor]]:
    """The services on SQLite in a temp dir, the views inline, and a holder of the big contract."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"LKK_PII_KEK": new_key(), "LKK_SECRET_KEY": new_key(), "LKK_ARGON2_PROFILE": "fast",
               "LKK_VAR_DIR": folder, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": f"{folder}/lkk.db"}
        billing = MemoryBilling()
        services = bootstrap(env, clock=FixedClock(NOW), billing=billing)
        try:
            yield services, holder(services, billing)
        finally:
            services.views.close()
            services.app.close()


def filled_integral(services: Services, actor: Actor) -> bytes:
    """Download the contract's template through the services and type every «Текущие показания» (column I)."""
    workbook = load_workbook(BytesIO(integral_template_for(services, actor, NUMBER, PERIOD)))
    sheet = workbook.active
    for row in range(2, sheet.max_row + 1):
        previous = sheet.cell(row=row, column=8).value
        sheet.cell(row=row, column=9, value=previous + 12.25)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def interval_files() -> list[tuple[str, str, bytes]]:
    """Return (energy object, meter, file) for the first ``POINTS`` meters, every hour of October filled."""
    files = []
    for i in range(POINTS):
        workbook = load_workbook(BytesIO(interval_template(year=PERIOD.year, month=PERIOD.month,
                                                           metering_point=f"РП-{i + 1} яч.2", generated_at=NOW)))
        sheet = workbook.active
        for row in range(2, 26):
            for column in range(2, 33):
                sheet.cell(row=row, column=column, value=round(i / 10 + row / 10 + column / 100, 3))
        out = BytesIO()
        workbook.save(out)
        files.append((eo_code(i), meter_number(i), out.getvalue()))
    return files


def bare_read(data: bytes) -> Any:
    """The chosen reader alone (adapters/billing/readings_files/_workbook.py): python-calamine."""
    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)


Files = tuple[bytes, list[tuple[str, str, bytes]]]  # the filled integral file; (EO, meter, file) per point


def cases(services: Services, actor: Actor, files: Files) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """Return, per bench, (through the services, bare read) over the same bytes."""
    limits = Limits()
    integral, intervals = files

    def upload_integral() -> Any:
        return submit_integral_file(services, actor, contract_number=NUMBER, period=PERIOD, data=integral,
                                    filename="Показания.xlsx", limits=limits)

    def upload_intervals() -> Any:
        return [submit_interval_file(services, actor, contract_number=NUMBER, energy_object=eo, meter_number=meter,
                                     period=PERIOD, kind=KIND, data=data, filename="Интервальные показания.xlsx",
                                     limits=limits)
                for eo, meter, data in intervals]

    return {
        f"integral, {METERS:,} meters": (upload_integral, lambda: bare_read(integral)),
        f"interval, {POINTS} files": (upload_intervals, lambda: [bare_read(data) for _, _, data in intervals]),
    }


def seconds(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def make_files(saved: Path) -> None:
    """Make the files through a portal of their own and pickle them to ``saved``."""
    with portal() as (services, actor):
        saved.write_bytes(pickle.dumps((filled_integral(services, actor), interval_files())))


def timings(rounds: int, saved: Path) -> dict[str, tuple[float, float]]:
    """Return per bench the medians (services, bare) of interleaved rounds, after one warm-up of each."""
    files: Files = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file
    with portal() as (services, actor):
        results = {}
        for name, (ours, bare) in cases(services, actor, files).items():
            ours(), bare()
            pairs = [(seconds(ours), seconds(bare)) for _ in range(rounds)]
            results[name] = (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))
        return results


def memory_child(name: str, which: int, saved: Path) -> None:
    """In a fresh interpreter: set up, then print one run's Python-heap peak and ru_maxrss growth (KiB).

    The files come pickled from the parent, so that making them (openpyxl) does not raise the high-water mark.
    """
    files: Files = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file
    with portal() as (services, actor):
        action = cases(services, actor, files)[name][which]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        action()
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        tracemalloc.start()
        action()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps({"py_peak": peak, "rss_growth_kib": grown}))


def memory(name: str, which: int, saved: Path) -> dict[str, float]:
    """Run one side of one bench in a fresh interpreter and return its memory figures."""
    command = [sys.executable, "-m", "bench.readings_uploads", "--memory", name, "--which", str(which),
               "--files", str(saved)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return json.loads(out.splitlines()[-1])


def profile(which: str, saved: Path, rounds: int) -> None:
    """Print one side's CPU time per upload, the collector's share, and a cProfile of one upload."""
    files: Files = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file
    collector = {"runs": 0, "full": 0, "seconds": 0.0, "started": 0.0}

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collector["started"] = time.process_time()
            return
        collector["runs"] += 1
        collector["full"] += info["generation"] == 2  # noqa: PLR2004
        collector["seconds"] += time.process_time() - collector["started"]

    with portal() as (services, actor):
        name, (ours, _) = next((n, c) for n, c in cases(services, actor, files).items() if n.startswith(which))
        ours()
        gc.callbacks.append(count)
        cpu = []
        for _ in range(rounds):
            start = time.process_time()
            ours()
            cpu.append(time.process_time() - start)
        gc.callbacks.remove(count)
        print(f"{name}: {statistics.median(cpu) * 1000:.1f} ms of CPU per run (median of {rounds}); the garbage "
              f"collector {collector['seconds'] / rounds * 1000:.1f} ms of it, {collector['runs'] / rounds:.0f} "
              f"collections ({collector['full'] / rounds:.1f} full) per run")
        profiler = cProfile.Profile()
        profiler.runcall(ours)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    parser.add_argument("--which", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--make-files", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", choices=("integral", "interval"), help="where one upload's time goes")
    args = parser.parse_args()
    if args.memory:
        memory_child(args.memory, args.which, args.files)
        return
    if args.make_files:
        make_files(args.files)
        return
    if args.profile:
        with tempfile.TemporaryDirectory() as scratch:
            saved = Path(scratch) / "files.pickle"
            subprocess.run([sys.executable, "-m", "bench.readings_uploads", "--make-files", "--files", str(saved)],
                           check=True)  # noqa: S603
            profile(args.profile, saved, args.rounds)
        return
    # NOTE: a child starts with its parent's ru_maxrss (Linux keeps it across exec), so this process stays
    # small until the memory children have run: the files are made in a child, the timings come last.
    with tempfile.TemporaryDirectory() as scratch:
        saved = Path(scratch) / "files.pickle"
        subprocess.run([sys.executable, "-m", "bench.readings_uploads", "--make-files", "--files", str(saved)],
                       check=True)  # noqa: S603
        names = (f"integral, {METERS:,} meters", f"interval, {POINTS} files")
        memories = {name: (memory(name, 0, saved), memory(name, 1, saved)) for name in names}
        report(timings(args.rounds, saved), memories, args.rounds)


def report(results: dict[str, tuple[float, float]], memories: dict[str, tuple[dict[str, float], dict[str, float]]],
           rounds: int) -> None:
    """Print the table: times and ratio, and each side's memory measured in a fresh interpreter."""
    print(f"readings uploads on SQLite, views inline (median of {rounds} interleaved rounds)")
    print(f"{'bench':<24} {'services ms':>12} {'bare read ms':>13} {'ratio':>7}   "
          f"{'py peak MB':>10} {'rss +MB':>8}   {'bare: py peak MB':>16} {'rss +MB':>8}")
    for name, (ours, bare) in results.items():
        mine, theirs = memories[name]
        print(f"{name:<24} {ours * 1000:>12.1f} {bare * 1000:>13.1f} {ours / bare:>6.2f}x   "
              f"{mine['py_peak'] / 1e6:>10.1f} {mine['rss_growth_kib'] / 1024:>8.1f}   "
              f"{theirs['py_peak'] / 1e6:>16.1f} {theirs['rss_growth_kib'] / 1024:>8.1f}")
    print("goals: services / bare read ≤ 2x (integral), ≤ 3x (interval)")


if __name__ == "__main__":
    main()
