"""The HTTP API of accounts (DOMAIN.md §1, AS-01 … AS-14) through Falcon's test client.

Every answer is checked for its status and body; every error is a problem
document (RFC 9457) with lkk's ``code``; nothing answers 500.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.http import problems
from adapters.http.app import ROUTES, create_app
from lkk_core.kernel import errors
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.services import Services
from tests.http_support import (
    CHROME_UA,
    FIREFOX_UA,
    PROBLEM,
    RecordingClient,
    assert_problem,
    bearer,
    every_operation,
    media_type,
    staff_headers,
)
from tests.support import PASSWORD, Mailbox

NEW_PASSWORD = "Newpass#1"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def client(services: Services) -> RecordingClient:
    client = RecordingClient(create_app(services), headers={"User-Agent": CHROME_UA})
    client.staff = staff_headers(services)
    return client


@pytest.fixture
def small_client(services: Services) -> RecordingClient:
    return RecordingClient(create_app(services, max_body_bytes=1024),
                           headers={"User-Agent": CHROME_UA})


# -- steps of the story --------------------------------------------------------------


def register(client: RecordingClient, email: str = "alice@example.com", **extra: Any) -> dict:
    result = client.simulate_post("/v1/registrations", json={
        "email": email, "password": PASSWORD, "agreement_accepted": True, **extra})
    assert result.status_code == 201, result.text
    assert media_type(result) == "application/json"
    body = result.json
    assert set(body) == {"account_id", "session_id", "token", "stage", "position"}
    assert UUID_RE.match(body["account_id"]) and UUID_RE.match(body["session_id"])
    assert body["token"] and body["stage"] == "email_code"
    assert result.headers["X-Lkk-Position"] == str(body["position"])
    return body


def me(client: RecordingClient, token: str) -> dict:
    result = client.simulate_get("/v1/me", headers=bearer(token))
    assert result.status_code == 200, result.text
    return result.json


def written(result: Any, status: int = 200) -> int:
    """Check a command's answer: the status, ``{"position": n}`` and the same position in the header."""
    assert result.status_code == status, result.text
    assert media_type(result) == "application/json"
    assert set(result.json) == {"position"}
    assert isinstance(result.json["position"], int) and result.json["position"] > 0
    assert result.headers["X-Lkk-Position"] == str(result.json["position"])
    return result.json["position"]


def confirm_email(client: RecordingClient, mailbox: Mailbox, token: str, email: str) -> None:
    code = mailbox.last_code(email)
    written(client.simulate_post("/v1/me/email/confirmation", headers=bearer(token), json={"code": code}))


def onboarded(client: RecordingClient, mailbox: Mailbox, email: str = "alice@example.com") -> dict:
    """AS-01 over HTTP: register, confirm, personal data, phone; return the registration's answer."""
    reg = register(client, email)
    confirm_email(client, mailbox, reg["token"], email)
    written(client.simulate_put("/v1/me/personal-data", headers=bearer(reg["token"]),
                                json={"last_name": "Иванова", "first_name": "Анна"}))
    written(client.simulate_put("/v1/me/phone", headers=bearer(reg["token"]), json={"phone": "+7 812 123-12-31"}))
    return reg


def log_in(client: RecordingClient, identifier: str = "alice@example.com", password: str = PASSWORD,
           user_agent: str = CHROME_UA, status: int = 201) -> dict:
    result = client.simulate_post("/v1/sessions", json={"identifier": identifier, "password": password},
                                  headers={"User-Agent": user_agent})
    assert result.status_code == status, result.text
    return result.json


def unauthenticated(client: RecordingClient, token: str) -> None:
    result = client.simulate_get("/v1/me", headers=bearer(token))
    assert_problem(result, 401, "unauthenticated")
    assert result.headers["WWW-Authenticate"] == "Bearer"


# -- the whole story: every route of ROUTES --------------------------------------------


