"""Typed end to end (issue 9): the contract number checked once where it enters (CON-02), queries as dataclasses.

The number's rule lives in one type, ``ContractNumber``: a command model, a
query string, a path parameter and the CLI's ``valid_contract_number`` refuse
a wrong one alike. Queries hand out frozen dataclasses with typed values
(UUID, datetime, Decimal, enums); the HTTP answer keeps the text it always had.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pydantic
import pytest

from adapters.cli import main as cli
from adapters.http.app import ROUTES
from lkk_core import accounts, contracts, readings
from lkk_core.accounts import ProfileView, SessionsView
from lkk_core.contracts import ContractsView, RequestBinding
from lkk_core.kernel.access import valid_contract_number
from lkk_core.kernel.billing import Quantity
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.errors import ValidationFailed
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.readings import ReadingsFilter, ReadingsHistoryFilter, SubmitReadings, UploadIntervalProfile
from tests.contracts_support import C1, C2, bound
from tests.http_contracts_support import ContractsClient, administrator_of, read
from tests.http_support import assert_problem, bearer
from tests.readings_support import C5, EO1, FIG12, INSIDE, PERIOD, administrator, install, install_interval
from tests.support import Mailbox, registered

WRONG_NUMBER = "Номер договора должен состоять из 14 цифр"
WRONG = ["1000000000000", "100000000000011", "1000000000000A", "１０００００００００００００１", "", "   ", "1" * 101]


def refusal(caught: pytest.ExceptionInfo[ValidationFailed]) -> tuple[str, str]:
    return caught.value.message, caught.value.details["field"]


class TestOneContractNumberType:
    @pytest.mark.parametrize("typed", WRONG)
    @pytest.mark.parametrize("build", [
        lambda n: RequestBinding(contract_number=n, email="alice@example.com"),
        lambda n: SubmitReadings(contract_number=n, period=PERIOD, readings=[]),
        lambda n: UploadIntervalProfile(contract_number=n, energy_object="1", meter_number="1", period=PERIOD,
                                        kind="Фактические", values=[]),
        lambda n: ReadingsFilter(contract_number=n),
        lambda n: ReadingsHistoryFilter(contract_number=n),
        valid_contract_number,
    ], ids=["binding", "submission", "interval", "page_filter", "history_filter", "path_or_cli"])
    def test_con02_every_entry_refuses_a_wrong_number_with_the_rule_and_the_field(self, build: Any, typed: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            build(typed)
        assert refusal(caught) == (WRONG_NUMBER, "contract_number")

    def test_con02_every_entry_ignores_surrounding_spaces(self) -> None:
        typed = f"  {C1} "
        assert RequestBinding(contract_number=typed, email="alice@example.com").contract_number == C1
        assert ReadingsFilter(contract_number=typed).contract_number == C1
        assert ReadingsHistoryFilter(contract_number=typed).contract_number == C1
        assert valid_contract_number(typed) == C1

    @pytest.mark.parametrize("command", ["contract-users", "grant-administrator", "revoke-role", "refuse-request"])
    def test_con02_the_command_line_refuses_a_wrong_number_before_anything_runs(
        self, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["staff", command, "1000000000001", *([] if command == "contract-users" else ["alice@example.com"])]

        assert cli.main(argv) == 2  # noqa: PLR2004  (a domain error's exit status)
        assert capsys.readouterr().err == f"lkk: {WRONG_NUMBER} (contract_number) [validation_failed]\n"

    def test_con02_a_number_that_is_not_text_is_a_pydantic_refusal_the_adapter_maps(self) -> None:
        # Not CON-02's case (the form field is text): JSON's 10000000000001 without quotes.
        with pytest.raises(pydantic.ValidationError):
            RequestBinding.model_validate({"contract_number": 10000000000001, "email": "alice@example.com"})

    def test_con02_the_openapi_document_gives_the_rule_of_the_body_field(self) -> None:
        schema = RequestBinding.model_json_schema()["properties"]["contract_number"]
        assert schema["type"] == "string"
        # 14 digits, with the spaces str.strip() removes around them (issue 10: not ECMA's \s, another set).
        pattern = re.compile(schema["pattern"])
        assert pattern.fullmatch(" \x1c10000000000001\u3000") and not pattern.fullmatch("\ufeff10000000000001")
        assert not pattern.fullmatch("1000000000000") and not pattern.fullmatch("1000000000000a")


@pytest.fixture
def client(services: Services, clock: FixedClock) -> ContractsClient:
    clock.set(INSIDE)
    install(services)
    return ContractsClient.over(services)


class TestQueryStrings:
    @pytest.mark.parametrize("path", ["/v1/readings", "/v1/readings/history", "/v1/readings/interval-acts",
                                      "/v1/readings/integral-template"])
    def test_con02_a_wrong_number_in_the_query_string_is_422_with_the_rule(
        self, client: ContractsClient, mailbox: Mailbox, path: str
    ) -> None:
        admin = administrator_of(client, mailbox, C5, "client5@mail.ru")
        params = {"contract_number": "1000000000005", "period": PERIOD.isoformat(), "meter_number": FIG12}

        body = assert_problem(client.simulate_get(path, headers=bearer(admin["token"]), params=params), 422,
                              "validation_failed")

        assert (body["detail"], body["field"]) == (WRONG_NUMBER, "contract_number")

    def test_con02_the_page_filter_ignores_surrounding_spaces(self, client: ContractsClient, mailbox: Mailbox) -> None:
        admin = administrator_of(client, mailbox, C5, "client5@mail.ru")
        params = {"contract_number": f" {C5} ", "period": PERIOD.isoformat()}

        shown = read(client.simulate_get("/v1/readings", headers=bearer(admin["token"]), params=params))

        assert [block["contract_number"] for block in shown["items"]] == [C5]


def frozen(value: object) -> None:
    assert dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]


class TestQueriesAreTyped:
    def test_con01_con05_my_contracts_rows_are_typed(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        bound(services, mailbox, alice, C1)
        contracts.request_binding(services, alice, RequestBinding(contract_number=C2, email="alice@example.com"))

        listed, pending = contracts.my_contracts(services, alice)

        frozen(listed)
        assert (listed.status, listed.role, listed.role_label) == ("bound", Role.MANAGER, "Руководитель")
        assert pending.status == "pending" and isinstance(pending.binding_id, UUID)
        assert isinstance(pending.requested_at, datetime) and pending.requested_at.tzinfo is not None
        assert pending.expires_at > pending.requested_at

    def test_rol06_rol13_holders_and_requests_are_typed(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        bound(services, mailbox, alice, C1)
        contracts.request_administrator(services, alice, C1)

        [user] = contracts.staff_contract_users(services, StaffActor("staff-1"), C1)
        [asked] = contracts.open_administrator_requests(services, StaffActor("staff-1"))

        frozen(user)
        assert (user.account_id, user.role, user.email, user.energy_objects) == (
            alice.account_id, Role.MANAGER, "alice@example.com", None)
        assert isinstance(user.since, datetime)
        assert (asked.account_id, asked.contract_number) == (alice.account_id, C1)
        assert isinstance(asked.request_id, UUID) and isinstance(asked.requested_at, datetime)

    def test_prf01_acc14_profile_and_sessions_are_typed(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)

        profile = services.views.of(ProfileView).profile(alice.account_id)
        [session] = services.views.of(SessionsView).sessions(alice.account_id, alice.session_id)

        frozen(profile)
        assert isinstance(profile, accounts.Profile) and profile.account_id == alice.account_id
        assert isinstance(profile.registered_at, datetime) and profile.stage == "done"
        assert isinstance(session, accounts.SessionRow)
        assert (session.session_id, session.current, session.ended_at) == (alice.session_id, True, None)
        assert isinstance(session.started_at, datetime)

    def test_rdg01_rdg02_the_readings_page_is_typed(self, services: Services, mailbox: Mailbox) -> None:
        admin = administrator(services, mailbox)

        page = readings.readings_page(services, admin, ReadingsFilter(period=PERIOD))

        frozen(page)
        assert isinstance(page, readings.ReadingsPage) and page.period == PERIOD
        [block] = page.items
        meter = next(m for eo in block.energy_objects for p in eo.metering_points for m in p.meters
                     if m.number == FIG12)
        [scale] = meter.scales
        assert isinstance(scale, readings.ScaleRow) and scale.quantity is Quantity.ACTIVE_IMPORT
        assert scale.previous == Decimal("12441.00") and isinstance(scale.previous_period, date)

    def test_his07_rdg17_history_and_interval_acts_are_typed(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        clock.set(INSIDE)
        admin = administrator(services, mailbox)
        install_interval(services)
        values = [[Decimal("1.5")] * 28 for _ in range(24)]
        readings.upload_interval_profile(services, admin, UploadIntervalProfile(
            contract_number=C5, energy_object=EO1, meter_number=FIG12, period=PERIOD, kind="Фактические",
            values=values))

        history = readings.readings_history(services, admin, ReadingsHistoryFilter())
        acts = readings.interval_acts(services, admin, C5, FIG12, PERIOD)

        frozen(history)
        assert isinstance(history, readings.ReadingsHistory) and isinstance(history.period_from, date)
        assert all(isinstance(c, readings.HistoryContract) for c in history.contracts)
        frozen(acts)
        assert isinstance(acts, readings.IntervalActs) and acts.kinds == ("Фактические", "Расчётные")
        [act] = acts.acts
        assert isinstance(act, readings.IntervalActRow) and isinstance(act.act_id, UUID)
        assert (act.total, act.created_at, act.current) == (Decimal("1008.0"), INSIDE, True)


class TestHttpAnswersKeepTheirText:
    def test_con05_rol06_timestamps_answer_the_text_the_view_stores(
        self, services: Services, client: ContractsClient, mailbox: Mailbox
    ) -> None:
        admin = administrator_of(client, mailbox, C5, "client5@mail.ru")
        actor = accounts.authenticate(services, admin["token"])
        view = services.views.of(ContractsView)
        [held] = view.holders(C5)

        [user] = read(client.simulate_get(f"/v1/contracts/{C5}/users", headers=bearer(admin["token"])))["items"]
        [staffs] = read(client.simulate_get(f"/v1/staff/contracts/{C5}/users", headers=client.staff))["items"]

        assert user["since"] == staffs["since"] == held["since"]
        assert user["account_id"] == str(actor.account_id) and user["role"] == "ADMINISTRATOR"

    def test_acc14_prf01_session_and_profile_times_answer_the_text_the_view_stores(
        self, services: Services, client: ContractsClient, mailbox: Mailbox
    ) -> None:
        admin = administrator_of(client, mailbox, C5, "client5@mail.ru")
        actor: Actor = accounts.authenticate(services, admin["token"])
        [stored] = services.views.of(SessionsView).rows(
            "SELECT started_at FROM {sessions} WHERE account_id = ?", [str(actor.account_id)])
        [registered_at] = services.views.of(ProfileView).rows(
            "SELECT registered_at FROM {profile} WHERE account_id = ?", [str(actor.account_id)])

        [session] = read(client.simulate_get("/v1/me/sessions", headers=bearer(admin["token"])))["items"]
        me = read(client.simulate_get("/v1/me", headers=bearer(admin["token"])))

        assert session["started_at"] == stored["started_at"]
        assert me["registered_at"] == registered_at["registered_at"]


def test_every_answer_model_lives_in_its_contexts_schemas_module() -> None:
    for _, resource in ROUTES:
        context = resource.__module__.rsplit(".", 1)[-1]
        for operation in resource.OPERATIONS.values():
            for model in (operation.returns, *(m for _, m in operation.alternatives)):
                if model is not None:
                    assert model.__module__ in (f"adapters.http.schemas.{context}", "adapters.http.schemas.common"), (
                        resource.__name__, model.__name__)
                    assert model.model_config.get("from_attributes") is True, model.__name__
