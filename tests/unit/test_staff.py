"""Staff credentials (issue 10, «Staff are one shared token»): each specialist their own tokens, hashed, revocable.

Every staff command records the specialist its token names; a revoked token
is refused on the very next request; customer and staff tokens never pass
on each other's routes; `lkk staff import-legacy` never takes a password in argv.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.cli import main as cli
from adapters.http.app import ROUTES, create_app
from adapters.http.wsgi import app_for
from lkk_core import ConfigurationError, contracts, staff
from lkk_core.accounts import Account
from lkk_core.contracts import ContractRoles
from lkk_core.kernel.services import Services, StaffActor
from lkk_core.staff import CreateStaffMember, StaffMember
from tests.contracts_support import C1, C2
from tests.http_contracts_support import ContractsClient, bind, onboarded, read, request_administrator, written
from tests.http_support import assert_problem, bearer, staff_token
from tests.support import PASSWORD, Mailbox, refused

ANN = CreateStaffMember(login="Ann.Petrova", full_name="Петрова Анна Сергеевна", email="ann@supplier.example")


def created(services: Services, form: CreateStaffMember = ANN) -> staff.IssuedToken:
    return staff.create_staff_member(services, staff.OPERATOR, form)


def stored_states(services: Services, aggregate_id: Any) -> list[dict[str, Any]]:
    return [json.loads(e.state) for e in services.app.recorder.select_events(aggregate_id)]


class TestCredentials:
    def test_a_token_names_its_specialist_by_a_stable_id(self, services: Services) -> None:
        issued = created(services)

        actor = staff.authenticate_staff(services, issued.token)

        assert actor == StaffActor(issued.staff_id)
        assert issued.staff_id == str(staff.staff_member_id(services, "ann.petrova"))
        assert issued.token.startswith("lkks.")

    def test_only_the_hash_of_a_token_is_stored_and_the_specialist_is_sealed(self, services: Services) -> None:
        issued = created(services)
        secret = issued.token.rsplit(".", 1)[1]

        raw = json.dumps(stored_states(services, staff.staff_member_id(services, ANN.login)), ensure_ascii=False)

        assert secret not in raw and issued.token not in raw
        assert "ann.petrova" not in raw and "Петрова" not in raw and "ann@supplier.example" not in raw  # sealed
        [member] = staff.staff_members(services)
        assert (member.login, member.full_name, member.email) == ("ann.petrova", ANN.full_name, ANN.email)
        assert member.created_by == "operator" and member.revoked_at is None

    def test_a_login_is_taken_once_whatever_its_case(self, services: Services) -> None:
        created(services)

        refused(services, lambda: created(services, ANN.model_copy(update={"login": " ANN.PETROVA "})),
                code="conflict", field="login", message="Специалист с таким логином уже есть")

    def test_a_login_with_spaces_or_too_short_is_refused_by_the_command(self) -> None:
        for login in ("a b", "x", "", "-ann", "ann\x00"):
            refused(None, lambda login=login: CreateStaffMember(login=login, full_name="Имя"),
                    code="validation_failed", field="login",
                    message="Логин специалиста: от 2 до 64 латинских букв, цифр и знаков . _ @ + -")

    def test_each_token_of_a_specialist_works_until_revoked_alone(self, services: Services) -> None:
        first = created(services)
        second = staff.issue_staff_token(services, staff.OPERATOR, ANN.login)

        staff.revoke_staff_token(services, staff.OPERATOR, ANN.login, first.token_id)

        refused(None, lambda: staff.authenticate_staff(services, first.token), code="unauthenticated",
                message="Требуется ключ специалиста сбытовой компании")
        assert staff.authenticate_staff(services, second.token) == StaffActor(first.staff_id)
        head = services.app.head()
        staff.revoke_staff_token(services, staff.OPERATOR, ANN.login, first.token_id)  # again: nothing recorded
        assert services.app.head() == head

    def test_revoking_a_specialist_ends_every_token_and_refuses_new_ones(self, services: Services) -> None:
        first = created(services)
        second = staff.issue_staff_token(services, staff.OPERATOR, ANN.login)

        staff.revoke_staff_member(services, staff.OPERATOR, ANN.login)

        for issued in (first, second):
            refused(None, lambda issued=issued: staff.authenticate_staff(services, issued.token),
                    code="unauthenticated", message="Требуется ключ специалиста сбытовой компании")
        refused(services, lambda: staff.issue_staff_token(services, staff.OPERATOR, ANN.login), code="conflict",
                field="login", message="Доступ специалиста отозван")
        refused(services, lambda: staff.acting_staff(services, ANN.login), code="unauthenticated", field="login",
                message="Требуется ключ специалиста сбытовой компании")
        [member] = staff.staff_members(services)
        assert member.revoked_at is not None

    def test_an_unknown_specialist_or_token_is_not_found(self, services: Services) -> None:
        issued = created(services)
        refused(services, lambda: staff.issue_staff_token(services, staff.OPERATOR, "nobody"), code="not_found",
                field="login", message="Специалист не найден")
        unknown = uuid.uuid4()
        assert unknown != issued.token_id
        refused(services, lambda: staff.revoke_staff_token(services, staff.OPERATOR, ANN.login, unknown),
                code="not_found", field="token_id", message="Ключ доступа не найден")

    def test_who_created_issued_and_revoked_is_recorded(self, services: Services) -> None:
        ann = created(services)
        bob = staff.create_staff_member(services, StaffActor(ann.staff_id),
                                        CreateStaffMember(login="bob", full_name="Бобров Борис"))
        staff.revoke_staff_member(services, StaffActor(ann.staff_id), "bob")

        events = list(services.app.events.get(staff.staff_member_id(services, "bob")))

        assert [type(e).__name__ for e in events] == ["Created", "TokenIssued", "Revoked"]
        assert events[0].created_by == events[1].issued_by == events[2].revoked_by == ann.staff_id
        assert events[1].token_id == bob.token_id

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(token=st.text(max_size=200))
    def test_any_text_but_a_live_token_is_refused(self, services: Services, token: str) -> None:
        refused(None, lambda: staff.authenticate_staff(services, token), code="unauthenticated",
                message="Требуется ключ специалиста сбытовой компании")


# -- HTTP --------------------------------------------------------------------------------------


@pytest.fixture
def client(services: Services) -> ContractsClient:
    client = ContractsClient.over(services)
    client.services = services  # each answer counts the events it wrote: a refusal writes none
    return client


def holder(client: ContractsClient, mailbox: Mailbox, email: str = "client1@mail.ru") -> dict[str, Any]:
    reg = onboarded(client, mailbox, email)
    bind(client, mailbox, reg["token"], C1, email)
    return reg


class TestStaffCommandsRecordTheSpecialist:
    def test_each_specialists_command_records_their_own_id(self, services: Services, client: ContractsClient,
                                                            mailbox: Mailbox) -> None:
        alice = holder(client, mailbox)
        bind(client, mailbox, alice["token"], C2, "client1@mail.ru")
        ann, bob = bearer(staff_token(services, "ann")), bearer(staff_token(services, "bob"))
        ann_id, bob_id = (str(staff.staff_member_id(services, login)) for login in ("ann", "bob"))

        written(client.simulate_put(f"/v1/staff/contracts/{C1}/administrator", headers=ann,
                                    json={"account_id": alice["account_id"]}))
        written(client.simulate_delete(f"/v1/staff/contracts/{C1}/roles/{alice['account_id']}", headers=bob))
        written(request_administrator(client, alice["token"], C2), 201, {"request_id"})
        written(client.simulate_post(f"/v1/staff/contracts/{C2}/administrator-requests/refusals", headers=ann,
                                     json={"account_id": alice["account_id"]}))

        c1 = [e for e in services.app.events.get(ContractRoles.create_id(C1)) if hasattr(e, "by_staff")]
        granted, revoked = [e for e in c1 if e.by_staff is not None]
        assert (type(granted).__name__, granted.by_staff) == ("RoleChanged", ann_id)
        assert (type(revoked).__name__, revoked.by_staff) == ("RoleRevoked", bob_id)
        [closed] = [e for e in services.app.events.get(ContractRoles.create_id(C2)) if hasattr(e, "staff_id")]
        assert closed.staff_id == ann_id

    def test_restoring_an_email_records_the_specialist(self, services: Services, client: ContractsClient) -> None:
        imported = client.simulate_post("/v1/staff/legacy-accounts", headers=client.staff,
                                        json={"login": "ivanov77", "password": PASSWORD})
        account_id = imported.json["account_id"]

        written(client.simulate_put(f"/v1/staff/accounts/{account_id}/email", headers=client.staff,
                                    json={"email": "iv@example.com"}))

        restored = next(e for e in services.app.events.get(uuid.UUID(account_id)) if isinstance(e, Account.EmailRestored))
        assert restored.staff_id == str(staff.staff_member_id(services, "specialist"))

    def test_x_staff_id_is_refused_not_believed(self, client: ContractsClient, mailbox: Mailbox) -> None:
        alice = holder(client, mailbox)

        result = client.simulate_put(f"/v1/staff/contracts/{C1}/administrator",
                                     headers={**client.staff, "X-Staff-Id": "someone-else"},
                                     json={"account_id": alice["account_id"]})

        assert_problem(result, 422, "validation_failed", field="X-Staff-Id", wrote=0)


class TestRevokedTokens:
    def test_a_revoked_token_is_refused_on_the_next_request(self, services: Services, client: ContractsClient) -> None:
        issued = staff.issue_staff_token(services, staff.OPERATOR, "specialist")
        assert read(client.simulate_get("/v1/staff/administrator-requests", headers=bearer(issued.token)))

        staff.revoke_staff_token(services, staff.OPERATOR, "specialist", issued.token_id)

        assert_problem(client.simulate_get("/v1/staff/administrator-requests", headers=bearer(issued.token)),
                       401, "unauthenticated")
        assert read(client.simulate_get("/v1/staff/administrator-requests", headers=client.staff))  # the other one

    def test_a_revoked_specialist_is_refused_on_the_next_request(self, services: Services,
                                                                  client: ContractsClient) -> None:
        staff.revoke_staff_member(services, staff.OPERATOR, "specialist")

        result = client.simulate_get("/v1/staff/administrator-requests", headers=client.staff)

        body = assert_problem(result, 401, "unauthenticated", wrote=0)
        assert body["detail"] == "Требуется ключ специалиста сбытовой компании"


STAFF_OPERATIONS = sorted((m, t) for t, r in ROUTES for m in r.OPERATIONS if getattr(r, "auth", "customer") == "staff")
CUSTOMER_OPERATIONS = sorted((m, t) for t, r in ROUTES for m in r.OPERATIONS
                             if getattr(r, "auth", "customer") == "customer")


def concrete(template: str, account_id: str) -> str:
    return (template.replace("{contract_number}", C1).replace("{account_id:uuid}", account_id)
            .replace("{session_id:uuid}", account_id).replace("{act_id:uuid}", account_id).replace("{number}", "1"))


class TestTokensStayOnTheirSide:
    def test_a_customer_token_never_passes_on_any_staff_route(self, client: ContractsClient,
                                                               mailbox: Mailbox) -> None:
        alice = holder(client, mailbox)
        assert STAFF_OPERATIONS
        for method, template in STAFF_OPERATIONS:
            result = client.simulate_request(method, concrete(template, alice["account_id"]),
                                             headers=bearer(alice["token"]), json={"account_id": alice["account_id"]})
            assert_problem(result, 401, "unauthenticated", wrote=0)

    def test_a_staff_token_never_passes_on_any_customer_route(self, client: ContractsClient,
                                                               mailbox: Mailbox) -> None:
        alice = holder(client, mailbox)
        assert len(CUSTOMER_OPERATIONS) > 10  # noqa: PLR2004
        for method, template in CUSTOMER_OPERATIONS:
            result = client.simulate_request(method, concrete(template, alice["account_id"]),
                                             headers=client.staff, json={})
            assert_problem(result, 401, "unauthenticated", wrote=0)


def test_the_retired_shared_token_stops_the_server_instead_of_locking_staff_out(services: Services) -> None:
    with pytest.raises(ConfigurationError, match="lkk staff create"):
        app_for(services, {"LKK_STAFF_TOKEN": "staff-secret"})
    assert app_for(services, {}) is not None
    assert create_app(services) is not None


# -- the command line --------------------------------------------------------------------------


class TestImportLegacyTakesNoPasswordInArgv:
    @pytest.mark.parametrize("option", ["--password", "--pass", "--password=Secret#123", "-p"])
    def test_the_parser_refuses_a_password_option(self, option: str, capsys: pytest.CaptureFixture[str]) -> None:
        argv = ["staff", "--as", "ann", "import-legacy", "--login", "ivanov77", option, "Secret#123"]

        with pytest.raises(SystemExit) as caught:
            cli.parser().parse_args(argv)

        assert caught.value.code == 2  # noqa: PLR2004  (argparse's usage error)
        assert "unrecognized arguments" in capsys.readouterr().err

    def test_no_option_of_any_staff_command_is_a_password(self) -> None:
        staff_parser = next(a for a in cli.parser()._subparsers._group_actions[0].choices.items()  # noqa: SLF001
                            if a[0] == "staff")[1]
        options = [o for sub in staff_parser._subparsers._group_actions[0].choices.values()  # noqa: SLF001
                   for action in sub._actions for o in action.option_strings]  # noqa: SLF001
        assert "--password-file" in options
        assert not [o for o in options if "password" in o and o != "--password-file"]

    def test_the_password_is_read_from_a_file_or_standard_input(self, tmp_path: Any) -> None:
        secret = tmp_path / "password.txt"
        secret.write_text("Secret #123\nignored\n", encoding="utf-8")
        piped = io.StringIO("From #Stdin\r\n")

        from_file = cli._legacy_password(cli.parser().parse_args(  # noqa: SLF001
            ["staff", "import-legacy", "--login", "x", "--password-file", str(secret)]), io.StringIO())
        from_stdin = cli._legacy_password(cli.parser().parse_args(  # noqa: SLF001
            ["staff", "import-legacy", "--login", "x"]), piped)

        assert (from_file, from_stdin) == ("Secret #123", "From #Stdin")

    def test_on_a_terminal_the_password_is_prompted_for_without_echo(self, monkeypatch: pytest.MonkeyPatch) -> None:
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        prompts: list[str] = []
        monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "Typed#123")

        typed = cli._legacy_password(cli.parser().parse_args(  # noqa: SLF001
            ["staff", "import-legacy", "--login", "x"]), Terminal())

        assert typed == "Typed#123" and prompts == ["Пароль переносимого пользователя: "]


def test_the_staff_context_decides_who_a_console_command_acts_as(services: Services) -> None:
    issued = created(services)
    assert staff.acting_staff(services, " ANN.petrova") == StaffActor(issued.staff_id)
    refused(services, lambda: staff.acting_staff(services, "nobody"), code="not_found", field="login",
            message="Специалист не найден")
    assert isinstance(services.app.repository.get(staff.staff_member_id(services, ANN.login)), StaffMember)
    assert contracts.open_administrator_requests(services, staff.acting_staff(services, ANN.login)) == []
