"""The OpenAPI document says what the server does (issue 10, «Hardening»).

Per operation: the problems it can answer (status → an enum of codes, each code's
extra fields), the headers that come with them, readable operationIds, ``servers``;
and the request schemas describe exactly what the command models accept, so that
a generated request is never refused for its shape and a malformed one never
accepted (the properties below; schemathesis checks the whole API in
tests/e2e/test_openapi_conformance.py).
"""

from __future__ import annotations

import re
from typing import Any

import falcon.testing
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from adapters.http.app import ROUTES, create_app
from adapters.http.openapi import openapi, refusals
from adapters.http.request_schema import RequestJsonSchema
from lkk_core.accounts import commands as account_commands
from lkk_core.accounts.phones import PHONE_PATTERN, normalise_phone
from lkk_core.kernel.commands import EMAIL_PATTERN, _check_email
from lkk_core.kernel.errors import LkkError
from lkk_core.kernel.services import Services
from tests.contracts_support import C1
from tests.http_contracts_support import administrator_of
from tests.http_support import RecordingClient, assert_documented, bearer, staff_headers
from tests.support import Mailbox

DOCUMENT = openapi(ROUTES)
OPERATIONS = [(path, method, operation) for path, item in DOCUMENT["paths"].items()
              for method, operation in item.items()]


def _resolve(ref: dict[str, Any]) -> dict[str, Any]:
    return DOCUMENT["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def _codes(response: dict[str, Any]) -> set[str]:
    schema = response["content"]["application/problem+json"]["schema"]
    return {_resolve(ref)["properties"]["code"]["const"] for ref in schema.get("oneOf", [schema])}


# -- the document ---------------------------------------------------------------------------


def test_issue10_operation_ids_are_readable_and_unique() -> None:
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", name) for name in ids), ids
    assert {"getMe", "submitReadings", "listContractUsers", "staffListContractUsers"} <= set(ids)


def test_issue10_every_problem_status_lists_its_codes_with_their_headers() -> None:
    for path, method, operation in OPERATIONS:
        problems = {int(status): response for status, response in operation["responses"].items()
                    if int(status) >= 400}
        assert "4XX" not in operation["responses"]
        if "security" in operation:
            assert "unauthenticated" in _codes(problems[401]), (method, path)
            assert problems[401]["headers"]["WWW-Authenticate"]["required"] is True
        if "requestBody" in operation:  # a body: too large, not JSON, malformed, invalid
            assert {400, 413, 415, 422} <= set(problems), (method, path)
            assert _codes(problems[413]) == {"payload_too_large"}
        if 429 in problems:
            assert problems[429]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        for response in problems.values():
            for code in _codes(response):
                schema = DOCUMENT["components"]["schemas"]["".join(p.title() for p in code.split("_")) + "Problem"]
                assert set(schema["required"]) == {"type", "title", "status", "code", "detail"}
                assert schema["properties"]["status"] == {"title": "Status", "type": "integer"}  # no detail shadows it
    resend = DOCUMENT["paths"]["/v1/sessions/confirmation/code"]["post"]["responses"]
    assert _codes(resend["429"]) == {"rate_limited"}
    assert _resolve(resend["429"]["content"]["application/problem+json"]["schema"])["properties"]["retry_after"]


def test_issue10_writes_answer_their_position_and_reads_accept_it() -> None:
    for path, method, operation in OPERATIONS:
        successes = [r for status, r in operation["responses"].items() if int(status) < 300]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        writes = all("X-Lkk-Position" in r.get("headers", {}) for r in successes)
        assert writes or not any("X-Lkk-Position" in r.get("headers", {}) for r in successes), (method, path)
        assert writes == (method != "get" or operation["operationId"] == "followBindingLink") or (
            operation["operationId"] == "requestPasswordReset"), (method, path)
        assert ("X-Lkk-Position" in headers) == (method == "get" and not writes), (method, path)


def test_issue10_the_contract_number_is_14_digits_in_every_path() -> None:
    for path, _, operation in OPERATIONS:
        for parameter in operation["parameters"]:
            if parameter["name"] == "contract_number" and parameter["in"] == "path":
                pattern = parameter["schema"]["pattern"]
                assert re.search(pattern, "10000000000001") and not re.search(pattern, "1000000000000"), path


def test_issue10_servers_are_the_address_asked_then_relative(services: Services) -> None:
    client = falcon.testing.TestClient(create_app(services))
    served = client.simulate_get("/openapi.json", headers={"Host": "lkk.example.ru:8443"}).json
    assert served["servers"] == [{"url": "http://lkk.example.ru:8443", "description": "this server"},
                                 {"url": "/", "description": "the server that serves this document"}]
    assert {key: value for key, value in served.items() if key != "servers"} == {
        key: value for key, value in DOCUMENT.items() if key != "servers"}


# -- every problem the HTTP tests see is declared -------------------------------------------


class _Answer:
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.status_code, self.json, self.headers = status, body, headers or {}


def test_issue10_an_undeclared_problem_fails_the_http_tests() -> None:
    # A 409 from GET /v1/me would be a domain error ``Me`` does not declare in its refusals.
    with pytest.raises(AssertionError, match=r"does not declare .*Me.OPERATIONS\['GET'\].refusals"):
        assert_documented("GET", "/v1/me", _Answer(409, {"code": "conflict"}))
    assert_documented("GET", "/v1/me", _Answer(404, {"code": "not_found"}))
    with pytest.raises(AssertionError, match="a write without its position"):
        assert_documented("PUT", "/v1/me/phone", _Answer(200, {"position": 1}))


def test_issue10_refusals_follow_from_the_shape_and_the_declared_errors() -> None:
    resources = dict(ROUTES)
    found = refusals("/v1/contracts/{contract_number}/roles/{account_id:uuid}",
                     resources["/v1/contracts/{contract_number}/roles/{account_id:uuid}"], "DELETE")
    assert found == {401: {"unauthenticated"}, 404: {"not_found"}, 403: {"forbidden"}, 422: {"validation_failed"}}
    assert refusals("/v1/sessions", resources["/v1/sessions"], "POST")[401] == {"wrong_credentials"}
    for _, resource in ROUTES:
        for operation in resource.OPERATIONS.values():
            assert all(issubclass(error, LkkError) for error in operation.refusals)


# -- the request schemas say what the models accept ------------------------------------------


def _field_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=RequestJsonSchema)["properties"][name]
    return next(s for s in schema.get("anyOf", [schema]) if s.get("type") == "string")


