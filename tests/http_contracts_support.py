"""Steps of the contract and role stories over HTTP: onboarding, binding by the e-mailed link, grants."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import falcon.testing

from adapters.http.app import ROUTES, create_app
from lkk_core.kernel.services import Services
from lkk_core.kernel.permissions import Capability, Role
from tests.contracts_support import C1, COLUMNS, EXPECTED, MANUAL_TABLE_3
from tests.http_support import CHROME_UA, RecordingClient, bearer, media_type, staff_headers
from tests.support import PASSWORD, Mailbox

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def row_of(role: Role) -> list[str]:
    """Return the capability keys Table 3 marks «+» for the role, in the table's order."""
    return [key for key, *_ in (line.split() for line in MANUAL_TABLE_3.strip().splitlines())
            if EXPECTED[(Capability(key), role)]]


# -- a client that knows every route template -----------------------------------------------

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _pattern(template: str) -> re.Pattern[str]:
    # "{x:uuid}" matches one UUID, a plain "{x}" one path segment (``http_support.route_of`` knows only the former).
    pattern = re.sub(r"\\\{\w+:uuid\\\}", _UUID, re.escape(template))
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", pattern) + "/?$")


# Literal segments win over fields, as in Falcon's router: the longest literal text first.
_PATTERNS = sorted(((template, _pattern(template)) for template, _ in ROUTES),
                   key=lambda item: -len(re.sub(r"{[^}]*}", "", item[0])))


def template_of(path: str) -> str | None:
    """Return the ROUTES template a path falls under, or None."""
    path = path.split("?", 1)[0]
    return next((template for template, pattern in _PATTERNS if pattern.match(path)), None)