def test_every_route_of_the_table_in_one_account_story(
    client: RecordingClient, mailbox: Mailbox, clock: FixedClock
) -> None:
    # AS-01: register, confirm the code, personal data, phone.
    reg = register(client)
    token = reg["token"]
    assert me(client, token)["stage"] == "email_code"
    confirm_email(client, mailbox, token, "alice@example.com")
    assert me(client, token)["stage"] == "personal_data"
    written(client.simulate_put("/v1/me/personal-data", headers=bearer(token),
                                json={"last_name": "Иванова", "first_name": "Анна", "organisation": "ООО «Ромашка»"}))
    assert me(client, token)["stage"] == "phone"
    written(client.simulate_put("/v1/me/phone", headers=bearer(token), json={"phone": "+7 812 123-12-31"}))
    profile = me(client, token)
    assert profile["stage"] == "done" and profile["phone"] == "+78121231231" and profile["email_confirmed"]

    # AS-11: 2FA on, a login from Firefox waits for its code.
    written(client.simulate_put("/v1/me/two-factor", headers=bearer(token), json={"enabled": True}))
    assert me(client, token)["two_factor"] is True
    held = log_in(client, user_agent=FIREFOX_UA, status=202)
    assert set(held) == {"account_id", "challenge_id", "position"} and held["account_id"] == reg["account_id"]
    ids = {"account_id": held["account_id"], "challenge_id": held["challenge_id"]}
    refused = client.simulate_post("/v1/sessions/confirmation/code", json=ids)
    assert_problem(refused, 429, "rate_limited")
    clock.advance(seconds=60)
    written(client.simulate_post("/v1/sessions/confirmation/code", json=ids), 202)
    confirmed = client.simulate_post("/v1/sessions/confirmation",
                                     json={**ids, "code": mailbox.last_code("alice@example.com")},
                                     headers={"User-Agent": FIREFOX_UA})
    assert confirmed.status_code == 201, confirmed.text
    firefox = confirmed.json
    assert firefox["token"] and firefox["stage"] == "done"

    # AS-12: the sessions list, ending the other session.
    sessions = client.simulate_get("/v1/me/sessions", headers=bearer(token))
    assert sessions.status_code == 200
    rows = {row["session_id"]: row for row in sessions.json["items"]}
    assert set(rows) == {reg["session_id"], firefox["session_id"]}
    assert rows[reg["session_id"]]["current"] is True and rows[firefox["session_id"]]["current"] is False
    assert rows[firefox["session_id"]]["browser"] == "Mozilla Firefox"
    written(client.simulate_delete(f"/v1/me/sessions/{firefox['session_id']}", headers=bearer(token)))
    unauthenticated(client, firefox["token"])

    # AS-13: change the password.
    written(client.simulate_put("/v1/me/password", headers=bearer(token), json={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}))
    log_in(client, password=PASSWORD, status=401)
    log_in(client, password=NEW_PASSWORD)

    # AS-14: change the e-mail, confirm the new one.
    written(client.simulate_put("/v1/me/email", headers=bearer(token), json={"email": "anna@example.com"}))
    assert me(client, token)["email_confirmed"] is False
    written(client.simulate_post("/v1/me/email/code", headers=bearer(token)), 202)
    confirm_email(client, mailbox, token, "anna@example.com")
    assert me(client, token)["email"] == "anna@example.com" and me(client, token)["email_confirmed"]

    # AS-09: recovery; the answer is the same for an unknown e-mail; all sessions end.
    known = client.simulate_post("/v1/password-recovery", json={"email": "anna@example.com"})
    unknown = client.simulate_post("/v1/password-recovery", json={"email": "nobody@example.com"})
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text) == (202, "{}")
    written(client.simulate_post("/v1/password-recovery/confirmation", json={
        "email": "anna@example.com", "code": mailbox.last_code("anna@example.com"),
        "new_password": PASSWORD, "new_password_again": PASSWORD}))
    unauthenticated(client, token)

    # AS-12 (ACC-15): log in, log out.
    token = log_in(client, "anna@example.com")["token"]
    written(client.simulate_post("/v1/logout", headers=bearer(token)))
    unauthenticated(client, token)

    # AS-07: delete the account; the e-mail is free again.
    token = log_in(client, "anna@example.com")["token"]
    written(client.simulate_post("/v1/me/deletion", headers=bearer(token), json={"password": PASSWORD}))
    unauthenticated(client, token)
    log_in(client, "anna@example.com", status=401)
    assert register(client, "anna@example.com")["account_id"] != reg["account_id"]

    # AS-10: staff import a legacy account and restore its e-mail.
    staff = client.staff
    imported = client.simulate_post("/v1/staff/legacy-accounts", headers=staff,
                                    json={"login": "ivanov77", "password": PASSWORD})
    assert imported.status_code == 201 and set(imported.json) == {"account_id"}
    account_id = imported.json["account_id"]
    written(client.simulate_put(f"/v1/staff/accounts/{account_id}/email", headers=staff,
                                json={"email": "iv@example.com"}))
    legacy = log_in(client, "ivanov77")
    assert me(client, legacy["token"])["email"] == "iv@example.com"
    assert me(client, legacy["token"])["email_confirmed"] is False

    assert every_operation("accounts") - client.hits == set()


