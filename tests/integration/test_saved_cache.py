"""After a save the repository's cache holds exactly what a fresh load of the log gives (ARCHITECTURE.md §2).

``Services.save`` puts a copy of every saved aggregate into the cache, so the
next command does not decode again what it just wrote (bench/readings_uploads.py).
These tests run the commands of every context and compare each cached
aggregate, strictly (types, Decimal exponents, time zones), with the same
aggregate loaded by a second application from the same store.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from lkk_core import accounts, readings
from lkk_core.accounts.commands import SavePersonalData, SavePhone
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.services import Services
from lkk_core.readings.commands import UploadIntervalProfile
from tests.contracts_support import Catalogue
from tests.readings_support import (
    C5,
    EO1,
    FIG12,
    INSIDE,
    PERIOD,
    TWO_ZONES,
    administrator,
    install_interval,
    reading,
    submit,
)
from tests.support import Mailbox


def strict(value: Any) -> Any:
    """Return a form of ``value`` that differs wherever two values could answer differently."""
    if isinstance(value, datetime):  # the same instant and offset; ZoneInfo or a fixed offset alike
        return ("datetime", value.isoformat())
    if isinstance(value, Decimal | date | float | enum.Enum):
        return (type(value).__name__, repr(value))
    if isinstance(value, dict):
        return ("dict", sorted(((repr(strict(k)), strict(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    if isinstance(value, list | tuple | set | frozenset):
        items = [strict(v) for v in value]
        return (type(value).__name__, sorted(items, key=repr) if isinstance(value, set | frozenset) else items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {f.name: strict(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, BaseModel):
        return (type(value).__name__, strict(value.model_dump()))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value).__name__, strict(dict(vars(value))))
    return (type(value).__name__, repr(value))


@pytest.fixture
def flow(services: Services, mailbox: Mailbox, clock: FixedClock) -> Services:
    """Accounts, contracts and readings commands, each saved through ``Services.save``."""
    clock.set(INSIDE)
    admin = administrator(services, mailbox)
    accounts.save_personal_data(services, admin, SavePersonalData(last_name="Иванова", first_name="Анна"))
    accounts.save_phone(services, admin, SavePhone(phone="+7 812 123-12-31"))
    install_interval(services)
    readings.submit_readings(services, admin, submit(reading(FIG12, "12441,5")))
    # A Decimal as a file's cell gives it (an exponent the stored text does not keep).
    readings.submit_readings(services, admin, submit(
        reading(FIG12, None).model_copy(update={"value": Decimal("1.25E+4")}),
        reading(TWO_ZONES, "101", zone="День"), reading(TWO_ZONES, "51.000", zone="Ночь")))
    grid = [[Decimal("0.5") if hour else Decimal("1E+1") for _ in range(28)] for hour in range(24)]
    for _ in range(2):
        readings.upload_interval_profile(services, admin, UploadIntervalProfile(
            contract_number=C5, energy_object=EO1, meter_number=FIG12, period=PERIOD, kind="Фактические",
            values=grid))
    services.app.admin = admin  # type: ignore[attr-defined]  # for the tests below
    return services


@pytest.fixture
def fresh(sqlite_env: dict[str, str], clock: FixedClock, services: Services) -> Iterator[Services]:
    """A second application over the same store, its cache empty."""
    assert isinstance(services.billing, Catalogue)
    built = bootstrap(sqlite_env, clock=clock, billing=services.billing)
    yield built
    built.views.close()
    built.app.close()


def test_arch_the_cache_after_a_save_holds_what_a_fresh_load_gives(flow: Services, fresh: Services) -> None:
    cache = flow.app.repository.cache
    assert cache is not None
    cached = dict(cache.cache)
    assert len(cached) >= 5  # accounts, bindings, roles, the submission, the interval act
    for aggregate_id, node in cached.items():
        aggregate = node[-1] if isinstance(node, list) else node  # LRUCache keeps [prev, next, key, value]
        loaded = fresh.app.repository.get(aggregate_id)
        assert loaded.version == aggregate.version
        assert strict(aggregate) == strict(loaded), _diff(strict(aggregate), strict(loaded))


def test_arch_a_command_after_a_save_decides_on_the_cached_copy_not_the_callers(flow: Services) -> None:
    submission_id = next(a.id for a in _cached(flow) if type(a).__name__ == "ReadingSubmission")
    mine = flow.app.repository.get(submission_id)
    mine.values.clear()  # a caller changing its own object after the save
    assert flow.app.repository.get(submission_id).values


def _cached(services: Services) -> list[Any]:
    cache = services.app.repository.cache
    assert cache is not None
    return [node[-1] if isinstance(node, list) else node for node in cache.cache.values()]


def _diff(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, tuple | list):
        if len(a) != len(b):
            return f"{path}: len {len(a)} != {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True)) if (d := _diff(x, y, f"{path}[{i}]"))), None)
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {a.keys() ^ b.keys()}"
        return next((d for k in a if (d := _diff(a[k], b[k], f"{path}.{k}"))), None)
    return None if a == b else f"{path}: {a!r} != {b!r}"


def test_arch_the_next_load_after_a_save_decodes_no_event(flow: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = flow.app.admin  # type: ignore[attr-defined]
    submission_id = readings.submit_readings(flow, admin, submit(reading(FIG12, "12600"))).submission_id
    decoded: list[Any] = []
    decode = flow.app.mapper.to_domain_event
    monkeypatch.setattr(flow.app.mapper, "to_domain_event", lambda stored: decoded.append(stored) or decode(stored))
    flow.app.repository.get(submission_id)
    assert decoded == []


def test_arch_an_aggregate_only_created_stays_out_of_the_cache_until_loaded(flow: Services) -> None:
    admin = flow.app.admin  # type: ignore[attr-defined]
    grid = [[Decimal("0.5")] * 28 for _ in range(24)]
    act = readings.upload_interval_profile(flow, admin, UploadIntervalProfile(
        contract_number=C5, energy_object=EO1, meter_number=TWO_ZONES, period=PERIOD, kind="Фактические",
        values=grid))
    cache = flow.app.repository.cache
    assert cache is not None
    assert act.act_id not in cache.cache
    flow.app.repository.get(act.act_id)
    assert act.act_id in cache.cache
