"""The account story over a real waitress server, on SQLite and on PostgreSQL (AS-01, AS-07, AS-12, AS-13).

Requests go through ``urllib.request`` to a server on a free loopback port;
codes are read from the ``.eml`` files the outbox writes. At the end the views
must equal a rebuild from the log (``lkk project verify``).
"""

from __future__ import annotations

import email
import functools
import email.policy
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import waitress

from adapters.http.app import MAX_BODY_BYTES, create_app
from adapters.mail import EmlDirectoryMailer
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.outbox import Outbox
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.services import Services
from tests.http_support import staff_token

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
PASSWORD = "Secret#123"
NEW_PASSWORD = "Newpass#1"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/112.0.0.0 Safari/537.36")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:112.0) Gecko/20100101 Firefox/112.0"
PROBLEM_KEYS = {"type", "title", "status", "code", "detail"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


@dataclass
class Server:
    """A running server, its services, and the outbox writing .eml files."""

    base: str
    services: Services
    outbox: Outbox
    outbox_dir: Path
    read_letters: set[str] = field(default_factory=set)

    @functools.cached_property
    def staff_token(self) -> str:
        """A specialist's own token, created on first use (a test that writes nothing stays at head 0)."""
        return staff_token(self.services)

    def request(self, method: str, path: str, payload: Any = None, *, token: str | None = None,
                data: bytes | None = None, content_type: str = "application/json",
                user_agent: str = CHROME) -> Answer:
        if payload is not None:
            data = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 (loopback)
                answer = Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                                response.read())
        except urllib.error.HTTPError as error:
            with error:
                answer = Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
        assert answer.status < 500, (method, path, answer)
        answer.body = json.loads(answer.body) if answer.body else None
        if answer.status >= 400:
            assert answer.media_type == "application/problem+json", answer
            assert PROBLEM_KEYS <= set(answer.body), answer.body
            assert answer.body["status"] == answer.status
        if answer.status == 401:
            assert answer.headers["www-authenticate"] == "Bearer", answer
        return answer

    def code_for(self, to: str) -> str:
        """Deliver the outbox into .eml files and read the code of the newest letter to ``to``."""
        self.outbox.deliver_pending()
        codes = []
        for path in sorted(self.outbox_dir.glob("*.eml")):
            if path.name in self.read_letters:
                continue
            self.read_letters.add(path.name)
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == to:
                text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
                codes.append(re.search(r"\b(\d{5})\b", text).group(1))  # type: ignore[union-attr]
        assert len(codes) == 1, f"expected one new letter to {to}, found {len(codes)}"
        return codes[0]