# -- focused checks ---------------------------------------------------------------------


def test_registration_answers_201_with_a_token_that_authenticates(client: RecordingClient) -> None:
    reg = register(client, advertising=True)

    profile = me(client, reg["token"])
    assert profile["account_id"] == reg["account_id"]
    assert profile["email"] == "alice@example.com" and profile["email_confirmed"] is False
    assert profile["advertising"] is True and profile["registered_at"].startswith("2026-11-02T09:00:00")


def test_profile_stage_moves_from_email_code_to_done(client: RecordingClient, mailbox: Mailbox) -> None:
    token = register(client)["token"]
    stages = [me(client, token)["stage"]]
    confirm_email(client, mailbox, token, "alice@example.com")
    stages.append(me(client, token)["stage"])
    written(client.simulate_put("/v1/me/personal-data", headers=bearer(token),
                                json={"last_name": "Иванова", "first_name": "Анна"}))
    stages.append(me(client, token)["stage"])
    written(client.simulate_put("/v1/me/phone", headers=bearer(token), json={"phone": "+7(960)825-00-00"}))
    stages.append(me(client, token)["stage"])

    assert stages == ["email_code", "personal_data", "phone", "done"]
    assert me(client, token)["phone"] == "+79608250000"


def test_read_after_header_and_trailing_slash(client: RecordingClient) -> None:
    reg = register(client)

    result = client.simulate_get("/v1/me/", headers={**bearer(reg["token"]), "X-Lkk-Position": str(reg["position"])})

    assert result.status_code == 200 and result.json["stage"] == "email_code"


def test_login_before_the_code_returns_to_the_code_step(client: RecordingClient) -> None:
    register(client)

    assert log_in(client)["stage"] == "email_code"


def test_sessions_list_marks_the_current_one(client: RecordingClient, mailbox: Mailbox) -> None:
    reg = onboarded(client, mailbox)
    other = log_in(client, user_agent=FIREFOX_UA)

    result = client.simulate_get("/v1/me/sessions", headers=bearer(other["token"]))

    assert result.status_code == 200
    items = result.json["items"]
    assert {(i["browser"], i["os"], i["current"]) for i in items} == {
        ("Google Chrome", "Windows", False), ("Mozilla Firefox", "Windows", True)}
    assert {i["session_id"] for i in items} == {reg["session_id"], other["session_id"]}
    assert all(set(i) == {"session_id", "browser", "browser_version", "os", "started_at", "ended_at", "current"}
               for i in items)


def test_ending_the_current_session_logs_out_and_an_unknown_one_is_404(
    client: RecordingClient, mailbox: Mailbox
) -> None:
    reg = onboarded(client, mailbox)

    missing = client.simulate_delete(f"/v1/me/sessions/{uuid.uuid4()}", headers=bearer(reg["token"]))
    assert_problem(missing, 404, "not_found")
    assert_problem(client.simulate_delete("/v1/me/sessions/not-a-uuid", headers=bearer(reg["token"])),
                   404, "not_found")
    written(client.simulate_delete(f"/v1/me/sessions/{reg['session_id']}", headers=bearer(reg["token"])))
    unauthenticated(client, reg["token"])


def test_another_accounts_session_cannot_be_ended(client: RecordingClient, mailbox: Mailbox) -> None:
    alice = onboarded(client, mailbox)
    bob = onboarded(client, mailbox, "bob@example.com")

    result = client.simulate_delete(f"/v1/me/sessions/{bob['session_id']}", headers=bearer(alice["token"]))

    assert_problem(result, 404, "not_found")
    assert me(client, bob["token"])["email"] == "bob@example.com"