class ContractsClient(RecordingClient):
    """``RecordingClient`` that also records routes with plain ``{field}`` parts, and which answered 2xx."""

    def __init__(self, app: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(app, headers=headers)
        self.succeeded: set[tuple[str, str]] = set()

    @classmethod
    def over(cls, services: Services, **app_options: Any) -> ContractsClient:
        """A Chrome client of ``create_app(services)``, with a specialist's headers in ``client.staff``."""
        client = cls(create_app(services, **app_options), headers={"User-Agent": CHROME_UA})
        client.staff = staff_headers(services)
        return client

    def simulate_request(self, *args: Any, **kwargs: Any) -> falcon.testing.Result:  # type: ignore[override]
        result = super().simulate_request(*args, **kwargs)
        method = kwargs.get("method", args[0] if args else "GET")
        template = template_of(kwargs.get("path", args[1] if len(args) > 1 else "/"))
        if template is not None:
            self.hits.add((method.upper(), template))
            if result.status_code < 300:
                self.succeeded.add((method.upper(), template))
        return result


# -- answers ---------------------------------------------------------------------------


def written(result: falcon.testing.Result, status: int = 200, keys: set[str] | None = None) -> dict[str, Any]:
    """Check a command's answer: status, JSON, its keys, and the position both in the body and the header."""
    assert result.status_code == status, result.text
    assert media_type(result) == "application/json"
    body = result.json
    assert set(body) == (keys or set()) | {"position"}, body
    assert isinstance(body["position"], int) and body["position"] > 0
    assert result.headers["X-Lkk-Position"] == str(body["position"])
    return body


def read(result: falcon.testing.Result) -> Any:
    """Check a query's answer (200, JSON) and return its body."""
    assert result.status_code == 200, result.text
    assert media_type(result) == "application/json"
    return result.json


# -- accounts ------------------------------------------------------------------------------


def onboarded(client: RecordingClient, mailbox: Mailbox, email: str) -> dict[str, Any]:
    """AS-01 over HTTP: register, confirm the code, personal data, phone; return the registration's answer."""
    result = client.simulate_post("/v1/registrations",
                                  json={"email": email, "password": PASSWORD, "agreement_accepted": True})
    assert result.status_code == 201, result.text
    reg = result.json
    headers = bearer(reg["token"])
    written(client.simulate_post("/v1/me/email/confirmation", headers=headers,
                                 json={"code": mailbox.last_code(email)}))
    written(client.simulate_put("/v1/me/personal-data", headers=headers,
                                json={"last_name": "Иванова", "first_name": "Анна"}))
    written(client.simulate_put("/v1/me/phone", headers=headers, json={"phone": "+7 812 123-12-31"}))
    return reg


def credentials_of(mailbox: Mailbox, to: str) -> tuple[str, str]:
    """Return the login and password of the last letter to ``to`` that carries them (ROL-16)."""
    mailbox.deliver()
    for mail in reversed(mailbox.letters.sent):
        if mail.to == to and (found := re.search(r"Логин: (\S+)\nПароль: (\S+)", mail.body)):
            return found.group(1), found.group(2)
    raise AssertionError(f"no credentials to {to}")


# -- contracts -------------------------------------------------------------------------------


def link_path(mailbox: Mailbox, to: str) -> str:
    """Deliver the outbox and return the path and query of the last link sent to ``to``."""
    mailbox.deliver()
    for mail in reversed(mailbox.letters.sent):
        if mail.to == to and (found := re.search(r"https?://\S+", mail.body)):
            url = urlsplit(found.group())
            return f"{url.path}?{url.query}"
    raise AssertionError(f"no link to {to}")


def request_binding(client: RecordingClient, token: str, number: str, email: str) -> falcon.testing.Result:
    return client.simulate_post("/v1/contract-bindings", headers=bearer(token),
                                json={"contract_number": number, "email": email})


def bind(client: RecordingClient, mailbox: Mailbox, token: str, number: str, email: str) -> dict[str, Any]:
    """Bind a contract the way a person does: «Новый договор», then the link of the letter."""
    written(request_binding(client, token, number, email), 202, {"binding_id", "contract_number", "expires_at"})
    path, _, query = link_path(mailbox, email).partition("?")
    return written(client.simulate_get(path, query_string=query), 200, {"contract_number"})


def make_administrator(client: RecordingClient, number: str, account_id: str) -> int:
    """Supplier staff grant «Администратор» (ROL-08)."""
    result = client.simulate_put(f"/v1/staff/contracts/{number}/administrator", headers=client.staff,
                                 json={"account_id": account_id})
    return written(result)["position"]


def grant(client: RecordingClient, token: str, number: str, email: str, role: Role | str,
          objects: list[str]) -> falcon.testing.Result:
    """«Добавить роль» → «Сохранить» (ROL-14)."""
    return client.simulate_post(f"/v1/contracts/{number}/roles", headers=bearer(token),
                                json={"role": str(role), "email": email, "energy_objects": objects})


def my_contracts(client: RecordingClient, token: str) -> dict[str, dict[str, Any]]:
    """Return the rows of «Договоры» by contract number."""
    body = read(client.simulate_get("/v1/contracts", headers=bearer(token)))
    return {row["contract_number"]: row for row in body["items"]}


def detail(client: RecordingClient, token: str, number: str = C1) -> Any:
    return client.simulate_get(f"/v1/contracts/{number}", headers=bearer(token))


def users(client: RecordingClient, token: str, number: str = C1) -> Any:
    return client.simulate_get(f"/v1/contracts/{number}/users", headers=bearer(token))


def export(client: RecordingClient, token: str, number: str = C1) -> Any:
    return client.simulate_get(f"/v1/contracts/{number}/export.xlsx", headers=bearer(token))


def revoke(client: RecordingClient, token: str, account_id: str, number: str = C1) -> Any:
    return client.simulate_delete(f"/v1/contracts/{number}/roles/{account_id}", headers=bearer(token))


def request_administrator(client: RecordingClient, token: str, number: str = C1) -> Any:
    return client.simulate_post(f"/v1/contracts/{number}/administrator-requests", headers=bearer(token))


def unbind(client: RecordingClient, token: str, number: str = C1) -> Any:
    return client.simulate_delete(f"/v1/contracts/{number}", headers=bearer(token))


# -- the .xlsx export (CON-10) ---------------------------------------------------------------


def workbook_text(data: bytes) -> set[str]:
    """Open the bytes with openpyxl and return the text of every filled cell."""
    from openpyxl import load_workbook  # noqa: PLC0415

    book = load_workbook(BytesIO(data))
    return {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None}


def check_export(client: RecordingClient, token: str) -> None:
    """«Скачать» on C1: a .xlsx attachment named after the contract that openpyxl opens and that names it."""
    result = export(client, token)
    assert result.status_code == 200, result.text
    assert media_type(result) == XLSX
    assert result.headers["Content-Disposition"] == f'attachment; filename="dogovor_{C1}.xlsx"'
    assert any(C1 in text for text in workbook_text(result.content))


def administrator_of(client: RecordingClient, mailbox: Mailbox, number: str, email: str) -> dict[str, Any]:
    """Register ``email``, bind the contract ``number`` with it and make it the contract's Administrator."""
    reg = onboarded(client, mailbox, email)
    bind(client, mailbox, reg["token"], number, email)
    make_administrator(client, number, reg["account_id"])
    return reg


def holder_of(client: RecordingClient, mailbox: Mailbox, admin: dict[str, Any], number: str, email: str,
              role: Role, objects: list[str]) -> dict[str, Any]:
    """Register ``email`` and have the Administrator grant it ``role`` on ``objects`` of the contract."""
    reg = onboarded(client, mailbox, email)
    assert grant(client, admin["token"], number, email, role, objects).status_code == 201
    return reg
