"""Readings file uploads over a real waitress server (RDG-10, RDG-16): a multipart upload, and the size limit
answered 413 for a body announced too large and for a chunked one, never a 500."""

from __future__ import annotations

import http.client
import io
import json
import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
import waitress
from openpyxl import Workbook

from adapters.billing.readings_files import HEADERS, Limits
from adapters.http.app import create_app
from lkk_core import accounts, contracts
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import EnterCode, Register, SavePersonalData, SavePhone
from lkk_core.contracts.commands import GrantAdministrator
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.contracts_support import bound
from tests.readings_support import C5, EO1, FIG12, INSIDE, PERIOD, install_interval
from tests.support import CHROME, PASSWORD, Mailbox

pytestmark = pytest.mark.slow

LIMIT = 20_000
EMAIL = "client5@mail.ru"


@pytest.fixture
def server(services: Services, clock: FixedClock) -> Iterator[tuple[int, str]]:
    """A waitress server with a 20 kB upload limit, and the token of contract 5's Administrator."""
    clock.set(INSIDE)
    install_interval(services)
    mailbox = Mailbox(services)
    reg = accounts.register(services, Register(email=EMAIL, password=PASSWORD, agreement_accepted=True), CHROME)
    actor = Actor(reg.account_id, reg.session_id)
    accounts.confirm_email(services, actor, EnterCode(code=mailbox.last_code(EMAIL)))
    accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))
    accounts.save_phone(services, actor, SavePhone(phone="+7 812 123-12-31"))
    bound(services, mailbox, actor, C5, EMAIL)
    contracts.grant_administrator(services, StaffActor("staff-1"), C5, GrantAdministrator(account_id=actor.account_id))
    wsgi = waitress.create_server(create_app(services, limits=Limits(max_bytes=LIMIT)), host="127.0.0.1", port=0,
                                  threads=2)
    thread = threading.Thread(target=wsgi.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield wsgi.effective_port, reg.token
    finally:
        # As tests/e2e/test_server.py: close the sockets from the loop's own thread.
        wsgi.trigger.pull_trigger(lambda: [d.close() for d in list(wsgi._map.values())])  # noqa: SLF001
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server loop did not stop"
        wsgi.task_dispatcher.shutdown()


def form(file: bytes) -> tuple[str, bytes]:
    boundary = f"lkk-{uuid4().hex}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in (("contract_number", C5), ("period", PERIOD.isoformat()))]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="Показания.xlsx"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + file + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def post(port: int, token: str, body: bytes | Iterator[bytes], content_type: str,
         chunked: bool = False) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    connection.request("POST", "/v1/readings/integral-uploads", body=body, headers=headers,
                       encode_chunked=chunked)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    sheet.append([EO1, "Цех № 1", "Ожидание", FIG12, "РП-10 кВ яч.2", "А+", "Круглосуточный", 12441, "12442,00"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rdg10_a_multipart_upload_over_a_real_server(server: tuple[int, str]) -> None:
    port, token = server
    content_type, body = form(workbook())

    status, answer = post(port, token, body, content_type)

    assert status == 201, answer
    assert answer["message"] == "Показания сохранены"


def test_uploads_over_the_limit_are_413_with_a_length_or_chunked(server: tuple[int, str]) -> None:
    port, token = server
    content_type, body = form(b"PK\x03\x04" + b"\0" * (LIMIT + 10))  # within the form allowance, over the file limit

    status, answer = post(port, token, body, content_type)
    assert (status, answer["code"], answer["maximum"]) == (413, "payload_too_large", LIMIT)

    content_type, huge = form(b"\0" * (5 * 1024 * 1024))
    status, answer = post(port, token, huge, content_type)
    assert (status, answer["code"], answer["limit"]) == (413, "payload_too_large", "max_bytes")

    chunks = iter([huge[i:i + 65536] for i in range(0, len(huge), 65536)])
    status, answer = post(port, token, chunks, content_type, chunked=True)
    assert (status, answer["code"]) == (413, "payload_too_large")