def test_two_factor_login_from_a_new_browser_needs_the_code(
    client: RecordingClient, mailbox: Mailbox
) -> None:
    reg = onboarded(client, mailbox)
    written(client.simulate_put("/v1/me/two-factor", headers=bearer(reg["token"]), json={"enabled": True}))

    held = log_in(client, user_agent=FIREFOX_UA, status=202)
    code = mailbox.last_code("alice@example.com")
    ids = {"account_id": held["account_id"], "challenge_id": held["challenge_id"]}
    wrong = client.simulate_post("/v1/sessions/confirmation", json={**ids, "code": "00000" if code != "00000" else "11111"})
    assert_problem(wrong, 422, "validation_failed")
    other = client.simulate_post("/v1/sessions/confirmation", json={**ids, "challenge_id": str(uuid.uuid4()), "code": code})
    assert_problem(other, 404, "not_found")
    confirmed = client.simulate_post("/v1/sessions/confirmation", json={**ids, "code": code})

    assert confirmed.status_code == 201
    assert set(confirmed.json) == {"account_id", "session_id", "token", "stage", "position"}
    assert me(client, confirmed.json["token"])["account_id"] == reg["account_id"]
    assert log_in(client, user_agent=FIREFOX_UA)["token"]  # Firefox is known now
    assert log_in(client, user_agent=CHROME_UA)["token"]


def test_password_change_refusals_and_success(client: RecordingClient, mailbox: Mailbox) -> None:
    token = onboarded(client, mailbox)["token"]

    def change(old: str, new: str, again: str) -> Any:
        return client.simulate_put("/v1/me/password", headers=bearer(token),
                                   json={"old_password": old, "new_password": new, "new_password_again": again})

    wrong_old = assert_problem(change("Wrong#123", NEW_PASSWORD, NEW_PASSWORD), 422, "validation_failed")
    mismatch = assert_problem(change(PASSWORD, NEW_PASSWORD, "Newpass#2"), 422, "validation_failed")
    weak = assert_problem(change(PASSWORD, "short", "short"), 422, "validation_failed")
    written(change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD))

    assert (wrong_old["detail"], wrong_old["field"]) == ("Неверный старый пароль", "old_password")
    assert (mismatch["detail"], mismatch["field"]) == ("Пароли не совпадают", "new_password_again")
    assert weak["field"] == "new_password"
    assert log_in(client, password=NEW_PASSWORD)["token"]
    assert_problem(client.simulate_post("/v1/sessions", json={"identifier": "alice@example.com",
                                                              "password": PASSWORD}), 401, "wrong_credentials")


def test_password_recovery_is_202_for_known_and_unknown_emails_with_identical_bodies(
    client: RecordingClient, mailbox: Mailbox
) -> None:
    onboarded(client, mailbox)
    mailbox.deliver()

    known = client.simulate_post("/v1/password-recovery", json={"email": "alice@example.com"})
    unknown = client.simulate_post("/v1/password-recovery", json={"email": "nobody@example.com"})
    again = client.simulate_post("/v1/password-recovery", json={"email": "alice@example.com"})  # within the minute

    assert known.status_code == unknown.status_code == again.status_code == 202
    assert known.content == unknown.content == again.content
    assert known.json == {}
    assert known.headers.get("content-type") == unknown.headers.get("content-type")
    assert [m.to for m in mailbox.deliver()] == ["alice@example.com"]


def test_password_recovery_confirmation_ends_every_session(client: RecordingClient, mailbox: Mailbox) -> None:
    reg = onboarded(client, mailbox)
    client.simulate_post("/v1/password-recovery", json={"email": "alice@example.com"})
    code = mailbox.last_code("alice@example.com")
    reset = {"email": "alice@example.com", "code": code, "new_password": NEW_PASSWORD,
             "new_password_again": NEW_PASSWORD}

    written(client.simulate_post("/v1/password-recovery/confirmation", json=reset))
    reused = client.simulate_post("/v1/password-recovery/confirmation", json=reset)

    # A used code answers like a wrong one: no hint whether the e-mail has an account.
    assert_problem(reused, 422, "validation_failed")
    unauthenticated(client, reg["token"])
    assert log_in(client, password=NEW_PASSWORD)["token"]


def test_email_change_conflict_then_unconfirmed_until_the_code(
    client: RecordingClient, mailbox: Mailbox, clock: FixedClock
) -> None:
    token = onboarded(client, mailbox)["token"]
    onboarded(client, mailbox, "bob@example.com")

    taken = client.simulate_put("/v1/me/email", headers=bearer(token), json={"email": " BOB@example.com"})
    assert_problem(taken, 409, "conflict")
    written(client.simulate_put("/v1/me/email", headers=bearer(token), json={"email": "anna@example.com"}))
    assert me(client, token)["email_confirmed"] is False
    mailbox.deliver()
    clock.advance(seconds=60)  # ACC-04: a minute after the registration's code
    written(client.simulate_post("/v1/me/email/code", headers=bearer(token)), 202)  # the change sent none itself
    assert [m.to for m in mailbox.deliver()] == ["anna@example.com"]
    confirm_email(client, mailbox, token, "anna@example.com")
    assert me(client, token)["email_confirmed"] is True


