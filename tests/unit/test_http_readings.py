"""The HTTP API of meter readings (DOMAIN.md §4): the page and on-screen submission, through Falcon's test client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Services
from tests.contracts_support import MOSCOW
from tests.http_contracts_support import (
    ContractsClient,
    administrator_of,
    holder_of,
    read,
)
from tests.http_support import assert_problem, bearer
from tests.readings_support import C5, CLOSED_METER, EO1, EO3, FIG12, INSIDE, OTHER_EO_METER, TWO_ZONES, install
from tests.support import Mailbox

PERIOD = "2023-02-01"


@pytest.fixture
def client(services: Services, clock: FixedClock) -> ContractsClient:
    clock.set(INSIDE)
    install(services)
    client = ContractsClient.over(services)
    client.services = services  # each answer counts the events it wrote: a refusal writes none
    return client


@pytest.fixture
def admin(client: ContractsClient, mailbox: Mailbox) -> dict[str, Any]:
    return administrator_of(client, mailbox, C5, "client5@mail.ru")


def holder(client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any], email: str, role: Role,
           objects: list[str]) -> dict[str, Any]:
    return holder_of(client, mailbox, admin, C5, email, role, objects)


def value(meter: str, typed: str | None, zone: str = "Круглосуточный", eo: str = EO1) -> dict[str, Any]:
    return {"energy_object": eo, "meter_number": meter, "zone": zone, "quantity": "А+", "value": typed}


def post(client: ContractsClient, token: str, *values: dict[str, Any]) -> Any:
    return client.simulate_post("/v1/readings", headers=bearer(token),
                                json={"contract_number": C5, "period": PERIOD, "readings": list(values)})


def page(client: ContractsClient, token: str, **query: str) -> Any:
    return read(client.simulate_get("/v1/readings", headers=bearer(token), params={"period": PERIOD, **query}))


def test_rdg07_fig12_submission_and_the_page_over_http(client: ContractsClient, admin: dict[str, Any]) -> None:
    result = post(client, admin["token"], value(FIG12, "12442,00"))

    assert result.status_code == 201, result.text
    body = result.json
    assert body["message"] == "Показания сохранены" and body["energy_objects"] == [EO1]
    assert result.headers["X-Lkk-Position"] == str(body["position"])
    shown = page(client, admin["token"], contract_number=C5)
    assert shown["contracts"] == [{"contract_number": C5, "name": "Договор с показаниями"}]
    [block] = shown["items"]
    eo = block["energy_objects"][0]
    assert eo["submitted"] is True
    point = eo["metering_points"][0]
    assert (point["coefficient"], point["losses_percent"]) == ("12000", "5")
    scale = point["meters"][0]["scales"][0]
    assert scale == {
        "zone": "Круглосуточный", "quantity": "А+", "previous": "12441.00", "previous_period": "2023-01-01",
        "rolled_over": False, "current": "12442.00", "consumption": "12600", "interval_consumption": "137130.48",
        "delta": "-124530.48",
    }


def test_rdg01_the_status_filter_over_http(client: ContractsClient, admin: dict[str, Any]) -> None:
    [block] = page(client, admin["token"], status="awaiting")["items"]
    assert [eo["code"] for eo in block["energy_objects"]] == [EO1, EO3]
    assert_problem(client.simulate_get("/v1/readings", headers=bearer(admin["token"]), params={"status": "x"}),
                   422, "validation_failed", field="status", wrote=0)


def test_rdg06_every_bad_field_in_one_problem(client: ContractsClient, admin: dict[str, Any]) -> None:
    body = assert_problem(post(client, admin["token"], value(FIG12, "12,44,1"), value(TWO_ZONES, "110", "День")),
                          422, "validation_failed", field=None, wrote=0)
    assert [error["field"] for error in body["errors"]] == ["readings", "readings[0].value"]
    assert any(error["message"] == f"Передайте показания по всем тарифным зонам и видам энергии прибора учёта "
               f"{TWO_ZONES}" for error in body["errors"])


def test_rdg03_a_meter_not_awaiting_is_409_conflict(client: ContractsClient, admin: dict[str, Any]) -> None:
    body = assert_problem(post(client, admin["token"], value(CLOSED_METER, "1")), 409, "conflict", field=None, wrote=0)
    assert body["detail"] == "Передача показаний недоступна: статус «Принято»"
    assert body["errors"] == [{"field": "readings[0]", "energy_object": EO1, "meter_number": CLOSED_METER,
                               "status": "Принято"}]


def test_rdg04_outside_the_window_is_409_window_closed(
    client: ContractsClient, admin: dict[str, Any], clock: FixedClock
) -> None:
    clock.set(datetime(2023, 3, 22, 0, 0, tzinfo=MOSCOW))
    body = assert_problem(post(client, admin["token"], value(FIG12, "12442")), 409, "window_closed", field=None,
                          wrote=0)
    assert body["detail"] == "Период передачи показаний завершён"


def test_rdg08_an_empty_request_is_422(client: ContractsClient, admin: dict[str, Any]) -> None:
    body = assert_problem(post(client, admin["token"], value(FIG12, "")), 422, "validation_failed", field=None,
                          wrote=0)
    assert body["detail"] == "Заполните поле"
    assert body["errors"] == [{"field": "readings", "message": "Заполните поле"}]


def test_rdg19_an_accountant_neither_sees_nor_submits(
    client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any]
) -> None:
    carol = holder(client, mailbox, admin, "carol@example.com", Role.ACCOUNTANT, [EO1, EO3])
    assert page(client, carol["token"]) == {"period": PERIOD, "contracts": [], "items": []}
    body = assert_problem(post(client, carol["token"], value(FIG12, "12442")), 403, "forbidden", field=None, wrote=0)
    assert body["detail"] == "Недостаточно прав для выполнения операции"


def test_rdg19_rol15_a_power_engineer_scoped_to_one_energy_object(
    client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any]
) -> None:
    bob = holder(client, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, [EO1])
    [block] = page(client, bob["token"])["items"]
    assert [eo["code"] for eo in block["energy_objects"]] == [EO1]
    body = assert_problem(post(client, bob["token"], value(OTHER_EO_METER, "600", eo=EO3)), 403, "forbidden",
                          field=None, wrote=0)
    assert body["energy_object"] == EO3
    assert post(client, bob["token"], value(FIG12, "12442")).status_code == 201


def test_readings_need_a_session(client: ContractsClient) -> None:
    assert_problem(client.simulate_get("/v1/readings"), 401, "unauthenticated", wrote=0)
