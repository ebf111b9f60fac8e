"""The HTTP API of contracts and roles (DOMAIN.md §2, §12, Table 3) through Falcon's test client.

Every answer is checked for its status and body; every error is a problem
document (RFC 9457) with lkk's ``code`` and, where DOMAIN.md gives one, the
Russian message; nothing answers 500 (``RecordingClient`` refuses any 5xx).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from adapters.http.app import ROUTES
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.commands import ContractNumber
from lkk_core.kernel.permissions import Capability, Role
from lkk_core.kernel.services import Services
from tests.contracts_support import C1, C2, C3, C4, link_of
from tests.http_contracts_support import (
    COLUMNS,
    EXPECTED,
    MANUAL_TABLE_3,
    XLSX,
    ContractsClient,
    bind,
    check_export,
    credentials_of,
    detail,
    export,
    grant,
    link_path,
    make_administrator,
    my_contracts,
    onboarded,
    read,
    request_administrator,
    request_binding,
    revoke,
    row_of,
    unbind,
    users,
    workbook_text,
    written,
)
from tests.http_support import assert_problem, bearer, every_operation, media_type
from tests.support import PASSWORD, Mailbox

EO1, EO2, EO3 = f"{C1}0001", f"{C1}0002", f"{C1}0003"
ALL_C1_OBJECTS = [EO1, EO2, EO3]
WRONG_NUMBER = "Номер договора должен состоять из 14 цифр"
EMAIL_NOT_ON_CONTRACT = "Указанный адрес электронной почты не найден в договоре"
ALREADY_BOUND = "Договор уже добавлен в Личный кабинет"
LINK_EXPIRED = "Срок подтверждения привязки договора истёк"
SECOND_ADMINISTRATOR = "На договор уже назначен Администратор"
STAFF_ONLY = "Роль «Администратор» назначается специалистом сбытовой компании"
FORBIDDEN = "Недостаточно прав для выполнения операции"


@pytest.fixture
def client(services: Services) -> ContractsClient:
    return ContractsClient.over(services)


@pytest.fixture
def admin(client: ContractsClient, mailbox: Mailbox) -> dict[str, Any]:
    """client1 (ROL-10's user 1): binds contract 1 over HTTP and is made its Administrator by staff."""
    reg = onboarded(client, mailbox, "client1@mail.ru")
    bind(client, mailbox, reg["token"], C1, "client1@mail.ru")
    make_administrator(client, C1, reg["account_id"])
    return reg


@pytest.fixture
def alice(client: ContractsClient, mailbox: Mailbox) -> dict[str, Any]:
    return onboarded(client, mailbox, "alice@example.com")


# -- the whole story: every contract and role operation of ROUTES ------------------------------


def test_every_contract_and_role_operation_in_one_story(
    client: ContractsClient, mailbox: Mailbox, services: Services
) -> None:
    alice = onboarded(client, mailbox, "alice@example.com")
    token, headers = alice["token"], bearer(alice["token"])

    # CON-01: no contracts yet: an empty list, not an error.
    assert read(client.simulate_get("/v1/contracts", headers=headers)) == {"items": []}

    # CON-02 … CON-04: bind C1 by its number and an e-mail of the contract; the link goes there.
    asked = written(request_binding(client, token, f" {C1} ", "client1@mail.ru"), 202,
                    {"binding_id", "contract_number", "expires_at"})
    assert asked["contract_number"] == C1 and asked["expires_at"].startswith("2026-11-03T09:00:00")
    [pending] = read(client.simulate_get("/v1/contracts", headers=headers))["items"]
    assert pending["status"] == "pending" and pending["binding_id"] == asked["binding_id"]
    assert pending["role"] is None
    path = link_path(mailbox, "client1@mail.ru")
    assert path.startswith("/v1/contract-bindings/confirmation?")
    binding_id, link_token = link_of(mailbox, "client1@mail.ru")
    assert str(binding_id) == asked["binding_id"]
    # The link needs no login (CON-04): followed as the letter gives it.
    confirmed = client.simulate_get("/v1/contract-bindings/confirmation",
                                    params={"binding_id": str(binding_id), "token": link_token})
    bound_at = written(confirmed, 200, {"contract_number"})
    assert bound_at["contract_number"] == C1
    # Read-your-writes: a read names the position the write reached.
    listed = read(client.simulate_get("/v1/contracts", headers={**headers, "X-Lkk-Position": str(bound_at["position"])}))
    assert [(r["contract_number"], r["status"]) for r in listed["items"]] == [(C1, "bound")]

    # C2 confirmed by POST, C3 asked for and withdrawn before its link.
    written(request_binding(client, token, C2, "alice@example.com"), 202, {"binding_id", "contract_number",
                                                                           "expires_at"})
    c2_id, c2_token = link_of(mailbox, "alice@example.com")
    written(client.simulate_post("/v1/contract-bindings/confirmation",
                                 json={"binding_id": str(c2_id), "token": c2_token}), 200, {"contract_number"})
    written(request_binding(client, token, C3, "alice@example.com"), 202, {"binding_id", "contract_number",
                                                                           "expires_at"})
    assert my_contracts(client, token)[C3]["status"] == "pending"
    written(client.simulate_delete(f"/v1/contract-bindings/{C3}", headers=headers))
    rows = my_contracts(client, token)
    assert list(rows) == [C1, C2]
    assert {(r["status"], r["role"], r["role_label"]) for r in rows.values()} == {("bound", "MANAGER", "Руководитель")}
    assert rows[C1]["energy_objects"] is None and rows[C1]["may_request_administrator"] is True  # CON-08, ROL-12

    # ROL-12, ROL-13: «Запросить доступ» on C2; staff list it and refuse it.
    requested = written(request_administrator(client, token, C2), 201, {"request_id"})
    assert my_contracts(client, token)[C2]["administrator_requested"] is True
    open_requests = read(client.simulate_get("/v1/staff/administrator-requests", headers=client.staff))["items"]
    assert [(r["request_id"], r["contract_number"], r["account_id"]) for r in open_requests] == [
        (requested["request_id"], C2, alice["account_id"])]
    written(client.simulate_post(f"/v1/staff/contracts/{C2}/administrator-requests/refusals", headers=client.staff,
                                 json={"account_id": alice["account_id"]}))
    assert read(client.simulate_get("/v1/staff/administrator-requests", headers=client.staff)) == {"items": []}

    # ROL-08: staff make Alice the Administrator of C1, and see the contract's holders.
    make_administrator(client, C1, alice["account_id"])
    [holder] = read(client.simulate_get(f"/v1/staff/contracts/{C1}/users", headers=client.staff))["items"]
    assert (holder["account_id"], holder["email"], holder["role"]) == (alice["account_id"], "alice@example.com",
                                                                       "ADMINISTRATOR")

    # CON-09: the contract screen with the role, capabilities, energy objects; decimals as strings.
    screen = read(detail(client, token))
    assert (screen["role"], screen["role_label"], screen["energy_objects"]) == ("ADMINISTRATOR", "Администратор", None)
    assert screen["capabilities"] == row_of(Role.ADMINISTRATOR)
    assert screen["has_administrator"] is True and screen["may_request_administrator"] is False
    contract = screen["contract"]
    assert contract["number"] == C1 and contract["signed_on"] == "2021-03-01"
    assert contract["emails"] == ["client1@mail.ru", "alice@example.com"]
    assert [eo["code"] for eo in contract["energy_objects"]] == ALL_C1_OBJECTS
    point = contract["energy_objects"][0]["metering_points"][0]
    assert (point["coefficient"], point["losses_percent"], point["max_power_kw"]) == ("12000", "5", None)
    meter = point["meters"][0]
    assert meter["scales"] == [{"zone": "Круглосуточный", "quantity": "А+"}] and meter["digits"] == 6

    # CON-10: «Скачать».
    check_export(client, token)

    # ROL-14, ROL-16: a registered grantee sees the contract at once, scoped to the chosen object.
    bob = onboarded(client, mailbox, "bob@example.com")
    granted = written(grant(client, token, C1, "bob@example.com", Role.ACCOUNTANT, [EO1]), 201,
                      {"account_id", "invited"})
    assert (granted["account_id"], granted["invited"]) == (bob["account_id"], False)
    assert my_contracts(client, bob["token"])[C1]["role"] == "ACCOUNTANT"
    bobs = read(detail(client, bob["token"]))
    assert bobs["energy_objects"] == [EO1] and [eo["code"] for eo in bobs["contract"]["energy_objects"]] == [EO1]
    assert bobs["capabilities"] == row_of(Role.ACCOUNTANT)

    # ROL-16: an unregistered grantee gets an account; its login and password come in the letter.
    invited = written(grant(client, token, C1, "newbie@example.com", Role.POWER_ENGINEER, [EO2, EO3]), 201,
                      {"account_id", "invited"})
    assert invited["invited"] is True
    login, password = credentials_of(mailbox, "newbie@example.com")
    session = client.simulate_post("/v1/sessions", json={"identifier": login, "password": password})
    assert session.status_code == 201, session.text
    assert session.json["account_id"] == invited["account_id"] and session.json["stage"] == "personal_data"
    newbie = session.json["token"]
    assert my_contracts(client, newbie)[C1]["role"] == "POWER_ENGINEER"

    # ROL-06: the Administrator's list of users.
    listed = read(users(client, token))["items"]
    assert {u["email"]: (u["role"], u["energy_objects"]) for u in listed} == {
        "alice@example.com": ("ADMINISTRATOR", None),
        "bob@example.com": ("ACCOUNTANT", [EO1]),
        "newbie@example.com": ("POWER_ENGINEER", [EO2, EO3]),
    }

    # ROL-17: the Administrator removes Bob's role; staff remove the newcomer's.
    written(revoke(client, token, bob["account_id"]))
    assert my_contracts(client, bob["token"]) == {}
    assert_problem(detail(client, bob["token"]), 404, "not_found")
    written(client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{invited['account_id']}", headers=client.staff))
    assert my_contracts(client, newbie) == {}

    # CON-11: «Удалить договор» takes C2 from Alice's account only.
    written(unbind(client, token, C2))
    assert list(my_contracts(client, token)) == [C1]

    # Staff routes refuse a customer token, customer routes the staff token.
    assert_problem(client.simulate_get("/v1/staff/administrator-requests", headers=headers), 401, "unauthenticated")
    assert_problem(client.simulate_get(f"/v1/staff/contracts/{C1}/users", headers=headers), 401, "unauthenticated")
    assert_problem(client.simulate_get("/v1/contracts", headers=client.staff), 401, "unauthenticated")
    assert_problem(detail(client, client.staff["Authorization"].removeprefix("Bearer ")), 401, "unauthenticated")

    assert every_operation("contracts") - client.hits == set()
    assert every_operation("contracts") - client.succeeded == set()  # and each answered 2xx at least once


# -- binding (CON-01 … CON-11) --------------------------------------------------------------


class TestBinding:
    @pytest.mark.parametrize("typed", [
        "1000000000000", "100000000000011", "1000000000000A", "１０００００００００００００１", "", "   ", "+7000000000000",
        "1" * 101,
    ])
    def test_con02_a_number_other_than_14_digits_is_422_with_the_rule(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox, typed: str
    ) -> None:
        mailbox.deliver()

        result = request_binding(client, alice["token"], typed, "alice@example.com")

        body = assert_problem(result, 422, "validation_failed")
        assert (body["detail"], body["field"]) == (WRONG_NUMBER, "contract_number")
        assert mailbox.deliver() == []

    @pytest.mark.parametrize("typed", ["1000000000000", "100000000000011", "1000000000000A", "x", "1" * 101])
    def test_con02_a_number_other_than_14_digits_in_the_path_is_422_with_the_rule(
        self, client: ContractsClient, alice: dict, typed: str
    ) -> None:
        token = alice["token"]
        for result in (detail(client, token, typed), users(client, token, typed), export(client, token, typed),
                       unbind(client, token, typed), request_administrator(client, token, typed),
                       client.simulate_delete(f"/v1/contract-bindings/{typed}", headers=bearer(token)),
                       client.simulate_get(f"/v1/staff/contracts/{typed}/users", headers=client.staff)):
            assert assert_problem(result, 422, "validation_failed")["detail"] == WRONG_NUMBER

    def test_con02_an_unknown_number_is_404(self, client: ContractsClient, alice: dict) -> None:
        result = request_binding(client, alice["token"], "99999999999999", "alice@example.com")

        assert assert_problem(result, 404, "not_found")["field"] == "contract_number"

    def test_con02_acc06_binding_needs_a_confirmed_email(self, client: ContractsClient) -> None:
        result = client.simulate_post("/v1/registrations", json={
            "email": "alice@example.com", "password": PASSWORD, "agreement_accepted": True})

        refused = request_binding(client, result.json["token"], C1, "alice@example.com")

        assert assert_problem(refused, 412, "precondition_failed")["detail"] == "Подтвердите адрес электронной почты"

    def test_con02_the_email_is_compared_normalised(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        written(request_binding(client, alice["token"], C1, " Client1@Mail.RU "), 202,
                {"binding_id", "contract_number", "expires_at"})

        assert link_path(mailbox, "Client1@Mail.RU")

    def test_con03_an_email_not_on_the_contract_is_422_and_sends_nothing(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox, services: Services
    ) -> None:
        mailbox.deliver()
        head = services.app.head()

        result = request_binding(client, alice["token"], C1, "stranger@example.com")

        body = assert_problem(result, 422, "validation_failed")
        assert (body["detail"], body["field"]) == (EMAIL_NOT_ON_CONTRACT, "email")
        assert services.app.head() == head and mailbox.deliver() == []
        assert my_contracts(client, alice["token"]) == {}

    def test_con04_a_wrong_token_is_404_and_binds_nothing(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        written(request_binding(client, alice["token"], C1, "alice@example.com"), 202,
                {"binding_id", "contract_number", "expires_at"})
        binding_id, token = link_of(mailbox, "alice@example.com")

        wrong = client.simulate_post("/v1/contract-bindings/confirmation",
                                     json={"binding_id": str(binding_id), "token": token[::-1]})
        stranger = client.simulate_get("/v1/contract-bindings/confirmation",
                                       params={"binding_id": str(uuid.uuid4()), "token": token})

        assert_problem(wrong, 404, "not_found")
        assert_problem(stranger, 404, "not_found")
        assert my_contracts(client, alice["token"])[C1]["status"] == "pending"

    def test_con04_con07_a_second_use_of_the_link_is_409(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C1, "alice@example.com")
        path, _, query = link_path(mailbox, "alice@example.com").partition("?")

        result = client.simulate_get(path, query_string=query)

        assert assert_problem(result, 409, "conflict")["detail"] == ALREADY_BOUND

    def test_con07_binding_a_contract_twice_is_409(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C1, "alice@example.com")
        mailbox.deliver()

        result = request_binding(client, alice["token"], C1, "client1@mail.ru")

        assert assert_problem(result, 409, "conflict")["detail"] == ALREADY_BOUND
        assert mailbox.deliver() == []

    def test_con05_the_link_works_until_just_before_24_hours(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        written(request_binding(client, alice["token"], C1, "alice@example.com"), 202,
                {"binding_id", "contract_number", "expires_at"})
        path, _, query = link_path(mailbox, "alice@example.com").partition("?")
        clock.advance(hours=23, minutes=59, seconds=59)

        written(client.simulate_get(path, query_string=query), 200, {"contract_number"})

        assert my_contracts(client, alice["token"])[C1]["status"] == "bound"

    def test_con05_a_link_followed_at_24_hours_is_410(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        written(request_binding(client, alice["token"], C1, "alice@example.com"), 202,
                {"binding_id", "contract_number", "expires_at"})
        binding_id, token = link_of(mailbox, "alice@example.com")
        clock.advance(hours=24)

        by_get = client.simulate_get("/v1/contract-bindings/confirmation",
                                     params={"binding_id": str(binding_id), "token": token})
        by_post = client.simulate_post("/v1/contract-bindings/confirmation",
                                       json={"binding_id": str(binding_id), "token": token})

        for result in (by_get, by_post):
            body = assert_problem(result, 410, "expired")
            assert (body["detail"], body["field"]) == (LINK_EXPIRED, "token")
        assert my_contracts(client, alice["token"]) == {}  # no longer listed as pending either

    def test_con05_a_pending_request_can_be_withdrawn_once(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        headers = bearer(alice["token"])
        written(request_binding(client, alice["token"], C1, "alice@example.com"), 202,
                {"binding_id", "contract_number", "expires_at"})
        path, _, query = link_path(mailbox, "alice@example.com").partition("?")

        written(client.simulate_delete(f"/v1/contract-bindings/{C1}", headers=headers))

        assert_problem(client.simulate_delete(f"/v1/contract-bindings/{C1}", headers=headers), 404, "not_found")
        assert my_contracts(client, alice["token"]) == {}
        assert_problem(client.simulate_get(path, query_string=query), 404, "not_found")  # the link died with it

    def test_con07_a_new_request_replaces_the_pending_one_and_kills_its_link(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        written(request_binding(client, alice["token"], C1, "alice@example.com"), 202,
                {"binding_id", "contract_number", "expires_at"})
        old = link_of(mailbox, "alice@example.com")
        clock.advance(hours=20)
        written(request_binding(client, alice["token"], C1, "client1@mail.ru"), 202,
                {"binding_id", "contract_number", "expires_at"})
        new = link_of(mailbox, "client1@mail.ru")
        clock.advance(hours=5)

        stale = client.simulate_post("/v1/contract-bindings/confirmation",
                                     json={"binding_id": str(old[0]), "token": old[1]})
        assert_problem(stale, 404, "not_found")
        written(client.simulate_post("/v1/contract-bindings/confirmation",
                                     json={"binding_id": str(new[0]), "token": new[1]}), 200, {"contract_number"})

    def test_con07_con11_unbinding_takes_the_contract_from_this_account_only(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        bob = onboarded(client, mailbox, "bob@example.com")
        for reg in (alice, bob):
            bind(client, mailbox, reg["token"], C1, "client1@mail.ru")

        written(unbind(client, alice["token"]))

        assert my_contracts(client, alice["token"]) == {}
        assert_problem(detail(client, alice["token"]), 404, "not_found")
        assert_problem(unbind(client, alice["token"]), 404, "not_found")
        assert my_contracts(client, bob["token"])[C1]["role"] == "MANAGER"
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")  # and may be bound afresh

    def test_con09_rol11_no_role_is_404_on_detail_users_and_export(
        self, client: ContractsClient, alice: dict, admin: dict
    ) -> None:
        for result in (detail(client, alice["token"]), users(client, alice["token"]), export(client, alice["token"]),
                       detail(client, alice["token"], C4)):
            assert_problem(result, 404, "not_found")

    def test_con10_the_export_is_the_screen_of_the_role(
        self, client: ContractsClient, admin: dict, mailbox: Mailbox
    ) -> None:
        bob = onboarded(client, mailbox, "bob@example.com")
        written(grant(client, admin["token"], C1, "bob@example.com", Role.ACCOUNTANT, [EO2]), 201,
                {"account_id", "invited"})

        check_export(client, admin["token"])
        result = export(client, bob["token"])

        assert result.status_code == 200 and media_type(result) == XLSX
        text = workbook_text(result.content)
        assert any(EO2 in t for t in text) and not any(EO1 in t or EO3 in t for t in text)  # ROL-15


# -- roles (ROL-01 … ROL-19) ------------------------------------------------------------------


class TestRoles:
    def test_rol05_a_second_administrator_is_409(self, client: ContractsClient, admin: dict, alice: dict,
                                                 mailbox: Mailbox) -> None:
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")

        result = client.simulate_put(f"/v1/staff/contracts/{C1}/administrator", headers=client.staff,
                                     json={"account_id": alice["account_id"]})

        assert assert_problem(result, 409, "conflict")["detail"] == SECOND_ADMINISTRATOR
        assert my_contracts(client, alice["token"])[C1]["role"] == "MANAGER"

    def test_rol05_making_the_administrator_again_changes_nothing(self, client: ContractsClient, admin: dict) -> None:
        make_administrator(client, C1, admin["account_id"])

        assert read(detail(client, admin["token"]))["role"] == "ADMINISTRATOR"

    def test_rol08_the_administrator_role_from_a_customer_is_403(
        self, client: ContractsClient, admin: dict, alice: dict
    ) -> None:
        result = grant(client, admin["token"], C1, "alice@example.com", Role.ADMINISTRATOR, [EO1])

        body = assert_problem(result, 403, "forbidden")
        assert (body["detail"], body["field"]) == (STAFF_ONLY, "role")
        assert my_contracts(client, alice["token"]) == {}

    def test_rol08_staff_grant_the_administrator_only_to_a_holder(
        self, client: ContractsClient, admin: dict, alice: dict
    ) -> None:
        for number in (C1, C2):  # C2: nobody holds it yet
            result = client.simulate_put(f"/v1/staff/contracts/{number}/administrator", headers=client.staff,
                                         json={"account_id": alice["account_id"]})
            assert assert_problem(result, 404, "not_found")["field"] == "account_id"

    def test_rol09_rol18_without_an_administrator_nobody_grants(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")
        onboarded(client, mailbox, "bob@example.com")

        result = grant(client, alice["token"], C1, "bob@example.com", Role.ACCOUNTANT, [EO1])

        assert assert_problem(result, 403, "forbidden")["detail"] == FORBIDDEN

    def test_rol04_granting_again_replaces_the_role(
        self, client: ContractsClient, admin: dict, mailbox: Mailbox
    ) -> None:
        bob = onboarded(client, mailbox, "bob@example.com")
        written(grant(client, admin["token"], C1, "bob@example.com", Role.ACCOUNTANT, [EO1]), 201,
                {"account_id", "invited"})
        written(grant(client, admin["token"], C1, "BOB@example.com", Role.POWER_ENGINEER, [EO2, EO3]), 201,
                {"account_id", "invited"})

        [row] = [u for u in read(users(client, admin["token"]))["items"] if u["account_id"] == bob["account_id"]]
        assert (row["role"], row["role_label"], row["energy_objects"]) == ("POWER_ENGINEER", "Энергетик", [EO2, EO3])
        assert read(detail(client, bob["token"]))["capabilities"] == row_of(Role.POWER_ENGINEER)

    def test_rol14_the_administrator_cannot_change_or_remove_their_own_role(
        self, client: ContractsClient, admin: dict
    ) -> None:
        changed = grant(client, admin["token"], C1, "client1@mail.ru", Role.MANAGER, [EO1])
        removed = revoke(client, admin["token"], admin["account_id"])

        assert_problem(changed, 403, "forbidden")
        assert_problem(removed, 403, "forbidden")
        assert read(detail(client, admin["token"]))["role"] == "ADMINISTRATOR"

    def test_rol14_the_grantee_gets_the_manuals_letter(
        self, client: ContractsClient, admin: dict, mailbox: Mailbox
    ) -> None:
        onboarded(client, mailbox, "bob@example.com")
        mailbox.deliver()

        written(grant(client, admin["token"], C1, "bob@example.com", Role.POWER_ENGINEER, [EO1]), 201,
                {"account_id", "invited"})

        [letter] = mailbox.deliver()
        assert letter.to == "bob@example.com"
        assert f"На договор Договор энергоснабжения № {C1} Вам назначена роль Энергетик." in letter.body

    @pytest.mark.parametrize("objects", [[f"{C2}0001"], [EO1, "nonsense"]])
    def test_rol15_energy_objects_of_another_contract_are_422(
        self, client: ContractsClient, admin: dict, mailbox: Mailbox, objects: list[str]
    ) -> None:
        onboarded(client, mailbox, "bob@example.com")

        result = grant(client, admin["token"], C1, "bob@example.com", Role.ACCOUNTANT, objects)

        assert assert_problem(result, 422, "validation_failed")["field"] == "energy_objects"

    def test_rol15_at_least_one_energy_object(self, client: ContractsClient, admin: dict) -> None:
        result = grant(client, admin["token"], C1, "bob@example.com", Role.ACCOUNTANT, [])

        assert assert_problem(result, 422, "validation_failed")["field"] == "energy_objects"

    def test_rol16_an_invited_account_logs_in_with_the_letters_email_and_password(
        self, client: ContractsClient, admin: dict, mailbox: Mailbox
    ) -> None:
        invited = written(grant(client, admin["token"], C1, "newbie@example.com", Role.ACCOUNTANT, [EO1]), 201,
                          {"account_id", "invited"})
        _, password = credentials_of(mailbox, "newbie@example.com")

        session = client.simulate_post("/v1/sessions", json={"identifier": "newbie@example.com", "password": password})

        assert session.status_code == 201, session.text
        profile = read(client.simulate_get("/v1/me", headers=bearer(session.json["token"])))
        assert profile["account_id"] == invited["account_id"] and profile["email_confirmed"] is True
        assert read(detail(client, session.json["token"]))["role"] == "ACCOUNTANT"

    def test_rol12_request_access_is_409_once_asked_and_while_an_administrator_exists(
        self, client: ContractsClient, admin: dict, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C2, "alice@example.com")
        written(request_administrator(client, alice["token"], C2), 201, {"request_id"})
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")

        twice = request_administrator(client, alice["token"], C2)
        administrated = request_administrator(client, alice["token"], C1)

        assert_problem(twice, 409, "conflict")
        assert assert_problem(administrated, 409, "conflict")["detail"] == SECOND_ADMINISTRATOR
        assert read(detail(client, alice["token"], C1))["may_request_administrator"] is False

    def test_rol13_refusing_a_request_that_is_not_open_is_404(
        self, client: ContractsClient, admin: dict, alice: dict
    ) -> None:
        result = client.simulate_post(f"/v1/staff/contracts/{C1}/administrator-requests/refusals", headers=client.staff,
                                      json={"account_id": alice["account_id"]})

        assert_problem(result, 404, "not_found")

    def test_rol13_granting_the_administrator_closes_the_open_requests(
        self, client: ContractsClient, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C2, "alice@example.com")
        written(request_administrator(client, alice["token"], C2), 201, {"request_id"})

        make_administrator(client, C2, alice["account_id"])

        assert read(client.simulate_get("/v1/staff/administrator-requests", headers=client.staff)) == {"items": []}

    def test_rol17_removing_an_unknown_holder_is_404(self, client: ContractsClient, admin: dict) -> None:
        stranger = str(uuid.uuid4())

        assert_problem(revoke(client, admin["token"], stranger), 404, "not_found")
        assert_problem(client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{stranger}", headers=client.staff),
                       404, "not_found")

    def test_rol17_staff_remove_the_administrator_and_the_slot_is_free(
        self, client: ContractsClient, admin: dict, alice: dict, mailbox: Mailbox
    ) -> None:
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")

        written(client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{admin['account_id']}", headers=client.staff))

        assert my_contracts(client, admin["token"]) == {}
        screen = read(detail(client, alice["token"]))
        assert screen["has_administrator"] is False and screen["may_request_administrator"] is True
        make_administrator(client, C1, alice["account_id"])


# -- Table 3 over HTTP, cell by cell (ROL-19) ---------------------------------------------------


def holder_of(client: ContractsClient, mailbox: Mailbox, admin: dict, role: Role | None) -> dict:
    """Return the session of an account holding ``role`` on C1 (on every energy object), or none."""
    if role is Role.ADMINISTRATOR:
        return admin
    user = onboarded(client, mailbox, "user@example.com")
    if role is not None:
        written(grant(client, admin["token"], C1, "user@example.com", role, ALL_C1_OBJECTS), 201,
                {"account_id", "invited"})
    return user


class TestTable3:
    def test_rol19_the_independent_copy_has_14_rows_of_4_roles(self) -> None:
        assert len(EXPECTED) == 14 * 4
        assert [c.value for c in Capability] == [line.split()[0] for line in MANUAL_TABLE_3.strip().splitlines()]

    @pytest.mark.parametrize("role", [*COLUMNS, None], ids=lambda r: r.value if r else "no_role")
    def test_rol19_the_screen_offers_exactly_the_roles_capabilities(
        self, client: ContractsClient, mailbox: Mailbox, admin: dict, role: Role | None
    ) -> None:
        user = holder_of(client, mailbox, admin, role)

        result = detail(client, user["token"])

        if role is None:
            assert_problem(result, 404, "not_found")
            return
        screen = read(result)
        assert set(screen["capabilities"]) == {c.value for c in Capability if EXPECTED[(c, role)]}
        assert screen["capabilities"] == row_of(role)  # in the table's order
        assert screen["role"] == role.value

    @pytest.mark.parametrize("role", [*COLUMNS, None], ids=lambda r: r.value if r else "no_role")
    def test_rol19_role_management_answers_2xx_exactly_where_table_3_says(
        self, client: ContractsClient, mailbox: Mailbox, admin: dict, role: Role | None
    ) -> None:
        user = holder_of(client, mailbox, admin, role)
        onboarded(client, mailbox, "third@example.com")
        third = written(grant(client, admin["token"], C1, "third@example.com", Role.ACCOUNTANT, [EO1]), 201,
                        {"account_id", "invited"})["account_id"]
        token = user["token"]

        attempts = {
            Capability.GRANT_ROLE: [users(client, token),
                                    grant(client, token, C1, "third@example.com", Role.MANAGER, [EO2])],
            Capability.REVOKE_ROLE: [revoke(client, token, third)],
        }

        for capability, results in attempts.items():
            for result in results:
                if role is None:
                    assert_problem(result, 404, "not_found")
                elif EXPECTED[(capability, role)]:
                    assert 200 <= result.status_code < 300, (capability, role, result.text)
                else:
                    body = assert_problem(result, 403, "forbidden")
                    assert (body["detail"], body["capability"]) == (FORBIDDEN, capability.value)

    @pytest.mark.parametrize("role", [Role.POWER_ENGINEER, Role.ACCOUNTANT, Role.MANAGER], ids=lambda r: r.value)
    def test_rol19_rol12_con11_every_role_may_request_the_administrator_and_remove_the_contract(
        self, client: ContractsClient, mailbox: Mailbox, admin: dict, role: Role
    ) -> None:
        user = holder_of(client, mailbox, admin, role)
        # The Administrator's grants stay when staff take the Administrator away (CON-11): no Administrator now.
        written(client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{admin['account_id']}", headers=client.staff))
        assert EXPECTED[(Capability.REQUEST_ADMINISTRATOR, role)] and EXPECTED[(Capability.REMOVE_CONTRACT, role)]
        screen = read(detail(client, user["token"]))
        assert (screen["role"], screen["may_request_administrator"]) == (role.value, True)

        written(request_administrator(client, user["token"]), 201, {"request_id"})
        written(unbind(client, user["token"]))

        assert my_contracts(client, user["token"]) == {}
        assert read(client.simulate_get("/v1/staff/administrator-requests", headers=client.staff)) == {"items": []}

    def test_rol19_rol12_con11_the_administrator_may_remove_the_contract_but_has_nothing_to_request(
        self, client: ContractsClient, mailbox: Mailbox, admin: dict, alice: dict
    ) -> None:
        assert EXPECTED[(Capability.REQUEST_ADMINISTRATOR, Role.ADMINISTRATOR)]
        bind(client, mailbox, alice["token"], C1, "client1@mail.ru")

        # «+» in Table 3, but the button exists only without an Administrator (ROL-12): a conflict, not 403.
        assert_problem(request_administrator(client, admin["token"]), 409, "conflict")
        written(unbind(client, admin["token"]))

        assert my_contracts(client, admin["token"]) == {}
        assert my_contracts(client, alice["token"])[C1]["may_request_administrator"] is True  # the slot is free
        written(request_administrator(client, alice["token"]), 201, {"request_id"})

    def test_rol19_no_role_may_neither_request_nor_remove(
        self, client: ContractsClient, mailbox: Mailbox, admin: dict, alice: dict
    ) -> None:
        assert_problem(request_administrator(client, alice["token"]), 404, "not_found")
        assert_problem(unbind(client, alice["token"]), 404, "not_found")


# -- malformed requests: 4xx, never 500 ------------------------------------------------------


class TestMalformed:
    @pytest.mark.parametrize("body", [
        {"contract_number": C1, "email": "alice@example.com", "x": 1},
        {"contract_number": int(C1), "email": "alice@example.com"},
        {"contract_number": C1},
        {"email": "alice@example.com"},
        {"contract_number": [C1], "email": "alice@example.com"},
        {"contract_number": C1, "email": "not an e-mail"},
        {"contract_number": C1, "email": None},
        {"contract_number": f"{C1}\x00", "email": "alice@example.com"},
        [], "x", None, 1,
    ])
    def test_binding_request_refuses_unknown_fields_and_wrong_types(
        self, client: ContractsClient, alice: dict, body: Any
    ) -> None:
        result = client.simulate_post("/v1/contract-bindings", headers=bearer(alice["token"]), json=body)

        assert_problem(result, 422, "validation_failed")

    @pytest.mark.parametrize("body", [
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": [EO1], "x": 1},
        {"role": "OWNER", "email": "bob@example.com", "energy_objects": [EO1]},
        {"role": "accountant", "email": "bob@example.com", "energy_objects": [EO1]},
        {"role": 3, "email": "bob@example.com", "energy_objects": [EO1]},
        {"role": "ACCOUNTANT", "email": 1, "energy_objects": [EO1]},
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": EO1},
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": [1]},
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": [""]},
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": [None]},
        {"role": "ACCOUNTANT", "email": "bob@example.com", "energy_objects": {"a": EO1}},
        {"role": "ACCOUNTANT", "email": "bob@example.com"},
        {"role": "ACCOUNTANT", "energy_objects": [EO1]},
        {}, [], None,
    ])
    def test_grant_refuses_unknown_fields_wrong_types_and_empty_energy_objects(
        self, client: ContractsClient, admin: dict, body: Any
    ) -> None:
        result = client.simulate_post(f"/v1/contracts/{C1}/roles", headers=bearer(admin["token"]), json=body)

        assert_problem(result, 422, "validation_failed")

    @pytest.mark.parametrize(("path", "body"), [
        (f"/v1/staff/contracts/{C1}/administrator", {"account_id": "nope"}),
        (f"/v1/staff/contracts/{C1}/administrator", {"account_id": 5}),
        (f"/v1/staff/contracts/{C1}/administrator", {"account_id": str(uuid.uuid4()), "x": 1}),
        (f"/v1/staff/contracts/{C1}/administrator", {}),
        (f"/v1/staff/contracts/{C1}/administrator-requests/refusals", {"account_id": "nope"}),
        (f"/v1/staff/contracts/{C1}/administrator-requests/refusals", []),
    ])
    def test_staff_bodies_are_validated(self, client: ContractsClient, path: str, body: Any) -> None:
        method = "PUT" if path.endswith("/administrator") else "POST"

        result = client.simulate_request(method, path, headers=client.staff, json=body)

        assert_problem(result, 422, "validation_failed")

    @pytest.mark.parametrize("params", [
        {}, {"binding_id": "nope", "token": "x"}, {"binding_id": str(uuid.uuid4())}, {"token": "x"},
        {"binding_id": str(uuid.uuid4()), "token": ""}, {"binding_id": str(uuid.uuid4()), "token": "x" * 101},
    ])
    def test_confirmation_link_parameters_are_validated(self, client: ContractsClient, params: dict) -> None:
        by_get = client.simulate_get("/v1/contract-bindings/confirmation", params=params)
        by_post = client.simulate_post("/v1/contract-bindings/confirmation", json=params)

        assert_problem(by_get, 422, "validation_failed")
        assert_problem(by_post, 422, "validation_failed")

    def test_confirmation_refuses_unknown_fields(self, client: ContractsClient) -> None:
        result = client.simulate_post("/v1/contract-bindings/confirmation",
                                      json={"binding_id": str(uuid.uuid4()), "token": "x", "extra": True})

        assert_problem(result, 422, "validation_failed")

    @pytest.mark.parametrize("account_id", ["not-a-uuid", "123", "g" * 32])
    def test_a_bad_uuid_in_the_path_is_404(self, client: ContractsClient, admin: dict, account_id: str) -> None:
        mine = revoke(client, admin["token"], account_id)
        staff = client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{account_id}", headers=client.staff)

        assert_problem(mine, 404, "not_found")
        assert_problem(staff, 404, "not_found")

    def test_not_json_malformed_json_and_wrong_methods(self, client: ContractsClient, admin: dict) -> None:
        headers = bearer(admin["token"])

        assert_problem(client.simulate_post(f"/v1/contracts/{C1}/roles", headers=headers, body="role=x",
                                            content_type="text/plain"), 415, "unsupported_media_type")
        assert_problem(client.simulate_post(f"/v1/contracts/{C1}/roles", headers=headers, body='{"role": ',
                                            content_type="application/json"), 400, "malformed_request")
        assert_problem(client.simulate_put(f"/v1/contracts/{C1}", headers=headers, json={}), 405,
                       "method_not_allowed")
        assert_problem(client.simulate_post(f"/v1/contracts/{C1}/export.xlsx", headers=headers), 405,
                       "method_not_allowed")

    @pytest.mark.parametrize(("method", "path"), sorted(every_operation("contracts")))
    def test_every_operation_wants_its_token(self, client: ContractsClient, method: str, path: str) -> None:
        concrete = path.replace("{contract_number}", C1).replace("{account_id:uuid}", str(uuid.uuid4()))
        resource = dict(ROUTES)[path]

        result = client.simulate_request(method, concrete, json={})

        if resource.auth == "public":
            assert_problem(result, 422, "validation_failed")
        else:
            assert_problem(result, 401, "unauthenticated")


# -- the OpenAPI document -------------------------------------------------------------------------


def test_openapi_documents_every_contract_route_with_its_parameters(client: ContractsClient) -> None:
    document = read(client.simulate_get("/openapi.json"))
    # CON-02: the contract number's pattern (14 digits), as in the bodies (issue 10).
    expected_parameters = {"contract_number": TypeAdapter(ContractNumber).json_schema(),
                           "account_id": {"type": "string", "format": "uuid"}}
    assert "[0-9]{14}" in expected_parameters["contract_number"]["pattern"]

    for method, template in every_operation("contracts"):
        path = template.replace(":uuid", "")
        operation = document["paths"][path][method.lower()]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "path"}
        assert set(parameters) == set(re_fields(path)), (method, path)
        for name, parameter in parameters.items():
            assert parameter["required"] is True and parameter["schema"] == expected_parameters[name]
        resource = dict(ROUTES)[template]
        security = {"staff": [{"staffToken": []}], "customer": [{"sessionToken": []}]}.get(resource.auth)
        assert operation.get("security") == security, (method, path)
        assert "application/problem+json" in operation["responses"]["422"]["content"]  # the number (CON-02)

    # CON-04: the letter's link is a GET with the binding's id and token in the query string.
    link = document["paths"]["/v1/contract-bindings/confirmation"]["get"]
    query = {p["name"]: (p["required"], p["schema"].get("format")) for p in link["parameters"] if p["in"] == "query"}
    assert query == {"binding_id": (True, "uuid"), "token": (True, None)}
    assert "security" not in link
    export_operation = document["paths"]["/v1/contracts/{contract_number}/export.xlsx"]["get"]
    assert export_operation["responses"]["200"]["content"] == {XLSX: {"schema": {"type": "string", "format": "binary"}}}
    grant_operation = document["paths"]["/v1/contracts/{contract_number}/roles"]["post"]
    body = grant_operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = document["components"]["schemas"][body]
    assert schema["additionalProperties"] is False and schema["properties"]["energy_objects"]["minItems"] == 1
    detail_operation = document["paths"]["/v1/contracts/{contract_number}"]["get"]
    assert detail_operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ContractDetailOut")


def re_fields(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


# -- properties -------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=15,
)
shaped = st.fixed_dictionaries({}, optional={
    "contract_number": json_values | st.sampled_from([C1, C2, C4, f" {C1} ", "99999999999999"]) | st.text(),
    "email": json_values | st.sampled_from(["client1@mail.ru", "alice@example.com", "bob@example.com"]),
    "role": json_values | st.sampled_from([r.value for r in Role]),
    "energy_objects": json_values | st.lists(st.sampled_from([*ALL_C1_OBJECTS, f"{C2}0001", ""]), max_size=3),
    "binding_id": json_values | st.uuids().map(str), "token": json_values | st.text(max_size=120),
    "account_id": json_values | st.uuids().map(str), "x": json_values,
})
bodies = (json_values | shaped).map(lambda value: json.dumps(value, ensure_ascii=False).encode()) | st.binary(
    max_size=200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from([
    ("POST", "/v1/contract-bindings", "customer"), ("POST", f"/v1/contracts/{C1}/roles", "customer"),
    ("POST", "/v1/contract-bindings/confirmation", "public"),
    ("PUT", f"/v1/staff/contracts/{C1}/administrator", "staff"),
    ("POST", f"/v1/staff/contracts/{C1}/administrator-requests/refusals", "staff"),
]), body=bodies, content_type=st.sampled_from(["application/json", None]))
def test_arbitrary_bodies_never_break_the_contract_routes(
    client: ContractsClient, admin: dict, route: tuple[str, str, str], body: bytes, content_type: str | None
) -> None:
    method, path, auth = route
    headers = {"public": {}, "customer": bearer(admin["token"]), "staff": client.staff}[auth]
    if content_type:
        headers = {**headers, "Content-Type": content_type}

    result = client.simulate_request(method, path, body=body, headers=headers)

    assert result.status_code < 500, result.text  # and RecordingClient checked the problem document