def test_account_deletion_needs_the_password(client: RecordingClient, mailbox: Mailbox) -> None:
    reg = onboarded(client, mailbox)

    wrong = client.simulate_post("/v1/me/deletion", headers=bearer(reg["token"]), json={"password": "Wrong#123"})
    assert_problem(wrong, 422, "validation_failed")
    written(client.simulate_post("/v1/me/deletion", headers=bearer(reg["token"]), json={"password": PASSWORD}))

    unauthenticated(client, reg["token"])
    again = register(client)
    assert again["account_id"] != reg["account_id"]


class TestStaff:
    def test_staff_routes_take_the_staff_token(self, client: RecordingClient) -> None:
        imported = client.simulate_post("/v1/staff/legacy-accounts", headers=client.staff,
                                        json={"login": "ivanov77", "email": "iv@example.com", "password": PASSWORD})
        assert imported.status_code == 201 and UUID_RE.match(imported.json["account_id"])

        duplicate = client.simulate_post("/v1/staff/legacy-accounts", headers=client.staff,
                                         json={"login": "IVANOV77", "password": PASSWORD})
        assert_problem(duplicate, 409, "conflict")
        restored = client.simulate_put(f"/v1/staff/accounts/{imported.json['account_id']}/email",
                                       headers=client.staff, json={"email": "ivanov@example.com"})
        written(restored)
        missing = client.simulate_put(f"/v1/staff/accounts/{uuid.uuid4()}/email",
                                      headers=client.staff, json={"email": "x@example.com"})
        assert_problem(missing, 404, "not_found")

    def test_a_customer_token_is_refused_on_staff_routes(self, client: RecordingClient) -> None:
        token = register(client)["token"]

        result = client.simulate_post("/v1/staff/legacy-accounts", headers=bearer(token),
                                      json={"login": "ivanov77", "password": PASSWORD})

        assert_problem(result, 401, "unauthenticated")
        assert result.headers["WWW-Authenticate"] == "Bearer"

    def test_the_staff_token_is_refused_on_customer_routes(self, client: RecordingClient) -> None:
        for method, path in (("GET", "/v1/me"), ("GET", "/v1/me/sessions"), ("POST", "/v1/logout")):
            result = client.simulate_request(method, path, headers=client.staff)
            assert_problem(result, 401, "unauthenticated")

    def test_the_retired_shared_token_and_forged_staff_tokens_are_refused(self, client: RecordingClient) -> None:
        """Issue 10: no shared secret opens the staff routes, nor a real token with its secret changed."""
        real = client.staff["Authorization"].removeprefix("Bearer ")
        forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
        for token in ("staff-secret", "", "None", forged, real.replace("lkks.", "lkk.", 1)):
            result = client.simulate_post("/v1/staff/legacy-accounts", headers=bearer(token),
                                          json={"login": "ivanov77", "password": PASSWORD})
            assert_problem(result, 401, "unauthenticated")


# -- errors ----------------------------------------------------------------------------


