"""Helpers for tests of the HTTP adapter: a client that records the routes it hit, problem checks."""

from __future__ import annotations

import re
from typing import Any

import falcon.testing

from adapters.http.app import ROUTES
from adapters.http.openapi import refusals
from adapters.http.resources.base import POSITION_HEADER
from lkk_core import staff
from lkk_core.kernel.services import Services

CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36"
)
FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:112.0) Gecko/20100101 Firefox/112.0"
PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "code", "detail"}

# ROUTES' templates as regular expressions: "{x:uuid}" matches one UUID, "{x}" one path segment.
# Templates without fields come first, as in Falcon, where a literal segment beats a field.
_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _pattern(template: str) -> re.Pattern[str]:
    escaped = re.sub(r"\\{\w+:uuid\\}", _UUID, re.escape(template))
    return re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", escaped) + "/?$")


RESOURCES = dict(ROUTES)

ROUTE_PATTERNS = sorted(((template, _pattern(template)) for template, _ in ROUTES),
                        key=lambda pair: pair[0].count("{"))


def route_of(path: str) -> str | None:
    """Return the ROUTES template a path falls under, or None."""
    path = path.split("?", 1)[0]
    return next((template for template, pattern in ROUTE_PATTERNS if pattern.match(path)), None)


def every_operation(area: str | None = None) -> set[tuple[str, str]]:
    """Return (method, template) of every operation the route table offers (of one resources module)."""
    return {
        (method, template) for template, resource in ROUTES for method in resource.OPERATIONS
        if area is None or resource.__module__.endswith(f".{area}")
    }


def media_type(result: falcon.testing.Result) -> str:
    return (result.headers.get("content-type") or "").split(";")[0].strip()


class RecordingClient(falcon.testing.TestClient):
    """A TestClient that remembers which route each request hit and never accepts a 5xx.

    Given the app's ``services`` (or with ``client.services`` set later), it also
    counts the events each request appended to the log, as ``result.wrote``, for
    ``assert_problem(..., wrote=0)``: one ``max(id)`` of the log before and after.
    """

    def __init__(self, app: Any, headers: dict[str, str] | None = None, services: Services | None = None) -> None:
        super().__init__(app, headers=headers)
        self.hits: set[tuple[str, str]] = set()
        self.services = services
        self.staff: dict[str, str] = {}  # a specialist's headers, when a fixture gave them (staff_headers)

    def simulate_request(self, *args: Any, **kwargs: Any) -> falcon.testing.Result:  # type: ignore[override]
        method = kwargs.get("method", args[0] if args else "GET")
        path = kwargs.get("path", args[1] if len(args) > 1 else "/")
        services = self.services
        head = services.app.head() if services is not None else None
        result = super().simulate_request(*args, **kwargs)
        if services is not None and head is not None:
            result.wrote = services.app.head() - head  # type: ignore[attr-defined]
        assert result.status_code < 500, f"{method} {path} answered {result.status}: {result.text}"
        if result.status_code >= 400:
            assert_problem(result)
        template = route_of(path)
        if template is not None:
            self.hits.add((method.upper(), template))
            assert_documented(method.upper(), template, result)
        return result


def assert_documented(method: str, template: str, result: falcon.testing.Result) -> None:
    """Check an answer is one the OpenAPI document promises for the operation (issue 10).

    A problem's (status, code) must be among the operation's ``refusals`` (add a domain
    error to its ``Operation.refusals``); a write's success carries ``X-Lkk-Position``;
    429 carries ``Retry-After``.
    """
    resource = RESOURCES[template]
    if method not in resource.OPERATIONS:
        return  # 405: another method of a known path
    operation = resource.OPERATIONS[method]
    if result.status_code >= 400:
        code = result.json["code"]
        declared = refusals(template, resource, method)
        assert code in declared.get(result.status_code, set()), (
            f"{method} {template} answered {result.status_code} {code!r}, which its OpenAPI operation does not "
            f"declare ({declared}): add the error to {resource.__name__}.OPERATIONS[{method!r}].refusals")
        if result.status_code == 429:
            assert result.headers.get("Retry-After", "").isdigit(), result.headers
    elif operation.writes or (operation.writes is None and method != "GET"):
        assert result.headers.get(POSITION_HEADER, "").isdigit(), f"{method} {template}: a write without its position"
    else:
        assert POSITION_HEADER not in result.headers, f"{method} {template}: a read answered a position"


_UNCHECKED = object()


def assert_problem(result: falcon.testing.Result, status: int | None = None, code: str | None = None, *,
                   field: Any = _UNCHECKED, wrote: int | None = None) -> dict:
    """Check that an error answer is a problem document (with that status and code); return it.

    ``field`` checks the body's ``field`` (None: the problem names none). ``wrote`` checks how many
    events the request appended, 0 for nearly every refusal; it needs a ``RecordingClient`` that
    was given the services.
    """
    assert media_type(result) == PROBLEM, (result.status, result.headers, result.text)
    body = result.json
    assert isinstance(body, dict), body
    assert PROBLEM_KEYS <= body.keys(), body
    assert body["status"] == result.status_code
    assert body["type"] == f"/problems/{body['code']}"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if result.status_code == 401:
        assert result.headers.get("WWW-Authenticate") == "Bearer", result.headers
    if status is not None:
        assert result.status_code == status, (result.status, body)
    if code is not None:
        assert body["code"] == code, body
    if field is not _UNCHECKED:
        assert body.get("field") == field, body
    if wrote is not None:
        moved = getattr(result, "wrote", None)
        assert moved is not None, "wrote= needs a RecordingClient given the services"
        assert moved == wrote, f"the refused request appended {moved} events to the log, expected {wrote}: {body}"
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_token(services: Services, login: str = "specialist", name: str = "Специалист Тестовый") -> str:
    """Return a token of the specialist with that login, creating them first: how every test authenticates staff.

    The same use case as ``lkk staff create`` / ``lkk staff token``, so the token
    is a real one, checked by the middleware against the store.
    """
    if services.find(staff.StaffMember, staff.staff_member_id(services, login)) is None:
        return staff.create_staff_member(services, staff.OPERATOR,
                                         staff.CreateStaffMember(login=login, full_name=name)).token
    return staff.issue_staff_token(services, staff.OPERATOR, login).token


def staff_headers(services: Services, login: str = "specialist") -> dict[str, str]:
    """Return the ``Authorization`` header of a specialist (created if need be) for the /v1/staff routes."""
    return bearer(staff_token(services, login))
