"""An interval file is checked once, before it is read, and its e-mail standing before the write (RDG-13, ACC-06)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from adapters.billing.readings_files import FileRefused, Limits, interval_template
from adapters.billing.readings_files.uploads import submit_interval_file
from lkk_core.kernel.access import Standing
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.errors import PreconditionFailed
from lkk_core.kernel.services import Actor, Services
from tests.readings_support import C5, EO1, FIG12, INSIDE, PERIOD, administrator, install_interval
from tests.support import Mailbox, registered


def filled() -> bytes:
    book = load_workbook(BytesIO(interval_template(year=PERIOD.year, month=PERIOD.month,
                                                   metering_point="РП-10 кВ яч.2", generated_at=INSIDE)))
    for row in range(2, 26):
        for column in range(2, 30):
            book.active.cell(row=row, column=column, value=0.5)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(services: Services, actor: Actor, data: bytes) -> Any:
    return submit_interval_file(services, actor, contract_number=C5, energy_object=EO1, meter_number=FIG12,
                                period=PERIOD, kind="Фактические", data=data, filename="Интервальные.xlsx",
                                limits=Limits())


@pytest.fixture
def admin(services: Services, mailbox: Mailbox, clock: FixedClock) -> Actor:
    clock.set(INSIDE)
    actor = administrator(services, mailbox)
    install_interval(services)
    return actor


def test_rdg19_one_access_check_per_interval_file(services: Services, admin: Actor,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    check = services.access.require
    monkeypatch.setattr(services.access, "require", lambda *a, **k: calls.append("require") or check(*a, **k))
    act = upload(services, admin, filled())
    assert act.total == 24 * 28 * 0.5
    assert calls == ["require"]


def test_as37_the_meter_is_checked_before_the_file_is_read(services: Services, admin: Actor) -> None:
    with pytest.raises(FileRefused):
        upload(services, admin, b"not a workbook")
    other = registered(services, Mailbox(services), "stranger@example.com")
    with pytest.raises(Exception) as refused:  # noqa: PT011 - the access check's refusal, not the file's
        upload(services, other, b"not a workbook")
    assert not isinstance(refused.value, FileRefused)


def test_acc06_an_unconfirmed_email_is_refused_after_the_file_and_before_the_write(
    services: Services, admin: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = services.app.head()
    session = services.access.session

    def unconfirmed(services_: Services, actor: Actor, standing: Standing = Standing.SESSION) -> None:
        if standing is Standing.CONFIRMED_EMAIL:
            raise PreconditionFailed("Подтвердите адрес электронной почты")
        session(services_, actor, standing)

    monkeypatch.setattr(services.access, "session", unconfirmed)
    with pytest.raises(FileRefused):  # the file's refusal comes first, as before
        upload(services, admin, b"not a workbook")
    with pytest.raises(PreconditionFailed):
        upload(services, admin, filled())
    assert services.app.head() == head
