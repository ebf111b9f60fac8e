"""Issue 10: keyset cursors (lkk_core.kernel.paging) — opaque, signed, refused with 422 when changed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.http.app import create_app
from lkk_core import Paging, Services
from lkk_core.kernel.paging import BAD_CURSOR, DEFAULT_LIMIT, MAX_LIMIT, Keyset
from lkk_core.kernel.security import ServerSecret
from tests.http_support import CHROME_UA, RecordingClient, assert_problem, bearer
from tests.support import refused

SECRET = ServerSecret(b"k" * 32)
KEYS = Keyset(SECRET, "sessions", 2)
def raw(cursor: str) -> Paging:
    """Paging with any text as its cursor, past the model's own checks (control characters, length)."""
    return Paging.model_construct(limit=DEFAULT_LIMIT, cursor=cursor)


KEY_PARTS = st.one_of(st.text(max_size=30), st.integers(min_value=-(2**53), max_value=2**53))


@given(st.tuples(KEY_PARTS, KEY_PARTS))
def test_a_cursor_gives_back_the_key_it_was_made_of(key: tuple[str | int, str | int]) -> None:
    cursor = KEYS.cursor(key)

    assert KEYS.after(Paging(cursor=cursor)) == key
    assert cursor.isascii() and "=" not in cursor  # opaque base64url text, safe in a query string


@st.composite
def tampered(draw: st.DrawFn) -> tuple[str, str]:
    """A valid cursor and another text made from it by one edit (replace, insert, delete a character)."""
    cursor = KEYS.cursor((draw(st.text(max_size=20)), draw(st.text(max_size=20))))
    at = draw(st.integers(0, len(cursor) - 1))
    char = draw(st.characters())
    edit = draw(st.sampled_from(["replace", "insert", "delete"]))
    changed = {"replace": cursor[:at] + char + cursor[at + 1:], "insert": cursor[:at] + char + cursor[at:],
               "delete": cursor[:at] + cursor[at + 1:]}[edit]
    return cursor, changed


@given(tampered())
def test_a_tampered_cursor_is_refused_with_the_field_and_a_russian_message(pair: tuple[str, str]) -> None:
    cursor, changed = pair
    if changed == cursor or not changed:
        return  # the edit changed nothing (a character replaced by itself), or left nothing to send
    refused(None, lambda: KEYS.after(raw(changed)), code="validation_failed", field="cursor",
            message=BAD_CURSOR, status=422)


@given(st.text(min_size=1, max_size=200))
def test_any_text_not_made_here_is_refused(text: str) -> None:
    refused(None, lambda: KEYS.after(raw(text)), code="validation_failed", field="cursor", status=422)


def test_a_cursor_of_another_list_or_another_server_is_refused() -> None:
    cursor = KEYS.cursor(("2026-11-02T09:00:00+00:00", "a"))

    for other in (Keyset(SECRET, "contracts", 2), Keyset(ServerSecret(b"x" * 32), "sessions", 2),
                  Keyset(SECRET, "sessions", 3)):
        refused(None, lambda other=other: other.after(Paging(cursor=cursor)), code="validation_failed",
                field="cursor")


def test_a_page_keeps_the_limit_and_links_the_next_only_when_more_follow() -> None:
    page = KEYS.page([1, 2, 3], Paging(limit=2), lambda item: (str(item), "x"))
    assert page.items == (1, 2)
    assert KEYS.after(Paging(cursor=page.next)) == ("2", "x")

    assert KEYS.page([1, 2], Paging(limit=2), lambda item: (str(item), "x")).next is None


def test_limit_has_a_documented_default_and_bounds() -> None:
    assert Paging().limit == DEFAULT_LIMIT
    for bad in (0, MAX_LIMIT + 1):
        with pytest.raises(ValueError, match="limit"):
            Paging(limit=bad)


def test_over_http_a_tampered_cursor_and_a_bad_limit_answer_422_in_russian(services: Services) -> None:
    client = RecordingClient(create_app(services), headers={"User-Agent": CHROME_UA}, services=services)
    reg = client.simulate_post("/v1/registrations", json={
        "email": "anna@example.com", "password": "Secret#123", "agreement_accepted": True}).json
    auth = bearer(reg["token"])
    good = client.simulate_get("/v1/me/sessions", headers=auth, params={"limit": "1"})
    assert good.status_code == 200, good.text

    for params in ({"cursor": "garbage"}, {"cursor": KEYS.cursor(("x", "y"))}):
        result = client.simulate_get("/v1/me/sessions", headers=auth, params=params)
        assert_problem(result, 422, "validation_failed")
        assert result.json["detail"] == BAD_CURSOR
        assert result.json["field"] == "cursor"
    for limit in ("0", "501", "много"):
        assert_problem(client.simulate_get("/v1/me/sessions", headers=auth, params={"limit": limit}), 422,
                       "validation_failed")


PAGED_ROUTES = (
    "/v1/me/sessions", "/v1/contracts", "/v1/contracts/{contract_number}/users",
    "/v1/staff/contracts/{contract_number}/users", "/v1/staff/administrator-requests", "/v1/readings/history",
    "/v1/readings/interval-acts",
)


def test_over_http_the_link_header_walks_the_sessions_and_the_last_page_answers_as_before(
        services: Services) -> None:
    client = RecordingClient(create_app(services), headers={"User-Agent": CHROME_UA}, services=services)
    reg = client.simulate_post("/v1/registrations", json={
        "email": "anna@example.com", "password": "Secret#123", "agreement_accepted": True}).json
    auth = bearer(reg["token"])
    for _ in range(4):
        assert client.simulate_post("/v1/sessions", json={"identifier": "anna@example.com",
                                                         "password": "Secret#123"}).status_code == 201
    whole = client.simulate_get("/v1/me/sessions", headers=auth)
    assert set(whole.json) == {"items"} and "Link" not in whole.headers  # one page: the answer of before pages

    seen, path, query = [], "/v1/me/sessions", "limit=2"
    while True:
        page = client.simulate_get(path, headers=auth, query_string=query)
        assert page.status_code == 200, page.text
        seen += [row["session_id"] for row in page.json["items"]]
        if "next" not in page.json:
            assert "Link" not in page.headers
            break
        link = page.headers["Link"]
        assert link.endswith('>; rel="next"') and f"cursor={page.json['next']}" in link
        path, _, query = link[1:link.index(">")].partition("?")
    assert seen == [row["session_id"] for row in whole.json["items"]]
    assert len(seen) == 5  # noqa: PLR2004


def test_the_openapi_document_names_limit_cursor_and_next_on_every_paged_list() -> None:
    from adapters.http.app import ROUTES  # noqa: PLC0415
    from adapters.http.openapi import openapi  # noqa: PLC0415

    document = openapi(ROUTES)
    for path in PAGED_ROUTES:
        operation = document["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= names, path
        limit = next(p for p in operation["parameters"] if p["name"] == "limit")
        assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (DEFAULT_LIMIT, MAX_LIMIT)
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert "next" in document["components"]["schemas"][ref]["properties"], path