def _accepts(model: type[BaseModel], name: str, value: str, **others: Any) -> bool:
    try:
        model.model_validate({**others, name: value})
    except (ValidationError, LkkError):
        return False
    return True


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\ufeff\x00\x01\x7f@.+-()7 8"), max_size=120)
# (model, field, other required fields, a value it accepts)
FIELDS = [
    (account_commands.SavePersonalData, "last_name", {"first_name": "Анна"}, " Иванова "),
    (account_commands.SavePersonalData, "patronymic", {"first_name": "Анна", "last_name": "Иванова"}, ""),
    (account_commands.LogIn, "identifier", {"password": "x"}, "alice"),
    (account_commands.LogIn, "password", {"identifier": "alice"}, " secret "),
    (account_commands.EnterCode, "code", {}, " 12345 "),
    (account_commands.ImportLegacyAccount, "login", {"password": "x"}, " ivanov "),
    (account_commands.ChangeEmail, "email", {}, " alice@example.com "),
    (account_commands.SavePhone, "phone", {}, "+7 (812) 123-12-31"),
]


@pytest.mark.parametrize(("model", "name", "others", "accepted"), FIELDS,
                         ids=[f"{m.__name__}.{n}" for m, n, _, _ in FIELDS])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_issue10_a_field_pattern_accepts_exactly_what_the_model_accepts(
    model: type[BaseModel], name: str, others: dict[str, Any], accepted: str, data: st.DataObject
) -> None:
    schema = _field_schema(model, name)
    described = jsonschema_rs.validator_for(schema)  # as schemathesis validates: the JSON Schema's regex dialect
    assert described.is_valid(accepted) and _accepts(model, name, accepted, **others)
    value = data.draw(TEXT | st.from_regex(schema["pattern"], fullmatch=True), label="value")
    if described.is_valid(value):
        assert _accepts(model, name, value, **others), f"the schema allows {value!r}, the model refuses it"
    else:
        # The patterns of the e-mail and the phone are subsets (bounded parts); the rest are exact.
        assert name in ("email", "phone") or not _accepts(model, name, value, **others), (
            f"the model accepts {value!r}, the schema does not")