class TestValidation:
    def test_unknown_field_is_named(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/registrations", json={
            "email": "a@example.com", "password": PASSWORD, "agreement_accepted": True, "is_admin": True})

        body = assert_problem(result, 422, "validation_failed")
        assert body["field"] == "is_admin"
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("is_admin", "extra_forbidden")]

    def test_wrong_types_are_each_named(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/registrations", json={"email": 1, "password": None, "agreement_accepted": "maybe"})

        body = assert_problem(result, 422, "validation_failed")
        assert {e["field"] for e in body["errors"]} == {"email", "password", "agreement_accepted"}
        assert all(set(e) == {"field", "code", "reason"} for e in body["errors"])

    def test_missing_fields_are_named(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", json={"identifier": "alice@example.com"})

        body = assert_problem(result, 422, "validation_failed")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("password", "missing")]

    def test_an_empty_body_is_an_empty_object(self, client: RecordingClient) -> None:
        body = assert_problem(client.simulate_post("/v1/sessions"), 422, "validation_failed")

        assert {e["field"] for e in body["errors"]} == {"identifier", "password"}

    def test_a_json_value_that_is_not_an_object(self, client: RecordingClient) -> None:
        for value in ([1, 2], "text", 3, None, True):
            result = client.simulate_post("/v1/sessions", body=json.dumps(value), content_type="application/json")
            body = assert_problem(result, 422, "validation_failed")
            assert body["errors"][0]["code"] == "model_type"

    def test_a_four_digit_code(self, client: RecordingClient) -> None:
        token = register(client)["token"]

        result = client.simulate_post("/v1/me/email/confirmation", headers=bearer(token), json={"code": "1234"})

        body = assert_problem(result, 422, "validation_failed")
        assert body["field"] == "code"
        assert me(client, token)["email_confirmed"] is False

    def test_a_wrong_code(self, client: RecordingClient, mailbox: Mailbox) -> None:
        token = register(client)["token"]
        right = mailbox.last_code("alice@example.com")

        result = client.simulate_post("/v1/me/email/confirmation", headers=bearer(token),
                                      json={"code": "00000" if right != "00000" else "11111"})

        assert assert_problem(result, 422, "validation_failed")["field"] == "code"
        assert me(client, token)["stage"] == "email_code"

    @pytest.mark.parametrize("weak", ["Secret1", "secret123", "SECRET123", "SecretPass", "Secret 123", "Пароль123A"])
    def test_as06_weak_passwords(self, client: RecordingClient, weak: str) -> None:
        result = client.simulate_post("/v1/registrations",
                                      json={"email": "a@example.com", "password": weak, "agreement_accepted": True})

        body = assert_problem(result, 422, "validation_failed")
        assert body["field"] == "password" and body["unmet"]

    def test_as02_agreement_not_accepted(self, client: RecordingClient, mailbox: Mailbox) -> None:
        result = client.simulate_post("/v1/registrations",
                                      json={"email": "a@example.com", "password": PASSWORD, "agreement_accepted": False})

        assert assert_problem(result, 422, "validation_failed")["field"] == "agreement_accepted"
        assert mailbox.deliver() == []

    def test_malformed_email(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/registrations",
                                      json={"email": "not an e-mail", "password": PASSWORD, "agreement_accepted": True})

        assert assert_problem(result, 422, "validation_failed")["field"] == "email"


class TestMalformedRequests:
    def test_bad_json(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", body='{"identifier": ', content_type="application/json")

        assert_problem(result, 400, "malformed_request")

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_non_json_number_literals(self, client: RecordingClient, literal: str) -> None:
        result = client.simulate_post("/v1/sessions", body=f'{{"identifier": {literal}, "password": "x"}}',
                                      content_type="application/json")

        assert_problem(result, 400, "malformed_request")

    def test_not_utf8(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", body=b'{"identifier": "\xff"}', content_type="application/json")

        assert_problem(result, 400, "malformed_request")

    def test_deeply_nested_json(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", body="[" * 50_000, content_type="application/json")

        assert_problem(result, 400, "malformed_request")

    def test_lone_surrogates_are_refused(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", body='{"identifier": "a\\ud800@b.ru", "password": "x"}',
                                      content_type="application/json")

        assert assert_problem(result, 422, "validation_failed")["field"] == "identifier"

    def test_body_over_the_limit(self, small_client: RecordingClient) -> None:
        big = json.dumps({"identifier": "a" * 2000, "password": "x"})

        result = small_client.simulate_post("/v1/sessions", body=big, content_type="application/json")

        body = assert_problem(result, 413, "payload_too_large")
        assert "1024" in body["reason"]

    def test_body_just_under_the_limit_is_read(self, small_client: RecordingClient) -> None:
        body = json.dumps({"identifier": "a@example.com", "password": "x" * 900})
        assert len(body) <= 1024

        assert_problem(small_client.simulate_post("/v1/sessions", body=body, content_type="application/json"),
                       401, "wrong_credentials")

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
    def test_not_json(self, client: RecordingClient, content_type: str) -> None:
        result = client.simulate_post("/v1/sessions", body="identifier=a&password=b", content_type=content_type)

        assert_problem(result, 415, "unsupported_media_type")

    def test_json_with_a_charset_is_json(self, client: RecordingClient) -> None:
        result = client.simulate_post("/v1/sessions", body='{"identifier": "a@b.ru", "password": "x"}',
                                      content_type="application/json; charset=utf-8")

        assert_problem(result, 401, "wrong_credentials")

    def test_unknown_route(self, client: RecordingClient) -> None:
        for path in ("/v1/nothing-here", "/", "/v2/me", "/v1/me/sessions/123"):
            assert_problem(client.simulate_get(path), 404, "not_found")

    def test_wrong_method(self, client: RecordingClient) -> None:
        token = register(client)["token"]

        result = client.simulate_patch("/v1/me", headers=bearer(token))
        delete = client.simulate_delete("/v1/registrations")

        assert_problem(result, 405, "method_not_allowed")
        assert_problem(delete, 405, "method_not_allowed")
        assert "GET" in result.headers["Allow"]


class TestAuthentication:
    @pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "Bearer garbage",
                                        "Bearer a.b.c", f"Bearer {uuid.uuid4().hex}.{uuid.uuid4().hex}.secret",
                                        "Bearer ÿ"])
    def test_missing_or_garbage_token(self, client: RecordingClient, header: str | None) -> None:
        headers = {} if header is None else {"Authorization": header}

        result = client.simulate_get("/v1/me", headers=headers)

        assert_problem(result, 401, "unauthenticated")
        assert result.headers["WWW-Authenticate"] == "Bearer"

    def test_forged_token_of_a_real_session(self, client: RecordingClient) -> None:
        token = register(client)["token"]
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

        unauthenticated(client, forged)
        assert me(client, token)

    def test_wrong_credentials_are_alike_for_unknown_user_and_wrong_password(
        self, client: RecordingClient, mailbox: Mailbox
    ) -> None:
        onboarded(client, mailbox)

        wrong = client.simulate_post("/v1/sessions", json={"identifier": "alice@example.com", "password": "Wrong#123"})
        unknown = client.simulate_post("/v1/sessions", json={"identifier": "nobody@example.com", "password": PASSWORD})

        assert assert_problem(wrong, 401, "wrong_credentials") == assert_problem(unknown, 401, "wrong_credentials")


class TestDomainRefusals:
    def test_rate_limited_second_code_within_a_minute(
        self, client: RecordingClient, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        token = register(client)["token"]
        clock.advance(seconds=60)
        written(client.simulate_post("/v1/me/email/code", headers=bearer(token)), 202)
        mailbox.deliver()
        clock.advance(seconds=30)

        result = client.simulate_post("/v1/me/email/code", headers=bearer(token))

        body = assert_problem(result, 429, "rate_limited")
        assert result.headers["Retry-After"] == "30" and body["retry_after"] == 30
        assert mailbox.deliver() == []
        clock.advance(seconds=30)
        written(client.simulate_post("/v1/me/email/code", headers=bearer(token)), 202)

    def test_conflict_on_duplicate_registration(self, client: RecordingClient) -> None:
        register(client)

        result = client.simulate_post("/v1/registrations", json={
            "email": "  Alice@Example.COM ", "password": PASSWORD, "agreement_accepted": True})

        assert assert_problem(result, 409, "conflict")["field"] == "email"

    def test_precondition_failed_before_onboarding(self, client: RecordingClient, mailbox: Mailbox) -> None:
        token = register(client)["token"]
        headers = bearer(token)

        before_code = client.simulate_put("/v1/me/personal-data", headers=headers,
                                          json={"last_name": "Иванова", "first_name": "Анна"})
        assert_problem(before_code, 412, "precondition_failed")
        assert before_code.json["detail"] == "Подтвердите адрес электронной почты"
        confirm_email(client, mailbox, token, "alice@example.com")
        for method, path, body in (("PUT", "/v1/me/phone", {"phone": "+79608250000"}),
                                   ("PUT", "/v1/me/two-factor", {"enabled": True}),
                                   ("PUT", "/v1/me/email", {"email": "anna@example.com"}),
                                   ("PUT", "/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                               "new_password_again": NEW_PASSWORD})):
            result = client.simulate_request(method, path, headers=headers, json=body)
            assert assert_problem(result, 412, "precondition_failed")["stage"] == "personal_data"

    def test_expired_on_a_reused_code(self, client: RecordingClient, mailbox: Mailbox) -> None:
        token = register(client)["token"]
        code = mailbox.last_code("alice@example.com")
        written(client.simulate_post("/v1/me/email/confirmation", headers=bearer(token), json={"code": code}))

        result = client.simulate_post("/v1/me/email/confirmation", headers=bearer(token), json={"code": code})

        assert assert_problem(result, 410, "expired")["field"] == "code"

    def test_expired_after_the_lifetime(self, client: RecordingClient, mailbox: Mailbox, clock: FixedClock,
                                        services: Services) -> None:
        token = register(client)["token"]
        code = mailbox.last_code("alice@example.com")
        clock.advance(seconds=services.settings.code_ttl.total_seconds())

        result = client.simulate_post("/v1/me/email/confirmation", headers=bearer(token), json={"code": code})

        assert_problem(result, 410, "expired")


# -- the tables --------------------------------------------------------------------------


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_lkk_error_has_a_4xx_status_in_the_table() -> None:
    classes = _subclasses(errors.LkkError)
    assert classes >= {getattr(errors, name) for name in errors.__all__} - {errors.LkkError}

    for cls in classes:
        assert any(base in problems.STATUS for base in cls.__mro__), f"{cls.__name__} has no status"
        assert 400 <= problems.status_of(cls()) < 500, cls


def test_status_of_picks_the_most_specific_class() -> None:
    assert problems.status_of(errors.WrongCredentials()) == 401
    assert problems.status_of(errors.ValidationFailed()) == 422
    assert problems.status_of(errors.LkkError()) == 400


def _resolve(document: dict, ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*([node["$ref"]] if isinstance(node.get("$ref"), str) else []),
                *(r for value in node.values() for r in _refs(value))]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_openapi_document_describes_the_route_table(client: RecordingClient) -> None:
    result = client.simulate_get("/openapi.json")
    assert result.status_code == 200 and media_type(result) == "application/json"
    document = result.json

    assert document["openapi"].startswith("3.1") and document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    expected = {re.sub(r"{(\w+):\w+}", r"{\1}", path): resource for path, resource in ROUTES}
    assert set(document["paths"]) == set(expected)
    for path, resource in expected.items():
        operations = document["paths"][path]
        assert set(operations) == {m.lower() for m in resource.OPERATIONS}, path
        for method, operation in operations.items():
            assert hasattr(resource, f"on_{method}"), f"{path} documents {method} without a responder"
            assert operation["operationId"] and operation["responses"]
            assert str(resource.OPERATIONS[method.upper()].status) in operation["responses"]
            names = re.findall(r"{(\w+)}", path)
            assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == names
            if resource.auth == "public":
                assert "security" not in operation
            else:
                assert operation["security"]
            body = resource.OPERATIONS[method.upper()].body
            form = getattr(resource, "FORMS", {}).get(method.upper())  # a multipart upload
            assert ("requestBody" in operation) == (body is not None or form is not None), (path, method)
            if form is not None:
                assert "multipart/form-data" in operation["requestBody"]["content"]
            if body is not None:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref == f"#/components/schemas/{body.__name__}"
                assert body.__name__ in schemas
    refs = _refs(document)
    assert refs
    for ref in refs:
        assert _resolve(document, ref) is not None
    for scheme in ("sessionToken", "staffToken"):
        assert document["components"]["securitySchemes"][scheme]["scheme"] == "bearer"
    assert set(document["x-error-statuses"]) == {cls.__name__ for cls in problems.STATUS}
    held = document["paths"]["/v1/sessions"]["post"]["responses"]["202"]
    assert held["content"]["application/json"]["schema"]["$ref"].endswith("/LoginHeld")  # ACC-08's held login


# -- properties --------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=20,
)
# Objects with the right keys (and sometimes an extra one) reach past the schema more often.
shaped = st.fixed_dictionaries(
    {},
    optional={
        "email": json_values | st.emails(), "identifier": json_values | st.emails() | st.text(),
        "password": json_values | st.just(PASSWORD) | st.text(), "agreement_accepted": json_values | st.booleans(),
        "advertising": json_values, "device_id": json_values, "x": json_values,
    },
)
bodies = (
    (json_values | shaped).map(lambda value: json.dumps(value, ensure_ascii=False).encode())
    | st.binary(max_size=300)
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/v1/registrations", "/v1/sessions"]), body=bodies,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", None]))
def test_arbitrary_bodies_never_break_the_server(
    client: RecordingClient, path: str, body: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    result = client.simulate_post(path, body=body, headers=headers)

    assert result.status_code < 500, result.text
    if result.status_code >= 400:
        assert_problem(result)
        assert media_type(result) == PROBLEM
    else:
        assert result.status_code in (201, 202) and result.json["account_id"]