@contextmanager
def running(services: Services, outbox: Outbox, outbox_dir: Path) -> Iterator[Server]:
    """Serve the app over ``services`` with waitress on a free loopback port until the block ends."""
    wsgi = waitress.create_server(create_app(services), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{wsgi.effective_port}", services, outbox, outbox_dir)
    finally:
        # Close every socket from the loop's own thread: closing them from here
        # while the loop waits in poll() can end it with "Bad file descriptor".
        wsgi.trigger.pull_trigger(lambda: [d.close() for d in list(wsgi._map.values())])  # noqa: SLF001
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server loop did not stop"
        wsgi.task_dispatcher.shutdown()
        services.views.close()
        services.app.close()


@pytest.fixture
def server(store_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    services = bootstrap(store_env)
    outbox_dir = tmp_path / "outbox"
    with running(services, Outbox.for_services(services, EmlDirectoryMailer(outbox_dir)), outbox_dir) as up:
        yield up


def written(answer: Answer, status: int = 200) -> int:
    assert answer.status == status, answer
    assert answer.media_type == "application/json"
    assert answer.headers["x-lkk-position"] == str(answer.body["position"])
    return answer.body["position"]


def test_the_account_story_over_a_real_server(server: Server, tmp_path: Path, store_env: dict[str, str]) -> None:
    # AS-01: register, read the code from the .eml file, confirm, personal data, phone.
    reg = server.request("POST", "/v1/registrations",
                         {"email": "alice@example.com", "password": PASSWORD, "agreement_accepted": True})
    assert reg.status == 201 and reg.body["stage"] == "email_code", reg
    token = reg.body["token"]
    assert server.request("GET", "/v1/me", token=token).body["stage"] == "email_code"
    written(server.request("POST", "/v1/me/email/confirmation", {"code": server.code_for("alice@example.com")},
                           token=token))
    assert server.request("GET", "/v1/me", token=token).body["stage"] == "personal_data"
    written(server.request("PUT", "/v1/me/personal-data", {"last_name": "Иванова", "first_name": "Анна",
                                                           "organisation": "ООО «Ромашка»"}, token=token))
    written(server.request("PUT", "/v1/me/phone", {"phone": "+7 812 123-12-31"}, token=token))
    profile = server.request("GET", "/v1/me", token=token).body
    assert (profile["stage"], profile["email_confirmed"], profile["phone"]) == ("done", True, "+78121231231")
    assert (profile["last_name"], profile["organisation"]) == ("Иванова", "ООО «Ромашка»")

    # AS-12: a login from a second browser, the list, ending the other session.
    other = server.request("POST", "/v1/sessions", {"identifier": "alice@example.com", "password": PASSWORD},
                           user_agent=FIREFOX)
    assert other.status == 201 and other.body["stage"] == "done", other
    sessions = server.request("GET", "/v1/me/sessions", token=token)
    assert sessions.status == 200
    assert {(r["browser"], r["os"], r["current"]) for r in sessions.body["items"]} == {
        ("Google Chrome", "Windows", True), ("Mozilla Firefox", "Linux", False)}
    written(server.request("DELETE", f"/v1/me/sessions/{other.body['session_id']}", token=token))
    ended = server.request("GET", "/v1/me", token=other.body["token"])
    assert ended.status == 401 and ended.body["code"] == "unauthenticated"
    assert ended.headers["www-authenticate"] == "Bearer"
    assert [r["session_id"] for r in server.request("GET", "/v1/me/sessions", token=token).body["items"]] == [
        reg.body["session_id"]]

    # AS-13: change the password; the old one no longer logs in.
    written(server.request("PUT", "/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                      "new_password_again": NEW_PASSWORD}, token=token))
    old = server.request("POST", "/v1/sessions", {"identifier": "alice@example.com", "password": PASSWORD})
    assert old.status == 401 and old.body["code"] == "wrong_credentials"

    # AS-12 (ACC-15): logout; the token is dead.
    written(server.request("POST", "/v1/logout", token=token))
    assert server.request("GET", "/v1/me", token=token).status == 401

    # Log in again, delete the account (AS-07).
    again = server.request("POST", "/v1/sessions", {"identifier": "alice@example.com", "password": NEW_PASSWORD})
    assert again.status == 201, again
    token = again.body["token"]
    assert server.request("GET", "/v1/me", token=token).body["account_id"] == reg.body["account_id"]
    written(server.request("POST", "/v1/me/deletion", {"password": NEW_PASSWORD}, token=token))
    assert server.request("GET", "/v1/me", token=token).status == 401
    gone = server.request("POST", "/v1/sessions", {"identifier": "alice@example.com", "password": NEW_PASSWORD})
    assert gone.status == 401 and gone.body["code"] == "wrong_credentials"

    # The same e-mail registers again, as a new account.
    new = server.request("POST", "/v1/registrations",
                         {"email": "alice@example.com", "password": PASSWORD, "agreement_accepted": True})
    assert new.status == 201 and new.body["account_id"] != reg.body["account_id"], new
    written(server.request("POST", "/v1/me/email/confirmation", {"code": server.code_for("alice@example.com")},
                           token=new.body["token"]))
    assert server.request("GET", "/v1/me", token=new.body["token"]).body["last_name"] is None

    # `lkk project verify`: the live views equal a rebuild from the log.
    assert verify(server.services.app, ALL_PROJECTIONS, server.services.views, tmp_path / "verify") == []
    cli = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "project", "verify"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **store_env}, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "verify: 0 differences" in cli.stdout


def test_refusals_over_a_real_server(server: Server) -> None:
    bad_json = server.request("POST", "/v1/sessions", data=b'{"identifier": "a@b.ru", "password": ')
    assert (bad_json.status, bad_json.body["code"]) == (400, "malformed_request")

    nan = server.request("POST", "/v1/sessions", data=b'{"identifier": NaN, "password": "x"}')
    assert (nan.status, nan.body["code"]) == (400, "malformed_request")

    unknown = server.request("POST", "/v1/registrations", {"email": "a@b.ru", "password": PASSWORD,
                                                           "agreement_accepted": True, "role": "admin"})
    assert (unknown.status, unknown.body["code"]) == (422, "validation_failed")
    assert [e["field"] for e in unknown.body["errors"]] == ["role"]

    oversized = json.dumps({"identifier": "a@b.ru", "password": "x" * (MAX_BODY_BYTES + 1)}).encode()
    too_large = server.request("POST", "/v1/sessions", data=oversized)
    assert (too_large.status, too_large.body["code"]) == (413, "payload_too_large")

    text = server.request("POST", "/v1/sessions", data=b"identifier=a&password=b", content_type="text/plain")
    assert (text.status, text.body["code"]) == (415, "unsupported_media_type")

    nowhere = server.request("GET", "/v1/nowhere")
    assert (nowhere.status, nowhere.body["code"]) == (404, "not_found")

    wrong_method = server.request("DELETE", "/v1/sessions")
    assert (wrong_method.status, wrong_method.body["code"]) == (405, "method_not_allowed")

    anonymous = server.request("GET", "/v1/me")
    assert (anonymous.status, anonymous.body["code"]) == (401, "unauthenticated")

    document = server.request("GET", "/openapi.json")
    assert document.status == 200 and document.body["openapi"].startswith("3.1")

    # None of the refusals wrote anything.
    assert server.services.app.head() == 0


def test_a_nul_character_in_an_email_neither_breaks_the_request_nor_later_ones(server: Server) -> None:
    # PostgreSQL text cannot hold NUL: commands refuse control characters, so no
    # event can carry what a view cannot store.
    nul = server.request("POST", "/v1/registrations",
                         data=b'{"email": "a\\u0000@example.com", "password": "Secret#123", "agreement_accepted": true}')
    later = server.request("POST", "/v1/registrations",
                           {"email": "bob@example.com", "password": PASSWORD, "agreement_accepted": True})

    assert nul.status == 422, nul
    assert later.status == 201, later