@settings(max_examples=500, deadline=None)
@given(value=st.emails() | st.text(st.sampled_from("ab@.\x85 \x1c\t"), max_size=12) | st.from_regex(EMAIL_PATTERN))
def test_issue10_the_email_pattern_is_the_check_of_the_address(value: str) -> None:
    stripped = value.strip(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                           "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
    try:
        _check_email(stripped)
        valid = not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", stripped) and 3 <= len(stripped) <= 254
    except ValueError:
        valid = False
    if re.fullmatch(EMAIL_PATTERN, value):
        assert valid, value
    elif len(stripped.partition("@")[0]) <= 64 and len(stripped) < 180:
        assert not valid, value


@settings(max_examples=500, deadline=None)
@given(value=st.text(st.sampled_from("+78 0123()-\t"), max_size=24) | st.from_regex(PHONE_PATTERN))
def test_issue10_the_phone_pattern_is_the_phone_rule(value: str) -> None:
    try:
        normalise_phone(value.strip())
        valid = True
    except LkkError:
        valid = False
    if re.fullmatch(PHONE_PATTERN, value):
        assert valid, value
    elif not re.search(r"[ ()\-]{3}", value):  # the pattern allows two separators in a row, the rule more
        assert not valid, value


# -- defects the conformance run found -------------------------------------------------------


@pytest.fixture
def admin(services: Services, mailbox: Mailbox) -> tuple[RecordingClient, dict[str, str]]:
    client = RecordingClient(create_app(services))
    client.staff = staff_headers(services)
    return client, bearer(administrator_of(client, mailbox, C1, "alice@example.com")["token"])


@pytest.mark.parametrize("seen", ["²", "١٢", "-1", "1.5", "", "9" * 40, str(2**63)])
def test_issue10_a_malformed_read_position_is_422_not_500(admin: tuple[RecordingClient, dict[str, str]],
                                                          seen: str) -> None:
    client, headers = admin
    result = client.simulate_get("/v1/me", headers={**headers, "X-Lkk-Position": seen})
    assert result.status_code == 422 and result.json["field"] == "X-Lkk-Position", result.text


@pytest.mark.parametrize("query", ["period=0", "period=1700000000", "period=2024-05-01T00:00:00", "period=2024-5-1"])
def test_issue10_a_date_is_yyyy_mm_dd_not_a_unix_time(admin: tuple[RecordingClient, dict[str, str]],
                                                     query: str) -> None:
    client, headers = admin
    result = client.simulate_get("/v1/readings", headers=headers, query_string=query)
    assert result.status_code == 422 and result.json["field"] == "period", result.text
    assert client.simulate_get("/v1/readings", headers=headers, query_string="period=2024-05-01").status_code == 200


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_issue10_a_boolean_is_true_or_false(admin: tuple[RecordingClient, dict[str, str]], value: Any) -> None:
    client, headers = admin
    result = client.simulate_put("/v1/me/two-factor", headers=headers, json={"enabled": value})
    assert result.status_code == 422 and result.json["field"] == "enabled", result.text


@pytest.mark.parametrize(("query", "months"), [("period_to=0001-03-01", ("0001-01-01", "0001-03-01")),
                                               ("period_from=9999-05-01", ("9999-05-01", "9999-12-01"))])
def test_issue10_his07_the_default_year_stops_at_the_calendars_ends(
    admin: tuple[RecordingClient, dict[str, str]], query: str, months: tuple[str, str]
) -> None:
    # A year back from «По» 0001-03-01 was year 0: a 500 (schemathesis found it).
    client, headers = admin
    for path in ("/v1/readings/history", "/v1/readings/history/export.xlsx"):
        result = client.simulate_get(path, headers=headers, query_string=query)
        assert result.status_code == 200, result.text
    body = client.simulate_get("/v1/readings/history", headers=headers, query_string=query).json
    assert (body["period_from"], body["period_to"]) == months
